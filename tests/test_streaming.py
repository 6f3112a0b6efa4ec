"""The SSE stream and its tokens, against real HTTP and a real PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import pytest

from codegen import appkeys
from codegen.generators.base import GenerationError
from tests.helpers import (
    Answer,
    ApiClient,
    FailingGenerator,
    GatedGenerator,
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


async def test_stream_delivers_every_stage_then_completes(make_server, http):
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
