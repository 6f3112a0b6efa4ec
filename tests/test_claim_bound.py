"""The fair claim ranks only each user's first queued rows; it must choose exactly what ranking the
whole queue would. The reference below is the claim as it was before the bound (every pending row
ranked): on random queues, with some generations running, both take the same rows."""

from __future__ import annotations

import json
import random

import asyncpg
import pytest

from codegen import lifecycle
from codegen.db import load_queries
from codegen.lifecycle import Status

pytestmark = pytest.mark.database

# claim_pending's candidate choice with every pending row ranked (the statement before the bound)
REFERENCE_NEXT = """WITH running AS (
    SELECT user_id, count(*) AS n FROM generations WHERE status = 'processing' GROUP BY user_id
), queued AS (
    SELECT id, created_at, row_number() OVER (PARTITION BY user_id ORDER BY created_at, id) AS place, user_id
    FROM generations
    WHERE status = ANY($2::text[])
)
SELECT g.id FROM generations g
JOIN queued q ON q.id = g.id
LEFT JOIN running r ON r.user_id = q.user_id
WHERE g.status = ANY($2::text[])
ORDER BY q.place + coalesce(r.n, 0), q.created_at, g.id
LIMIT $1"""


async def fill(conn: asyncpg.Connection, rnd: random.Random) -> None:
    await conn.execute("TRUNCATE generations, projects CASCADE")
    await conn.execute("DELETE FROM users")
    users = rnd.randint(1, 8)
    await conn.execute(
        "INSERT INTO users (id, email, password_hash) SELECT md5('u' || u)::uuid, 'u' || u, 'x' FROM generate_series(1, $1) u",
        users,
    )
    await conn.execute(
        "INSERT INTO projects (id, user_id, name) SELECT md5('p' || u)::uuid, md5('u' || u)::uuid, 'p' FROM generate_series(1, $1) u",
        users,
    )
    # distinct times (ties would make either statement's choice arbitrary among equals)
    times = rnd.sample(range(100_000), rnd.randint(0, 60))
    await conn.executemany(
        """INSERT INTO generations (id, user_id, project_id, prompt, generation_mode, status, created_at)
           VALUES (gen_random_uuid(), md5('u' || $1)::uuid, md5('p' || $1)::uuid, 'x', 'phased', $2,
                   now() - make_interval(secs => $3))""",
        [(str(rnd.randint(1, users)), rnd.choice(["pending"] * 4 + ["processing", "completed"]), float(t)) for t in times],
    )


async def test_the_bounded_claim_takes_what_ranking_the_whole_queue_would(fresh_database_url: str) -> None:
    claim = load_queries()["claim_pending"]
    planned = lifecycle.plan_transition(Status.PENDING, Status.PROCESSING)
    statuses = list(planned.allowed_from)
    conn = await asyncpg.connect(fresh_database_url)
    try:
        rnd = random.Random(15)
        compared = 0
        for _ in range(40):
            await fill(conn, rnd)
            for limit in (1, 2, 3, 5, 10):
                expected = {row["id"] for row in await conn.fetch(REFERENCE_NEXT, limit, statuses)}
                claimed = conn.transaction()
                await claimed.start()
                try:
                    taken = await conn.fetch(
                        claim, limit, statuses, planned.target.value, 60.0, "w", "template",
                        json.dumps(lifecycle.first_stages()),
                    )
                finally:
                    await claimed.rollback()  # the next limit sees the same queue
                assert {row["id"] for row in taken} == expected, (limit, compared)
                compared += 1
        assert compared == 200
    finally:
        await conn.close()
