"""A generation's numbered events, as its streams read them (sql/queries/events.sql)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from codegen.db import Database


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What a new stream needs: the current state (for ``connected``) and the last event's number."""

    status: str
    stage: str
    progress: float
    message: str
    last_event_seq: int


async def snapshot(db: Database, generation_id: UUID) -> Snapshot | None:
    row = await db.fetchrow(db.q.stream_snapshot, generation_id)
    return Snapshot(**row) if row is not None else None


async def after(db: Database, generation_id: UUID, seq: int) -> list[tuple[int, str]]:
    """(seq, payload: the event as JSON text) of every event after ``seq``, in order."""
    return [(row["seq"], row["payload"]) for row in await db.fetch(db.q.events_after, generation_id, seq)]
