"""Tokens billed per user and day (sql/queries/security.sql: the spending stop)."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from codegen.db import Database


async def today(db: Database, user_id: UUID) -> tuple[int, int]:
    """(this user's tokens, everyone's tokens) billed today (UTC)."""
    row = await db.fetchrow(db.q.spend_today, user_id)
    assert row is not None
    return row["user_tokens"], row["all_tokens"]


async def record(conn: asyncpg.Connection, db: Database, generation_id: UUID, tokens: int) -> None:
    await conn.execute(db.q.record_spend, generation_id, tokens)
