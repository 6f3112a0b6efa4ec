"""A database that stops answering (a partition, not a stopped server), under load.

Every process of the test's own cluster (tests/hardening.py OwnCluster, never the machine's shared
server) is paused with SIGSTOP: connections stay open and nothing answers, as when a network
partition swallows the packets. While it is paused, every request is answered 503 with
``Retry-After`` within 2 s (the health probe notices; codegen/db.py), never a 500 and never held.
After SIGCONT, service resumes, and nothing is lost: every accepted generation completes, and
every create that got a 503 and is retried with its Idempotency-Key exists exactly once.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from tests.hardening import Call, Client, OwnCluster, ServeProcess, register

pytestmark = [pytest.mark.slow, pytest.mark.outage, pytest.mark.timeout(240)]

PAUSED_SECONDS = 4.0
HELD_AT_MOST = 2.0  # the bound: a request is answered within this long, paused or not
CLIENTS = 6
UNAVAILABLE = {"detail": "Service temporarily unavailable"}
TERMINAL = {"completed", "failed", "cancelled"}


@dataclass
class Creator(Client):
    """Creates generations (each with its own Idempotency-Key) and reads them back."""

    created: dict[str, str] = field(default_factory=dict)  # key -> generation id
    refused: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (key, body) answered 503

    async def create(self, key: str, body: dict[str, Any]) -> Call:
        created = await self.call("generate", "POST", "/api/generations/generate", json=body,
                                  headers={"Idempotency-Key": key})
        if created.status == 201:
            self.created[key] = created.body["id"]
        return created

    async def run(self) -> None:
        n = 0
        while self.running:
            n += 1
            key, body = uuid.uuid4().hex, {"prompt": f"Create a todo list API number {n} with tags"}
            if (await self.create(key, body)).status == 503:
                self.refused.append((key, body))
            await self.call("list", "GET", "/api/generations?limit=5")
            await self.call("health", "GET", "/api/health")
            await asyncio.sleep(0.05)


def cluster_processes(pgdata: Path) -> list[int]:
    """The postmaster and every process it started."""
    postmaster = int((pgdata / "postmaster.pid").read_text().split()[0])
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == postmaster:
                children.append(int(entry.name))
    return [postmaster, *children]


def signal_all(pids: list[int], sig: signal.Signals) -> None:
    for pid in pids:
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass


async def test_a_database_that_stops_answering_gives_503s_within_2_s_and_loses_nothing(tmp_path, http):
    cluster = await asyncio.to_thread(OwnCluster)
    server = None
    paused: list[int] = []
    try:
        dsn = await cluster.migrated()
        server = ServeProcess.start(
            dsn, tmp_path, "partition", jwt_secret="partition-" + uuid.uuid4().hex, lease_seconds=3,
            worker_concurrency=4, worker_poll_seconds=0.5, generate_rate_limit=0, max_active_generations=0,
        )
        await server.wait_ready(http)
        clients = [Creator(http, server.url, (await register(http, server.url))[0]) for _ in range(CLIENTS)]
        loaders = [asyncio.create_task(c.run()) for c in clients]
        while sum(len(c.created) for c in clients) < 20:
            await asyncio.sleep(0.05)

        # the partition
        paused = cluster_processes(cluster.pgdata)
        signal_all(paused, signal.SIGSTOP)
        paused_at = time.monotonic()
        await asyncio.sleep(PAUSED_SECONDS)
        resumed_at = time.monotonic()
        signal_all(paused, signal.SIGCONT)
        paused = []
        # until every client has been served again
        async with asyncio.timeout(30):
            while not all(any(x.at > resumed_at and x.status == 201 for x in c.calls) for c in clients):
                await asyncio.sleep(0.05)
        for c in clients:
            c.running = False
        await asyncio.gather(*loaders)

        calls = [x for c in clients for x in c.calls]
        during = [x for x in calls if x.ended > paused_at and x.at < resumed_at]
        # started once the probe had time to notice: nothing but 503
        settled = [x for x in during if x.at > paused_at + HELD_AT_MOST and x.ended < resumed_at]
        assert settled and {x.status for x in settled} == {503}, {x.status for x in settled}
        for x in during:
            assert x.status in (200, 201, 503), (x.what, x.status, x.body)
            if x.status == 503:
                assert x.retry_after is not None
                if x.what != "health":
                    assert x.body == UNAVAILABLE
        held = max(x.seconds for x in during)
        assert held <= HELD_AT_MOST, sorted((round(x.seconds, 2), x.what, x.status) for x in during)[-5:]
        assert all(x.status != 0 and x.status < 500 or x.status == 503 for x in calls)

        # nothing lost: the 503'd creates, retried with their keys, exist once each; all complete
        retried = 0
        for c in clients:
            for key, body in c.refused:
                assert (await c.create(key, body)).status == 201
                retried += 1
        conn = await asyncpg.connect(dsn)
        try:
            async with asyncio.timeout(120):
                while await conn.fetchval("SELECT count(*) FROM generations WHERE status <> ALL($1::text[])",
                                          list(TERMINAL)):
                    await asyncio.sleep(0.2)
            rows = await conn.fetch("SELECT id, status FROM generations")
        finally:
            await conn.close()
        accepted = {gid for c in clients for gid in c.created.values()}
        assert {str(r["id"]) for r in rows} == accepted
        assert {r["status"] for r in rows} == {"completed"}
        print(  # the figures for docs/reliability.md
            f"\npartition: {len(during)} requests overlapped the {PAUSED_SECONDS:.0f} s pause, "
            f"{sum(x.status == 503 for x in during)} answered 503, longest held {held:.2f} s; "
            f"{retried} refused creates retried with their keys; {len(rows)} generations, all completed"
        )
    finally:
        if paused:
            signal_all(paused, signal.SIGCONT)
        if server is not None:
            server.stop()
        await asyncio.to_thread(cluster.cleanup)
