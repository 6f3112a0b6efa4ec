"""Projects: the user's project CRUD (naming lives in services/naming.py)."""

from __future__ import annotations

import uuid
from uuid import UUID

from codegen.db import Database
from codegen.errors import PROJECT_NOT_FOUND, NotFound
from codegen.lifecycle import Status
from codegen.records import Page, PageRequest, Position, Project, ProjectDetail
from codegen.store import generations as generation_store
from codegen.store import projects as store


async def list_projects(db: Database, user_id: UUID, request: PageRequest) -> Page[Project]:
    # the cursor's time is the last project's updated_at (projects are listed by activity)
    items = await store.page(db, user_id, request)
    return Page.of(items, request, lambda item: Position(item.updated_at, item.id))


async def create_project(
    db: Database, user_id: UUID, name: str, domain: str | None, description: str | None
) -> Project:
    return await store.insert(db, uuid.uuid4(), user_id, name.strip() or name, domain or "general", description)


async def get_project(db: Database, user_id: UUID, project_id: UUID) -> ProjectDetail:
    project = await store.get(db, user_id, project_id)
    if project is None:
        raise NotFound(PROJECT_NOT_FOUND)
    generations = await store.generations(db, project_id)
    return ProjectDetail(
        id=project.id, name=project.name, domain=project.domain, description=project.description,
        created_at=project.created_at, updated_at=project.updated_at, generation_count=project.generation_count,
        generations=generations,
    )


async def delete_project(db: Database, user_id: UUID, project_id: UUID) -> None:
    """Cancel the project's running generations (their streams end), then delete it all."""
    for generation_id in await generation_store.active_in_project(db, user_id, project_id):
        await generation_store.record_transition(db, generation_id, Status.CANCELLED, message="The project was deleted")
    if not await store.delete(db, user_id, project_id):
        raise NotFound(PROJECT_NOT_FOUND)
