"""Edges of codegen/api the other API tests leave: the client address behind a trusted proxy, and
streams that meet a lost connection, a generation deleted under them, or a stray live delta
(real HTTP, real PostgreSQL, real faults and NOTIFYs)."""

from __future__ import annotations

import asyncio
import time
import uuid

import asyncpg
import orjson

from codegen.api.streams import RECONNECT_RETRY_MS
from codegen.errors import GENERATION_NOT_FOUND, REGISTER_THROTTLED
from tests.faults import blocked_backend, table_locked
from tests.helpers import ApiClient, read_events


def _address() -> str:
    """A documentation-range address of this test's own (register_hit counts per address)."""
    octets = uuid.uuid4().bytes
    return f"198.51.{octets[0]}.{octets[1]}"


async def _register(http, server, forwarded_for: str):
    api = ApiClient(http, server.url, extra_headers={"X-Forwarded-For": forwarded_for})
    email = f"user-{uuid.uuid4().hex[:10]}@example.com"
    return await api.call("POST", "/api/auth/register", {"email": email, "password": "correct horse"})


async def test_trusted_forwarded_for_throttles_by_its_last_entry(make_server, http, fresh_database_url):
    """CODEGEN_TRUST_FORWARDED_FOR: the address is the last X-Forwarded-For entry (our proxy's), not
    one the client put in front of it; an empty last entry falls back to the peer's address."""
    server = await make_server(
        worker=False, database_url=fresh_database_url, register_rate_limit=1, trust_forwarded_for=True
    )
    proxy_seen = _address()
    first = await _register(http, server, f"10.0.0.1, {proxy_seen}")
    assert first.status == 201, first.body

    # the client forges a different first entry: the proxy's last entry is the same, so it is throttled
    forged = await _register(http, server, f"10.9.9.9, {proxy_seen}")
    assert forged.status == 429, forged.body
    assert forged.body == {"detail": REGISTER_THROTTLED}
    assert int(forged.headers["Retry-After"]) > 0

    other = await _register(http, server, _address())
    assert other.status == 201, other.body

    # no last entry: the peer (127.0.0.1) is the address, counted once and then throttled
    peer = [await _register(http, server, f"{_address()}, ") for _ in range(2)]
    assert [a.status for a in peer] == [201, 429], [a.body for a in peer]


async def _stream_cut_in_its_query(alice, generation, database_url: str, table: str, query_contains: str):
    """Every event of a stream whose connection is cut (pg_terminate_backend) while its query waits on ``table``."""
    async with table_locked(database_url, table) as admin:
        response = await alice.open_stream(generation["id"])
        events = asyncio.create_task(_list(read_events(response, files=True)))
        pid = await blocked_backend(admin, query_contains)
        assert await admin.fetchval("SELECT pg_terminate_backend($1)", pid)
        return await asyncio.wait_for(events, 15)


async def test_stream_whose_database_goes_away_before_its_replay_says_reconnect(server, alice, database_url):
    """The connection under the stream's first catch-up query is cut (pg_terminate_backend): after
    `connected`, the stream ends with a `reconnect` event naming the database and Last-Event-ID 0,
    and a new stream then works."""
    generation = await alice.generate()
    before = time.time()
    received = await _stream_cut_in_its_query(alice, generation, database_url, "generation_events", "e.seq > asked.seq")
    after = time.time()
    assert [e.event for e in received] == [None, "reconnect"], received
    assert received[0].data["stage"] == "connected"
    final = received[-1]
    assert final.id is None  # no id: the client's Last-Event-ID stays where it was
    assert final.retry == RECONNECT_RETRY_MS
    assert final.data == {
        "generation_id": generation["id"],
        "status": "pending",
        "stage": "reconnect",
        "message": "The database is unavailable; reconnect with a new token and Last-Event-ID 0",
        "last_event_id": 0,
        "timestamp": final.data["timestamp"],
    }
    assert isinstance(final.data["timestamp"], float) and before <= final.data["timestamp"] <= after

    # the pool replaces the connection: a new stream connects (and is closed by the test, the generation being pending)
    again = await alice.open_stream(generation["id"])
    try:
        first = await asyncio.wait_for(anext(read_events(again)), 15)
        assert first.data["stage"] == "connected"
    finally:
        again.close()


async def test_stream_whose_database_goes_away_during_its_file_snapshot_says_reconnect(server, alice, database_url):
    """The connection under the stream's first read of the live files (their checkpoints, sent as the
    snapshot right after `connected`) is cut: the stream ends with a `reconnect` event naming the
    database, as it does when the cut comes later, not with silence (a viewer left without a terminal
    event, seen at 1,000 streams when the health probe cut the pool's connections)."""
    generation = await alice.generate()
    received = await _stream_cut_in_its_query(
        alice, generation, database_url, "live_file_checkpoints", "FROM live_file_checkpoints"
    )
    assert [e.event for e in received] == [None, "reconnect"], received
    assert received[0].data["stage"] == "connected"
    assert received[-1].data["message"].startswith("The database is unavailable; reconnect")
    assert received[-1].data["last_event_id"] == 0


async def test_stream_of_a_generation_deleted_after_its_token_was_spent_is_404(server, alice, database_url):
    """The project (and with it the generation) is deleted between the token's use and the stream's
    first read: a 404 in the contract's shape, not a stream. The race is made real: the stream's read
    waits on a lock the test holds while it deletes the project."""
    generation = await alice.generate()
    token = await alice.stream_token(generation["id"])
    assert token.status == 200, token.body
    holder = await asyncpg.connect(database_url)
    admin = await asyncpg.connect(database_url)
    try:
        async with holder.transaction():
            await holder.execute("LOCK TABLE generations IN ACCESS EXCLUSIVE MODE")
            opened = asyncio.create_task(alice.try_stream(token.body["stream_url"], token.body["sse_token"]))
            await blocked_backend(admin, "last_event_seq FROM generations")
            await holder.execute("DELETE FROM projects WHERE id = $1", uuid.UUID(generation["project_id"]))
        answer = await asyncio.wait_for(opened, 15)
    finally:
        await admin.close()
        await holder.close()
    assert answer.status == 404
    assert answer.body == {"detail": GENERATION_NOT_FOUND}
    assert answer.headers["Content-Type"].startswith("application/json")


async def test_a_completed_generations_stream_sends_its_stored_files_not_stray_live_deltas(server, alice, db_conn):
    """A stream of a completed generation sends the stored files; a live delta for that generation that
    still reaches this process (a stream of it from before completion keeps its mirror) is not sent
    to it. The delta and the terminal event are real NOTIFYs on the channels the app listens to."""
    generation = await alice.generate()
    gid = uuid.UUID(generation["id"])
    earlier = read_events(await alice.open_stream(generation["id"]), files=True)
    assert [(await anext(earlier)).data["stage"] for _ in range(2)] == ["connected", "queued"]

    # a token taken before completion (one is refused after it) is spent after it
    token = await alice.stream_token(generation["id"])
    assert token.status == 200, token.body
    await db_conn.execute("UPDATE generations SET status = 'completed', progress = 1.0 WHERE id = $1", gid)
    await db_conn.execute(
        "INSERT INTO generation_files (generation_id, path, language, size, content) "
        "VALUES ($1, 'app.py', 'python', 6, 'x = 1\n')",
        gid,
    )
    url, params = alice.base_url + token.body["stream_url"], {"token": token.body["sse_token"]}
    response = await alice.http.get(url, params=params)
    assert response.status == 200, await response.text()
    later = read_events(response, files=True)
    connected, stored = await anext(later), await anext(later)
    assert (connected.data["stage"], connected.data["status"]) == ("connected", "completed")
    assert (stored.event, stored.data) == ("file", {"path": "app.py", "offset": 0, "text": "x = 1\n", "done": True})

    stray = [str(gid), 0, "stray.py", 1, 0, "y = 2\n", False]
    files_payload = orjson.dumps({"s": "another-process", "d": [stray]}).decode()
    await db_conn.execute("SELECT pg_notify('codegen_files', $1)", files_payload)
    # the earlier stream (its mirror) gets the delta: it was delivered to this process
    delta = await asyncio.wait_for(anext(earlier), 15)
    assert (delta.event, delta.data.get("path"), delta.data.get("text")) == ("file", "stray.py", "y = 2\n"), delta
    terminal = orjson.dumps(
        {"status": "completed", "stage": "complete", "progress": 1.0, "generation_id": str(gid)}
    ).decode()
    written = await db_conn.fetchval("SELECT last_event_seq FROM generations WHERE id = $1", gid)
    await db_conn.execute("SELECT pg_notify('codegen_events', $1)", f"{gid}:{written + 1}:{terminal}")
    rest = await asyncio.wait_for(_list(later), 15)
    # the stored events, then the terminal one, and no file event at all after the stored file
    assert [e.event for e in rest] == [None] * (written + 1), rest
    assert [e.id for e in rest] == list(range(1, written + 2))
    assert rest[-1].data["status"] == "completed"
    ended = await asyncio.wait_for(_list(earlier), 15)
    assert ended[-1].id == written + 1 and ended[-1].data["status"] == "completed", ended


async def _list(events):
    return [event async for event in events]


async def test_a_stream_whose_generation_is_deleted_with_its_events_ends_with_the_terminal_event(
    server, alice, database_url
):
    """The project is deleted (and with it the generation and its stored events) in the transaction that
    sends the generation's terminal event, after events the stream never got: the stream cannot replay
    them from the table, and must still end with the terminal event it holds rather than wait for ever."""
    generation = await alice.generate()
    response = await alice.open_stream(generation["id"])
    events = read_events(response)
    assert (await asyncio.wait_for(anext(events), 15)).data["stage"] == "connected"
    assert (await asyncio.wait_for(anext(events), 15)).id == 1  # the queued event, replayed
    terminal = orjson.dumps({
        "generation_id": generation["id"], "status": "cancelled", "stage": "cancelled", "progress": 0.0,
        "message": "The project was deleted", "timestamp": 0,
    }).decode()
    admin = await asyncpg.connect(database_url)
    try:
        async with admin.transaction():
            await admin.execute("DELETE FROM projects WHERE id = $1", uuid.UUID(generation["project_id"]))
            # event 2 was never sent; event 3 (terminal) is: a gap the table can no longer fill
            await admin.execute("SELECT pg_notify('codegen_events', $1)", f"{generation['id']}:3:{terminal}")
    finally:
        await admin.close()
    rest = await asyncio.wait_for(_list(events), 15)
    assert [(e.id, e.data["status"]) for e in rest] == [(3, "cancelled")]
