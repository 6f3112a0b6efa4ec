"""Scenario 8: model-backed generations against a realistically paced fake model (issue 12 item 5).

One server process at its default settings (CODEGEN_MODEL_CONCURRENCY 200) with the openai
provider pointed at ``bench.paced_model`` (first token after ~0.5 s, ~60 small chunks a second,
~2,400 characters of one file), unified mode. ``n`` generations are created together through the
API, each with one viewer reading its stream, ``event: file`` deltas included. Measured:

- drain time: from the first create to the last terminal event, against one generation alone;
- delta delay: model wrote a chunk → the viewer received the file text ending in it (same clock);
- the API's latency meanwhile (GET /api/generator, one request every 50 ms, from a process of its
  own; a route without the database, so the figure is the event loop's and the count below stays clean);
- database transactions per generation (pg_stat_database, read after the server is stopped, what a
  server's start and stop cost taken out), one viewer's stream token and stream included;
- the server's peak RSS, and its CPU pool's children;
- that every streamed file equals the stored one.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import orjson

from bench.context import Context
from bench.paced_model import PacedModel
from bench.processes import PYTHON, REPO, Proc, child_env, profiled
from bench.progress import log
from bench.stats import ratio, summary_ms
from bench.workload import tokens_for
from codegen import lifecycle

PROBE_INTERVAL = 0.05
# a route without the database: the probe measures how long the event loop makes a request wait,
# and adds nothing to the transactions counted
PROBE_PATH = "/api/generator"
TERMINAL = {status.value for status in lifecycle.TERMINAL}


async def _transactions(ctx: Context, dsn: str) -> int:
    rows = await ctx.dbs.admin_on(
        dsn, "SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = current_database()"
    )
    return int(rows[0]["n"])


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            continue
    return found + [grandchild for child in found for grandchild in _children(child)]


class Viewer:
    """Creates one generation, reads its stream to the end, assembles the files from ``file`` events."""

    def __init__(self, http: aiohttp.ClientSession, base: str, token: str, tag: str) -> None:
        self.http, self.base, self.tag = http, base, tag
        self.headers = {"Authorization": f"Bearer {token}"}
        self.files: dict[str, str] = {}
        self.deltas: list[tuple[float, int]] = []  # (received, file offset after the text)
        self.generation_id = ""
        self.created = self.finished = self.first_delta = 0.0
        self.status = ""
        self.error = ""

    async def run(self) -> None:
        """Create, take a stream token, read the stream; a refusal is kept in ``error`` (the row counts them)."""
        self.created = time.monotonic()
        try:
            await self._run()
        except (AssertionError, aiohttp.ClientError, TimeoutError) as exc:
            self.error = str(exc)[:200] or type(exc).__name__
        self.finished = time.monotonic()

    async def _run(self) -> None:
        body = {"prompt": f"Write a Python script that lists values [{self.tag}]", "generation_mode": "unified"}
        async with self.http.post(self.base + "/api/generations/generate", json=body, headers=self.headers) as r:
            assert r.status == 201, f"create: {r.status} {await r.text()}"
            self.generation_id = (await r.json())["id"]
        url = f"{self.base}/api/generations/generate/{self.generation_id}/stream-token"
        async with self.http.post(url, headers=self.headers) as r:
            assert r.status == 200, f"stream token: {r.status} {await r.text()}"
            token = await r.json()
        async with self.http.get(self.base + token["stream_url"], params={"token": token["sse_token"]}) as stream:
            assert stream.status == 200, f"stream: {stream.status} {await stream.text()}"
            await self._read(stream)

    async def _read(self, stream: aiohttp.ClientResponse) -> None:
        name: str | None = None
        data: list[str] = []
        async for raw in stream.content:
            line = raw.decode().rstrip("\r\n")
            if line:
                if line.startswith("event:"):
                    name = line[6:].strip()
                elif line.startswith("data:"):
                    data.append(line[5:].lstrip())
                continue
            if data:
                event = orjson.loads("\n".join(data))
                if name == "file":
                    self._file(event)
                elif name == "reconnect":
                    # the server ended the stream early (database away, shutting down); this viewer does not retry
                    self.error = f"told to reconnect: {event.get('message', '')}"[:200]
                    return
                elif event.get("status") in TERMINAL:
                    self.status = event["status"]
                    return
            name, data = None, []

    def _file(self, event: dict[str, Any]) -> None:
        now = time.monotonic()
        before = self.files.get(event["path"], "")
        self.files[event["path"]] = before[: event["offset"]] + event["text"]
        if event["text"]:
            self.first_delta = self.first_delta or now
            self.deltas.append((now, event["offset"] + len(event["text"])))



async def _stored(ctx: Context, dsn: str, generation_id: str) -> dict[str, str]:
    """The files as stored (GET …/files returns these; read here once the server is stopped)."""
    rows = await ctx.dbs.admin_on(
        dsn, "SELECT path, content FROM generation_files WHERE generation_id = $1::uuid", generation_id
    )
    return {row["path"]: row["content"] for row in rows}


async def _attempts(ctx: Context, dsn: str) -> dict[str, int]:
    rows = await ctx.dbs.admin_on(dsn, "SELECT id::text AS id, attempts FROM generations")
    return {row["id"]: int(row["attempts"]) for row in rows}


class Probe:
    """``bench.api_probe`` in its own process: the API's latency without this process's lag."""

    def __init__(self, url: str, interval: float, limit: int = 0) -> None:
        self.argv = [PYTHON, "-m", "bench.api_probe", url, str(interval), str(limit)]
        self.limit = limit
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> Probe:
        self.process = await asyncio.create_subprocess_exec(
            *self.argv, cwd=str(REPO), env=child_env(), stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        )
        return self

    async def latencies(self) -> list[float]:
        """What it measured: all ``limit`` requests, or (no limit) until now."""
        assert self.process is not None and self.process.stdin is not None
        if self.limit == 0:
            self.process.stdin.close()
        out, _ = await self.process.communicate()
        if self.process.returncode:
            raise RuntimeError(f"the API probe failed ({self.process.returncode})")
        return orjson.loads(out)


async def _sample_rss(pid: int, stop: asyncio.Event) -> tuple[int, int]:
    peak = children_peak = 0
    while not stop.is_set():
        peak = max(peak, _rss_kb(pid))
        children_peak = max(children_peak, sum(_rss_kb(child) for child in _children(pid)))
        await asyncio.sleep(0.25)
    return peak, children_peak


async def _reported_transactions(ctx: Context, dsn: str) -> int:
    """Transactions of the database so far, read once its clients are gone: a backend reports its
    counts when its connection closes (an idle one only every 10 s)."""
    await asyncio.sleep(1.5)
    return await _transactions(ctx, dsn)


async def _server(ctx: Context, dsn: str, name: str, model: PacedModel, **settings: Any) -> Proc:
    return await ctx.launcher.codegen(
        dsn, worker=True, name=name, provider="openai", llm_base_url=model.url or "http://127.0.0.1:9/v1",
        llm_api_key="bench-key", llm_model="bench-model", **settings,
    )


async def startup_transactions(ctx: Context, processes: int = 1) -> int:
    """What starting and stopping ``processes`` servers costs the database, taken out of a row."""
    dsn = await ctx.dbs.fresh()
    try:
        before = await _transactions(ctx, dsn)
        servers = [await _server(ctx, dsn, f"codegen-model-idle-{i}", PacedModel()) for i in range(processes)]
        for server in servers:
            await ctx.launcher.stop(server)
        return await _reported_transactions(ctx, dsn) - before
    finally:
        await ctx.dbs.drop(dsn)


@dataclass(frozen=True)
class Row:
    """One measurement: ``generations`` created together over ``processes`` servers, each holding at
    most ``model_concurrency`` model generations at once (None: the default, 200)."""

    generations: int
    processes: int = 1
    model_concurrency: int | None = None

    @classmethod
    def of(cls, spec: int | dict[str, Any]) -> Row:
        return cls(spec) if isinstance(spec, int) else cls(**spec)

    def label(self) -> str:
        where = f"{self.processes} processes" if self.processes > 1 else "one process"
        held = f", CODEGEN_MODEL_CONCURRENCY {self.model_concurrency}" if self.model_concurrency else ""
        return f"{self.generations} generation(s) together on {where}{held}"


async def one(ctx: Context, spec: Row, pace: dict[str, float], startup: int) -> dict[str, Any]:
    n = spec.generations
    dsn = await ctx.dbs.fresh()
    model = PacedModel(**pace)
    await model.start()
    # the template database holds ctx.dbs.users users: beyond that, users create several generations each
    tokens = tokens_for(min(n, ctx.dbs.users))
    before = await _transactions(ctx, dsn)
    settings = {} if spec.model_concurrency is None else {"model_concurrency": str(spec.model_concurrency)}
    servers = [await _server(ctx, dsn, f"codegen-model-{n}-{i}", model, **settings) for i in range(spec.processes)]
    try:
        async with aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=1800), connector=aiohttp.TCPConnector(limit=0)
        ) as http:  # one connection per viewer: the default pool of 100 would queue the rest
            # viewers take the servers in turn: each server gets its share of creates and streams
            viewers = [Viewer(http, servers[i % len(servers)].url, tokens[i % len(tokens)], f"bench-{i}") for i in range(n)]
            stop = asyncio.Event()
            probe = await Probe(servers[0].url + PROBE_PATH, PROBE_INTERVAL).start()
            rss = [asyncio.create_task(_sample_rss(server.pid, stop)) for server in servers]
            async with profiled(servers[0].pid, f"model-{n}", ctx.workdir):
                await asyncio.gather(*(viewer.run() for viewer in viewers))
            stop.set()
            latencies, sampled = await probe.latencies(), [await task for task in rss]
        for server in servers:
            await ctx.launcher.stop(server)
        transactions = await _reported_transactions(ctx, dsn) - before - startup
        stored = [await _stored(ctx, dsn, viewer.generation_id) if viewer.generation_id else {} for viewer in viewers]
        attempts = await _attempts(ctx, dsn)
        # a generation run more than once (its lease lapsed) streams each attempt from offset 0, and the
        # model's record of when it sent what is then ambiguous: its delays are left out, and counted
        retried = {v.tag for v in viewers if attempts.get(v.generation_id, 1) > 1}
        delays = [
            received - sent_at
            for viewer in viewers if viewer.tag not in retried
            for received, end in viewer.deltas
            if (sent_at := model.sent[viewer.tag].time_of(end)) is not None
        ]
        served = [v for v in viewers if not v.error]
        drain = max(v.finished for v in served) - min(v.created for v in viewers) if served else None
        return {
            "generations": n,
            "processes": spec.processes,
            "model_concurrency": spec.model_concurrency,
            "completed": sum(v.status == "completed" for v in viewers),
            "failed": sum(v.status == "failed" for v in viewers),
            # generations that needed more than one attempt (a lease that lapsed, an interrupted attempt)
            "retried": len(retried),
            # served, yet the stream ended with neither a terminal event nor `reconnect`
            "silent_ends": sum(not v.error and not v.status for v in viewers),
            "refused": sum(bool(v.error) for v in viewers),
            "refused_samples": sorted({v.error for v in viewers if v.error})[:3],
            "identical": sum(v.files == files and bool(files) for v, files in zip(viewers, stored, strict=True)),
            # completed viewers whose streamed files are not the stored ones (a failed generation stores none)
            "different": sum(v.status == "completed" and v.files != files for v, files in zip(viewers, stored, strict=True)),
            "different_samples": [
                _difference(v, files) for v, files in zip(viewers, stored, strict=True)
                if v.status == "completed" and (v.files != files or not files)
            ][:5],
            "drain_seconds": None if drain is None else round(drain, 2),
            "delta_delay_ms": _without_quantiles(summary_ms(delays)),
            "api_ms": _without_quantiles(summary_ms(latencies)),
            "api_path": PROBE_PATH,
            "model_late_ms": _without_quantiles(summary_ms(model.lateness)),
            # created → the first text of code on its stream (the model's 0.5 s first token included)
            "first_code_ms": _without_quantiles(
                summary_ms([v.first_delta - v.created for v in viewers if v.first_delta])
            ),
            "transactions_per_generation": round(transactions / n, 1),
            "startup_transactions": startup,
            "chars": pace["chars"],
            # peaks per process, summed: the processes peak at about the same moment (the end)
            "rss_mb": round(sum(peak for peak, _ in sampled) / 1024, 1),
            "cpu_pool_rss_mb": round(sum(children for _, children in sampled) / 1024, 1),
        }
    finally:
        for server in servers:
            await ctx.launcher.stop(server)
        await model.close()
        await ctx.dbs.drop(dsn)


def _difference(viewer: Viewer, stored: dict[str, str]) -> dict[str, Any]:
    """Where a viewer's assembled files and the stored ones part (the report names what went wrong)."""
    paths = {}
    for path in sorted(set(viewer.files) | set(stored)):
        got, want = viewer.files.get(path), stored.get(path)
        if got != want:  # (a missing file counts as empty text)
            got, want = got or "", want or ""
            at = next((i for i, (a, b) in enumerate(zip(got, want)) if a != b), min(len(got), len(want)))
            paths[path] = {"streamed": len(got), "stored": len(want), "first_difference": at}
    return {"generation_id": viewer.generation_id, "status": viewer.status, "error": viewer.error, "paths": paths}


def _without_quantiles(summary: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in summary.items() if k != "quantiles"}


async def run(ctx: Context) -> dict[str, Any]:
    specs = ctx.size(
        "model_generations",
        [1, 200, {"generations": 200, "processes": 2}, {"generations": 1000, "model_concurrency": 1000}],
        [1, 3, {"generations": 3, "processes": 2}],
    )
    pace = ctx.size("model_pace", {"first_token": 0.5, "rate": 60.0, "chars": 2400},
                    {"first_token": 0.1, "rate": 200.0, "chars": 300})
    startups: dict[int, int] = {}
    rows = []
    for spec in map(Row.of, specs):
        if spec.processes not in startups:
            startups[spec.processes] = await startup_transactions(ctx, spec.processes)
        log(f"model: {spec.label()}, against the paced fake model ({pace})")
        row = await one(ctx, spec, pace, startups[spec.processes])
        rows.append(row)
        alone = rows[0]["drain_seconds"]
        row["drain_vs_alone"] = ratio(row["drain_seconds"], alone)
        d, a = row["delta_delay_ms"], row["api_ms"]
        log(
            f"  drain {row['drain_seconds']} s ({row['drain_vs_alone']}× one alone); {row['completed']}/{spec.generations}"
            f" completed ({row['refused']} refused: {row['refused_samples']}), {row['identical']} streamed files"
            f" identical; delta p50 {d['p50']} p99 {d['p99']} ms;"
            f" API p99 {a['p99']} ms; {row['transactions_per_generation']} transactions/generation;"
            f" RSS {row['rss_mb']} MB (+{row['cpu_pool_rss_mb']} MB CPU pool)"
        )
    return {"rows": rows}
