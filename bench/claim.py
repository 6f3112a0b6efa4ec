"""Scenario 7: the fair claim statement's cost as the queue grows.

For 1k / 10k / 100k pending generations spread over 10 / 1,000 users, the worker's own claim
statement (``claim_pending``, fair across users) is timed taking one generation (a worker slot
freeing up; ``claim_limit`` for more), each sample inside a transaction that is rolled back, so every sample sees the
same queue. Baseline: the plain FIFO claim (oldest first, ``FOR UPDATE SKIP LOCKED``) doing
the same update, timed the same way in the same database; the ratio is fair / FIFO at p50.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

import asyncpg

from bench.context import Context
from bench.progress import log
from bench.stats import ratio, summary_ms
from codegen import lifecycle
from codegen.db import load_queries
from codegen.lifecycle import Status

# the fair claim's candidate selection, replaced by the oldest pending rows for the baseline
_FAIR_NEXT = re.compile(r"^WITH .*?\), claimed AS \(", re.DOTALL | re.MULTILINE)
_FIFO_NEXT = """WITH next AS (
    SELECT g.id FROM generations g
    WHERE g.status = ANY($2::text[])
    ORDER BY g.created_at
    LIMIT $1
    FOR UPDATE OF g SKIP LOCKED
), claimed AS ("""


def statements() -> dict[str, str]:
    fair = load_queries()["claim_pending"]
    body = fair[fair.index("WITH "):]
    fifo, replaced = _FAIR_NEXT.subn(_FIFO_NEXT, body, count=1)
    assert replaced == 1, "claim_pending no longer starts with its candidate CTEs: update bench/claim.py"
    return {"fair": fair, "fifo": fifo}


async def fill(conn: asyncpg.Connection, pending: int, users: int) -> None:
    """``pending`` queued generations, round-robin over ``users`` users of their own, one project each."""
    await conn.execute("TRUNCATE generations, projects CASCADE")
    await conn.execute("DELETE FROM users WHERE email LIKE 'claim-%'")
    await conn.execute(
        """INSERT INTO users (id, email, password_hash)
           SELECT md5('claim-user-' || u)::uuid, 'claim-' || u || '@example.com', 'x'
           FROM generate_series(0, $1 - 1) AS u""", users,
    )
    await conn.execute(
        """INSERT INTO projects (id, user_id, name)
           SELECT md5('claim-project-' || u)::uuid, md5('claim-user-' || u)::uuid, 'Project ' || u
           FROM generate_series(0, $1 - 1) AS u""", users,
    )
    # created a millisecond apart, oldest first; user i % users, so every user's queue is interleaved
    await conn.execute(
        """INSERT INTO generations (id, user_id, project_id, prompt, generation_mode, created_at)
           SELECT gen_random_uuid(), md5('claim-user-' || (i % $2))::uuid, md5('claim-project-' || (i % $2))::uuid,
                  'Create a REST API number ' || i, 'phased', now() - make_interval(secs => ($1 - i) / 1000.0)
           FROM generate_series(0, $1 - 1) AS i""", pending, users,
    )
    await conn.execute("ANALYZE generations")


async def time_claim(conn: asyncpg.Connection, sql: str, samples: int, limit: int) -> dict[str, Any]:
    planned = lifecycle.plan_transition(Status.PENDING, Status.PROCESSING)
    args = (limit, list(planned.allowed_from), planned.target.value, 60.0, "bench", "template",
            json.dumps(lifecycle.first_stages()))  # a plain connection: no JSON codec
    durations: list[float] = []
    claimed = 0
    for _ in range(samples):
        tx = conn.transaction()
        await tx.start()
        try:
            started = time.perf_counter()
            rows = await conn.fetch(sql, *args)
            durations.append(time.perf_counter() - started)
            claimed += len(rows)
        finally:
            await tx.rollback()  # the queue stays as it was for the next sample
    result = summary_ms(durations)
    result.pop("quantiles")
    result["claimed_per_sample"] = claimed / samples if samples else 0
    return result


async def run(ctx: Context) -> dict[str, Any]:
    queues: list[int] = ctx.size("claim_pending", [1000, 10000, 100000], [200])
    user_counts: list[int] = ctx.size("claim_users", [10, 1000], [10])
    samples: int = ctx.size("claim_samples", 30, 5)
    limit: int = ctx.size("claim_limit", 1, 2)  # free worker slots: generations taken per claim
    sql = statements()
    out: dict[str, Any] = {"samples": samples, "limit": limit, "runs": []}
    dsn = await ctx.dbs.fresh()
    conn = await asyncpg.connect(dsn)
    try:
        for pending in queues:
            for users in user_counts:
                await fill(conn, pending, users)
                for name in ("fair", "fifo"):
                    await time_claim(conn, sql[name], 2, limit)  # warm: plans cached, pages in memory
                fair = await time_claim(conn, sql["fair"], samples, limit)
                fifo = await time_claim(conn, sql["fifo"], samples, limit)
                run_ = {"pending": pending, "users": users, "fair": fair, "fifo": fifo,
                        "ratio_p50": ratio(fair["p50"], fifo["p50"])}
                out["runs"].append(run_)
                log(f"  {pending:>7} pending / {users:>5} users: fair p50 {fair['p50']} ms p99 {fair['p99']} ms, "
                    f"FIFO p50 {fifo['p50']} ms p99 {fifo['p99']} ms, ratio p50 {run_['ratio_p50']}")
    finally:
        await conn.close()
        await ctx.dbs.drop(dsn)
    return out
