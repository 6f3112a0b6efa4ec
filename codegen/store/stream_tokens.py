"""Single-use stream tokens (sql/queries/stream_tokens.sql): only their hash is stored."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from codegen.db import Database


@dataclass(frozen=True, slots=True)
class Issued:
    """``outcome``: issued, rate_limited, not_found, failed, cancelled or completed."""

    outcome: str
    retry_after: int | None
    error_message: str | None


async def issue(
    db: Database, user_id: UUID, generation_id: UUID, digest: bytes, ttl_seconds: int, rate_limit: int
) -> Issued:
    row = await db.fetchrow(db.q.issue_stream_token, user_id, generation_id, digest, ttl_seconds, rate_limit)
    assert row is not None
    return Issued(row["outcome"], row["retry_after"], row["error_message"])


async def consume(db: Database, digest: bytes, generation_id: UUID) -> UUID | None:
    """The token's user, spending it; None when unknown, expired, used or for another generation."""
    return await db.fetchval(db.q.consume_stream_token, digest, generation_id)


async def purge_expired(db: Database) -> None:
    await db.execute(db.q.purge_expired_stream_tokens)
