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


# shaped like Issued on purpose: each statement answers an outcome and what the caller needs with it
@dataclass(frozen=True, slots=True)
class Opened:
    """``outcome``: opened, invalid_token or too_many; ``stream_id`` is the slot kept (None: no limit)."""

    outcome: str
    user_id: UUID | None
    stream_id: int | None


async def open_streams(
    db: Database, asked: list[tuple[bytes, UUID]], process: UUID, lease_seconds: int, limit: int
) -> list[Opened]:
    """Spend each (token digest, generation) and take a slot of its user's open streams: one statement."""
    digests = [digest for digest, _generation in asked]
    generations = [generation for _digest, generation in asked]
    rows = await db.fetch(db.q.open_streams, digests, generations, process, lease_seconds, limit)
    return [Opened(row["outcome"], row["user_id"], row["stream_id"]) for row in rows]


async def close_streams(db: Database, stream_ids: list[int]) -> None:
    await db.execute(db.q.close_stream, stream_ids)


async def renew_streams(db: Database, process: UUID, lease_seconds: int, closed: list[int]) -> tuple[int, int]:
    """Renew every slot of ``process`` and delete ``closed`` and lapsed ones: (renewed, lapsed)."""
    row = await db.fetchrow(db.q.renew_open_streams, process, lease_seconds, closed)
    assert row is not None
    return row["renewed"], row["lapsed"]


async def close_process_streams(db: Database, process: UUID) -> None:
    await db.execute(db.q.close_process_streams, process)


async def purge_expired(db: Database) -> None:
    await db.execute(db.q.purge_expired_stream_tokens)
