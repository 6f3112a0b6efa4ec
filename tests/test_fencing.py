"""Fencing against a live claim: a worker whose claim passed to another changes nothing.

test_engine's stale-worker test writes after the generation is completed, where the status
guard alone refuses it. Here worker B holds the claim (processing, its own lease token) while
worker A, whose lease ran out, writes, renews and hands back with its old token: only the token
check stands between A and B's generation.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import asyncpg
import pytest

from codegen import appkeys
from codegen.engine.bus import EventBus
from codegen.engine.worker import Worker
from codegen.lifecycle import Stage, Status
from codegen.store import generations as generation_store
from tests.conftest import Server, ServerFactory
from tests.faults import table_locked
from tests.helpers import ApiClient, GatedGenerator, expire_lease, wait_until

pytestmark = pytest.mark.database

ROW = "SELECT status, stage, progress, message, attempts, lease_token, lease_expires_at, worker_id, last_event_seq " \
      "FROM generations WHERE id = $1"


@dataclass
class Gated:
    worker: Worker
    generator: GatedGenerator


@pytest.fixture
async def queue(make_server: ServerFactory) -> Server:
    """A server without a worker: the test's own workers do the claiming."""
    return await make_server(worker=False, generate_rate_limit=0)


@pytest.fixture
async def workers(queue: Server) -> AsyncIterator[list[Gated]]:
    """``make(...)`` appends a gated worker on ``queue``'s database; all are stopped afterwards."""
    made: list[Gated] = []
    yield made
    for gated in made:
        gated.generator.release.set()
        await gated.worker.stop()


def gated_worker(queue: Server, made: list[Gated], **overrides: object) -> Gated:
    generator = GatedGenerator()
    settings = queue.settings.model_copy(update={"worker_concurrency": 1, **overrides})
    gated = Gated(Worker(queue.app[appkeys.DB], queue.app[appkeys.BUS], settings.engine, generator), generator)
    made.append(gated)
    return gated


async def claim(gated: Gated, generation_id: uuid.UUID) -> None:
    assert await gated.worker.claim_available() == 1
    assert set(gated.worker.running) == {generation_id}
    await gated.generator.started.wait()


async def expire_and_reap(db_conn: asyncpg.Connection, reaper: Worker, generation_id: uuid.UUID) -> None:
    """Time travel: the lease ran out a second ago; the reaper puts the generation back in the queue."""
    await expire_lease(db_conn, generation_id)
    assert await reaper.reap() == 1
    assert await db_conn.fetchval("SELECT status FROM generations WHERE id = $1", generation_id) == "pending"


async def taken_over(queue: Server, make_user, workers: list[Gated], db_conn) -> tuple[Gated, Gated, uuid.UUID]:
    """Worker A claimed a generation and lost its lease; worker B holds it now, live."""
    user: ApiClient = await make_user(queue)
    generation_id = uuid.UUID((await user.generate())["id"])
    a, b = gated_worker(queue, workers), gated_worker(queue, workers)
    await claim(a, generation_id)
    await expire_and_reap(db_conn, b.worker, generation_id)
    await claim(b, generation_id)
    a_token = a.worker.running[generation_id].claim.lease_token
    b_token = b.worker.running[generation_id].claim.lease_token
    assert a_token != b_token
    assert await db_conn.fetchval("SELECT lease_token FROM generations WHERE id = $1", generation_id) == b_token
    return a, b, generation_id


async def test_a_stale_move_renew_and_release_change_nothing_while_another_worker_holds_the_claim(
    queue, make_user, workers, db_conn
):
    a, b, generation_id = await taken_over(queue, make_user, workers, db_conn)
    a_claim = a.worker.running[generation_id].claim
    before = await db_conn.fetchrow(ROW, generation_id)
    assert (before["status"], before["attempts"]) == ("processing", 2)
    db = queue.app[appkeys.DB]

    moved = await generation_store.record_transition(
        db, generation_id, Status.PROCESSING, stage=Stage.GENERATING, progress=0.9, message="stale write",
        source=Status.PROCESSING, lease_token=a_claim.lease_token,
    )
    assert moved is None, "a move with a lost claim was applied to the generation another worker holds"
    finished = await generation_store.record_transition(
        db, generation_id, Status.COMPLETED, stage=Stage.COMPLETE, progress=1.0, message="stale completion",
        source=Status.PROCESSING, lease_token=a_claim.lease_token,
    )
    assert finished is None, "a lost claim completed the generation another worker holds"
    renewed = await db.fetchval(db.q.renew_lease, generation_id, a_claim.lease_token, 3600)
    assert renewed is None, "a lost claim renewed the lease of the generation another worker holds"
    assert await db_conn.fetchrow(ROW, generation_id) == before

    # A shuts down while its generator still runs: it hands back what it thinks it holds, with its old token
    a_item = a.worker.running[generation_id]
    await a.worker.stop()
    assert a_item.stop_reason == "shutdown"
    assert a.worker.running == {}
    after = await db_conn.fetchrow(ROW, generation_id)
    assert after == before, f"worker A's hand-back changed B's generation: {dict(before)} -> {dict(after)}"
    assert await db_conn.fetchval(
        "SELECT count(*) FROM generation_events WHERE generation_id = $1 AND message LIKE 'stale%'", generation_id
    ) == 0

    # and B, the holder, still finishes it
    b.generator.release.set()
    await b.worker.running[generation_id].task
    final = await db_conn.fetchrow(ROW, generation_id)
    assert (final["status"], final["attempts"]) == ("completed", 2)
    # a terminal move lets go of the claim: no token is left for anyone to write with
    assert (final["lease_token"], final["lease_expires_at"]) == (None, None)


async def test_a_stale_worker_that_wakes_up_writes_nothing_and_leaves_the_holder_running(
    queue, make_user, workers, db_conn
):
    a, b, generation_id = await taken_over(queue, make_user, workers, db_conn)
    before = await db_conn.fetchrow(ROW, generation_id)
    a_task = a.worker.running[generation_id].task
    # A's generator finishes: the pipeline reports progress, then completes, all with A's old token
    a.generator.release.set()
    await a_task
    assert not a.worker.running
    assert await db_conn.fetchrow(ROW, generation_id) == before
    assert await db_conn.fetchval("SELECT count(*) FROM generation_files WHERE generation_id = $1", generation_id) == 0
    assert b.worker.running[generation_id].stop_reason is None


async def test_the_heartbeat_stops_a_worker_whose_claim_is_gone(queue, make_user, workers, db_conn):
    user: ApiClient = await make_user(queue)
    generation_id = uuid.UUID((await user.generate())["id"])
    # a lease long enough that nothing expires by itself; the heartbeat beats every second
    a = gated_worker(queue, workers, lease_seconds=3.0)
    await a.worker.start()
    await a.generator.started.wait()
    item = a.worker.running[generation_id]
    # another worker took it (as after an expiry): the token in the row is no longer A's
    stolen = uuid.uuid4()
    await db_conn.execute("UPDATE generations SET lease_token = $2 WHERE id = $1", generation_id, stolen)
    before = await db_conn.fetchrow(ROW, generation_id)
    # the next beat finds no lease to renew and stops the generation; a heartbeat that ignores that
    # would leave the task waiting on its gate forever, so the bound here is only a failure's
    try:
        async with asyncio.timeout(30):
            await asyncio.gather(item.task, return_exceptions=True)
    except TimeoutError:
        pytest.fail("the heartbeat did not stop a generation whose claim is gone")
    assert item.stop_reason == "claim_lost"
    assert generation_id not in a.worker.running
    # it stopped without writing, and kept renewing nothing
    assert await db_conn.fetchrow(ROW, generation_id) == before
    assert a.generator.calls == 1


async def test_a_claim_names_the_worker_that_holds_it_and_its_generator(queue, make_user, workers, db_conn):
    user: ApiClient = await make_user(queue)
    generation_id = uuid.UUID((await user.generate())["id"])
    a = gated_worker(queue, workers)
    await claim(a, generation_id)
    # operators (and the crash drills) tell which process holds a lease by worker_id; the API shows the provider
    row = await db_conn.fetchrow("SELECT worker_id, provider FROM generations WHERE id = $1", generation_id)
    assert (row["worker_id"], row["provider"]) == (a.worker.worker_id, "gated")
    assert (await user.generation(str(generation_id)))["provider"] == "gated"


async def test_a_stopping_worker_claims_nothing(queue, make_user, workers, db_conn):
    user: ApiClient = await make_user(queue)
    generation_id = uuid.UUID((await user.generate())["id"])
    a = gated_worker(queue, workers)
    await a.worker.stop()
    # a wake-up that races stop()'s cancel of the claim loop: the worker has room, yet takes nothing
    assert await a.worker.claim_available() == 0
    assert a.worker.running == {}
    row = await db_conn.fetchrow(ROW, generation_id)
    assert (row["status"], row["attempts"], row["worker_id"]) == ("pending", 0, None)


async def test_a_worker_that_hears_no_wake_up_finds_queued_work_by_polling(queue, make_user, workers, database_url):
    user: ApiClient = await make_user(queue)
    first = uuid.UUID((await user.generate())["id"])
    # a bus never started hears no NOTIFY (as while its connection is down): only the poll finds new work
    deaf = EventBus(database_url)
    settings = queue.settings.model_copy(update={"worker_concurrency": 2, "worker_poll_seconds": 0.2})
    generator = GatedGenerator()
    worker = Worker(queue.app[appkeys.DB], deaf, settings.engine, generator)
    workers.append(Gated(worker, generator))
    await worker.start()
    await generator.started.wait()
    assert set(worker.running) == {first}
    # queued after the first claim: the create's wake-up goes to the queue server's bus, not to this worker
    second = uuid.UUID((await user.generate())["id"])

    async def both_claimed() -> bool:
        return set(worker.running) == {first, second}

    await wait_until(both_claimed)


async def test_a_full_worker_answers_a_wake_up_without_a_statement(queue, make_user, workers, database_url):
    user: ApiClient = await make_user(queue)
    generation_id = uuid.UUID((await user.generate())["id"])
    a = gated_worker(queue, workers)
    await claim(a, generation_id)
    await user.generate()
    # every create wakes every worker: one already at its concurrency must not run the claim statement each
    # time. With the table locked against everyone, such a statement would wait; the bound is only a failure's
    async with table_locked(database_url, "generations"), asyncio.timeout(30):
        assert await a.worker.claim_available() == 0
    assert set(a.worker.running) == {generation_id}
