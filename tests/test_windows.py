"""Every time window, by time travel: the test moves the stored time, never waits for the clock.

The rate-limit minute, the hour a project stays reusable, the lease and the stream token's life
are each tried just inside and just outside their bound.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime, timedelta

import asyncpg
import pytest

from codegen import appkeys
from codegen.engine.worker import Worker
from tests.conftest import Server, ServerFactory, UserFactory
from tests.helpers import ApiClient, GatedGenerator

pytestmark = pytest.mark.database

PROMPT = "Create a REST API with authentication"
INVALID_TOKEN = {"detail": "Invalid or expired stream token"}


# -- the rate-limit window: one minute from its first hit -----------------------------------------


async def age_window(db_conn: asyncpg.Connection, bucket: str, user: ApiClient, age: timedelta) -> None:
    """The user's window in ``bucket`` opened ``age`` ago."""
    moved = await db_conn.execute(
        "UPDATE rate_limits SET window_start = clock_timestamp() - $3::interval WHERE bucket = $1 AND subject = $2",
        bucket, uuid.UUID(user.user_id), age,
    )
    assert moved == "UPDATE 1"


async def test_the_generate_limit_holds_for_a_minute_and_then_opens(
    make_server: ServerFactory, make_user: UserFactory, db_conn: asyncpg.Connection
) -> None:
    limited = await make_server(worker=False, generate_rate_limit=2)
    user = await make_user(limited)
    generate = lambda: user.call("POST", "/api/generations/generate", {"prompt": PROMPT})
    assert [(await generate()).status for _ in range(3)] == [201, 201, 429]

    await age_window(db_conn, "generate", user, timedelta(seconds=59))
    refused = await generate()
    assert refused.status == 429, "the window closed before its minute was over"
    assert refused.headers["Retry-After"] in {"1", "2"}

    await age_window(db_conn, "generate", user, timedelta(seconds=61))
    assert (await generate()).status == 201, "the window outlived its minute"
    # a new window: one more fits under the limit of two, then it holds again
    assert [(await generate()).status for _ in range(2)] == [201, 429]


async def test_the_stream_token_limit_holds_for_a_minute_and_then_opens(
    make_server: ServerFactory, make_user: UserFactory, db_conn: asyncpg.Connection
) -> None:
    limited = await make_server(worker=False, generate_rate_limit=0, stream_token_rate_limit=1)
    user = await make_user(limited)
    generation = await user.generate()
    assert [(await user.stream_token(generation["id"])).status for _ in range(2)] == [200, 429]
    await age_window(db_conn, "stream_token", user, timedelta(seconds=59))
    assert (await user.stream_token(generation["id"])).status == 429
    await age_window(db_conn, "stream_token", user, timedelta(seconds=61))
    assert (await user.stream_token(generation["id"])).status == 200


# -- similar projects: active in the last hour, by the row or by its newest generation ----------


async def set_times(db_conn: asyncpg.Connection, project_id: str, row_age: timedelta, generations_age: timedelta) -> None:
    project = uuid.UUID(project_id)
    await db_conn.execute(
        "UPDATE projects SET created_at = now() - $2::interval, updated_at = now() - $2::interval WHERE id = $1",
        project, row_age,
    )
    await db_conn.execute("UPDATE generations SET created_at = now() - $2::interval WHERE project_id = $1",
                          project, generations_age)


@pytest.mark.parametrize(
    ("row_age", "generations_age", "reused"),
    [
        pytest.param(timedelta(hours=3), timedelta(minutes=5), True, id="old-row-recent-generation"),
        pytest.param(timedelta(minutes=5), timedelta(hours=3), True, id="recent-row-old-generations"),
        pytest.param(timedelta(hours=3), timedelta(minutes=61), False, id="both-past-the-hour"),
        pytest.param(timedelta(hours=3), timedelta(minutes=59), True, id="generation-just-inside-the-hour"),
    ],
)
async def test_a_project_is_reused_while_its_row_or_newest_generation_is_recent(
    alice: ApiClient, db_conn: asyncpg.Connection, row_age: timedelta, generations_age: timedelta, reused: bool
) -> None:
    first = await alice.generate(PROMPT)
    await set_times(db_conn, first["project_id"], row_age, generations_age)
    # an older generation does not count for more than the newest
    await db_conn.execute(
        "INSERT INTO generations (id, user_id, project_id, prompt, generation_mode, status, created_at) "
        "VALUES (gen_random_uuid(), $1, $2, $3, 'phased', 'completed', now() - interval '5 hours')",
        uuid.UUID(alice.user_id), uuid.UUID(first["project_id"]), PROMPT,
    )
    again = await alice.generate(PROMPT)
    assert (again["project_id"] == first["project_id"]) is reused
    assert again["auto_created_project"] is not reused
    # the API's updated_at is the same "later of the two"
    shown = (await alice.call("GET", f"/api/projects/{first['project_id']}")).body
    newest_activity = await db_conn.fetchval(
        "SELECT greatest(p.updated_at, max(g.created_at)) FROM projects p JOIN generations g ON g.project_id = p.id "
        "WHERE p.id = $1 GROUP BY p.updated_at", uuid.UUID(first["project_id"]),
    )
    assert datetime.fromisoformat(shown["updated_at"]) == newest_activity


# -- the lease: the reaper takes back only what ran out -----------------------------------------


@pytest.fixture
async def queue(make_server: ServerFactory) -> Server:
    return await make_server(worker=False, generate_rate_limit=0, max_attempts=2)


def reaper_of(server: Server) -> Worker:
    return Worker(server.app[appkeys.DB], server.app[appkeys.BUS], server.settings.engine, GatedGenerator())


async def claimed(db_conn: asyncpg.Connection, generation_id: str, attempts: int, lease_left: timedelta) -> uuid.UUID:
    """As if a worker claimed it (``attempts`` so far) and its lease has ``lease_left`` to run."""
    gid = uuid.UUID(generation_id)
    await db_conn.execute(
        "UPDATE generations SET status = 'processing', stage = 'planning', attempts = $2, "
        "lease_token = gen_random_uuid(), lease_expires_at = now() + $3::interval WHERE id = $1",
        gid, attempts, lease_left,
    )
    return gid


@pytest.mark.parametrize("attempts", [1, 2], ids=["attempts-left", "last-attempt"])
async def test_the_reaper_leaves_a_live_lease_and_takes_an_expired_one(
    queue: Server, make_user: UserFactory, db_conn: asyncpg.Connection, attempts: int
) -> None:
    user = await make_user(queue)
    gid = await claimed(db_conn, (await user.generate())["id"], attempts, timedelta(seconds=1))
    reaper = reaper_of(queue)
    assert await reaper.reap() == 0
    assert await db_conn.fetchval("SELECT status FROM generations WHERE id = $1", gid) == "processing"

    await db_conn.execute("UPDATE generations SET lease_expires_at = now() - interval '1 second' WHERE id = $1", gid)
    assert await reaper.reap() == 1
    row = await db_conn.fetchrow("SELECT status, lease_token, attempts FROM generations WHERE id = $1", gid)
    assert row["status"] == ("pending" if attempts == 1 else "failed")
    assert row["lease_token"] is None
    assert row["attempts"] == attempts


async def test_a_renewed_lease_runs_for_the_lease_seconds(
    queue: Server, make_user: UserFactory, db_conn: asyncpg.Connection
) -> None:
    user = await make_user(queue)
    gid = await claimed(db_conn, (await user.generate())["id"], 1, timedelta(seconds=1))
    token = await db_conn.fetchval("SELECT lease_token FROM generations WHERE id = $1", gid)
    db = queue.app[appkeys.DB]
    # the renewal and the clock read in one transaction: now() is the same instant in both
    async with db_conn.transaction():
        renewed = await db_conn.fetchval(db.q.renew_lease, gid, token, 30.0)
        assert renewed - await db_conn.fetchval("SELECT now()") == timedelta(seconds=30)



async def test_live_checkpoints_outlive_their_generations_end_by_ten_minutes_and_a_live_ones_stay(
    queue: Server, make_user: UserFactory, db_conn: asyncpg.Connection
) -> None:
    user = await make_user(queue)
    pending = uuid.UUID((await user.generate())["id"])
    running = await claimed(db_conn, (await user.generate())["id"], 1, timedelta(hours=1))
    ended = uuid.UUID((await user.generate())["id"])
    assert (await user.call("POST", f"/api/generations/{ended}/cancel")).status == 200
    for gid in (pending, running, ended):
        for path, age in (("old.py", timedelta(minutes=11)), ("recent.py", timedelta(minutes=9))):
            await db_conn.execute(
                "INSERT INTO live_file_checkpoints (generation_id, path, attempt, version, text, done, updated_at) "
                "VALUES ($1, $2, 1, 1, 'x', false, now() - $3::interval)", gid, path, age,
            )
    await reaper_of(queue).reap()
    kept = await db_conn.fetch(
        "SELECT generation_id, path FROM live_file_checkpoints WHERE generation_id = ANY($1::uuid[])",
        [pending, running, ended],
    )
    # a generation still queued or running keeps its checkpoints however old (a stream starts from them);
    # an ended one's go ten minutes after their last write
    assert sorted((r["generation_id"], r["path"]) for r in kept) == sorted([
        (pending, "old.py"), (pending, "recent.py"), (running, "old.py"), (running, "recent.py"),
        (ended, "recent.py"),
    ])

# -- the stream token: single use, for its lifetime -------------------------------------------------


async def token_expires_at(db_conn: asyncpg.Connection, token: str) -> asyncpg.Record:
    return await db_conn.fetchrow(
        "SELECT expires_at - created_at AS lifetime, expires_at FROM stream_tokens WHERE token_hash = $1",
        hashlib.sha256(token.encode()).digest(),
    )


@pytest.mark.parametrize(("left", "accepted"), [(timedelta(seconds=1), True), (timedelta(seconds=-1), False)],
                         ids=["one-second-left", "a-second-past"])
async def test_a_stream_token_works_until_it_expires(
    alice: ApiClient, db_conn: asyncpg.Connection, left: timedelta, accepted: bool
) -> None:
    generation = await alice.generate()
    token = (await alice.stream_token(generation["id"])).body
    stored = await token_expires_at(db_conn, token["sse_token"])
    assert stored["lifetime"] == timedelta(seconds=60)
    await db_conn.execute(
        "UPDATE stream_tokens SET expires_at = now() + $2::interval WHERE token_hash = $1",
        hashlib.sha256(token["sse_token"].encode()).digest(), left,
    )
    answer = await alice.try_stream(token["stream_url"], token["sse_token"])
    if accepted:
        assert answer.status == 200
    else:
        assert (answer.status, answer.body) == (401, INVALID_TOKEN), "an expired stream token opened a stream"
