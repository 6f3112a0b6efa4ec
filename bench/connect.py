"""Scenario 5: token and connect, from ``POST …/stream-token`` to the ``connected`` event.

One client, one sample after another, on an idle server (worker off, the
generation pending): the token over a keep-alive connection, then a new
connection for the stream, until its first event. Baseline: the bare aiohttp
server doing the same two steps (a POST with one INSERT, then an SSE GET that
answers with its first event).
"""

from __future__ import annotations

from typing import Any

from bench.context import Context
from bench.databases import create_pending
from bench.fanout import TOKEN_PATH
from bench.load import run_load
from bench.progress import log
from bench.stats import ratio
from bench.workload import tokens_for


async def run(ctx: Context) -> dict[str, Any]:
    samples: int = ctx.size("connect_samples", 300, 20)
    out: dict[str, Any] = {}

    dsn = await ctx.dbs.fresh()
    server = await ctx.launcher.bare(dsn)
    try:
        spec = {"mode": "connect", "host": "127.0.0.1", "port": server.port, "samples": samples,
                "entries": [["bare", ""]], "post_path": "/api/generations/generate", "stream_path": "/sse?g={id}"}
        out["bare"] = await run_load(spec, timeout=120)
    finally:
        await ctx.launcher.stop(server)
        await ctx.dbs.drop(dsn)

    dsn = await ctx.dbs.fresh()
    tokens = tokens_for(ctx.dbs.users)
    made = await create_pending(dsn, 1, ctx.dbs.users)
    server = await ctx.launcher.codegen(dsn, worker=False, name="codegen-connect")
    try:
        spec = {"mode": "connect", "host": "127.0.0.1", "port": server.port, "samples": samples,
                "entries": [[made[0][0], tokens[made[0][1]]]], "token_path": TOKEN_PATH}
        out["service"] = await run_load(spec, timeout=120)
    finally:
        await ctx.launcher.stop(server)
        await ctx.dbs.drop(dsn)

    out["ratio_p50"] = ratio(out["service"]["total_ms"]["p50"], out["bare"]["total_ms"]["p50"])
    for key, label in (("bare", "bare aiohttp POST+GET"), ("service", "codegen token+stream")):
        r = out[key]
        log(f"  {label:<24} p50 {r['total_ms']['p50']} ms p99 {r['total_ms']['p99']} ms "
            f"(first request p50 {r['token_ms']['p50']} ms); errors {r['errors']}")
    log(f"  ratio p50 codegen/bare {out['ratio_p50']}")
    return out
