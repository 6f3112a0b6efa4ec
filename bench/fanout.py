"""Scenario 2: stream fan-out, 100 / 1,000 / 2,000 concurrent SSE streams held by one server process.

For each size: every stream on one generation, and one stream on each of as
many generations; the server (worker off) holds the streams while the
benchmark, acting as the worker with the service's own SQL, commits progress
events. Measured per event and stream: the delay from the event's
``timestamp`` (the database's ``now()`` of the statement that committed it)
to its arrival at the client; every stream's ids must be 1..last with none
missing; the server's RSS before and after the streams opened gives the memory
per open stream.

Baseline: a bare aiohttp server holding the same number of streams, writing
each NOTIFY it receives straight to every transport (``bench/bare.py``), fed
the very same notifications (a generation of its own, moved by the same SQL at
the same rate). Ratios are p99 delay against it. Both also report the NOTIFY
floor (when the notification reached a plain asyncpg LISTEN in the load
generator) and the server's part (from that moment to the event's arrival).
"""

from __future__ import annotations

import asyncio
from typing import Any

from bench.context import Context
from bench.databases import create_pending
from bench.load import SseGroup, run_load
from bench.machine import rss_kb
from bench.processes import profiled
from bench.producer import Producer, final_seqs, losses
from bench.progress import log
from bench.stats import ratio
from bench.workload import tokens_for

TOKEN_PATH = "/api/generations/generate/{id}/stream-token"


def sse_spec(
    port: int, entries: list[list[str]], timeout: float, *, token: bool, listen_dsn: str | None = None,
    listen_channel: str = "codegen_events", storm: bool = False,
) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "mode": "sse", "host": "127.0.0.1", "port": port, "streams": entries, "timeout": timeout,
        "open_concurrency": 32,
    }
    if storm:
        # tokens first, then every stream connects at once; a connect may wait its turn, not fail
        spec.update(storm=True, connect_timeout=120)
    if token:
        spec["token_path"] = TOKEN_PATH
    else:
        spec["stream_path"] = "/sse?g={id}"
    if listen_dsn:
        spec["listen_dsn"] = listen_dsn
        spec["listen_channel"] = listen_channel
    return spec


async def _warm(port: int, entries: list[list[str]]) -> None:
    """A few streams opened and closed, so one-time costs are not counted per stream."""
    spec = {"mode": "connect", "host": "127.0.0.1", "port": port, "samples": 10, "warmup_samples": 0,
            "entries": entries[:1], "token_path": TOKEN_PATH}
    await run_load(spec, timeout=60)


async def service(
    ctx: Context, streams: int, *, many: bool, events: int, interval: float, storm: bool = False
) -> dict[str, Any]:
    dsn = await ctx.dbs.fresh()
    users = ctx.dbs.users
    tokens = tokens_for(users)
    made = await create_pending(dsn, streams if many else 1, users)
    entries = [[g, tokens[u]] for g, u in made] if many else [[made[0][0], tokens[made[0][1]]]] * streams
    server = await ctx.launcher.codegen(dsn, worker=False, name=f"codegen-fanout-{streams}")
    try:
        await _warm(server.port, entries)
        await asyncio.sleep(0.5)
        before = rss_kb(server.pid)
        spec = sse_spec(server.port, entries, timeout=120 + events * interval * 4, token=True, listen_dsn=dsn, storm=storm)
        gen = await SseGroup.start(spec)
        try:
            ready = await gen.wait_ready(timeout=120 + streams / 20)
            await asyncio.sleep(1.0)
            after = rss_kb(server.pid)
            async with Producer(dsn) as producer, profiled(server.pid, f"fanout-{'many' if many else 'one'}-{streams}", ctx.workdir):
                await producer.claim(len(made))
                produce_seconds = await producer.run(events, interval)
            result = await gen.result(timeout=120 + events * interval * 4)
        finally:
            gen.kill()
        final = await final_seqs(dsn)
        per_stream = result.pop("per_stream")
        out = {
            **result, **losses(per_stream, final), "events_per_stream": max(final.values()) if final else 0,
            "rss_before_kb": before, "rss_after_kb": after, "kb_per_stream": round((after - before) / streams, 1),
            "produce_seconds": round(produce_seconds, 2), "ready": ready,
        }
        return out
    finally:
        await ctx.launcher.stop(server)
        await ctx.dbs.drop(dsn)


# The same steps as ``service`` above, on purpose: the baseline is measured exactly as the service is,
# so the ratio compares servers and not procedures.
async def bare(ctx: Context, streams: int, *, events: int, interval: float) -> dict[str, Any]:
    """The bare server fed the very notifications the service gets (same generation, same SQL, same rate)."""
    dsn = await ctx.dbs.fresh()
    server = await ctx.launcher.bare(dsn)
    try:
        made = await create_pending(dsn, 1, ctx.dbs.users)
        entries = [[made[0][0], ""]] * streams
        await asyncio.sleep(0.5)
        before = rss_kb(server.pid)
        spec = sse_spec(server.port, entries, timeout=120 + events * interval * 4, token=False, listen_dsn=dsn)
        gen = await SseGroup.start(spec)
        try:
            ready = await gen.wait_ready(timeout=60 + streams / 20)
            await asyncio.sleep(1.0)
            after = rss_kb(server.pid)
            async with Producer(dsn) as producer:
                await producer.claim(1)
                await producer.run(events, interval)
            result = await gen.result(timeout=120 + events * interval * 4)
        finally:
            gen.kill()
        final = await final_seqs(dsn)
        # no replay: a bare stream cannot have the event committed before it opened (the queued one)
        expected = {g: seq - 1 for g, seq in final.items()}
        per_stream = result.pop("per_stream")
        return {
            **result, **losses(per_stream, expected), "events_per_stream": max(expected.values()),
            "rss_before_kb": before, "rss_after_kb": after, "kb_per_stream": round((after - before) / streams, 1),
            "ready": ready,
        }
    finally:
        await ctx.launcher.stop(server)
        await ctx.dbs.drop(dsn)


def _line(label: str, r: dict[str, Any]) -> str:
    d = r.get("delay_ms") or {}
    f = r.get("listen_delay_ms") or {}
    v = r.get("serve_delay_ms") or {}
    return (
        f"{label:<26} delay p50 {d.get('p50')} p99 {d.get('p99')} max {d.get('max')} ms ({d.get('n')} samples); "
        f"NOTIFY floor p99 {f.get('p99')}; server's part p50 {v.get('p50')} p99 {v.get('p99')}; "
        f"lost {r.get('lost')}, dup {r.get('duplicates')}, unfinished {r.get('unterminated')}; "
        f"{r.get('kb_per_stream')} KB/stream; opened {r.get('opened')}/{r.get('streams')} in {r.get('open_seconds')} s"
        f" ({r.get('unavailable', 0)} answered 503, {r.get('told_to_reconnect', 0)} told to reconnect)"
    )


async def run(ctx: Context) -> dict[str, Any]:
    sizes: list[int] = ctx.size("fanout_streams", [100, 1000, 2000], [20])
    events: int = ctx.size("fanout_events", 25, 5)
    interval: float = ctx.size("fanout_interval", 0.2, 0.05)
    many_events: int = ctx.size("fanout_many_events", 3, 2)
    modes: list[str] = ctx.size("fanout_modes", ["bare", "one", "many"], ["bare", "one", "many"])
    repeat: int = ctx.size("fanout_repeat", 3, 1)
    rows = []
    for n in sizes:
        log(f"fanout: {n} streams, {events} events {interval * 1000:g} ms apart")
        row: dict[str, Any] = {"streams": n, "events": events, "interval": interval}
        # the machine is shared: bare and codegen alternate ``repeat`` times; the run with the median p99 stands
        runs: dict[str, list[dict[str, Any]]] = {"bare": [], "one": []}
        for _ in range(repeat if n >= 1000 else 1):
            if "bare" in modes:
                runs["bare"].append(await bare(ctx, n, events=events, interval=interval))
                log(_line("  bare aiohttp", runs["bare"][-1]))
            if "one" in modes:
                runs["one"].append(await service(ctx, n, many=False, events=events, interval=interval))
                log(_line("  codegen, one generation", runs["one"][-1]))
        bare_p99 = None
        for key, done in runs.items():
            if done:
                done.sort(key=lambda r: r["delay_ms"]["p99"] if r["delay_ms"]["p99"] is not None else 1e9)
                row[key] = done[len(done) // 2]
                row[f"{key}_p99_runs"] = [r["delay_ms"]["p99"] for r in done]
                row[key]["lost_all_runs"] = sum(r["lost"] + r["duplicates"] + r["unterminated"] for r in done)
        if "bare" in row:
            bare_p99 = row["bare"]["delay_ms"]["p99"]
        if "one" in row:
            row["ratio_one_vs_bare"] = ratio(row["one"]["delay_ms"]["p99"], bare_p99)
            if len(runs["one"]) > 1:
                log(f"  median of {len(runs['one'])} runs: codegen p99 {row['one']['delay_ms']['p99']} ms "
                    f"(runs {row['one_p99_runs']}), bare {row.get('bare_p99_runs')}; ratio {row['ratio_one_vs_bare']}")
        if "many" in modes:
            row["many"] = await service(ctx, n, many=True, events=many_events, interval=interval)
            row["ratio_many_vs_bare"] = ratio(row["many"]["delay_ms"]["p99"], bare_p99)
            log(_line("  codegen, one each", row["many"]) + f"; p99 vs bare {row['ratio_many_vs_bare']}")
        rows.append(row)
    storms = []
    for n in ctx.size("fanout_storm_streams", [10000], [40]):
        # a reconnect storm: after a deploy or a blip every open stream reconnects at once
        log(f"fanout: reconnect storm, {n} streams on one generation connecting together, then {events} events")
        storms.append(await service(ctx, n, many=False, events=events, interval=interval, storm=True))
        log(_line("  codegen, storm", storms[-1]))
    return {"rows": rows, "storms": storms}
