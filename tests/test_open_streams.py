"""Open streams per user across processes: each open stream is a row (a slot) of ``open_streams``.

Two app instances on one database share the limit; a closed stream frees its slot at once; the
slots of a killed process stop counting when their lease lapses, moved there by time travel
(as tests/test_windows.py does), never by waiting for the clock.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable
from datetime import timedelta

import aiohttp
import asyncpg
import pytest

from codegen import appkeys
from codegen.config import Settings
from codegen.db import Database
from codegen.services.stream_tokens import STREAM_LEASE_SECONDS, OpenStreams
from tests.conftest import Server, ServerFactory, UserFactory, stop_or_explain
from tests.faults import blocked_backend, restricted_role, table_locked
from tests.hardening import ServeProcess
from tests.helpers import Answer, ApiClient, wait_until

pytestmark = pytest.mark.database

LIMIT = 2
TOO_MANY = {"detail": "Too many open streams. At most 2 per user; close one before opening another."}
LIMITED = {"worker": False, "generate_rate_limit": 0, "stream_token_rate_limit": 0, "max_streams_per_user": LIMIT}


async def slots(db_conn: asyncpg.Connection, user: ApiClient) -> list[asyncpg.Record]:
    return await db_conn.fetch(
        "SELECT id, process, expires_at - now() AS lease_left FROM open_streams WHERE user_id = $1 ORDER BY id",
        uuid.UUID(user.user_id),
    )


async def wait_for_slots(db_conn: asyncpg.Connection, user: ApiClient, count: int) -> None:
    async with asyncio.timeout(10):
        while len(await slots(db_conn, user)) != count:
            await asyncio.sleep(0.02)


async def try_open(user: ApiClient, generation_id: str) -> Answer:
    token = await user.stream_token(generation_id)
    assert token.status == 200, token.body
    return await user.try_stream(token.body["stream_url"], token.body["sse_token"])


def assert_refused(answer: Answer) -> None:
    assert (answer.status, answer.body) == (429, TOO_MANY)
    assert answer.headers["Retry-After"] == "5"


async def test_the_limit_holds_across_two_processes_and_a_closed_stream_frees_its_slot(
    make_server: ServerFactory, make_user: UserFactory, db_conn: asyncpg.Connection
) -> None:
    one, two = await make_server(**LIMITED), await make_server(**LIMITED)
    alice = await make_user(one)
    generation = (await alice.generate())["id"]
    first = await alice.open_stream(generation)
    second = await alice.for_server(two.url).open_stream(generation)
    try:
        # one stream on each process: the limit of two is reached on both
        assert_refused(await try_open(alice, generation))
        assert_refused(await try_open(alice.for_server(two.url), generation))
        held = await slots(db_conn, alice)
        assert [row["process"] for row in held] == [one.app[appkeys.STREAMS].process, two.app[appkeys.STREAMS].process]
        for row in held:
            assert timedelta(seconds=STREAM_LEASE_SECONDS - 5) < row["lease_left"] <= timedelta(seconds=STREAM_LEASE_SECONDS)

        first.close()  # the stream on process one ends: its slot is deleted, process two may use it
        await wait_for_slots(db_conn, alice, 1)
        third = await alice.for_server(two.url).open_stream(generation)
        third.close()
        await wait_for_slots(db_conn, alice, 1)
    finally:
        first.close()
        second.close()
    await wait_for_slots(db_conn, alice, 0)


async def test_simultaneous_opens_on_two_processes_never_overrun_the_limit(
    make_server: ServerFactory, make_user: UserFactory, http: aiohttp.ClientSession, db_conn: asyncpg.Connection
) -> None:
    servers = [await make_server(**LIMITED), await make_server(**LIMITED)]
    alice = await make_user(servers[0])
    generation = (await alice.generate())["id"]
    tokens = [await alice.stream_token(generation) for _ in range(10)]

    async def open_on(server: Server, token: Answer) -> aiohttp.ClientResponse:
        return await http.get(server.url + token.body["stream_url"], params={"token": token.body["sse_token"]})

    responses = await asyncio.gather(*(open_on(servers[i % 2], token) for i, token in enumerate(tokens)))
    try:
        assert sorted(r.status for r in responses) == [200] * LIMIT + [429] * (10 - LIMIT)
        assert len(await slots(db_conn, alice)) == LIMIT
    finally:
        for response in responses:
            response.close()
    await wait_for_slots(db_conn, alice, 0)


async def test_a_killed_processes_slots_free_when_their_lease_lapses(
    make_server: ServerFactory, make_user: UserFactory, http: aiohttp.ClientSession, db_conn: asyncpg.Connection,
    database_url: str, settings: Settings, tmp_path,
) -> None:
    victim = ServeProcess.start(
        database_url, tmp_path, "victim", jwt_secret=settings.jwt_secret, worker="false", max_streams_per_user=LIMIT,
        stream_token_rate_limit=0, generate_rate_limit=0,
    )
    try:
        survivor = await make_server(**LIMITED)
        await victim.wait_ready(http)
        alice = await make_user(survivor)
        generation = (await alice.generate())["id"]
        streams = [await alice.for_server(victim.url).open_stream(generation) for _ in range(LIMIT)]
        victim.proc.kill()  # SIGKILL: nothing of the victim's gets to close its streams
        victim.proc.wait(10)
        for stream in streams:
            stream.close()
        assert len(await slots(db_conn, alice)) == LIMIT
        assert_refused(await try_open(alice, generation))

        # time travel: the victim renewed its slots last 25 s ago (inside the lease), then 31 s ago (outside)
        uid = uuid.UUID(alice.user_id)
        move = "UPDATE open_streams SET expires_at = now() + make_interval(secs => $2) WHERE user_id = $1"
        await db_conn.execute(move, uid, STREAM_LEASE_SECONDS - 25)
        assert_refused(await try_open(alice, generation))
        await db_conn.execute(move, uid, STREAM_LEASE_SECONDS - 31)
        opened = await alice.open_stream(generation)
        # the lapsed slots are gone; the new one is the survivor's
        assert [row["process"] for row in await slots(db_conn, alice)] == [survivor.app[appkeys.STREAMS].process]
        opened.close()
        await wait_for_slots(db_conn, alice, 0)
    finally:
        victim.stop()


async def test_a_heartbeat_renews_its_own_slots_and_deletes_lapsed_ones(
    make_server: ServerFactory, make_user: UserFactory, db_conn: asyncpg.Connection
) -> None:
    one, two = await make_server(**LIMITED), await make_server(**LIMITED)
    alice = await make_user(one)
    generation = (await alice.generate())["id"]
    mine = await alice.open_stream(generation)
    theirs = await alice.for_server(two.url).open_stream(generation)
    try:
        uid = uuid.UUID(alice.user_id)
        # one's slot has a second left; two's lapsed a second ago (as if two had stopped renewing)
        await db_conn.execute(
            "UPDATE open_streams SET expires_at = now() + make_interval(secs => CASE WHEN process = $2 THEN 1 ELSE -1 END)"
            " WHERE user_id = $1", uid, one.app[appkeys.STREAMS].process,
        )
        await one.app[appkeys.STREAMS].heartbeat()
        (held,) = await slots(db_conn, alice)
        assert held["process"] == one.app[appkeys.STREAMS].process
        assert held["lease_left"] > timedelta(seconds=STREAM_LEASE_SECONDS - 5)
    finally:
        mine.close()
        theirs.close()
    await wait_for_slots(db_conn, alice, 0)


async def test_a_stopping_process_gives_back_its_slots(
    make_server: ServerFactory, make_user: UserFactory, db_conn: asyncpg.Connection
) -> None:
    one = await make_server(**LIMITED)
    alice = await make_user(one)
    generation = (await alice.generate())["id"]
    stream = await alice.open_stream(generation)
    try:
        await wait_for_slots(db_conn, alice, 1)
        await one.stop()
        assert await slots(db_conn, alice) == []
    finally:
        stream.close()


async def test_a_stopping_process_gives_back_even_the_slots_no_stream_closed(
    make_server: ServerFactory, make_user: UserFactory, db_conn: asyncpg.Connection
) -> None:
    # the previous test's slot goes with its stream's own close; this one only stop() can give back
    # (as a slot whose close failed, or whose connect was cancelled, until the next heartbeat)
    one, other = await make_server(**LIMITED), await make_server(**LIMITED)
    alice = await make_user(one)
    streams = one.app[appkeys.STREAMS]
    for process in (streams.process, other.app[appkeys.STREAMS].process):
        await db_conn.execute(
            "INSERT INTO open_streams (user_id, process, expires_at) VALUES ($1, $2, now() + interval '30 seconds')",
            uuid.UUID(alice.user_id), process,
        )
    await one.stop()
    assert [row["process"] for row in await slots(db_conn, alice)] == [other.app[appkeys.STREAMS].process]
    assert streams._heartbeat is not None and streams._heartbeat.cancelled()  # it renews nothing any more
    await other.stop()
    assert await slots(db_conn, alice) == []


async def test_a_slot_taken_for_a_connect_cancelled_meanwhile_is_deleted_by_the_next_heartbeat(
    make_server: ServerFactory, make_user: UserFactory, db_conn: asyncpg.Connection, database_url: str
) -> None:
    server = await make_server(**LIMITED)
    alice = await make_user(server)
    generation = (await alice.generate())["id"]
    gone, later = [(await alice.stream_token(generation)).body["sse_token"] for _ in range(2)]
    streams = server.app[appkeys.STREAMS]

    async def connect(token: str) -> None:
        async with streams.open(uuid.UUID(generation), token):
            pass

    async with table_locked(database_url, "stream_tokens") as admin:
        cancelled = asyncio.create_task(connect(gone))
        await blocked_backend(admin, "codegen_open_streams")
        # the statement that takes its slot is in flight: the connect goes away before it answers
        cancelled.cancel()
        with pytest.raises(asyncio.CancelledError):
            await cancelled
    # the next batch runs only after the first one's answers were handed out (or back)
    await connect(later)
    assert len(await slots(db_conn, alice)) == 1  # the cancelled connect's slot, which nobody closes
    await streams.heartbeat()
    assert await slots(db_conn, alice) == []


GATE = 1717  # an advisory lock key of this test's own


async def test_a_users_opens_on_two_processes_wait_for_each_other_while_one_is_taking_its_slot(
    make_server: ServerFactory, make_user: UserFactory, http: aiohttp.ClientSession, db_conn: asyncpg.Connection
) -> None:
    """Process one's statement has counted the user's slots and inserted its own, but not committed;
    process two's statement for the same user must wait for it, or both see room under the limit."""
    one_each = {**LIMITED, "max_streams_per_user": 1}
    one, two = await make_server(**one_each), await make_server(**one_each)
    alice = await make_user(one)
    generation = (await alice.generate())["id"]
    tokens = [await alice.stream_token(generation) for _ in range(2)]

    def connect(server: Server, token: Answer) -> asyncio.Task[aiohttp.ClientResponse]:
        return asyncio.create_task(
            http.get(server.url + token.body["stream_url"], params={"token": token.body["sse_token"]})
        )

    async def waiting_statements() -> int:
        return await db_conn.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
            " AND position('codegen_open_streams' in query) > 0"
        )

    # a fault of the test's own: a slot's insert waits (its transaction open) while the test holds GATE
    await db_conn.execute(f"""
        CREATE FUNCTION test_slot_gate() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN PERFORM pg_advisory_xact_lock_shared({GATE}); RETURN NEW; END $$;
        CREATE TRIGGER test_slot_gate AFTER INSERT ON open_streams FOR EACH ROW EXECUTE FUNCTION test_slot_gate();
    """)
    responses: list[aiohttp.ClientResponse] = []
    try:
        await db_conn.execute("SELECT pg_advisory_lock($1)", GATE)
        first = connect(one, tokens[0])
        await wait_until(lambda: _equals(waiting_statements(), 1))
        second = connect(two, tokens[1])
        # the second waits too: on the user's lock (or, were the opens not serialised, on the gate after its insert)
        await wait_until(lambda: _equals(waiting_statements(), 2))
        await db_conn.execute("SELECT pg_advisory_unlock($1)", GATE)
        responses = [await first, await second]
        assert [r.status for r in responses] == [200, 429]
        assert len(await slots(db_conn, alice)) == 1
    finally:
        await db_conn.execute("SELECT pg_advisory_unlock_all()")
        await db_conn.execute("DROP TRIGGER test_slot_gate ON open_streams; DROP FUNCTION test_slot_gate()")
        for response in responses:
            response.close()
    await wait_for_slots(db_conn, alice, 0)


async def _equals(value: Awaitable[int], expected: int) -> bool:
    return await value == expected


async def test_a_slot_whose_close_failed_is_deleted_by_the_next_heartbeat(
    make_server: ServerFactory, make_user: UserFactory, fresh_database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    async with restricted_role(fresh_database_url) as role:
        server = await make_server(**LIMITED, database_url=role.dsn)
        streams = server.app[appkeys.STREAMS]
        alice = await make_user(server, role.admin)
        generation = (await alice.generate())["id"]
        stream = await alice.open_stream(generation)

        async def held() -> int:
            return await role.admin.fetchval("SELECT count(*) FROM open_streams WHERE process = $1", streams.process)

        assert await held() == 1
        # the app may no longer delete a slot (a real failure inside PostgreSQL): the stream's close fails
        await role.revoke("DELETE", "open_streams")
        failed = "closing a stream's slot failed; the next heartbeat retries"
        stream.close()

        async def close_failed() -> bool:
            return any(r.name == "codegen.services.stream_tokens" and r.getMessage() == failed for r in caplog.records)

        await wait_until(close_failed)
        (logged,) = [r for r in caplog.records if r.getMessage() == failed]
        assert "permission denied for table open_streams" in logged.error  # type: ignore[attr-defined]
        assert await held() == 1
        await role.admin.execute(f'GRANT DELETE ON open_streams TO "{role.role}"')
        await streams.heartbeat()  # it deletes the slot the close could not
        assert await held() == 0

        # a stopping process gives its slots back: when it cannot, they stay until their lease lapses
        another = await alice.open_stream(generation)
        assert await held() == 1
        await role.revoke("DELETE", "open_streams")
        another.close()  # its close fails too
        await stop_or_explain(server)
        lapse = "giving back the open streams' slots failed; they lapse"
        (logged,) = [r for r in caplog.records if r.getMessage() == lapse]
        assert "permission denied for table open_streams" in logged.error  # type: ignore[attr-defined]
        assert await held() == 1


async def test_a_failed_renewal_is_logged_and_the_heartbeat_beats_on(
    fresh_database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The heartbeat beats every third of the lease; a renewal the database refuses is logged with its error, and
    the next beat comes all the same (the slots outlive a missed beat by two more)."""
    async with restricted_role(fresh_database_url) as role:
        db = await Database.connect(role.dsn, min_size=1, max_size=2)
        streams = OpenStreams(db, LIMIT, lease_seconds=1)
        try:
            await role.revoke("UPDATE", "open_streams")
            failed = "renewing the open streams' slots failed"

            def failures() -> list[logging.LogRecord]:
                return [r for r in caplog.records if r.name == "codegen.services.stream_tokens"
                        and r.getMessage() == failed]

            async def beaten_twice() -> bool:
                return len(failures()) >= 2

            streams.start()
            await wait_until(beaten_twice)
            for logged in failures():
                assert logged.levelno == logging.WARNING
                assert "permission denied for table open_streams" in logged.error  # type: ignore[attr-defined]
        finally:
            await streams.stop()
            await db.close()


async def test_a_process_that_never_started_stops_cleanly(fresh_database_url: str,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    """Shutting down after a start-up that failed before the heartbeat began: nothing to cancel, slots given back."""
    db = await Database.connect(fresh_database_url, min_size=1, max_size=1)
    try:
        await OpenStreams(db, LIMIT).stop()
    finally:
        await db.close()
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
