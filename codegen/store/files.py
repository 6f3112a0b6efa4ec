"""A generation's files (sql/queries/files.sql)."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from codegen.db import Database
from codegen.records import FileContent


async def listed(db: Database, generation_id: UUID) -> list[FileContent]:
    """The files with their contents; an iteration's also its parent's deleted ones, each with its change."""
    return [FileContent(**row) for row in await db.fetch(db.q.list_files, generation_id)]


async def contents(db: Database, generation_id: UUID) -> dict[str, str]:
    """{path: content}, in path order."""
    return {row["path"]: row["content"] for row in await db.fetch(db.q.file_contents, generation_id)}


async def replace(
    conn: asyncpg.Connection, db: Database, generation_id: UUID,
    paths: list[str], languages: list[str], sizes: list[int], contents: list[str],
) -> None:
    """The generation's files are these (in the caller's transaction)."""
    await conn.execute(db.q.delete_files, generation_id)
    await conn.execute(db.q.insert_files, generation_id, paths, languages, sizes, contents)


async def preview_target(db: Database, user_id: UUID, generation_id: UUID) -> tuple[str, bool] | None:
    """(status, whether it has an index.html) of this user's generation, or None."""
    row = await db.fetchrow(db.q.preview_target, generation_id, user_id)
    return (row["status"], row["has_page"]) if row is not None else None


async def preview_file(db: Database, user_id: UUID, generation_id: UUID, path: str) -> str | None:
    """One file of a completed generation of this user, or None."""
    return await db.fetchval(db.q.preview_file, generation_id, user_id, path)
