"""How a statement waits for a connection (codegen.db.Lane), on a real pool of a real database.

A request that cannot get a pooled connection in time is refused (503; the client retries). A
generation's statements wait: given up, they lost the attempt's work, which then came back after
its lease expired and added to the load that had kept the pool busy (at 1,000 model generations on
2 cores, 925 generations were interrupted so, docs/performance.md). The worker's lease renewals
have a connection of their own, so a busy pool never lets running generations' leases lapse. A
database that stops answering is still noticed, in every lane.
"""

from __future__ import annotations

import asyncio
import os
import signal
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import pytest

from codegen import appkeys
from codegen.db import Database, DatabaseUnavailable, Lane
from tests.test_fencing import gated_worker, queue, workers  # noqa: F401 - fixtures

pytestmark = pytest.mark.database


@asynccontextmanager
async def pool_held(db: Database, connections: int) -> AsyncIterator[None]:
    """``connections`` of ``db``'s pool held (every one, when that is its size) until the block ends."""
    release, holding = asyncio.Event(), [asyncio.Event() for _ in range(connections)]

    async def hold(held: asyncio.Event) -> None:
        async with db.connection():
            held.set()
            await release.wait()

    holders = [asyncio.create_task(hold(held)) for held in holding]
    try:
        for held in holding:
            await held.wait()
        yield
    finally:
        release.set()
        await asyncio.gather(*holders, return_exceptions=True)


async def in_lane(db: Database, lane: Lane, sql: str) -> object:
    with Database.lane(lane):
        return await db.fetchval(sql)


async def test_a_busy_pool_refuses_a_request_makes_a_generation_wait_and_never_holds_up_the_leases(
    fresh_database_url: str,
) -> None:
    db = await Database.connect(fresh_database_url, min_size=1, max_size=1, acquire_timeout=0.3)
    try:
        async with pool_held(db, 1):
            # queued first, so the request below is refused while this one is still waiting
            generation = asyncio.create_task(in_lane(db, Lane.GENERATION, "SELECT 'generation'"))
            with pytest.raises(DatabaseUnavailable):
                await db.fetchval("SELECT 'request'")
            assert not generation.done(), "a generation's statement gave up where a request does"
            assert await in_lane(db, Lane.LEASES, "SELECT 'leases'") == "leases"
            assert not generation.done()
        assert await asyncio.wait_for(generation, 30) == "generation"
        assert db.healthy
    finally:
        await db.close()


async def test_a_waiting_generation_statement_is_interrupted_when_the_database_stops_answering(
    fresh_database_url: str,
) -> None:
    """Every backend of the database is stopped (SIGSTOP), the probe's among them: the statement that
    was waiting for the busy pool fails with DatabaseUnavailable instead of waiting for ever."""
    db = await Database.connect(fresh_database_url, min_size=1, max_size=1, probe_timeout=0.5)
    admin = await asyncpg.connect(fresh_database_url)
    stopped: list[int] = []
    try:
        async with pool_held(db, 1):
            generation = asyncio.create_task(in_lane(db, Lane.GENERATION, "SELECT 1"))
            stopped = [row["pid"] for row in await admin.fetch(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )]
            for pid in stopped:
                os.kill(pid, signal.SIGSTOP)
            with pytest.raises(DatabaseUnavailable):
                await asyncio.wait_for(generation, 30)
            assert not db.healthy
    finally:
        for pid in stopped:
            os.kill(pid, signal.SIGCONT)
        await admin.close()
        await db.close()


async def test_the_heartbeat_renews_leases_while_every_pooled_connection_is_busy(
    queue, make_user, workers, db_conn  # noqa: F811 - fixtures
) -> None:
    """The app's whole pool is held (as by hundreds of generations' writes): the worker's renewal still
    moves its generation's lease on, on the leases' own connection."""
    user = await make_user(queue)
    generation_id = uuid.UUID((await user.generate())["id"])
    a = gated_worker(queue, workers, lease_seconds=30.0)
    assert await a.worker.claim_available() == 1
    await a.generator.started.wait()
    await db_conn.execute("UPDATE generations SET lease_expires_at = now() + interval '5 seconds' WHERE id = $1",
                          generation_id)
    db = queue.app[appkeys.DB]
    async with pool_held(db, db.pool.get_max_size()):
        await asyncio.wait_for(a.worker.renew(), 30)
        left = await db_conn.fetchval("SELECT lease_expires_at - now() FROM generations WHERE id = $1", generation_id)
    assert left.total_seconds() > 25, f"the lease was not renewed: {left} left"
    assert a.worker.running[generation_id].stop_reason is None
