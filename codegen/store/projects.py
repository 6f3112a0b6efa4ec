"""Projects (sql/queries/projects.sql)."""

from __future__ import annotations

from uuid import UUID

from codegen.db import Database
from codegen.records import PageRequest, Project, ProjectGeneration


async def page(db: Database, user_id: UUID, request: PageRequest) -> list[Project]:
    """Most recently active first: up to ``request.limit + 1`` projects after ``request.after``."""
    after = request.after
    rows = await db.fetch(
        db.q.list_projects, user_id, request.limit + 1, after.at if after else None, after.id if after else None
    )
    return [Project(**row) for row in rows]


async def insert(
    db: Database, project_id: UUID, user_id: UUID, name: str, domain: str, description: str | None
) -> Project:
    row = await db.fetchrow(db.q.insert_project, project_id, user_id, name, domain, description)
    assert row is not None
    return Project(**row)


async def get(db: Database, user_id: UUID, project_id: UUID) -> Project | None:
    row = await db.fetchrow(db.q.get_project, project_id, user_id)
    return Project(**row) if row is not None else None


async def generations(db: Database, project_id: UUID) -> list[ProjectGeneration]:
    return [ProjectGeneration(**row) for row in await db.fetch(db.q.list_project_generations, project_id)]


async def delete(db: Database, user_id: UUID, project_id: UUID) -> bool:
    """False when there was no such project of this user."""
    return await db.fetchval(db.q.delete_project, project_id, user_id) is not None
