"""Process crash: `kill -9` one of two `codegen serve` processes with 100 generations in flight.

Every generation still ends terminal, on the survivor, with exactly one copy of its files and
an unbroken event sequence; the streams that were on the dead process resume on the survivor
with a new token and ``last_event_id``, without a gap. Figures go to docs/reliability.md.
"""

from __future__ import annotations

import asyncio
import time
import uuid

import asyncpg
import pytest

from tests.hardening import (
    ServeProcess,
    StreamLog,
    bearer,
    follow,
    open_stream,
    register,
)

pytestmark = [pytest.mark.database, pytest.mark.slow, pytest.mark.crash, pytest.mark.timeout(180)]

USERS = 10
PER_USER = 10
STREAMS_PER_USER = 2
LEASE_SECONDS = 3
STAGE_DELAY = 0.4  # five stage changes: about 2 s of work per generation
CONCURRENCY = 10
TERMINAL = {"completed", "failed", "cancelled"}


async def test_kill_9_one_of_two_processes_loses_nothing(fresh_database_url, tmp_path, http):
    database_url = fresh_database_url
    settings = {
        "jwt_secret": "crash-test-" + uuid.uuid4().hex, "lease_seconds": LEASE_SECONDS, "stage_delay": STAGE_DELAY,
        "worker_concurrency": CONCURRENCY, "worker_poll_seconds": 0.5, "db_pool_max": 15,
    }
    victim = ServeProcess.start(database_url, tmp_path, "victim", **settings)
    survivor = ServeProcess.start(database_url, tmp_path, "survivor", **settings)
    db = await asyncpg.connect(database_url)
    try:
        await asyncio.gather(victim.wait_ready(http), survivor.wait_ready(http))
        users = [await register(http, victim.url) for _ in range(USERS)]

        # 100 generations, accepted by both processes in turn
        async def create(token: str, i: int) -> str:
            base = (victim, survivor)[i % 2].url
            prompt = f"Create a REST API for inventory number {i} with authentication"
            async with http.post(base + "/api/generations/generate", json={"prompt": prompt},
                                 headers=bearer(token)) as answer:
                body = await answer.json()
                assert answer.status == 201, body
                return body["id"]

        created = await asyncio.gather(*(
            create(token, u * PER_USER + i) for u, (token, _) in enumerate(users) for i in range(PER_USER)
        ))
        owner = {gid: users[n // PER_USER][0] for n, gid in enumerate(created)}
        assert len(set(created)) == USERS * PER_USER

        # streams on the process about to die: two per user, read in the background
        watched = [created[u * PER_USER + i] for u in range(USERS) for i in range(STREAMS_PER_USER)]
        logs = {gid: StreamLog() for gid in watched}
        readers = [
            asyncio.create_task(follow(await open_stream(http, victim.url, owner[gid], gid), logs[gid], timeout=120))
            for gid in watched
        ]

        # wait until the victim is in the middle of its share of the work
        victim_tag = f":{victim.pid}:"
        async with asyncio.timeout(30):
            while await db.fetchval(
                "SELECT count(*) FROM generations WHERE status = 'processing' AND worker_id LIKE $1",
                f"%{victim_tag}%",
            ) < 10:
                await asyncio.sleep(0.05)
        at_kill = {r["status"]: r["n"] for r in await db.fetch(
            "SELECT status, count(*) AS n FROM generations GROUP BY status")}
        held = {r["id"] for r in await db.fetch(
            "SELECT id FROM generations WHERE status = 'processing' AND worker_id LIKE $1", f"%{victim_tag}%")}
        on_victim = len(held)
        killed_at = time.monotonic()
        kill_ts = await db.fetchval("SELECT now()")
        victim.proc.kill()  # SIGKILL: no hand-back, no goodbye
        victim.proc.wait(10)
        in_flight = at_kill.get("pending", 0) + at_kill.get("processing", 0)

        # the streams on the dead process break; each resumes on the survivor after the last id it saw
        await asyncio.gather(*readers)
        broken = [gid for gid in watched if not logs[gid].terminal]
        resumed: dict[str, StreamLog | None] = {}

        async def resume(gid: str) -> None:
            last = logs[gid].last_id
            # the survivor may complete it before the client asks again (a loaded machine): the contract's
            # 400, and the client reads the result instead (checked below)
            response = await open_stream(http, survivor.url, owner[gid], gid, last_event_id=last, completed_ok=True)
            resumed[gid] = None if response is None else await follow(response, StreamLog(), timeout=90)

        await asyncio.gather(*(resume(gid) for gid in broken))

        # every generation ends terminal, seen through the survivor
        async with asyncio.timeout(90):
            while True:
                left = await db.fetchval("SELECT count(*) FROM generations WHERE status NOT IN "
                                         "('completed', 'failed', 'cancelled')")
                if left == 0:
                    break
                await asyncio.sleep(0.1)
        all_done_after = time.monotonic() - killed_at
        for gid in created:
            async with http.get(f"{survivor.url}/api/generations/{gid}", headers=bearer(owner[gid])) as answer:
                body = await answer.json()
                assert answer.status == 200, body
                assert body["status"] == "completed", (gid, body["status"], body["error_message"])
                paths = [f["path"] for f in body["files"]]
                assert paths and len(paths) == len(set(paths))

        # exactly one copy of the files, an unbroken event sequence, one terminal event, last
        rows = await db.fetch(
            "SELECT g.id, g.last_event_seq, g.attempts, g.worker_id, g.completed_at > $1 AS after_kill, "
            "  (SELECT array_agg(seq ORDER BY seq) FROM generation_events e WHERE e.generation_id = g.id) AS seqs, "
            "  (SELECT array_agg(status ORDER BY seq) FROM generation_events e WHERE e.generation_id = g.id) AS statuses, "
            "  (SELECT count(*) FROM generation_files f WHERE f.generation_id = g.id) AS files, "
            "  (SELECT count(DISTINCT path) FROM generation_files f WHERE f.generation_id = g.id) AS paths "
            "FROM generations g", kill_ts,
        )
        assert len(rows) == USERS * PER_USER
        survivor_tag = f":{survivor.pid}:"
        for r in rows:
            assert r["seqs"] == list(range(1, r["last_event_seq"] + 1)), (r["id"], r["seqs"])
            terminal_positions = [i for i, s in enumerate(r["statuses"]) if s in TERMINAL]
            assert terminal_positions == [len(r["statuses"]) - 1], (r["id"], r["statuses"])
            assert r["files"] == r["paths"] > 0  # one copy of each file, however many takeovers
            if r["after_kill"]:
                assert survivor_tag in r["worker_id"], (r["id"], r["worker_id"])
        taken_over = sum(1 for r in rows if r["attempts"] >= 2)
        # a takeover of something the victim did not hold at the kill: a lease that ran out on a live worker
        spurious = [(r["id"], r["attempts"]) for r in rows if r["attempts"] >= 2 and r["id"] not in held]
        finished_by_survivor_after_kill = sum(1 for r in rows if r["after_kill"])
        assert taken_over >= on_victim  # what the victim held was started again elsewhere

        # the broken streams resumed on the survivor without a gap
        for gid in broken:
            before, after = logs[gid], resumed[gid]
            seqs = next(r["seqs"] for r in rows if str(r["id"]) == gid)
            if after is None:  # completed before the token request: what it saw is the start of the sequence
                assert before.ids == seqs[: len(before.ids)], (gid, before.ids, seqs)
                continue
            assert after.events[0].data["stage"] == "connected" and after.events[0].id == before.last_id
            assert after.terminal and after.ended == "eof", (gid, after.ended)
            ids = before.ids + after.ids
            assert ids == list(range(1, len(ids) + 1)), (gid, before.ids, after.ids)
            assert ids == seqs
        assert survivor.alive()

        figures = {
            "generations": len(created), "in_flight_at_kill": in_flight, "processing_on_victim_at_kill": on_victim,
            "taken_over": taken_over, "finished_by_survivor_after_kill": finished_by_survivor_after_kill,
            "other_takeovers": len(spurious), "streams_broken_and_resumed": len(broken), "all_terminal_after_s": round(all_done_after, 2),
            "completed": len(created),
        }
        print("\nFIGURES crash", figures)
    finally:
        await db.close()
        victim.stop()
        survivor.stop()
