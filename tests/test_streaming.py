"""The SSE stream and its tokens, against real HTTP and a real PostgreSQL."""

from __future__ import annotations

import asyncio
import socket
import struct
import time
import uuid
from datetime import timedelta

import orjson
import pytest
from aiohttp_sse import EventSourceResponse

from codegen import appkeys
from codegen.api.streams import RECONNECT_RETRY_MS, SEND_TIMEOUT_SECONDS
from codegen.generators.base import GenerationError
from tests.faults import blocked_backend, table_locked
from tests.helpers import (
    Answer,
    ApiClient,
    FailingGenerator,
    GatedGenerator,
    logged,
    read_events,
    start_gated,
    wait_until,
)

pytestmark = pytest.mark.database

PHASED = ["planning", "architecture", "generating", "reviewing", "finalizing"]


def assert_well_formed(events, first_id: int = 1) -> None:
    """connected first, then consecutive ids, progress never down, the terminal event last."""
    assert events[0].data["stage"] == "connected"
    ids = [e.id for e in events[1:]]
    assert ids == list(range(first_id, first_id + len(ids))), ids
    progress = [e.data["progress"] for e in events[1:]]
    assert progress == sorted(progress)
    assert events[-1].data["status"] in {"completed", "failed", "cancelled"}


async def test_stream_delivers_every_stage_then_completes(make_server, http, log_lines):
    generator = GatedGenerator()
    server = await make_server(generator=generator)
    api = ApiClient(http, server.url)
    await api.sign_up()
    generation = await api.generate()
    response = await api.open_stream(generation["id"])
    assert response.headers["Content-Type"].startswith("text/event-stream")
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.headers["X-Accel-Buffering"] == "no"
    await generator.started.wait()
    generator.release.set()
    events = [e async for e in read_events(response)]

    assert_well_formed(events)
    assert events[0].data["message"] == "Stream connected"
    assert set(events[0].data) == {"generation_id", "status", "stage", "progress", "message", "timestamp"}
    last = events[-1].data
    assert (last["status"], last["stage"], last["progress"]) == ("completed", "complete", 1.0)
    stages = [e.data["stage"] for e in events if e.data["status"] == "processing"]
    assert [s for s in PHASED if s in stages] == [s for s in dict.fromkeys(stages) if s in PHASED]
    assert {"planning", "generating", "reviewing", "finalizing"} <= set(stages)
    assert all(e.data["generation_id"] == generation["id"] for e in events)
    # and the stream ended without an error logged (its ping task's done-callbacks run as it ends)
    assert [line for line in log_lines() if line["level"] in {"error", "critical"}] == []


async def test_stream_without_token_is_the_reports_422(api, user):
    generation = await user.generate()
    for prefix in ("/api", ""):
        answer = await api.call("GET", f"{prefix}/generations/generate/{generation['id']}/stream")
        assert answer.status == 422
        assert answer.body == {"detail": [{"type": "missing", "loc": ["query", "token"], "msg": "Field required", "input": None}]}


async def test_token_is_single_use_and_bound_to_its_generation(server, alice, http):
    api = alice
    first, second = await api.generate(), await api.generate()
    token = await api.stream_token(first["id"])
    assert token.status == 200
    assert set(token.body) == {"sse_token", "expires_in", "stream_url", "generation_id"}
    assert token.body["expires_in"] == 60
    assert len(token.body["sse_token"]) == 43 and "=" not in token.body["sse_token"]
    assert token.body["stream_url"] == f"/api/generations/generate/{first['id']}/stream"
    assert token.body["generation_id"] == first["id"]

    wrong = await api.try_stream(f"/api/generations/generate/{second['id']}/stream", token.body["sse_token"])
    assert (wrong.status, wrong.body) == (401, {"detail": "Invalid or expired stream token"})

    async with http.get(server.url + token.body["stream_url"], params={"token": token.body["sse_token"]}) as ok:
        assert ok.status == 200
        line = await ok.content.readline()
        assert line.startswith(b"id: ")
    reused = await api.try_stream(token.body["stream_url"], token.body["sse_token"])
    assert (reused.status, reused.body) == (401, {"detail": "Invalid or expired stream token"}), "accepted twice"
    unknown = await api.try_stream(token.body["stream_url"], "x" * 43)
    assert unknown.status == 401


async def test_token_expires(make_server, http, db_conn):
    server = await make_server(worker=False, stream_token_ttl_seconds=1)
    api = ApiClient(http, server.url)
    await api.sign_up()
    generation = await api.generate()
    token = await api.stream_token(generation["id"])
    assert token.body["expires_in"] == 1
    lifetime = await db_conn.fetchval(
        "SELECT expires_at - created_at FROM stream_tokens WHERE generation_id = $1", uuid.UUID(generation["id"])
    )
    assert lifetime == timedelta(seconds=1)
    # time travel instead of a wait: the token's second is over (test_windows tries both sides of it)
    await db_conn.execute(
        "UPDATE stream_tokens SET expires_at = now() - interval '1 millisecond' WHERE generation_id = $1",
        uuid.UUID(generation["id"]),
    )
    answer = await api.try_stream(token.body["stream_url"], token.body["sse_token"])
    assert (answer.status, answer.body) == (401, {"detail": "Invalid or expired stream token"})


async def test_token_answers_for_terminal_and_unknown_generations(make_server, http):
    server = await make_server(generator=FailingGenerator(GenerationError("the model is on strike")))
    api = ApiClient(http, server.url)
    await api.sign_up()
    failed = await api.generate()
    await api.wait_for(failed["id"])
    answer = await api.stream_token(failed["id"])
    assert (answer.status, answer.body["detail"]) == (
        400, "Generation has failed. Error: the model is on strike. Cannot stream."
    )
    other = ApiClient(http, server.url)
    await other.sign_up()
    answer = await other.stream_token(failed["id"])
    assert (answer.status, answer.body) == (404, {"detail": "Generation not found"})
    # the other path of the contract answers the same
    answer = await api.call("POST", f"/api/generations/{failed['id']}/stream-token")
    assert answer.status == 400


async def test_token_for_completed_and_cancelled(alice, make_server):
    api = alice
    generation = await api.generate()
    cancelled = await api.call("POST", f"/api/generations/{generation['id']}/cancel")
    assert cancelled.status == 200
    answer = await api.stream_token(generation["id"])
    assert (answer.status, answer.body["detail"]) == (400, "Generation was cancelled. Cannot stream.")

    worker_server = await make_server()
    api_b = api.for_server(worker_server.url)
    done = await api_b.generate()
    await api_b.wait_for(done["id"])
    answer = await api_b.stream_token(done["id"])
    assert (answer.status, answer.body["detail"]) == (400, "Generation has already completed. Cannot stream.")


async def test_fifty_concurrent_token_requests_give_exactly_ten(alice):
    api = alice
    generation = await api.generate()
    answers = await asyncio.gather(*(api.stream_token(generation["id"]) for _ in range(50)))
    statuses = [a.status for a in answers]
    assert statuses.count(200) == 10
    assert statuses.count(429) == 40
    limited = next(a for a in answers if a.status == 429)
    assert limited.body == {
        "detail": "Too many token requests. Maximum 10 requests per minute. Please wait before retrying."
    }
    assert 1 <= int(limited.headers["Retry-After"]) <= 60


async def test_every_token_request_counts_whatever_its_answer(make_server, http):
    server = await make_server(generator=FailingGenerator(GenerationError("boom")))
    api = ApiClient(http, server.url)
    await api.sign_up()
    failed = await api.generate()
    await api.wait_for(failed["id"])
    statuses = [(await api.stream_token(failed["id"])).status for _ in range(11)]
    assert statuses == [400] * 10 + [429]


async def test_resume_header_and_query_while_running(make_server, http):
    run = await start_gated(make_server, http)
    server, api, generation, generator = run.server, run.api, run.generation, run.generator

    before = await api.open_stream(generation["id"])
    seen = []
    async for event in read_events(before):
        seen.append(event)
        if event.data["stage"] == "planning":
            break
    before.close()
    last_id = seen[-1].id

    # the header form of resume: a new token, Last-Event-ID
    token = await api.stream_token(generation["id"])
    resumed = await http.get(
        server.url + token.body["stream_url"], params={"token": token.body["sse_token"]},
        headers={"Last-Event-ID": str(last_id)},
    )
    generator.release.set()
    rest = [e async for e in read_events(resumed)]
    assert rest[0].data["stage"] == "connected" and rest[0].id == last_id
    assert [e.id for e in rest[1:]] == list(range(last_id + 1, last_id + len(rest)))
    assert rest[-1].data["status"] == "completed"
    all_ids = [e.id for e in seen[1:]] + [e.id for e in rest[1:]]
    assert all_ids == list(range(1, len(all_ids) + 1))


async def completed_after_its_token(make_server, http) -> tuple[ApiClient, dict, Answer]:
    """A generation whose stream token was taken while it was pending and which completed since, on a
    server without a worker (``api``'s), done by a second server's worker."""
    idle = await make_server(worker=False)
    api = ApiClient(http, idle.url)
    await api.sign_up()
    generation = await api.generate()
    token = await api.stream_token(generation["id"])
    worker = await make_server()
    await api.for_server(worker.url).wait_for(generation["id"])
    return api, generation, token


async def test_connecting_after_completion_replays_everything(make_server, http):
    api, _generation, token = await completed_after_its_token(make_server, http)
    response = await http.get(api.base_url + token.body["stream_url"], params={"token": token.body["sse_token"]})
    events = [e async for e in read_events(response)]
    assert_well_formed(events)
    assert events[0].data["status"] == "completed"
    assert events[1].data["stage"] == "queued"
    # the claim: processing already, in the mode's first stage (never "queued" while processing)
    assert (events[2].data["status"], events[2].data["stage"]) == ("processing", "planning")
    assert all(e.data["stage"] != "queued" for e in events if e.data["status"] == "processing")
    assert events[-1].data["stage"] == "complete"


async def test_a_stream_connecting_after_completion_sends_the_stored_files_as_listed(make_server, http):
    api, generation, token = await completed_after_its_token(make_server, http)
    listed = await api.call("GET", f"/api/generations/{generation['id']}/files")
    assert listed.status == 200 and listed.body["files"], listed.body

    response = await http.get(api.base_url + token.body["stream_url"], params={"token": token.body["sse_token"]})
    events = [e async for e in read_events(response, files=True)]
    sent = [(e.data["path"], e.data["offset"], e.data["text"], e.data["done"]) for e in events if e.event == "file"]
    assert sent == [(f["path"], 0, f["content"], True) for f in listed.body["files"]]


async def test_two_instances_stream_the_same_generation(make_server, http):
    generator = GatedGenerator()
    a = await make_server(worker=False)
    b = await make_server(generator=generator)
    api_a = ApiClient(http, a.url)
    await api_a.sign_up()
    api_b = api_a.for_server(b.url)
    generation = await api_a.generate()
    await generator.started.wait()
    stream_a = await api_a.open_stream(generation["id"])
    stream_b = await api_b.open_stream(generation["id"])
    generator.release.set()
    events_a, events_b = await asyncio.gather(
        collect(stream_a), collect(stream_b)
    )
    assert_well_formed(events_a)
    assert [(e.id, e.data["stage"]) for e in events_a[1:]] == [(e.id, e.data["stage"]) for e in events_b[1:]]
    assert events_a[-1].data["status"] == "completed"


async def collect(response):
    async with asyncio.timeout(30):
        return [e async for e in read_events(response)]


async def test_a_client_that_never_reads_does_not_slow_the_others(make_server, http):
    run = await start_gated(make_server, http, sse_queue_size=2)
    server, api, generation, generator = run.server, run.api, run.generation, run.generator
    readers = [await api.open_stream(generation["id"]) for _ in range(2)]
    # the third client opens a stream and never reads a byte of it
    token = await api.stream_token(generation["id"])
    host, port = server.url.removeprefix("http://").split(":")
    _reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(
        f"GET {token.body['stream_url']}?token={token.body['sse_token']} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()
    )
    await writer.drain()
    bus = server.app[appkeys.BUS]
    await wait_until(lambda: _true(bus.subscriber_count() == 3))

    generator.release.set()
    results = await asyncio.gather(*(collect(r) for r in readers))
    for events in results:
        assert_well_formed(events)
        assert events[-1].data["status"] == "completed"
    assert (await api.generation(generation["id"]))["status"] == "completed"
    writer.close()
    await writer.wait_closed()


async def _true(value: bool) -> bool:
    return value


async def test_disconnecting_client_leaves_nothing_behind(make_server, http):
    run = await start_gated(make_server, http)
    server, api, generation, generator = run.server, run.api, run.generation, run.generator
    bus = server.app[appkeys.BUS]
    tasks_before = len(asyncio.all_tasks())
    response = await api.open_stream(generation["id"])
    await response.content.readline()
    assert bus.subscriber_count() == 1
    response.close()
    # and no empty topic is left behind in the bus
    await wait_until(lambda: _true(bus.subscriber_count() == 0 and not bus._topics))
    await wait_until(lambda: _true(len(asyncio.all_tasks()) <= tasks_before))
    generator.release.set()


async def test_bus_reconnects_and_streams_lose_nothing(make_server, http, db_conn):
    run = await start_gated(make_server, http)
    server, api, generation, generator = run.server, run.api, run.generation, run.generator
    response = await api.open_stream(generation["id"])
    bus = server.app[appkeys.BUS]
    # kill the bus's LISTEN connection from the database side
    killed = await db_conn.fetchval(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
        "WHERE datname = current_database() AND query LIKE 'LISTEN%'"
    )
    assert killed >= 1
    await wait_until(lambda: _true(bus.reconnects >= 1 and bus.connected.is_set()))
    generator.release.set()
    events = await collect(response)
    assert_well_formed(events)
    assert events[-1].data["status"] == "completed"


async def test_shutdown_ends_open_streams_at_once(make_server, http):
    run = await start_gated(make_server, http)
    server, api, generation = run.server, run.api, run.generation
    response = await api.open_stream(generation["id"])
    await response.content.readline()
    reading = asyncio.create_task(collect(response))
    await server.stop()
    # ended by the server, well before aiohttp's own grace period
    events = await asyncio.wait_for(reading, timeout=4)
    assert events and events[-1].data["status"] != "completed"


@pytest.mark.parametrize("prefix", ["/api", ""])
async def test_stream_token_answers_under_both_prefixes(alice, prefix):
    api = alice
    generation = await api.generate()
    answer = await api.call("POST", f"{prefix}/generations/generate/{generation['id']}/stream-token")
    assert answer.status == 200
    assert answer.body["stream_url"] == f"{prefix}/generations/generate/{generation['id']}/stream"


async def _last_event_seq(db_conn, generation_id: str) -> int:
    return await db_conn.fetchval("SELECT last_event_seq FROM generations WHERE id = $1", uuid.UUID(generation_id))


async def test_shutdown_ends_a_stream_with_a_reconnect_event(server, alice, db_conn):
    """The server stops while a stream waits for the next event: the stream's last frame is a named
    `reconnect` event without an id (the client's Last-Event-ID stays), with the wait a browser's
    EventSource takes before it reconnects, and data saying why and from which id to resume. The status
    is the one the stream found on connecting: no event came after `connected` (it resumed at the last,
    and the server has no worker that would hand the generation back as it stops)."""
    generation = await alice.generate()
    written = await _last_event_seq(db_conn, generation["id"])
    assert written >= 1
    events = read_events(await alice.open_stream(generation["id"], last_event_id=written))
    connected = await asyncio.wait_for(anext(events), 15)
    assert (connected.id, connected.data["stage"], connected.data["status"]) == (written, "connected", "pending")
    rest = asyncio.create_task(collect_events(events))
    before = time.time()
    await server.stop()
    received = await asyncio.wait_for(rest, 15)
    after = time.time()

    assert len(received) == 1, received
    final = received[0]
    assert (final.event, final.id, final.retry) == ("reconnect", None, RECONNECT_RETRY_MS)
    assert RECONNECT_RETRY_MS == 1000
    assert final.data == {
        "generation_id": generation["id"],
        "status": "pending",
        "stage": "reconnect",
        "message": f"The server is shutting down; reconnect with a new token and Last-Event-ID {written}",
        "last_event_id": written,
        "timestamp": final.data["timestamp"],
    }
    assert isinstance(final.data["timestamp"], float) and before <= final.data["timestamp"] <= after


async def collect_events(events):
    async with asyncio.timeout(30):
        return [e async for e in events]


async def test_a_stream_sends_ping_comments_at_its_configured_interval(make_server, http):
    """sse_ping_seconds is the interval of the `: ping` comments that keep an idle stream alive through
    proxies: with a short one (0.05 s) they come while nothing else happens. (The guard is below
    aiohttp-sse's own default interval, which the setting replaces: there the first ping comes at 15 s.)"""
    run = await start_gated(make_server, http, sse_ping_seconds=0.05)
    response = await run.api.open_stream(run.generation["id"])
    lines: list[bytes] = []
    try:
        async with asyncio.timeout(EventSourceResponse.DEFAULT_PING_INTERVAL * 2 / 3):
            while lines.count(b": ping\r\n") < 3:
                lines.append(await response.content.readline())
    finally:
        response.close()
        run.generator.release.set()
    assert lines[0].startswith(b"id: ")


async def test_a_streams_connection_is_aborted_by_the_kernel_when_nothing_is_acknowledged(make_server, http):
    """A stream's socket asks the kernel to abort the connection when what it sent stays unacknowledged
    for SEND_TIMEOUT_SECONDS (TCP_USER_TIMEOUT, Linux): a peer that vanished without a word (no FIN, no
    RST) is dropped then, pings or not. Read on the server's end of this stream's connection."""
    run = await start_gated(make_server, http)
    response = await run.api.open_stream(run.generation["id"])
    try:
        assert (await response.content.readline()).startswith(b"id: ")
        client_end = response.connection.transport.get_extra_info("sockname")
        [server_end] = [
            handler.transport.get_extra_info("socket") for handler in run.server.runner.server.connections
            if handler.transport is not None and handler.transport.get_extra_info("peername") == client_end
        ]
        assert server_end.getsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT) == SEND_TIMEOUT_SECONDS * 1000
        assert SEND_TIMEOUT_SECONDS == 30
    finally:
        response.close()
        run.generator.release.set()


async def test_an_http_1_0_stream_is_plain_sse_without_chunk_framing(make_server, http):
    """An HTTP/1.0 client gets no chunked encoding: the body is the SSE frames as they are, ended by the
    connection's close. (Live events are written straight to the socket, framed as HTTP/1.1 chunks, only
    on a chunked response: here every one goes out plain, to the terminal event.)"""
    run = await start_gated(make_server, http, sse_ping_seconds=3600)
    token = await run.api.stream_token(run.generation["id"])
    host, port = run.server.url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        writer.write(
            f"GET {token.body['stream_url']}?token={token.body['sse_token']} HTTP/1.0\r\nHost: {host}\r\n\r\n".encode()
        )
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 15)
        connected = await asyncio.wait_for(reader.readuntil(b"\n\n"), 15)
        # the rest is live: the generation goes on only now
        run.generator.release.set()
        body = connected + await asyncio.wait_for(reader.read(), 30)
    finally:
        writer.close()
        await writer.wait_closed()
    assert head.startswith(b"HTTP/1.0 200 "), head
    assert b"transfer-encoding" not in head.lower(), head
    frames = body.split(b"\n\n")
    assert frames[-1] == b"", body[-200:]
    parsed, files = [], []
    for frame in frames[:-1]:
        lines = frame.split(b"\n")
        if lines[0] == b"event: file":
            assert len(lines) == 2 and lines[1].startswith(b"data: "), frame
            files.append(orjson.loads(lines[1][6:])["path"])
            continue
        assert [line.partition(b": ")[0] for line in lines] == [b"id", b"data"], frame
        parsed.append((int(lines[0][4:]), orjson.loads(lines[1][6:])))
    assert parsed[0][1]["stage"] == "connected"
    assert [seq for seq, _ in parsed] == list(range(len(parsed))), parsed
    assert parsed[-1][1]["status"] == "completed" and len(parsed) > 4, parsed
    assert set(files) == {"app.py", "README.md"}


async def test_a_client_gone_before_its_replay_is_logged_when_the_replay_meets_it(
    make_server, http, database_url, log_lines
):
    """The client sent a request body the stream never reads (so the server stops reading its socket)
    and reset the connection while the stream's replay query waited: the server learns it only by
    writing the replay. The first write meets the reset connection, the next one ends the stream, with
    `stream client went away` and the generation's id in the log, and the stream is freed.

    Real faults: the replay query waits on a lock the test holds; the reset is the client's socket
    closed with SO_LINGER 0."""
    run = await start_gated(make_server, http)
    server, api, generation = run.server, run.api, run.generation
    bus = server.app[appkeys.BUS]
    token = await api.stream_token(generation["id"])
    host, port = server.url.removeprefix("http://").split(":")
    loop = asyncio.get_running_loop()
    client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    client.setblocking(False)
    try:
        async with table_locked(database_url, "generation_events") as admin:
            await loop.sock_connect(client, (host, int(port)))
            request = (
                f"GET {token.body['stream_url']}?token={token.body['sse_token']} HTTP/1.1\r\nHost: {host}\r\n"
                f"Content-Length: {4 << 20}\r\n\r\n"
            ).encode()
            # far past what the server buffers of a body nobody reads (512 KiB here): it stops reading
            await loop.sock_sendall(client, request + b"x" * (1 << 20))
            await blocked_backend(admin, "e.seq > asked.seq")
            client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            client.close()
        await wait_until(lambda: _true(bus.subscriber_count() == 0))
    finally:
        client.close()
        run.generator.release.set()
    gone = logged(log_lines, "stream client went away")
    assert [(line["level"], line["logger"], line["generation_id"]) for line in gone] == [
        ("info", "codegen.api.streams", generation["id"])
    ]


async def test_a_stream_ending_with_its_terminal_event_as_the_server_stops_asks_no_reconnect(
    server, alice, db_conn, database_url
):
    """The generation completes as the server stops: its stream, holding the terminal event while the
    server begins to stop, sends that event and ends there, without a `reconnect` (there is nothing to
    resume). Real: the stream's read of the stored files, before it sends `completed`, waits on a lock the
    test holds until the server is stopping; the terminal event is a NOTIFY on the events channel."""
    generation = await alice.generate()
    written = await _last_event_seq(db_conn, generation["id"])
    events = read_events(await alice.open_stream(generation["id"], last_event_id=written))
    assert (await asyncio.wait_for(anext(events), 15)).data["stage"] == "connected"
    bus = server.app[appkeys.BUS]
    terminal = orjson.dumps(
        {"generation_id": generation["id"], "status": "completed", "stage": "complete", "progress": 1.0}
    ).decode()
    async with table_locked(database_url, "generation_files") as admin:
        await admin.execute("SELECT pg_notify('codegen_events', $1)", f"{generation['id']}:{written + 1}:{terminal}")
        await blocked_backend(admin, "SELECT path, content FROM generation_files")
        stopping = asyncio.create_task(server.stop())
        await wait_until(lambda: _true(bus.closing))
    rest = await collect_events(events)
    await asyncio.wait_for(stopping, 15)
    assert [(e.event, e.id, e.data["status"], e.data["stage"]) for e in rest] == [
        (None, written + 1, "completed", "complete")
    ], rest
