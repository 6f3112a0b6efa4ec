"""Projects: the user's project CRUD (naming lives in services/naming.py)."""

from __future__ import annotations

import uuid
from typing import Any
from uuid import UUID

from codegen.db import Database
from codegen.errors import PROJECT_NOT_FOUND, NotFound
from codegen.lifecycle import Status
from codegen.schemas import ListProjectsQuery, keyset_page
from codegen.services import generations as generation_service


async def list_projects(db: Database, user_id: UUID, query: ListProjectsQuery) -> dict[str, Any]:
    cursor = query.cursor
    rows = await db.fetch(
        db.q.list_projects, user_id, query.limit + 1, cursor.created_at if cursor else None, cursor.id if cursor else None
    )
    return keyset_page(rows, query.limit, "updated_at")


async def create_project(
    db: Database, user_id: UUID, name: str, domain: str | None, description: str | None
) -> dict[str, Any]:
    row = await db.fetchrow(
        db.q.insert_project, uuid.uuid4(), user_id, name.strip() or name, domain or "general", description
    )
    assert row is not None
    return dict(row)


async def get_project(db: Database, user_id: UUID, project_id: UUID) -> dict[str, Any]:
    row = await db.fetchrow(db.q.get_project, project_id, user_id)
    if row is None:
        raise NotFound(PROJECT_NOT_FOUND)
    generations = await db.fetch(db.q.list_project_generations, project_id)
    return {**dict(row), "generations": [dict(g) for g in generations]}


async def delete_project(db: Database, user_id: UUID, project_id: UUID) -> None:
    """Cancel the project's running generations (their streams end), then delete it all."""
    active = await db.fetch(db.q.list_active_in_project, project_id, user_id)
    for generation in active:
        await generation_service.move(
            db, generation["id"], Status.CANCELLED, message="The project was deleted", source=None
        )
    if await db.fetchval(db.q.delete_project, project_id, user_id) is None:
        raise NotFound(PROJECT_NOT_FOUND)
