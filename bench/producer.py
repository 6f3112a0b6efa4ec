"""Events for the streams: the service's own SQL, run from the benchmark like a worker would.

``claim`` takes pending generations with the worker's claim query; ``progress``
writes progress steps through ``codegen.store.generations.record_transition`` (the one
conditional UPDATE, its event row and its NOTIFY, as the pipeline does);
``finish`` moves them to completed. The bare baseline is fed the same way.
"""

from __future__ import annotations

import asyncio
from typing import Any, Self
from uuid import UUID

from bench.databases import open_db
from codegen import lifecycle
from codegen.lifecycle import Stage, Status
from codegen.store import generations as generation_store

LEASE_SECONDS = 600.0


class Producer:
    def __init__(self, dsn: str, concurrency: int = 4) -> None:
        self.dsn = dsn
        self.concurrency = concurrency
        self.db: Any = None
        self.claims: dict[UUID, UUID] = {}

    async def __aenter__(self) -> Self:
        self.db = await open_db(self.dsn, size=self.concurrency + 1)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.db.close()

    async def claim(self, count: int) -> int:
        move = lifecycle.plan_transition(Status.PENDING, Status.PROCESSING)
        rows = await self.db.fetch(
            self.db.q.claim_pending, count, list(move.allowed_from), move.target.value, LEASE_SECONDS,
            "bench-producer", "bench", lifecycle.first_stages(),
        )
        for row in rows:
            self.claims[row["id"]] = row["lease_token"]
        return len(rows)

    async def _each(self, step: Any) -> None:
        limit = asyncio.Semaphore(self.concurrency)

        async def one(generation_id: UUID, lease: UUID) -> None:
            async with limit:
                await step(generation_id, lease)

        await asyncio.gather(*(one(g, lease) for g, lease in self.claims.items()))

    async def progress(self, k: int, total: int) -> None:
        async def step(generation_id: UUID, lease: UUID) -> None:
            seq = await generation_store.record_transition(
                self.db, generation_id, Status.PROCESSING, stage=Stage.GENERATING, progress=(k + 1) / (total + 2),
                message=f"Writing file {k + 1} of {total}", source=Status.PROCESSING, lease_token=lease,
            )
            assert seq is not None, "the benchmark lost its claim"

        await self._each(step)

    async def finish(self) -> None:
        async def step(generation_id: UUID, lease: UUID) -> None:
            seq = await generation_store.record_transition(
                self.db, generation_id, Status.COMPLETED, stage=Stage.COMPLETE, progress=1.0,
                message="Generation complete", source=Status.PROCESSING, lease_token=lease,
            )
            assert seq is not None, "the benchmark lost its claim"

        await self._each(step)

    async def run(self, events: int, interval: float) -> float:
        """``events`` progress steps per claimed generation, ``interval`` apart, then completed; seconds taken."""
        loop = asyncio.get_running_loop()
        started = loop.time()
        for k in range(events):
            tick = loop.time()
            await self.progress(k, events)
            await asyncio.sleep(max(0.0, tick + interval - loop.time()))
        await self.finish()
        return loop.time() - started


async def final_seqs(dsn: str) -> dict[str, int]:
    db = await open_db(dsn, size=1)
    try:
        rows = await db.fetch("SELECT id, last_event_seq FROM generations")
        return {str(r["id"]): r["last_event_seq"] for r in rows}
    finally:
        await db.close()


def losses(per_stream: list[list[Any]], final: dict[str, int]) -> dict[str, int]:
    """Events lost (never received), duplicated, and streams that did not see their terminal event."""
    lost = duplicates = unterminated = 0
    for generation_id, received, dups, _skipped, terminal, _last in per_stream:
        lost += max(0, final.get(generation_id, 0) - received)
        duplicates += dups
        unterminated += 0 if terminal else 1
    return {"lost": lost, "duplicates": duplicates, "unterminated": unterminated}
