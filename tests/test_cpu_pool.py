"""CPU work off the event loop (issue 12 item 3): the template generator and the review run in the
engine's process pool, and the API keeps answering while they compute."""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest

from codegen import appkeys
from codegen.engine import cpu as cpu_work
from codegen.engine.cpu import CpuPool
from codegen.generators import review
from codegen.generators.base import GeneratedFile, GenerationError, GenerationRequest
from codegen.generators.template import TemplateGenerator
from codegen.lifecycle import Mode, Stage
from tests.cpu_generators import SlowCpuGenerator, pid_and_square, sleep_forever
from tests.conftest import Server, stop_or_explain
from tests.helpers import ApiClient, read_events, wait_until

pytestmark = pytest.mark.database


async def messages(db_conn, generation_id: str) -> list[str]:
    return await db_conn.fetchval(
        "SELECT array_agg(message ORDER BY seq) FROM generation_events WHERE generation_id = $1",
        uuid.UUID(generation_id),
    )


async def computing(make_server, http, generator: SlowCpuGenerator) -> tuple[Server, ApiClient, dict, int]:
    """A server whose worker runs ``generator``, one generation of it created; returns once the
    child computing it is at its gate (with the child's pid)."""
    server = await make_server(generator=generator)
    api = ApiClient(http, server.url)
    await api.sign_up()
    generation = await api.generate()
    return server, api, generation, await generator.opened()


async def test_the_api_answers_while_a_generation_computes(make_server, http, db_conn, tmp_path):
    generator = SlowCpuGenerator(tmp_path)
    _server, api, generation, child = await computing(make_server, http, generator)
    assert child != os.getpid()

    # the child is blocked at its gate; on the event loop, these answers would only come after it gave up
    during = await api.generation(generation["id"])
    listed = await api.call("GET", "/api/generations")
    assert not generator.passed.exists()
    assert during["status"] == "processing" and listed.status == 200

    generator.release.touch()
    finished = await api.wait_for(generation["id"])
    assert finished["status"] == "completed"
    # the reports made in the child are replayed in order, before the engine's own steps
    said = await messages(db_conn, generation["id"])
    assert said.index("Computing") < said.index("Computed") < said.index("Saving 2 files")


async def test_a_generation_error_in_the_child_keeps_its_message_and_usage(make_server, http, db_conn, tmp_path):
    generator = SlowCpuGenerator(tmp_path, error="The prompt asks for a game")
    generator.release.touch()
    server = await make_server(generator=generator)
    api = ApiClient(http, server.url)
    await api.sign_up()
    generation = await api.generate()
    finished = await api.wait_for(generation["id"])
    assert (finished["status"], finished["error_message"]) == ("failed", "The prompt asks for a game")
    usage = await db_conn.fetchval("SELECT usage FROM generations WHERE id = $1", uuid.UUID(generation["id"]))
    assert "completion_tokens" in str(usage)


async def test_cancel_while_the_child_computes_stops_the_generation(make_server, http, tmp_path):
    generator = SlowCpuGenerator(tmp_path)
    server, api, generation, _child = await computing(make_server, http, generator)
    stream = await api.open_stream(generation["id"])
    answer = await api.call("POST", f"/api/generations/{generation['id']}/cancel")
    assert answer.body["status"] == "cancelled"
    worker = server.app[appkeys.WORKER]
    await wait_until(lambda: _now(not worker.running))
    # stopped while the child is still at its gate: nobody waited for it
    assert not generator.passed.exists()
    streamed = [e async for e in read_events(stream)]
    assert streamed[-1].data["status"] == "cancelled"
    generator.release.touch()


async def test_shutdown_hands_back_a_computing_generation_and_ends_the_child(make_server, http, db_conn, tmp_path):
    generator = SlowCpuGenerator(tmp_path)
    server, _api, generation, child = await computing(make_server, http, generator)
    await stop_or_explain(server)
    assert not generator.passed.exists()
    status = await db_conn.fetchval("SELECT status FROM generations WHERE id = $1", uuid.UUID(generation["id"]))
    assert status == "pending"
    await wait_until(lambda: _now(not _alive(child)))


async def test_a_worker_starts_its_pool_children_before_any_generation(make_server):
    # started from a thread at start-up, so the first generation to need the pool does not start them
    # (and the forkserver) on the event loop
    server = await make_server()
    pool = server.app[appkeys.WORKER].cpu
    assert len(pool.children) == pool.workers
    assert all(_alive(pid) for pid in pool.children)


async def test_start_runs_every_child_and_tasks_reuse_them():
    pool = CpuPool(2)
    try:
        assert pool.children == []
        await pool.start()
        started = sorted(pool.children)
        assert len(started) == 2
        pids = {(await pool.run(pid_and_square, n))[0] for n in range(6)}
        assert pids <= set(started) and sorted(pool.children) == started
    finally:
        pool.close()


async def test_template_generation_runs_in_a_child_with_the_same_result():
    request = GenerationRequest(generation_id="g", prompt="A CLI that converts temperatures", mode=Mode.PHASED)
    inline_reports: list[tuple] = []
    pooled_reports: list[tuple] = []

    async def inline_report(stage: Stage, progress: float, message: str) -> None:
        inline_reports.append((stage, progress, message))

    async def pooled_report(stage: Stage, progress: float, message: str) -> None:
        pooled_reports.append((stage, progress, message))

    pool = CpuPool(1)
    try:
        inline = await TemplateGenerator().generate(request, inline_report)
        pooled = await cpu_work.generate(pool, TemplateGenerator(), request, pooled_report)
    finally:
        pool.close()
    assert pooled.files == inline.files and pooled.requirements == inline.requirements
    assert pooled_reports == inline_reports and len(pooled_reports) > 3


async def test_concurrent_reviews_in_the_pool_agree_with_the_inline_review():
    # threads raised CPython 3.11's "AST constructor recursion depth mismatch" under this kind of load
    files = [
        GeneratedFile("app/main.py", "def f():\n" + "    x = (" * 40 + "1" + ")" * 40 + "\n    return x\n"),
        GeneratedFile("app/broken.py", "def f(:\n"),
        GeneratedFile("README.md", "# hi\n"),
    ]
    expected = review.check_files(files)
    pool = CpuPool(2)
    try:
        answers = await asyncio.gather(*(cpu_work.review_files(pool, files) for _ in range(40)))
    finally:
        pool.close()
    assert expected and all(answer == expected for answer in answers)


async def test_a_dead_child_fails_its_call_and_the_pool_recovers(tmp_path):
    pool = CpuPool(1)
    try:
        first_pid, _ = await pool.run(pid_and_square, 3)
        hanging = asyncio.ensure_future(pool.run(sleep_forever))
        await asyncio.sleep(0.2)
        os.kill(first_pid, 9)
        with pytest.raises(BrokenProcessPool):
            await hanging
        pid, square = await pool.run(pid_and_square, 4)
        assert square == 16 and pid != first_pid
    finally:
        pool.close()
    with pytest.raises(RuntimeError):
        await pool.run(pid_and_square, 5)


async def test_generation_error_crosses_the_pool_with_its_usage(tmp_path):
    generator = SlowCpuGenerator(tmp_path, error="no")
    generator.release.touch()
    request = GenerationRequest(generation_id="g", prompt="p", mode=Mode.UNIFIED)
    said: list[str] = []

    async def report(stage: Stage, progress: float, message: str) -> None:
        said.append(message)

    pool = CpuPool(1)
    try:
        with pytest.raises(GenerationError) as caught:
            await cpu_work.generate(pool, generator, request, report)
    finally:
        pool.close()
    assert caught.value.usage == {"prompt_tokens": 3, "completion_tokens": 4}
    assert said == ["Computing", "Computed"]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie (ended, not yet reaped) counts as ended
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split()[2] != "Z"


async def _now(value: bool) -> bool:
    return value


async def test_children_end_when_the_server_process_is_killed(tmp_path):
    # a killed server sends no shutdown: its CPU children (and so its forkserver) must still go away
    script = (
        "import asyncio, os, sys\n"
        "from codegen.engine.cpu import CpuPool\n"
        "from tests.cpu_generators import pid_and_square\n"
        "async def main():\n"
        "    pool = CpuPool(1)\n"
        "    pid, _ = await pool.run(pid_and_square, 2)\n"
        "    print(pid, flush=True)\n"
        "    await asyncio.sleep(3600)\n"
        "asyncio.run(main())\n"
    )
    server = await asyncio.create_subprocess_exec(
        sys.executable, "-c", script, stdout=asyncio.subprocess.PIPE, cwd=str(Path(__file__).resolve().parent.parent),
    )
    assert server.stdout is not None
    child = int(await server.stdout.readline())
    assert _alive(child)
    server.kill()
    await server.wait()
    await wait_until(lambda: _now(not _alive(child)))


@pytest.mark.parametrize("pidfd", [True, False], ids=["pidfd", "polling"])
async def test_a_child_ends_with_the_process_it_watches(pidfd):
    # the initializer of every CPU child, with Linux's pidfd and without it (macOS: it polls)
    watched = await asyncio.create_subprocess_exec("sleep", "3600")
    script = (
        "import os, time\n"
        + ("" if pidfd else "del os.pidfd_open\n")
        + "from codegen.engine.cpu import _end_with\n"
        f"_end_with({watched.pid})\n"
        "print('watching', flush=True)\n"
        "time.sleep(3600)\n"
    )
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-c", script, stdout=asyncio.subprocess.PIPE, cwd=str(Path(__file__).resolve().parent.parent),
    )
    try:
        assert child.stdout is not None
        assert await child.stdout.readline() == b"watching\n"
        assert child.returncode is None
        watched.kill()
        await watched.wait()
        async with asyncio.timeout(30):  # a bound for a broken build; the wait is on the exit itself
            assert await child.wait() == 0
    finally:
        for process in (watched, child):
            if process.returncode is None:
                process.kill()
                await process.wait()
