"""Scenario 6: the sandbox that runs generated projects' tests.

1. Overhead: the same command, one after another, run plainly on the host
   and inside the sandbox (``Sandbox.run``), interleaved: ``python -c pass``
   (start-up alone) and pytest over a small fixed project of this benchmark's
   own (never generated code: that only ever runs sandboxed). Goal: the
   sandbox adds under 50 ms at p50.
2. Throughput at the cap: many sandboxed pytest runs of that project started
   together through ``ProjectTester`` (its cap is the number of CPUs):
   runs per second.
3. The API while the sandbox is at its cap: a server process whose worker
   drains template generations with their tests (``CODEGEN_VALIDATE=tests``),
   while GET /api/health is timed; baseline: the same probe with nothing
   queued, in the same run.
4. Cancel: a sandboxed run that sleeps is cancelled; time until none of its
   processes is left.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

from bench.context import Context
from bench.databases import create_pending
from bench.progress import log
from bench.stats import ratio
from bench.workload import PROMPTS
from codegen.config import load_settings
from codegen.engine.project_tests import ProjectTester
from codegen.engine.sandbox import Sandbox
from tests.sandbox_helpers import processes_with

PROJECT = {
    "pytest.ini": "[pytest]\npythonpath = .\n",
    "calc.py": "def add(a, b):\n    return a + b\n",
    "tests/test_calc.py": "from calc import add\n\n\ndef test_add():\n    assert add(2, 3) == 5\n\n\n"
                          "def test_zero():\n    assert add(0, 0) == 0\n",
}


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    return {"n": len(ordered), "p50": round(statistics.median(ordered), 2), "p95": round(at(0.95), 2),
            "p99": round(at(0.99), 2), "max": round(ordered[-1], 2)}


async def _plain(argv: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    proc = await asyncio.create_subprocess_exec(*argv, cwd=cwd, stdout=asyncio.subprocess.DEVNULL,
                                                stderr=asyncio.subprocess.DEVNULL, env={"PATH": os.environ["PATH"]})
    await proc.wait()
    return (time.perf_counter() - started) * 1000


async def _overhead(sandbox: Sandbox, tester: ProjectTester, runs: int) -> dict[str, Any]:
    python = tester.python
    async with tester.dependencies.environment(["pytest"]) as venv:
        venv_python = str(venv / "bin" / "python")
        commands = {
            "python -c pass": ([python, "-I", "-c", "pass"], [python, "-I", "-c", "pass"], None),
            "pytest, 2 tests": ([venv_python, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                                ["/venv/bin/python", "-m", "pytest", "-q", "-p", "no:cacheprovider"], venv),
        }
        out: dict[str, Any] = {}
        with tempfile.TemporaryDirectory(prefix="codegen-bench-project-") as tmp:
            root = Path(tmp)
            for path, content in PROJECT.items():
                (root / path).parent.mkdir(parents=True, exist_ok=True)
                (root / path).write_text(content)
            for label, (plain_argv, boxed_argv, boxed_venv) in commands.items():
                plain: list[float] = []
                boxed: list[float] = []
                for _ in range(runs):
                    plain.append(await _plain(plain_argv, root))
                    result = await sandbox.run(PROJECT, boxed_argv, python=python, venv=boxed_venv)
                    assert result.exit_code == 0, result.output
                    boxed.append(result.duration_s * 1000)
                p, b = _percentiles(plain), _percentiles(boxed)
                out[label] = {"plain_ms": p, "sandbox_ms": b, "overhead_p50_ms": round(b["p50"] - p["p50"], 2),
                              "ratio_p50": ratio(b["p50"], p["p50"])}
    return out


async def _throughput(tester: ProjectTester, runs: int) -> dict[str, Any]:
    async def quiet(message: str) -> None:
        return None

    started = time.perf_counter()
    reports = await asyncio.gather(*(tester.run(PROJECT, quiet) for _ in range(runs)))
    seconds = time.perf_counter() - started
    passed = sum(r.status == "passed" for r in reports)
    return {"runs": runs, "passed": passed, "seconds": round(seconds, 2), "runs_per_second": round(runs / seconds, 2),
            "cap": tester.settings.sandbox.concurrency or os.cpu_count()}


async def _probe_api(url: str, until: asyncio.Event, interval: float = 0.05) -> list[float]:
    samples: list[float] = []
    async with aiohttp.ClientSession() as http:
        while not until.is_set():
            started = time.perf_counter()
            async with http.get(url + "/api/health") as response:
                await response.read()
            samples.append((time.perf_counter() - started) * 1000)
            await asyncio.sleep(interval)
    return samples


async def _api_under_load(ctx: Context, generations: int, idle_seconds: float) -> dict[str, Any]:
    dsn = await ctx.dbs.fresh()
    try:
        server = await ctx.launcher.codegen(dsn, worker=True, validate="tests", worker_concurrency=8)
        stop = asyncio.Event()
        probe = asyncio.create_task(_probe_api(server.url, stop))
        await asyncio.sleep(idle_seconds)
        stop.set()
        idle = await probe
        # the requirement sets are installed before the timed part, so it measures the runs
        await create_pending(dsn, min(generations, len(PROMPTS)), users=4)
        await _wait_done(ctx, dsn, timeout=600)
        await ctx.dbs.admin_on(dsn, "DELETE FROM generations")
        stop = asyncio.Event()
        probe = asyncio.create_task(_probe_api(server.url, stop))
        started = time.perf_counter()
        await create_pending(dsn, generations, users=8)
        outcome = await _wait_done(ctx, dsn, timeout=900)
        seconds = time.perf_counter() - started
        stop.set()
        busy = await probe
        i, b = _percentiles(idle), _percentiles(busy)
        return {"generations": generations, "seconds": round(seconds, 1), **outcome,
                "idle_ms": i, "busy_ms": b, "ratio_p99": ratio(b["p99"], i["p99"])}
    finally:
        await ctx.launcher.stop_all()
        await ctx.dbs.drop(dsn)


async def _wait_done(ctx: Context, dsn: str, timeout: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        rows = await ctx.dbs.admin_on(
            dsn, "SELECT status, tests->>'status' AS tests, count(*) AS n FROM generations GROUP BY 1, 2"
        )
        pending = sum(r["n"] for r in rows if r["status"] in ("pending", "processing"))
        if not pending:
            return {"by_tests": {f"{r['status']}/{r['tests']}": r["n"] for r in rows}}
        if time.monotonic() > deadline:
            raise TimeoutError(f"{pending} generations still running after {timeout} s")
        await asyncio.sleep(0.2)


async def _cancel(sandbox: Sandbox, tester: ProjectTester) -> dict[str, Any]:
    marker = f"codegen-bench-cancel-{os.getpid()}"
    project = {"sleeper.py": "import time\ntime.sleep(600)\n"}
    task = asyncio.create_task(sandbox.run(project, [tester.python, "sleeper.py", marker],
                                           python=tester.python))
    while not processes_with(marker):
        await asyncio.sleep(0.005)
    started = time.perf_counter()
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    while processes_with(marker):
        await asyncio.sleep(0.002)
    return {"cancel_to_gone_ms": round((time.perf_counter() - started) * 1000, 1)}


async def run(ctx: Context) -> dict[str, Any]:
    settings = load_settings({}, data_dir=ctx.workdir / "sandbox-data", validate_mode="tests")
    tester = await ProjectTester.start(settings.validation)
    if tester.sandbox is None:
        return {"error": f"no sandbox: {tester.unavailable}"}
    log(f"sandbox: overhead ({sys.executable})")
    overhead = await _overhead(tester.sandbox, tester, ctx.size("sandbox_overhead_runs", 30, 3))
    log("sandbox: throughput at the cap")
    throughput = await _throughput(tester, ctx.size("sandbox_runs", 24, 4))
    log("sandbox: cancel")
    cancel = await _cancel(tester.sandbox, tester)
    log("sandbox: the API while the worker runs tests")
    api = await _api_under_load(ctx, ctx.size("sandbox_generations", 24, 3), idle_seconds=ctx.duration / 2)
    return {"overhead": overhead, "throughput": throughput, "cancel": cancel, "api": api}
