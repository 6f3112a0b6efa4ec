"""Checkpoints of live file text and the NOTIFY payloads that go with them (sql/queries/live.sql)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

from codegen.db import Database


@dataclass(frozen=True, slots=True)
class Checkpoint:
    generation_id: str
    path: str
    attempt: int
    version: int
    text: str
    done: bool


@dataclass(frozen=True, slots=True)
class StoredCheckpoint:
    attempt: int
    path: str
    version: int
    text: str
    done: bool


async def flush(db: Database, checkpoints: list[Checkpoint], payloads: list[str]) -> None:
    """The checkpoints due and the payloads, in one statement (a payload naming a checkpoint comes after it)."""
    await db.fetchval(
        db.q.live_flush,
        [UUID(c.generation_id) for c in checkpoints], [c.path for c in checkpoints], [c.attempt for c in checkpoints],
        [c.version for c in checkpoints], [c.text for c in checkpoints], [c.done for c in checkpoints], payloads,
    )


async def latest(db: Database, generation_id: str) -> list[StoredCheckpoint]:
    """The latest attempt's checkpoints of one generation."""
    return [StoredCheckpoint(**row) for row in await db.fetch(db.q.live_checkpoints, UUID(generation_id))]


async def purge(db: Database, unfinished: Iterable[str]) -> None:
    """Checkpoints of generations that ended more than a few minutes ago (``unfinished``: the other statuses)."""
    await db.execute(db.q.purge_live_checkpoints, list(unfinished))
