"""What a stream reads as it connects, one statement for all the streams connecting together.

A stream reads its generation's state, the events after its Last-Event-ID and, for a completed
generation, the stored files. Streams that connect at about the same time (a reconnect storm's
thousands, mostly on the same few generations) share each read: batch.py.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from uuid import UUID

from codegen.db import Database
from codegen.store import files
from codegen.store.batch import Batcher


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What a new stream needs: the current state (for ``connected``) and the last event's number."""

    status: str
    stage: str
    progress: float
    message: str
    last_event_seq: int


# (seq, payload: the event as JSON text), in order
Events = list[tuple[int, str]]


class StreamReads:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._snapshots: Batcher[UUID, Snapshot | None] = Batcher(self._read_snapshots)
        self._events: Batcher[tuple[UUID, int], Events] = Batcher(self._read_events)
        self._files: Batcher[UUID, dict[str, str]] = Batcher(self._read_files)

    async def snapshot(self, generation_id: UUID) -> Snapshot | None:
        """The generation's state and last event number (None: no such generation)."""
        return await self._snapshots(generation_id)

    async def after(self, generation_id: UUID, seq: int) -> Events:
        """Every event of the generation after ``seq``."""
        return await self._events((generation_id, seq))

    async def contents(self, generation_id: UUID) -> dict[str, str]:
        """{path: content} as GET …/files lists them (an iteration's deleted files empty), in path order;
        shared with other callers: read only."""
        return await self._files(generation_id)

    async def _read_snapshots(self, generation_ids: list[UUID]) -> list[Snapshot | None]:
        rows = await self.db.fetch(self.db.q.stream_snapshots, list(set(generation_ids)))
        found = {row["id"]: Snapshot(**{k: v for k, v in row.items() if k != "id"}) for row in rows}
        return [found.get(generation_id) for generation_id in generation_ids]

    async def _read_events(self, asked: list[tuple[UUID, int]]) -> list[Events]:
        rows = await self.db.fetch(
            self.db.q.events_after, [generation for generation, _ in asked], [seq for _, seq in asked]
        )
        by_generation: defaultdict[UUID, Events] = defaultdict(list)
        for row in rows:
            by_generation[row["generation_id"]].append((row["seq"], row["payload"]))
        return [[event for event in by_generation[generation] if event[0] > seq] for generation, seq in asked]

    async def _read_files(self, generation_ids: list[UUID]) -> list[dict[str, str]]:
        # one statement per generation: a batch's streams are on a few generations (a storm's on one)
        listed = {
            generation_id: {file.path: file.content for file in await files.listed(self.db, generation_id)}
            for generation_id in dict.fromkeys(generation_ids)
        }
        return [listed[generation_id] for generation_id in generation_ids]
