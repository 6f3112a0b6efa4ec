"""Live file content on the stream (shared/API.md, "Live file content"), against real HTTP and PostgreSQL.

Clients here apply the contract's rules strictly: a ``file`` event whose offset is past what the client
holds is a server bug, not something to skip.
"""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import orjson
import pytest

from codegen import appkeys
from codegen.engine import live as live_module
from codegen.engine.live_payloads import MAX_PAYLOAD_BYTES
from codegen.engine.worker import Worker
from codegen.generators.base import GeneratedFile, GenerationResult
from codegen.lifecycle import Mode, Stage
from tests.generators.fake_llm import (  # noqa: F401 - fake_llm is a fixture
    API_KEY,
    MODEL,
    FakeLLM,
    fake_llm,
    fenced,
    stream,
    stream_then_hang,
)
from tests.helpers import ApiClient, GatedGenerator, SseEvent, read_events, wait_until

# NOTIFY payloads, checkpoints and several processes: also run on the oldest supported PostgreSQL
pytestmark = pytest.mark.database


class Assembled:
    """A client's files, built from ``file`` events by the contract's rules."""

    def __init__(self) -> None:
        self.files: dict[str, str] = {}
        self.done: dict[str, bool] = {}
        self.events = 0

    def apply(self, data: dict[str, Any]) -> None:
        assert set(data) == {"path", "offset", "text", "done"}, data
        self.events += 1
        path, offset, text = data["path"], data["offset"], data["text"]
        if offset == 0:
            self.files[path] = text
        else:
            held = self.files.get(path)
            assert held is not None and offset <= len(held), (path, offset, held and len(held))
            self.files[path] = held + text[len(held) - offset:]
        self.done[path] = data["done"]

    def stored(self) -> dict[str, str]:
        """What the client shows: files that ended or have text (an emptied file of an earlier attempt is not one)."""
        return {p: t for p, t in self.files.items() if t or self.done[p]}


async def follow(response, assembled: Assembled, *, until=None) -> list[SseEvent]:
    """Read a stream into ``assembled``; returns its numbered events. Stops at the end or when ``until()`` holds."""
    numbered = []
    async for event in read_events(response, files=True):
        if event.event == "file":
            assert event.id is None
            assembled.apply(event.data)
        else:
            numbered.append(event)
        if until is not None and until():
            response.close()
            break
    return numbered


async def signed_in(make_server, http, generator) -> tuple[Any, ApiClient, dict[str, Any]]:
    """A server running ``generator``, a new user on it, and that user's generation."""
    server = await make_server(generator=generator, stream_token_rate_limit=0)
    api = ApiClient(http, server.url)
    await api.sign_up()
    return server, api, await api.generate()


async def stored_files(api: ApiClient, generation_id: str) -> dict[str, str]:
    answer = await api.call("GET", f"/api/generations/{generation_id}/files")
    assert answer.status == 200
    return {f["path"]: f["content"] for f in answer.body["files"]}


async def test_the_template_path_sends_one_file_event_per_file_before_the_end(make_server, http):
    generator = GatedGenerator()
    server, api, generation = await signed_in(make_server, http, generator)
    response = await api.open_stream(generation["id"])
    late_token = await api.stream_token(generation["id"])
    await generator.started.wait()
    generator.release.set()
    events = [e async for e in read_events(response, files=True)]

    files = [e for e in events if e.event == "file"]
    assert [(e.data["path"], e.data["offset"], e.data["done"]) for e in files] == [
        ("README.md", 0, True), ("app.py", 0, True)
    ]
    assert all(e.id is None for e in files)
    assert events.index(files[-1]) < len(events) - 1 and events[-1].data["status"] == "completed"
    assembled = Assembled()
    for event in files:
        assembled.apply(event.data)
    stored = await stored_files(api, generation["id"])
    assert assembled.files == stored

    # a client that connects after the end (with a token it got before) gets the stored files, then the end
    late = Assembled()
    response = await http.get(
        server.url + late_token.body["stream_url"], params={"token": late_token.body["sse_token"], "last_event_id": "2"}
    )
    numbered = await follow(response, late)
    assert numbered[-1].data["status"] == "completed"
    assert late.files == stored and all(late.done.values())


class TypingGenerator:
    """Writes its files through the live sink in small pieces, pausing on ``gate`` once, then returns them.

    The result differs from what was typed for one file (as a model's repaired answer would), so the
    engine's settle must replace it.
    """

    name = "typing"

    def __init__(self, files: dict[str, str], *, pause_after: int = 0, piece: int = 3) -> None:
        self.files = files
        self.pause_after = pause_after
        self.piece = piece
        self.gate = asyncio.Event()
        self.paused = asyncio.Event()

    async def generate(self, request: Any, report: Any) -> GenerationResult:
        await report(Stage.PLANNING if request.mode == Mode.PHASED else Stage.GENERATING, 0.1, "Started")
        await report(Stage.GENERATING, 0.2, "Typing")
        sent = 0
        for path, content in self.files.items():
            request.live.begin(path)
            for start in range(0, len(content), self.piece):
                request.live.append(path, content[start:start + self.piece])
                sent += 1
                if sent == self.pause_after:
                    self.paused.set()
                    await self.gate.wait()
                await asyncio.sleep(0.002)
            request.live.end(path)
        result = dict(self.files)
        first = next(iter(result))
        result[first] = "# rewritten at the end\n" + result[first]
        return GenerationResult(files=[GeneratedFile(p, c) for p, c in result.items()])


PROJECT = {
    "app/main.py": "from aiohttp import web\n\n\ndef main() -> None:\n    web.run_app(web.Application())\n" * 3,
    "README.md": "# Typed\n\nA project that streams, byte for byte. ünïcödé ✓ 🚀\n" * 4,
    "tests/test_main.py": "def test_nothing():\n    assert True\n" * 5,
}


async def test_reconnecting_any_number_of_times_ends_with_the_stored_files(make_server, http):
    generator = TypingGenerator(PROJECT, pause_after=10)
    server, api, generation = await signed_in(make_server, http, generator)
    await generator.paused.wait()
    assembled = Assembled()
    last_id = 0
    generator.gate.set()
    for reconnect in range(300):
        token = await api.stream_token(generation["id"])
        if token.status == 400:
            break  # completed between two connections: a client reads it with GET
        response = await http.get(
            server.url + token.body["stream_url"], params={"token": token.body["sse_token"], "last_event_id": str(last_id)}
        )
        target = assembled.events + 1 + reconnect % 7
        numbered = await follow(response, assembled, until=lambda t=target: assembled.events >= t)
        ids = [e.id for e in numbered if e.data["stage"] != "connected"]
        last_id = max([last_id, *ids])
        if any(e.data["status"] == "completed" for e in numbered):
            break
    else:
        raise AssertionError("the generation never ended")
    stored = await stored_files(api, generation["id"])
    if token.status != 400:
        assert assembled.stored() == stored
        assert reconnect > 5
    # the first file was replaced by the result's text: offset 0 after deltas
    assert stored["app/main.py"].startswith("# rewritten at the end\n")


async def test_a_client_connected_throughout_gets_deltas_then_the_result(make_server, http):
    generator = TypingGenerator(PROJECT, pause_after=5)
    _server, api, generation = await signed_in(make_server, http, generator)
    await generator.paused.wait()
    response = await api.open_stream(generation["id"])
    assembled = Assembled()
    # the snapshot: the one file begun so far, from offset 0, with the 15 characters typed
    numbered = await follow(response, assembled, until=lambda: assembled.events >= 1)
    assert assembled.files == {"app/main.py": PROJECT["app/main.py"][:15]}
    assert [e.data["stage"] for e in numbered] == ["connected"]  # the files come first
    response = await api.open_stream(generation["id"])
    generator.gate.set()
    numbered = await follow(response, assembled)
    assert numbered[-1].data["status"] == "completed"
    assert assembled.stored() == await stored_files(api, generation["id"])
    assert assembled.events > 10  # deltas, not one event per file


# --------------------------------------------------------------------------- several processes


async def two_processes(make_server, http, generator) -> tuple[Any, ApiClient, ApiClient, dict[str, Any]]:
    """A process running ``generator``, one without a worker, that user on each, and the user's generation."""
    writer_server = await make_server(generator=generator)
    reader_server = await make_server(worker=False)
    api = ApiClient(http, writer_server.url)
    await api.sign_up()
    return writer_server, api, api.for_server(reader_server.url), await api.generate()


async def test_a_stream_on_another_process_converges_on_the_stored_files(make_server, http):
    generator = TypingGenerator(PROJECT, pause_after=40)
    _writer, api, other, generation = await two_processes(make_server, http, generator)
    # one stream from before the first byte; one that joins mid-file, after a checkpoint and a gap
    early = await other.open_stream(generation["id"])
    early_files = Assembled()
    early_task = asyncio.create_task(follow(early, early_files))
    await generator.paused.wait()
    joined = await other.open_stream(generation["id"])
    joined_files = Assembled()
    joined_task = asyncio.create_task(follow(joined, joined_files))
    generator.gate.set()
    for task in (early_task, joined_task):
        numbered = await asyncio.wait_for(task, timeout=30)
        assert numbered[-1].data["status"] == "completed"
    stored = await stored_files(api, generation["id"])
    assert early_files.stored() == stored
    assert joined_files.stored() == stored
    assert early_files.events > len(stored)  # it saw deltas, across processes


async def test_deltas_cross_processes_in_batches_under_the_notify_limit(make_server, http, database_url):
    writer_server = await make_server(worker=False)
    reader_server = await make_server(worker=False)
    api = ApiClient(http, writer_server.url)
    await api.sign_up()
    generation = await api.generate()
    payloads: list[str] = []
    listener = await asyncpg.connect(database_url)
    await listener.add_listener("codegen_files", lambda *args: payloads.append(args[3]))
    try:
        response = await api.for_server(reader_server.url).open_stream(generation["id"])
        assembled = Assembled()
        hub = writer_server.app[appkeys.LIVE]
        flushes = hub.flushes
        writer = hub.writer(generation["id"], 1)
        big = "x = '\\u00e9\u00e9\u00e9'  # ✓ 🚀 \"quoted\" \x01\n" * 2000  # about 80,000 characters
        writer.begin("big.py")
        for start in range(0, len(big), 4):  # 20,000 deltas, written without a pause
            writer.append("big.py", big[start:start + 4])
        writer.end("big.py")
        await writer.sync()
        await follow(response, assembled, until=lambda: assembled.done.get("big.py", False))
    finally:
        await listener.close()
    assert assembled.files == {"big.py": big}
    # a handful of statements, not one per delta; every payload well under NOTIFY's 8,000 bytes
    assert hub.flushes - flushes <= 3
    assert payloads and max(len(p.encode()) for p in payloads) <= MAX_PAYLOAD_BYTES
    writer.close()


async def test_a_new_attempt_starts_its_files_again_from_offset_0(make_server, http):
    writer_server = await make_server(worker=False)
    reader_server = await make_server(worker=False)
    api = ApiClient(http, writer_server.url)
    await api.sign_up()
    generation = await api.generate()
    hub = writer_server.app[appkeys.LIVE]
    first = hub.writer(generation["id"], 1)
    first.begin("a.py")
    first.append("a.py", "attempt one\n")
    await first.sync()
    here, there = Assembled(), Assembled()
    streams = [await api.open_stream(generation["id"]),
               await api.for_server(reader_server.url).open_stream(generation["id"])]
    for response, assembled in zip(streams, (here, there), strict=True):
        await follow(response, assembled, until=lambda a=assembled: a.files.get("a.py") == "attempt one\n")
    # the worker is lost; attempt 2 writes something else
    second = hub.writer(generation["id"], 2)
    assert not first.active
    first.append("a.py", "a zombie's late words\n")
    second.begin("b.py")
    second.append("b.py", "attempt two\n")
    second.end("b.py")
    await second.sync()
    for assembled, base in ((here, writer_server.url), (there, reader_server.url)):
        response = await api.for_server(base).open_stream(generation["id"])
        await follow(response, assembled, until=lambda a=assembled: a.done.get("b.py", False))
        assert assembled.stored() == {"b.py": "attempt two\n"}
        assert assembled.files["a.py"] == ""
    second.close()


# --------------------------------------------------------------------------- the openai provider


async def llm_server(make_server, fake: FakeLLM, **overrides):
    return await make_server(
        provider="openai", llm_base_url=fake.url, llm_api_key=API_KEY, llm_model=MODEL,
        llm_timeout_seconds=10, **overrides,
    )


TWO_FILES = fenced("app.py", "print('hello')\nprint('world')\n") + fenced("README.md", "# Hello\n", language="markdown")


async def test_model_text_streams_while_the_model_writes_it(make_server, http, fake_llm):
    # the answer is sent whole, then the model stalls before finishing: the files are already on the stream
    fake_llm.add(stream_then_hang(TWO_FILES, chunk_size=5))
    server = await llm_server(make_server, fake_llm)
    api = ApiClient(http, server.url)
    await api.sign_up()
    generation = await api.generate(prompt="Write a hello world script", generation_mode="unified")
    response = await api.open_stream(generation["id"])
    assembled = Assembled()
    await follow(response, assembled, until=lambda: len(assembled.done) == 2 and all(assembled.done.values()))
    assert assembled.files == {"app.py": "print('hello')\nprint('world')\n", "README.md": "# Hello\n"}
    assert assembled.done == {"app.py": True, "README.md": True}
    state = await api.call("GET", f"/api/generations/{generation['id']}")
    assert state.body["status"] == "processing"
    await api.call("POST", f"/api/generations/{generation['id']}/cancel")


async def test_both_modes_stream_exactly_the_stored_files(make_server, http, fake_llm):
    plan = orjson.dumps({"files": [{"path": "app.py", "purpose": "entry"}, {"path": "README.md", "purpose": "docs"}]})
    fake_llm.add(
        stream(TWO_FILES, chunk_size=3),  # unified
        stream(plan.decode()),  # phased: the plan, then one answer per file
        stream(fenced("app.py", "import sys\nprint(sys.argv)\n"), chunk_size=2),
        stream("Sure! Here it is:\n\n```markdown\n# Args\n\nPrints its arguments.\n```\n", chunk_size=4),
    )
    server = await llm_server(make_server, fake_llm)
    api = ApiClient(http, server.url)
    await api.sign_up()
    for mode in ("unified", "phased"):
        generation = await api.generate(prompt="Write a script that prints its arguments", generation_mode=mode)
        response = await api.open_stream(generation["id"])
        assembled = Assembled()
        numbered = await follow(response, assembled)
        assert numbered[-1].data["status"] == "completed", numbered[-1].data
        assert assembled.stored() == await stored_files(api, generation["id"])


async def _true(value: bool) -> bool:
    return value


async def test_the_hub_forgets_what_nobody_follows(make_server, http):
    generator = GatedGenerator()
    server, api, generation = await signed_in(make_server, http, generator)
    await generator.started.wait()
    generator.release.set()
    await api.wait_for(generation["id"])
    hub = server.app[appkeys.LIVE]
    await wait_until(lambda: _true(not hub.generations))


async def test_statements_do_not_grow_with_the_tokens(make_server, http, fake_llm):
    """Ten times the tokens: the same numbered events, and no live flush while no other process follows."""
    server = await llm_server(make_server, fake_llm)
    api = ApiClient(http, server.url)
    await api.sign_up()
    hub = server.app[appkeys.LIVE]
    counts = []
    for lines in (50, 5000):
        body = "".join(f"print({i})\n" for i in range(lines))
        fake_llm.add(stream(fenced("app.py", body), chunk_size=2))  # a token of 2 characters
        flushes = hub.flushes
        started = asyncio.get_running_loop().time()
        generation = await api.generate(prompt="Write a script that prints numbers", generation_mode="unified")
        response = await api.open_stream(generation["id"])
        assembled = Assembled()
        numbered = await follow(response, assembled)
        assert numbered[-1].data["status"] == "completed"
        assert assembled.stored() == await stored_files(api, generation["id"])
        elapsed = asyncio.get_running_loop().time() - started
        counts.append((len(body) // 2, numbered[-1].id, hub.flushes - flushes, elapsed))
    print("tokens, numbered events, live flushes, seconds:", counts)
    (small_tokens, small_events, _, _), (big_tokens, big_events, big_flushes, elapsed) = counts
    assert big_tokens >= 10 * small_tokens
    assert big_events == small_events
    # nobody on another process follows them: the live text cost no statement (one at most, if the stream
    # came before the claim and announced that it follows the generation)
    assert big_flushes <= 1


class IteratingGenerator:
    """An iteration: keeps one parent file, changes one, deletes one, adds one (whole files, no deltas)."""

    name = "iterating"

    async def generate(self, request: Any, report: Any) -> GenerationResult:
        await report(Stage.PLANNING if request.mode == Mode.PHASED else Stage.GENERATING, 0.1, "Started")
        parent = request.parent_files
        if parent is None:
            files = {"keep.py": "kept = 1\n", "change.py": "old = 1\n", "drop.py": "dropped = 1\n"}
        else:
            files = {"keep.py": parent["keep.py"], "change.py": "new = 2\n", "add.py": "added = 3\n"}
        return GenerationResult(files=[GeneratedFile(p, c) for p, c in files.items()])


async def test_an_iteration_streams_what_changed_and_ends_deleted_files_empty(make_server, http):
    _server, api, parent = await signed_in(make_server, http, IteratingGenerator())
    assert (await api.wait_for(parent["id"]))["status"] == "completed"
    child = await api.generate(is_iteration=True, parent_generation_id=parent["id"])
    response = await api.open_stream(child["id"])
    assembled = Assembled()
    numbered = await follow(response, assembled)
    assert numbered[-1].data["status"] == "completed"
    stored = await stored_files(api, child["id"])
    assert stored == {"keep.py": "kept = 1\n", "change.py": "new = 2\n", "add.py": "added = 3\n", "drop.py": ""}
    # the deleted file ends empty, as GET …/files shows it; the parent's unchanged file need not be
    # streamed (it is, when the stream connects after the generation completed: its stored files)
    changed = {p: c for p, c in stored.items() if p != "keep.py"}
    assert {p: c for p, c in assembled.files.items() if p != "keep.py"} == changed
    assert assembled.files.get("keep.py", stored["keep.py"]) == stored["keep.py"]


async def test_a_stream_of_a_completed_iteration_gets_the_files_as_listed_deleted_ones_empty(make_server, http):
    _server, api, parent = await signed_in(make_server, http, IteratingGenerator())
    assert (await api.wait_for(parent["id"]))["status"] == "completed"
    child = await api.generate(is_iteration=True, parent_generation_id=parent["id"])
    # the token is taken while the generation runs and spent once it has completed
    token = await api.stream_token(child["id"])
    assert token.status == 200, token.body
    assert (await api.wait_for(child["id"]))["status"] == "completed"
    response = await http.get(api.base_url + token.body["stream_url"], params={"token": token.body["sse_token"]})
    assert response.status == 200
    assembled = Assembled()
    await follow(response, assembled)
    assert assembled.files == await stored_files(api, child["id"])
    assert assembled.files["drop.py"] == "" and all(assembled.done.values())
    assert all(assembled.done.values())


async def test_a_stream_that_comes_before_the_worker_follows_it(make_server, http):
    """A stream opened before the generation is claimed (its mirror loading) gets the worker's text."""
    generator = TypingGenerator(PROJECT)
    server = await make_server(generator=generator, worker=False)
    api = ApiClient(http, server.url)
    await api.sign_up()
    generation = await api.generate()
    response = await api.open_stream(generation["id"])
    assembled = Assembled()
    reader = asyncio.create_task(follow(response, assembled))
    hub = server.app[appkeys.LIVE]
    assert generation["id"] in hub.generations  # the stream's mirror, before any worker
    claimer = Worker(server.app[appkeys.DB], server.app[appkeys.BUS], server.settings.engine, generator, live=hub)
    await claimer.start()
    try:
        numbered = await asyncio.wait_for(reader, timeout=30)
    finally:
        await claimer.stop()
    assert numbered[-1].data["status"] == "completed"
    assert assembled.stored() == await stored_files(api, generation["id"])


async def test_flushes_are_bounded_by_time_while_another_process_follows(make_server, http, fake_llm):
    server = await llm_server(make_server, fake_llm)
    reader_server = await make_server(worker=False)
    api = ApiClient(http, server.url)
    await api.sign_up()
    hub = server.app[appkeys.LIVE]
    body = "".join(f"print({i})\n" for i in range(1000))
    reply = stream(fenced("app.py", body), chunk_size=4)
    reply.delay = 0.001  # a model's pace, quickened
    fake_llm.add(reply)
    generation = await api.generate(prompt="Write a script that prints numbers", generation_mode="unified")
    response = await api.for_server(reader_server.url).open_stream(generation["id"])
    flushes = hub.flushes
    started = asyncio.get_running_loop().time()
    assembled = Assembled()
    numbered = await follow(response, assembled)
    elapsed = asyncio.get_running_loop().time() - started
    assert numbered[-1].data["status"] == "completed"
    assert assembled.stored() == await stored_files(api, generation["id"])
    big_flushes = hub.flushes - flushes
    print("chunks, live flushes, seconds:", len(reply.chunks), big_flushes, round(elapsed, 2))
    assert 0 < big_flushes <= elapsed / live_module.FLUSH_SECONDS + elapsed / live_module.CHECKPOINT_SECONDS + 2


async def test_a_lost_worker_s_files_start_again_and_end_as_the_next_attempt_stored_them(make_server, http):
    """Process A writes half, then is stopped (its generation handed back); B runs a new attempt; C streams it all."""
    first = TypingGenerator(PROJECT, pause_after=30)
    writer_a, _api, streamer, generation = await two_processes(make_server, http, first)
    await first.paused.wait()
    response = await streamer.open_stream(generation["id"])
    assembled = Assembled()
    reader = asyncio.create_task(follow(response, assembled))
    await wait_until(lambda: _true(bool(assembled.files.get("app/main.py"))))
    await writer_a.stop()  # A's worker is gone mid-file; its generation goes back to the queue

    second = {"app/main.py": "print('attempt two')\n", "other.py": "x = 2\n"}
    await make_server(generator=TypingGenerator(second))
    numbered = await asyncio.wait_for(reader, timeout=30)
    assert numbered[-1].data["status"] == "completed"
    stored = await stored_files(streamer, generation["id"])
    assert set(stored) == {"app/main.py", "other.py"}
    assert assembled.stored() == stored
    # the lost attempt's other files were emptied, never shown as part of the result
    assert all(assembled.files.get(p, "") == "" for p in PROJECT if p not in stored)
