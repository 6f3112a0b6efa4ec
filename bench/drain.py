"""Scenario 4: drain rate, generations completed per second (template generator, no stage delay).

``count`` generations are queued first (the service's own create function,
straight in the database), then one or two server processes with their
workers (default concurrency) are started and left to empty the queue. The
rate comes from the database's own clock: generations over the time from the
first ``started_at`` to the last ``completed_at``.

Baseline: pgbench running the statements one generation costs the worker
(the claim, the six progress moves of a phased template generation, and the
completing transaction with the files) at as many clients as the workers have
slots: the database's limit for this work.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import orjson

from bench.context import Context
from bench.databases import create_pending
from bench.pgbench import run_pgbench, sql_with_params
from bench.progress import log
from bench.stats import ratio
from codegen import lifecycle
from codegen.db import load_queries

PROGRESS = [
    ("planning", 0.1, "Planning the project"),
    ("architecture", 0.25, "Choosing the layout"),
    ("generating", 0.5, "Writing README.md"),
    ("generating", 0.7, "Writing main.py"),
    ("reviewing", 0.85, "Reviewing 2 files"),
    ("finalizing", 0.95, "Saving 2 files"),
]
FILES = {
    "README.md": ("markdown", "# create_a_rest_api_with_authentication\n\nCreate a REST API with authentication\n"),
    "main.py": ("python", '"""create_a_rest_api"""\n\n\ndef main() -> None:\n    print("hello")\n'),
}


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def pgbench_script(worker_concurrency: int = 4) -> str:
    q = load_queries()
    claim = sql_with_params(q["claim_pending"], {
        1: "1", 2: "'{pending}'::text[]", 3: "'processing'", 4: "30", 5: "'pgbench'", 6: "'template'",
        7: _lit(orjson.dumps(lifecycle.first_stages()).decode()) + "::jsonb",
    })
    lines = [claim.rstrip(";") + " \\gset"]

    def move(status: str, stage: str, progress: float, message: str) -> str:
        return sql_with_params(q["apply_move"], {
            1: ":id::uuid", 2: _lit(status), 3: _lit(stage), 4: str(progress), 5: _lit(message),
            6: "NULL::text", 7: "'{processing}'::text[]", 8: ":lease_token::uuid",
        }).rstrip(";") + ";"

    for stage, progress, message in PROGRESS:
        lines.append(move("processing", stage, progress, message))
    paths = list(FILES)
    lines += [
        "BEGIN;",
        move("completed", "complete", 1.0, "Generation complete"),
        sql_with_params(q["delete_files"], {1: ":id::uuid"}).rstrip(";") + ";",
        sql_with_params(q["insert_files"], {
            1: ":id::uuid",
            2: "ARRAY[" + ", ".join(_lit(p) for p in paths) + "]",
            3: "ARRAY[" + ", ".join(_lit(FILES[p][0]) for p in paths) + "]",
            4: "ARRAY[" + ", ".join(str(len(FILES[p][1].encode())) for p in paths) + "]",
            5: "ARRAY[" + ", ".join(_lit(FILES[p][1]) for p in paths) + "]",
        }).rstrip(";") + ";",
        sql_with_params(q["set_result"], {1: ":id::uuid", 2: "NULL::jsonb", 3: "NULL::jsonb", 4: "NULL::jsonb"}).rstrip(";") + ";",
        "COMMIT;",
    ]
    return "\n".join(lines) + "\n"


async def _wait_drained(ctx: Context, dsn: str, count: int, timeout: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        rows = await ctx.dbs.admin_on(dsn, "SELECT status, count(*) AS n FROM generations GROUP BY status")
        by_status = {r["status"]: r["n"] for r in rows}
        done = sum(n for s, n in by_status.items() if s in lifecycle.TERMINAL)
        if done >= count or time.monotonic() > deadline:
            return by_status
        await asyncio.sleep(0.2)


async def service(ctx: Context, processes: int, count: int) -> dict[str, Any]:
    dsn = await ctx.dbs.fresh()
    try:
        await create_pending(dsn, count, ctx.dbs.users)
        servers = await asyncio.gather(*(
            ctx.launcher.codegen(dsn, worker=True, name=f"codegen-drain-{i}", stage_delay=0) for i in range(processes)
        ))
        by_status = await _wait_drained(ctx, dsn, count, timeout=60 + count / 5)
        for server in servers:
            await ctx.launcher.stop(server)
        rows = await ctx.dbs.admin_on(
            dsn,
            "SELECT extract(epoch FROM max(completed_at) - min(started_at)) AS span, count(*) AS n,"
            " count(*) FILTER (WHERE status = 'completed') AS completed,"
            " avg(extract(epoch FROM completed_at - started_at)) AS avg_run"
            " FROM generations WHERE completed_at IS NOT NULL",
        )
        span = float(rows[0]["span"] or 0)
        completed = rows[0]["completed"]
        return {
            "processes": processes, "generations": count, "completed": completed,
            "failed": by_status.get("failed", 0), "by_status": by_status, "seconds": round(span, 3),
            "rate": round(completed / span, 1) if span else None,
            "avg_run_ms": round(float(rows[0]["avg_run"] or 0) * 1000, 1),
        }
    finally:
        await ctx.dbs.drop(dsn)


async def baseline(ctx: Context, clients: int, count: int) -> dict[str, Any]:
    dsn = await ctx.dbs.fresh()
    try:
        per_client = max(1, count // clients)
        await create_pending(dsn, per_client * clients, ctx.dbs.users)
        return await run_pgbench(dsn, pgbench_script(), clients=clients, transactions=per_client, workdir=ctx.workdir)
    finally:
        await ctx.dbs.drop(dsn)


async def run(ctx: Context) -> dict[str, Any]:
    count: int = ctx.size("drain_generations", 500, 40)
    concurrency = 4  # the default CODEGEN_WORKER_CONCURRENCY
    rows = []
    for processes in ctx.size("drain_processes", [1, 2], [1, 2]):
        log(f"drain: {count} queued generations, {processes} process(es) × {concurrency} slots")
        result = await service(ctx, processes, count)
        result["pgbench"] = await baseline(ctx, processes * concurrency, count)
        result["ratio_vs_pgbench"] = ratio(result["rate"], result["pgbench"].get("tps"))
        pg = result["pgbench"]
        log(
            f"  {result['rate']} generations/s ({result['completed']} completed, {result['failed']} failed, "
            f"{result['seconds']} s; one takes {result['avg_run_ms']} ms); pgbench same SQL -c {pg.get('clients')}: "
            f"{pg.get('tps', pg.get('error') or pg.get('skipped'))}/s; ratio {result['ratio_vs_pgbench']}"
        )
        rows.append(result)
    return {"rows": rows}
