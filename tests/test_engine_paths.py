"""The engine's less travelled paths, each reached for real: generator mistakes, the review, a
stage delay, a worker re-taking its own expired claim, the heartbeat, and database failures
(a backend terminated mid-write, a hand-back that cannot get through, revoked privileges)."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from typing import Any

import asyncpg
import pytest

from codegen import appkeys
from codegen.engine.worker import Running, Worker
from codegen.generators.base import GeneratedFile, GenerationError, GenerationResult
from codegen.lifecycle import Stage, Status
from codegen.store import generations as generation_store
from tests.conftest import LogLines, Server, ServerFactory, UserFactory, stop_or_explain
from tests.faults import blocked_backend, restricted_role
from tests.helpers import GatedGenerator, expire_lease, logged, wait_until

pytestmark = pytest.mark.database

ROW = "SELECT status, stage, lease_token, attempts, last_event_seq FROM generations WHERE id = $1"


class ScriptedGenerator:
    """Does what ``script(request, report)`` does."""

    name = "scripted"

    def __init__(self, script: Callable[[Any, Any], Any]) -> None:
        self.script = script

    async def generate(self, request: Any, report: Any) -> GenerationResult:
        return await self.script(request, report)


async def run_to_end(make_server: ServerFactory, make_user: UserFactory, script: Callable[[Any, Any], Any],
                     **fields: Any) -> dict[str, Any]:
    server = await make_server(generator=ScriptedGenerator(script), generate_rate_limit=0)
    user = await make_user(server)
    generation = await user.generate(**fields)
    return await user.wait_for(generation["id"])


# -- what a generator hands back -----------------------------------------------------------------


async def test_a_stage_the_mode_does_not_have_fails_the_generation(make_server, make_user):
    async def planning_in_unified_mode(_request, report):
        await report(Stage.PLANNING, 0.1, "Planning")

    final = await run_to_end(make_server, make_user, planning_in_unified_mode, generation_mode="unified")
    assert final["status"] == "failed"
    assert final["error_message"] == "the generator reported stage planning which unified mode does not have"


async def test_files_the_review_rejects_fail_the_generation(make_server, make_user):
    async def broken_python(_request, report):
        await report(Stage.PLANNING, 0.1, "Planning")
        return GenerationResult(files=[GeneratedFile("app.py", "def broken(:\n")])

    final = await run_to_end(make_server, make_user, broken_python)
    assert final["status"] == "failed"
    assert final["error_message"].startswith("The review found problems: app.py: ")
    assert final["files"] == []


async def test_a_failed_generation_keeps_what_the_attempt_cost(make_server, make_user):
    async def out_of_budget(_request, report):
        await report(Stage.PLANNING, 0.1, "Planning")
        raise GenerationError("the model ran out of budget", usage={"prompt_tokens": 7, "completion_tokens": 11})

    final = await run_to_end(make_server, make_user, out_of_budget)
    assert (final["status"], final["error_message"]) == ("failed", "the model ran out of budget")
    assert final["usage"] == {"prompt_tokens": 7, "completion_tokens": 11}


async def test_unified_mode_with_a_stage_delay_skips_the_review_stage(make_server, make_user, db_conn):
    async def one_file(_request, report):
        await report(Stage.GENERATING, 0.5, "Writing")
        return GenerationResult(files=[GeneratedFile("app.py", "print('hi')\n")])

    server = await make_server(generator=ScriptedGenerator(one_file), generate_rate_limit=0, stage_delay=0.01)
    user = await make_user(server)
    generation = await user.generate(generation_mode="unified")
    final = await user.wait_for(generation["id"])
    assert final["status"] == "completed"
    stages = await db_conn.fetchval(
        "SELECT array_agg(stage ORDER BY seq) FROM generation_events WHERE generation_id = $1",
        uuid.UUID(generation["id"]),
    )
    # (the claim's own event is issue 16's to define: only what the pipeline writes is checked here)
    assert stages[-3:] == ["generating", "finalizing", "complete"]
    assert "reviewing" not in stages


# -- claims and leases -----------------------------------------------------------------------------


async def test_the_first_reason_to_stop_wins() -> None:
    """A shutdown that follows a cancel does not turn the cancel into a hand-back."""
    item = Running(claim=None)  # type: ignore[arg-type]
    item.task = asyncio.create_task(asyncio.Event().wait())
    item.stop("cancelled")
    item.stop("shutdown")
    await asyncio.gather(item.task, return_exceptions=True)
    assert (item.stop_reason, item.task.cancelled()) == ("cancelled", True)


@pytest.fixture
async def queue(make_server: ServerFactory) -> Server:
    return await make_server(worker=False, generate_rate_limit=0)


async def queued(server: Server, make_user: UserFactory) -> uuid.UUID:
    """A new user's generation, pending on ``server``'s database."""
    user = await make_user(server)
    return uuid.UUID((await user.generate())["id"])


def own_worker(server: Server, generator: Any, **overrides: Any) -> Worker:
    settings = server.settings.model_copy(update={"worker_concurrency": 1, **overrides})
    return Worker(server.app[appkeys.DB], server.app[appkeys.BUS], settings.engine, generator)


async def claimed_by_own_worker(server: Server, make_user: UserFactory) -> tuple[uuid.UUID, GatedGenerator, Worker]:
    """A generation a worker of the test's own claimed; its generator waits at the gate."""
    gid = await queued(server, make_user)
    generator = GatedGenerator()
    worker = own_worker(server, generator)
    assert await worker.claim_available() == 1
    await generator.started.wait()
    return gid, generator, worker


async def test_a_worker_that_retakes_its_own_expired_claim_stops_the_stale_attempt(queue, make_user, db_conn,
                                                                                   log_lines):
    gid = await queued(queue, make_user)
    generator = GatedGenerator()
    worker = own_worker(queue, generator, worker_concurrency=2)
    try:
        assert await worker.claim_available() == 1
        await generator.started.wait()
        first = worker.running[gid]
        # it stalled past its lease; the reaper requeued it, and the same worker takes it again
        await expire_lease(db_conn, gid)
        assert await worker.reap() == 1
        requeued = logged(log_lines, "lease expired; generation requeued")
        assert [line.get("generation_id") for line in requeued] == [str(gid)]
        assert await worker.claim_available() == 1
        second = worker.running[gid]
        assert second is not first
        await asyncio.gather(first.task, return_exceptions=True)
        assert first.stop_reason == "claim_lost"
        stopped = logged(log_lines, "generation stopped")
        assert [(line.get("reason"), line.get("generation_id")) for line in stopped] == [("claim_lost", str(gid))]
        # the stale attempt's bookkeeping did not remove the live one
        assert worker.running[gid] is second
        generator.release.set()
        await second.task
        assert (await db_conn.fetchrow(ROW, gid))["status"] == "completed"
    finally:
        generator.release.set()
        await worker.stop()


async def test_the_oldest_pending_generation_is_claimed_first(queue, make_user, db_conn):
    older, newer = await queued(queue, make_user), await queued(queue, make_user)
    await db_conn.execute("UPDATE generations SET created_at = created_at - interval '1 minute' WHERE id = $1", older)
    generator = GatedGenerator()
    worker = own_worker(queue, generator)
    try:
        assert await worker.claim_available() == 1
        assert set(worker.running) == {older}
        assert await db_conn.fetchval("SELECT status FROM generations WHERE id = $1", newer) == "pending"
    finally:
        generator.release.set()
        await worker.stop()


async def test_a_move_never_lowers_the_progress(queue, make_user, db_conn):
    gid, generator, worker = await claimed_by_own_worker(queue, make_user)
    try:
        token = worker.running[gid].claim.lease_token
        reported = await db_conn.fetchval("SELECT progress FROM generations WHERE id = $1", gid)
        assert reported > 0
        moved = await generation_store.record_transition(
            queue.app[appkeys.DB], gid, Status.PROCESSING, stage=Stage.GENERATING, progress=0.0, message="back to zero?",
            source=Status.PROCESSING, lease_token=token,
        )
        assert moved is not None
        row = await db_conn.fetchrow("SELECT progress, stage FROM generations WHERE id = $1", gid)
        assert (row["progress"], row["stage"]) == (reported, "generating")
    finally:
        generator.release.set()
        await worker.stop()


async def test_the_heartbeat_extends_a_live_lease(queue, make_user, db_conn):
    gid = await queued(queue, make_user)
    generator = GatedGenerator()
    worker = own_worker(queue, generator, lease_seconds=3.0)
    await worker.start()
    try:
        await generator.started.wait()
        first = await db_conn.fetchval("SELECT lease_expires_at FROM generations WHERE id = $1", gid)

        async def renewed() -> bool:
            return await db_conn.fetchval("SELECT lease_expires_at FROM generations WHERE id = $1", gid) > first

        await wait_until(renewed)
        assert worker.running[gid].stop_reason is None
    finally:
        generator.release.set()
        await worker.stop()


async def test_a_stale_failure_writes_nothing(queue, make_user, db_conn, log_lines):
    """Worker A's generator fails after B took the generation over: A's move to failed is fenced off."""
    gid = await queued(queue, make_user)
    failing, holding = GatedGenerator(GenerationError("too late to matter")), GatedGenerator()
    a, b = own_worker(queue, failing), own_worker(queue, holding)
    try:
        await a.claim_available()
        await failing.started.wait()
        await expire_lease(db_conn, gid)
        await b.reap()
        await b.claim_available()
        await holding.started.wait()
        before = await db_conn.fetchrow(ROW, gid)
        a_task = a.running[gid].task
        failing.release.set()
        await a_task
        # A's move to failed found its claim gone (pipeline.ClaimLost): A stopped, it did not finish
        lost = logged(log_lines, "generation is no longer ours; stopped without writing")
        assert [(line.get("worker_id"), line.get("generation_id")) for line in lost] == [(a.worker_id, str(gid))]
        assert logged(log_lines, "generation finished") == []
        assert await db_conn.fetchrow(ROW, gid) == before
        assert await db_conn.fetchval("SELECT error_message FROM generations WHERE id = $1", gid) is None
    finally:
        holding.release.set()
        await a.stop()
        await b.stop()


# -- the database failing under the worker ---------------------------------------------------------


async def test_a_write_cut_off_by_the_database_leaves_the_lease_to_expire(queue, make_user, db_conn, database_url,
                                                                           log_lines):
    gid, generator, worker = await claimed_by_own_worker(queue, make_user)
    try:
        item = worker.running[gid]
        admin = await asyncpg.connect(database_url)
        try:
            async with db_conn.transaction():
                # the row is held: the generator's next progress write waits, and its connection is then cut
                await db_conn.execute("SELECT 1 FROM generations WHERE id = $1 FOR UPDATE", gid)
                generator.release.set()
                pid = await blocked_backend(admin, "WITH moved AS")
                assert await admin.fetchval("SELECT pg_terminate_backend($1)", pid)
                await asyncio.gather(item.task, return_exceptions=True)
        finally:
            await admin.close()
        assert item.stop_reason is None
        assert gid not in worker.running
        row = await db_conn.fetchrow(ROW, gid)
        assert (row["status"], row["lease_token"]) == ("processing", item.claim.lease_token)
        interrupted = logged(log_lines, "generation interrupted by the database; the lease will expire")
        assert len(interrupted) == 1, log_lines()
        # the failure, as a field
        assert interrupted[0].get("error") not in (None, "", "None"), interrupted
        assert interrupted[0].get("generation_id") == str(gid)
    finally:
        await worker.stop()


@pytest.mark.parametrize("fault", ["terminated", "stuck"])
async def test_a_hand_back_that_cannot_get_through_does_not_hold_up_stopping(
    queue, make_user, db_conn, database_url, caplog, fault
):
    gid, generator, worker = await claimed_by_own_worker(queue, make_user)
    item = worker.running[gid]
    admin = await asyncpg.connect(database_url)
    try:
        async with db_conn.transaction():
            await db_conn.execute("SELECT 1 FROM generations WHERE id = $1 FOR UPDATE", gid)
            stopping = asyncio.create_task(worker.stop())
            pid = await blocked_backend(admin, "The worker shut down")
            if fault == "terminated":
                assert await admin.fetchval("SELECT pg_terminate_backend($1)", pid)
            # "stuck": the hand-back waits on the row until stop() gives up on it
            await stopping
    finally:
        await admin.close()
        generator.release.set()
    assert item.task.done()
    if fault == "terminated":
        (logged,) = [r for r in caplog.records
                     if r.getMessage() == "could not hand the generation back; its lease will expire"]
        assert logged.error and logged.error != "None"  # type: ignore[attr-defined] - the failure, as a field
    # either way the generation is left to its lease
    row = await db_conn.fetchrow(ROW, gid)
    assert (row["status"], row["lease_token"]) == ("processing", item.claim.lease_token)


async def test_the_worker_outlives_revoked_privileges_and_resumes_when_they_return(
    make_server: ServerFactory, make_user: UserFactory, fresh_database_url: str, caplog: pytest.LogCaptureFixture,
    log_lines: LogLines,
) -> None:
    """Claiming, renewing and reaping all fail while the role may not UPDATE generations; each loop
    logs, backs off and carries on, and work resumes once the grant is back."""
    caplog.set_level(logging.WARNING, logger="codegen.engine.worker")
    claiming_failed = "claiming failed; retrying"
    async with restricted_role(fresh_database_url) as role:
        generator = GatedGenerator()
        # revoked before the worker starts: its very first claim fails (the backoff's first wait is its start value)
        await role.revoke("UPDATE", "generations")
        # a poll interval of 0.4 s lets the backoff double twice before it is capped (0.1, 0.2, 0.4)
        server = await make_server(generator=generator, database_url=role.dsn, generate_rate_limit=0,
                                   lease_seconds=0.9, worker_poll_seconds=0.4)
        try:
            user = await make_user(server, role.admin)
            first = await user.generate()

            async def failed_to_claim_thrice() -> bool:
                reaped = logged(log_lines, "reaper failed; retrying")
                return len(logged(log_lines, claiming_failed)) >= 3 and bool(reaped)

            await wait_until(failed_to_claim_thrice)
            claims = logged(log_lines, claiming_failed)
            for line in claims + logged(log_lines, "reaper failed; retrying"):
                assert "permission denied for table generations" in line.get("error", ""), line
            # the wait before each retry: 0.1 s, doubled after each failure up to the poll interval
            backoff = [0.1]
            while len(backoff) < len(claims):
                backoff.append(min(backoff[-1] * 2, server.settings.engine.poll_seconds))
            assert [line.get("delay") for line in claims] == backoff
            assert (await user.generation(first["id"]))["status"] == "pending"
            await role.admin.execute(f'GRANT UPDATE ON generations TO "{role.role}"')
            await generator.started.wait()

            # a claim that went through starts the backoff again at 0.1 s; the lease held cannot be renewed
            failures_before = len(logged(log_lines, claiming_failed))
            await role.revoke("UPDATE", "generations")
            second = await user.generate()

            async def failed_again() -> bool:
                return len(logged(log_lines, claiming_failed)) > failures_before and bool(
                    logged(log_lines, "lease renewal failed"))

            await wait_until(failed_again)
            assert logged(log_lines, claiming_failed)[failures_before].get("delay") == 0.1
            renewals = [r for r in caplog.records if r.getMessage() == "lease renewal failed"]
            for renewal in renewals:  # the failure and how many leases it held up, as fields
                assert "permission denied for table generations" in renewal.error  # type: ignore[attr-defined]
                assert renewal.generations == 1  # type: ignore[attr-defined]
            assert (await user.generation(second["id"]))["status"] == "pending"
            await role.admin.execute(f'GRANT UPDATE ON generations TO "{role.role}"')
            generator.release.set()
            for generation in (first, second):
                assert (await user.wait_for(generation["id"]))["status"] == "completed"
        finally:
            generator.release.set()
            await stop_or_explain(server)
