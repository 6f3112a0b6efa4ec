"""Database outage: stop the PostgreSQL server under load, then start it again.

The cluster is the test's own (tests/hardening.py OwnCluster, never the machine's shared
server). While it is down: /api/health answers 503 with ``"database": "unreachable"``, API
requests get 503 ``Service temporarily unavailable`` with ``Retry-After``, never a 500 or a
hang; open streams stay open or end cleanly; the server does not exit. After it is back:
service resumes within 5 s without a restart, the LISTEN connection is re-made (streams
receive events again), and no accepted generation is lost.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass

import aiohttp
import asyncpg
import pytest

from tests.hardening import (
    Client,
    OwnCluster,
    ServeProcess,
    StreamLog,
    bearer,
    follow,
    open_stream,
    register,
    scrape,
)

pytestmark = [pytest.mark.database, pytest.mark.slow, pytest.mark.outage, pytest.mark.timeout(180)]

DOWN_SECONDS = 8.0
RECOVERY_BUDGET = 5.0
UNAVAILABLE = {"detail": "Service temporarily unavailable"}
TERMINAL = {"completed", "failed", "cancelled"}


@dataclass
class Load(Client):
    """A client that keeps creating and reading generations, recording every answer."""

    async def run(self) -> None:
        n = 0
        while self.running:
            n += 1
            created = await self.call("generate", "POST", "/api/generations/generate",
                                      json={"prompt": f"Create a todo list API number {n} with tags"})
            if created.status == 201:
                self.accepted.append(created.body["id"])
            await self.call("list", "GET", "/api/generations?limit=5")
            if self.accepted:
                await self.call("get", "GET", f"/api/generations/{self.accepted[-1]}")
            await self.call("health", "GET", "/api/health")
            await asyncio.sleep(0.2)


async def test_database_outage_under_load(tmp_path, http):
    cluster = await asyncio.to_thread(OwnCluster)
    server = None
    try:
        dsn = await cluster.migrated()
        server = ServeProcess.start(
            dsn, tmp_path, "outage", jwt_secret="outage-" + uuid.uuid4().hex, lease_seconds=3, stage_delay=0.2,
            worker_concurrency=8, worker_poll_seconds=0.5, generate_rate_limit=0, sse_ping_seconds=2,
        )
        await server.wait_ready(http)
        load = Load(http, server.url, (await register(http, server.url))[0])
        watcher_token = (await register(http, server.url))[0]

        loader = asyncio.create_task(load.run())
        await asyncio.sleep(1.5)
        # streams on generations that will still be running when the database goes
        async with http.post(server.url + "/api/generations/generate", headers=bearer(watcher_token),
                             json={"prompt": "Create a REST API for a bookstore with books and authors"}) as answer:
            assert answer.status == 201
            watched = [(await answer.json())["id"]]
        streams = {gid: StreamLog() for gid in watched}
        readers = [asyncio.create_task(follow(await open_stream(http, server.url, watcher_token, gid), streams[gid], 90))
                   for gid in watched]
        await asyncio.sleep(0.5)
        before = await scrape(http, server.url)
        assert before["codegen_event_bus_connected"] == 1

        # the outage
        down_at = time.monotonic()
        await asyncio.to_thread(cluster.stop, "fast")
        stopped_at = time.monotonic()
        await asyncio.sleep(1.0)
        # what a client sees while it is down (besides the load's own calls)
        probes = [
            await load.call("token-probe", "POST", f"/api/generations/generate/{watched[0]}/stream-token"),
            await load.call("register-probe", "POST", "/api/auth/register",
                            json={"email": f"late-{uuid.uuid4().hex[:8]}@example.com", "password": "correct horse"}),
            await load.call("login-probe", "POST", "/api/auth/login",
                            json={"email": "nobody@example.com", "password": "correct horse"}),
            await load.call("projects-probe", "GET", "/api/projects"),
        ]
        async with http.get(server.url + "/metrics", timeout=aiohttp.ClientTimeout(total=Client.timeout)) as answer:
            assert answer.status == 200
            assert "codegen_database_up 0" in await answer.text()
        await asyncio.sleep(max(0.0, DOWN_SECONDS - (time.monotonic() - down_at)))
        assert server.alive(), server.tail()
        up_requested_at = time.monotonic()
        await asyncio.to_thread(cluster.start)
        up_at = time.monotonic()

        # service resumes without a restart
        healthy_after = await _first_success(load, "health", up_at)
        api_after = await _first_success(load, "list", up_at)
        loader_calls_after = len(load.calls)
        await asyncio.sleep(1.0)
        load.running = False
        await loader
        assert len(load.calls) > loader_calls_after

        # the LISTEN connection is re-made: a new generation streams live to its end
        async with asyncio.timeout(RECOVERY_BUDGET):
            while (await scrape(http, server.url)).get("codegen_event_bus_connected") != 1:
                await asyncio.sleep(0.1)
        listen_after = time.monotonic() - up_at
        after = await scrape(http, server.url)
        assert after["codegen_event_bus_reconnects_total"] >= before["codegen_event_bus_reconnects_total"] + 1
        async with http.post(server.url + "/api/generations/generate", headers=bearer(watcher_token),
                             json={"prompt": "Create a recipe sharing site"}) as answer:
            assert answer.status == 201
            fresh = (await answer.json())["id"]
        fresh_log = await follow(await open_stream(http, server.url, watcher_token, fresh), StreamLog(), 60)
        assert fresh_log.terminal and fresh_log.ended == "eof"
        assert fresh_log.ids == list(range(1, len(fresh_log.ids) + 1))

        # open streams stayed open or ended cleanly, and lost nothing
        await asyncio.gather(*readers)
        for gid, log in streams.items():
            assert not log.ended.startswith("error"), (gid, log.ended)
            ids = log.ids
            if not log.terminal:  # ended early (with a reconnect event): resume after the last id
                rest = await follow(await open_stream(http, server.url, watcher_token, gid, log.last_id),
                                    StreamLog(), 60)
                assert rest.terminal
                ids += rest.ids
            assert ids == list(range(1, len(ids) + 1)), (gid, ids)

        # no accepted generation is lost
        db = await asyncpg.connect(dsn)
        try:
            async with asyncio.timeout(60):
                while await db.fetchval(
                    "SELECT count(*) FROM generations WHERE status NOT IN ('completed', 'failed', 'cancelled')"
                ):
                    await asyncio.sleep(0.2)
            rows = {str(r["id"]): r for r in await db.fetch("SELECT id, status, attempts, error_message FROM generations")}
        finally:
            await db.close()
        accepted = load.accepted + watched + [fresh]
        assert set(accepted) <= set(rows)
        outcome = {s: sum(1 for g in accepted if rows[g]["status"] == s) for s in TERMINAL}
        # a generation may fail for reasons of its generator; none may fail because of the outage
        failed = [(g, rows[g]["error_message"]) for g in accepted if rows[g]["status"] != "completed"]
        outage_marks = ("unavailable", "database", "connection", "was lost", "shutdown", "interfaceerror")
        assert not [f for f in failed if any(m in (f[1] or "").lower() for m in outage_marks)], failed
        assert outcome["completed"] >= len(accepted) - 2, failed

        # never a 500, never a hang; while down: 503 with Retry-After, health says unreachable
        assert server.alive(), server.tail()
        statuses = {c.status for c in load.calls}
        assert statuses <= {200, 201, 503}, sorted(statuses)
        assert all(c.seconds < Client.timeout for c in load.calls)
        down_calls = [c for c in load.calls + probes if stopped_at + 0.2 < c.at and c.at + c.seconds < up_requested_at]
        assert len(down_calls) >= 20
        for c in down_calls:
            assert c.status == 503, (c.what, c.status, c.body)
            assert c.retry_after is not None and int(c.retry_after) >= 1
            if c.what == "health":
                assert c.body["database"] == "unreachable" and c.body["status"] != "ok"
            else:
                assert c.body == UNAVAILABLE, c.body
        assert [p.status for p in probes] == [503] * len(probes), probes

        figures = {
            "down_s": round(up_requested_at - down_at, 2),
            "requests": len(load.calls), "requests_while_down": len(down_calls),
            "answers": {s: sum(1 for c in load.calls if c.status == s) for s in sorted(statuses)},
            "slowest_answer_while_down_s": round(max(c.seconds for c in down_calls), 3),
            "health_ok_after_up_s": round(healthy_after, 2), "api_ok_after_up_s": round(api_after, 2),
            "listen_back_after_up_s": round(listen_after, 2),
            "accepted": len(accepted), "outcome": outcome,
            "retried": sum(1 for g in accepted if rows[g]["attempts"] > 1),
            "stored_without_201": len(set(rows) - set(accepted)),
            "stream_endings": [log.ended for log in streams.values()], "failed": failed,
        }
        print("\nFIGURES outage", figures)
        assert healthy_after < RECOVERY_BUDGET and api_after < RECOVERY_BUDGET
    except AssertionError:
        # what the server did is the cause of a failure here (it wavered under load, issue 15): keep it
        if server is not None:
            print(f"\n--- the server's log, last 150 lines ---\n{server.tail(150)}")
        raise
    finally:
        if server is not None:
            server.stop()
        await asyncio.to_thread(cluster.cleanup)


async def _first_success(load: Load, what: str, since: float, budget: float = 15.0) -> float:
    """Seconds after ``since`` of the first 2xx answer of kind ``what`` (waiting for one up to ``budget``)."""
    deadline = time.monotonic() + budget
    while time.monotonic() < deadline:
        for c in load.calls:
            if c.what == what and c.at >= since and 200 <= c.status < 300:
                return c.at + c.seconds - since
        await asyncio.sleep(0.05)
    since_up = [(c.status, round(c.at - since, 2), round(c.seconds, 3)) for c in load.calls if c.what == what and c.at >= since]
    raise AssertionError(
        f"no successful {what} within {budget} s of the database coming back; "
        f"its answers since (status, s after up, s taken): {since_up}"
    )


@pytest.mark.parametrize("failure", ["database", "bug"])
async def test_a_stream_that_fails_midway_ends_cleanly(make_server, http, database_url, db_conn, failure):
    """The database goes away (or a query fails unexpectedly) after a stream has started: the stream
    ends cleanly (a `reconnect` event when it is the database), never with a second HTTP answer
    written into it, and the server carries on.

    Real faults: the stream's catch-up query waits on a lock the test holds, and the test then
    terminates its backend (the connection is gone: DatabaseUnavailable) or cancels its query (an
    error PostgreSQL raises that the stream does not expect)."""
    from tests.faults import blocked_backend, table_locked
    from tests.helpers import ApiClient, GatedGenerator, wait_until

    generator = GatedGenerator()
    server = await make_server(generator=generator)
    api = ApiClient(http, server.url)
    await api.sign_up()
    generation = await api.generate()
    gid = uuid.UUID(generation["id"])
    await generator.started.wait()
    response = await api.open_stream(generation["id"])
    log = StreamLog()
    reader = asyncio.create_task(follow(response, log, 30))
    written = await db_conn.fetchval("SELECT last_event_seq FROM generations WHERE id = $1", gid)

    async def caught_up() -> bool:
        return log.last_id == written

    await wait_until(caught_up)
    try:
        async with table_locked(database_url, "generation_events") as admin:
            # an event number beyond the stream's last one: the stream reads the table to fill the gap
            await admin.execute("SELECT pg_notify('codegen_events', $1)", f'{gid}:{written + 5}:{{"status": "processing"}}')
            pid = await blocked_backend(admin, "e.seq > asked.seq")
            stop = "pg_terminate_backend" if failure == "database" else "pg_cancel_backend"
            assert await admin.fetchval(f"SELECT {stop}($1)", pid)
            await asyncio.wait_for(reader, 15)
    finally:
        generator.release.set()
    assert log.ended == "eof", log.ended
    assert log.events[0].data["stage"] == "connected"
    assert all(e.name in ("message", "reconnect") for e in log.events)
    if failure == "database":
        final = log.events[-1]
        assert final.name == "reconnect" and final.data["last_event_id"] == log.last_id
    else:
        assert log.events[-1].name == "message"
    # nothing was lost: a new stream resumes after the last id and reaches the end
    rest = await follow(await api.open_stream(generation["id"], last_event_id=log.last_id), StreamLog(), 30)
    ids = log.ids + rest.ids
    assert rest.terminal and ids == list(range(1, len(ids) + 1))
