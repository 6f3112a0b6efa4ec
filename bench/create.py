"""Scenario 1: create throughput, ``POST /api/generations/generate`` from many users.

At each concurrency (16, 64, 256 clients, one user each, closed loop for a
fixed time): the service with its worker off (the API path alone) and on
(generations processed while new ones arrive), against two baselines run at
the same concurrency in the same command: pgbench running the very statement
the service runs (``codegen_create_generation``; the database's limit) and a
bare aiohttp handler doing one INSERT through asyncpg (the framework's limit).
Every run gets a fresh copy of the database, so no run inherits another's rows.
"""

from __future__ import annotations

from typing import Any

from bench.context import Context
from bench.load import run_load_on
from bench.pgbench import run_pgbench, sql_with_params
from bench.processes import profiled
from bench.progress import log
from bench.stats import ratio
from bench.workload import PROMPTS, tokens_for
from codegen.db import load_queries
from codegen.services.generations import SIMILAR_NAME_THRESHOLD, derive_domain, derive_name

API_PATH = "/api/generations/generate"


def pgbench_script() -> str:
    """The service's create statement, for client k as user k with the prompt the HTTP client k sends."""
    def array(values: list[str]) -> str:
        return "(ARRAY[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "])"

    pick = f"[(:client_id)::int % {len(PROMPTS)} + 1]"
    params = {
        1: "md5('bench-user-' || :client_id)::uuid",
        2: array(PROMPTS) + pick,
        3: "NULL::uuid",
        4: array([derive_name(p) for p in PROMPTS]) + pick,
        5: array([derive_domain(p) for p in PROMPTS]) + pick,
        6: "'{}'::jsonb",
        7: "'phased'",
        8: "false",
        9: "NULL::uuid",
        10: "0",
        11: str(SIMILAR_NAME_THRESHOLD),
        12: "0",  # no active-generation quota
        13: "0",  # no daily token budget
    }
    return sql_with_params(load_queries()["create_generation"], params).rstrip(";") + ";\n"


def http_spec(port: int, clients: int, duration: float, tokens: list[str] | None) -> dict[str, Any]:
    return {
        "mode": "http", "host": "127.0.0.1", "port": port, "path": API_PATH, "clients": clients,
        "duration": duration, "warmup": min(2.0, duration / 4), "tokens": tokens, "prompts": PROMPTS,
    }


async def _service(ctx: Context, clients: int, worker: bool, tokens: list[str]) -> dict[str, Any]:
    dsn = await ctx.dbs.fresh()
    server = await ctx.launcher.codegen(dsn, worker=worker, name=f"codegen-create-{'on' if worker else 'off'}")
    try:
        async with profiled(server.pid, f"create-{clients}-{'on' if worker else 'off'}", ctx.workdir):
            result = await run_load_on(server.pid, http_spec(server.port, clients, ctx.duration, tokens), ctx.duration + 90)
        rows = await ctx.dbs.admin_on(dsn, "SELECT status, count(*) AS n FROM generations GROUP BY status")
        result["generations_by_status"] = {r["status"]: r["n"] for r in rows}
        return result
    finally:
        await ctx.launcher.stop(server)
        await ctx.dbs.drop(dsn)


async def _bare(ctx: Context, clients: int) -> dict[str, Any]:
    dsn = await ctx.dbs.fresh()
    server = await ctx.launcher.bare(dsn)
    try:
        return await run_load_on(server.pid, http_spec(server.port, clients, ctx.duration, None), ctx.duration + 90)
    finally:
        await ctx.launcher.stop(server)
        await ctx.dbs.drop(dsn)


async def _pgbench(ctx: Context, clients: int) -> dict[str, Any]:
    dsn = await ctx.dbs.fresh()
    try:
        # pgbench holds one connection per client: stay under the server's max_connections
        room = ctx.dbs.max_connections - await ctx.dbs.connections_in_use() - 10
        used = max(1, min(clients, room))
        result = await run_pgbench(dsn, pgbench_script(), clients=used, duration=ctx.duration, workdir=ctx.workdir)
        result["requested_clients"] = clients
        return result
    finally:
        await ctx.dbs.drop(dsn)


def _line(label: str, r: dict[str, Any]) -> str:
    if "skipped" in r:
        return f"{label:<22} {r['skipped']}"
    lat = r.get("latency_ms") or {}
    return (
        f"{label:<22} {r.get('rps', r.get('tps', 0)):>8} /s  p50 {lat.get('p50')} ms  p99 {lat.get('p99')} ms"
        f"  errors {r.get('errors', r.get('failed', 0))}"
        + (f"  CPU µs/request: server {r['server_cpu_us_per_request']}, PostgreSQL {r['database_cpu_us_per_request']}"
           f", machine {r['machine_cpu_us_per_request']}"
           if r.get("server_cpu_us_per_request") else "")
    )


async def run(ctx: Context) -> dict[str, Any]:
    levels: list[int] = ctx.size("create_clients", [16, 64, 256], [4])
    modes: list[str] = ctx.size("create_modes", ["bare", "pgbench", "off", "on"], ["bare", "pgbench", "off", "on"])
    tokens = tokens_for(max(levels))
    rows = []
    skipped: dict[str, Any] = {"skipped": "not run (--sizes create_modes)"}
    for clients in levels:
        log(f"create: {clients} clients, {ctx.duration:g} s each")
        bare = await _bare(ctx, clients) if "bare" in modes else {**skipped, "rps": None}
        pg = await _pgbench(ctx, clients) if "pgbench" in modes else skipped
        off = await _service(ctx, clients, worker=False, tokens=tokens) if "off" in modes else {**skipped, "rps": None}
        on = (
            await _service(ctx, clients, worker=True, tokens=tokens) if "on" in modes
            else {**skipped, "rps": None, "generations_by_status": {}}
        )
        row = {
            "clients": clients, "bare": bare, "pgbench": pg, "worker_off": off, "worker_on": on,
            "ratio_off_vs_bare": ratio(off["rps"], bare["rps"]),
            "ratio_on_vs_bare": ratio(on["rps"], bare["rps"]),
            "ratio_off_vs_pgbench": ratio(off["rps"], pg.get("tps")),
            # bare's CPU per request over the service's: how close the API path is to the framework's floor
            "cpu_ratio_off_vs_bare": ratio(bare.get("server_cpu_us_per_request"), off.get("server_cpu_us_per_request")),
        }
        rows.append(row)
        log(_line("  bare aiohttp+INSERT", bare))
        if "tps" in pg:
            log(_line(f"  pgbench (-c {pg['clients']})", pg))
        else:
            log(f"  pgbench: {pg.get('skipped') or pg.get('error')}")
        log(_line("  service, worker off", off) + f"  ratio vs bare {row['ratio_off_vs_bare']}, vs pgbench {row['ratio_off_vs_pgbench']}"
            f", CPU per request bare/service {row['cpu_ratio_off_vs_bare']}")
        log(_line("  service, worker on", on) + f"  ratio vs bare {row['ratio_on_vs_bare']}; done {on.get('generations_by_status', {}).get('completed', 0)}")
    return {"duration": ctx.duration, "rows": rows}
