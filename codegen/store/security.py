"""Throttles, rate limits and Idempotency-Keys (sql/queries/security.sql)."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from codegen.db import Database


async def register_hit(db: Database, subject: UUID, per_minute: int) -> int:
    """Count a registration from ``subject``; seconds to wait when over the limit, else 0."""
    return await db.fetchval(db.q.register_hit, subject, per_minute) or 0


async def auth_attempt(db: Database, keys: list[bytes], free: list[int], first_wait: int, max_wait: int) -> int:
    """Seconds to wait (the attempt is refused), or 0: the attempt is counted and may go ahead."""
    return await db.fetchval(db.q.auth_attempt, keys, free, first_wait, max_wait) or 0


async def auth_succeeded(db: Database, account: bytes, address: bytes | None) -> None:
    await db.execute(db.q.auth_succeeded, account, address)


async def idempotency_key(
    conn: asyncpg.Connection, db: Database, user_id: UUID, key: str
) -> tuple[bytes, UUID] | None:
    """(request hash, generation id) of a key used in the last 24 hours, or None."""
    row = await conn.fetchrow(db.q.get_idempotency_key, user_id, key)
    return (row["request_hash"], row["generation_id"]) if row is not None else None


async def claim_idempotency_key(
    conn: asyncpg.Connection, db: Database, user_id: UUID, key: str, request_hash: bytes, generation_id: UUID
) -> bool:
    """False when another request holds the key (it committed first); an expired key is taken over."""
    taken = await conn.fetchval(db.q.insert_idempotency_key, user_id, key, request_hash, generation_id)
    return taken is not None


async def purge_expired(db: Database) -> None:
    """What the throttles, rate limits and keys no longer need."""
    await db.execute(db.q.purge_stale_rate_limits)
    await db.execute(db.q.purge_stale_auth_failures)
    await db.execute(db.q.purge_expired_idempotency_keys)
