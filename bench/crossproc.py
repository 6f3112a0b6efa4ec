"""Scenario 3: cross-process delivery, the worker in one server process and the streams on another.

Process B (``--no-worker``) takes the generation and holds the streams;
process A (worker on, ``CODEGEN_STAGE_DELAY``) starts once every stream is
open, claims the generation and runs it with the template generator. Every
event travels A → PostgreSQL (commit, NOTIFY) → B's LISTEN connection → the
streams. Measured: the delay from the event's ``timestamp`` to its arrival at
each client, and events lost. Baseline: the same NOTIFY arriving at a plain
asyncpg LISTEN in the load generator's own process (the floor of any design
that publishes through the database).
"""

from __future__ import annotations

from typing import Any

from bench.context import Context
from bench.databases import create_pending
from bench.fanout import sse_spec
from bench.load import SseGroup
from bench.producer import final_seqs, losses
from bench.progress import log
from bench.stats import ratio
from bench.workload import tokens_for


async def one(ctx: Context, streams: int, stage_delay: float) -> dict[str, Any]:
    dsn = await ctx.dbs.fresh()
    tokens = tokens_for(ctx.dbs.users)
    made = await create_pending(dsn, 1, ctx.dbs.users)
    entries = [[made[0][0], tokens[made[0][1]]]] * streams
    b = await ctx.launcher.codegen(dsn, worker=False, name="codegen-streams")
    try:
        gen = await SseGroup.start(sse_spec(b.port, entries, timeout=120, token=True, listen_dsn=dsn))
        try:
            ready = await gen.wait_ready(timeout=60 + streams / 20)
            a = await ctx.launcher.codegen(dsn, worker=True, name="codegen-worker", stage_delay=stage_delay)
            result = await gen.result(timeout=180)
        finally:
            gen.kill()
        await ctx.launcher.stop(a)
        final = await final_seqs(dsn)
        per_stream = result.pop("per_stream")
        return {**result, **losses(per_stream, final), "events_per_stream": max(final.values()), "ready": ready}
    finally:
        await ctx.launcher.stop(b)
        await ctx.dbs.drop(dsn)


async def run(ctx: Context) -> dict[str, Any]:
    sizes: list[int] = ctx.size("crossproc_streams", [100, 1000], [10])
    stage_delay: float = ctx.size("crossproc_stage_delay", 0.2, 0.05)
    rows = []
    for n in sizes:
        log(f"crossproc: {n} streams on process B, the worker on process A (stage delay {stage_delay} s)")
        cross = await one(ctx, n, stage_delay)
        d, f = cross["delay_ms"], cross.get("listen_delay_ms") or {}
        row = {"streams": n, "stage_delay": stage_delay, "cross": cross, "ratio_vs_floor": ratio(d["p99"], f.get("p99"))}
        log(
            f"  delay p50 {d['p50']} p99 {d['p99']} max {d['max']} ms ({d['n']} samples); lost {cross['lost']}, "
            f"unfinished {cross['unterminated']}; NOTIFY floor p99 {f.get('p99')} ms; ratio {row['ratio_vs_floor']}"
        )
        rows.append(row)
    return {"rows": rows}
