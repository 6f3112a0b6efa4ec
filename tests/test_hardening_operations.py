"""Operations: /metrics in the Prometheus text format, and a graceful shutdown on SIGTERM.

On SIGTERM a `codegen serve` process stops taking work, hands its leases back, ends its
streams with a final `reconnect` event so clients resume elsewhere, and exits, within 10 s.
"""

from __future__ import annotations

import asyncio
import re
import signal
import time
import uuid

import aiohttp
import asyncpg
import pytest

from codegen import appkeys
from tests.hardening import (
    ServeProcess,
    StreamLog,
    bearer,
    follow,
    open_stream,
    parse_metrics,
    register,
)
from tests.helpers import ApiClient, GatedGenerator, read_events

pytestmark = [pytest.mark.slow, pytest.mark.operations]

SHUTDOWN_BUDGET = 10.0
METRIC_NAME = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")


async def test_metrics_in_prometheus_text_format(make_server, fresh_database_url, http):
    generator = GatedGenerator()
    server = await make_server(generator=generator, database_url=fresh_database_url, worker_concurrency=1)
    api = ApiClient(http, server.url)
    await api.sign_up()
    first = await api.generate()
    await generator.started.wait()
    second = await api.generate("Create a blog engine with comments")  # waits: concurrency 1
    stream = await api.open_stream(first["id"])
    await stream.content.readline()
    await api.call("GET", f"/api/generations/{first['id']}")
    await api.call("GET", f"/api/generations/{uuid.uuid4()}")  # 404
    await api.call("GET", "/api/generations/not-a-uuid")  # 422
    await api.call("GET", "/api/auth/me", headers={"Authorization": "Bearer nope"})  # 401
    await api.call("GET", "/no/such/route/" + uuid.uuid4().hex)  # 404, unmatched
    await asyncio.sleep(0.3)  # the pending one gets a measurable age

    async with http.get(server.url + "/metrics") as answer:
        assert answer.status == 200
        assert answer.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
        text = await answer.text()
    samples = parse_metrics(text)

    # well formed: HELP and TYPE before each family's samples, valid names, a final newline
    assert text.endswith("\n")
    declared: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ", 3)
            assert METRIC_NAME.match(name) and kind in {"counter", "gauge", "histogram"}
            declared[name] = kind
        elif not line.startswith("#"):
            name = re.split(r"[{ ]", line, maxsplit=1)[0]
            family = re.sub(r"_(bucket|sum|count)$", "", name) if name not in declared else name
            assert family in declared, line

    # requests by route template and status (ids never become labels)
    def requests(route: str, status: int, method: str = "GET") -> float:
        return samples.get(f'codegen_http_requests_total{{method="{method}",route="{route}",status="{status}"}}', 0)

    assert requests("/api/generations/{generation_id}", 200) == 1
    assert requests("/api/generations/{generation_id}", 404) == 1
    assert requests("/api/generations/{generation_id}", 422) == 1
    assert requests("/api/auth/me", 401) == 1
    assert requests("unmatched", 404) == 1
    assert requests("/api/generations/generate", 201, "POST") == 2
    assert not any(str(first["id"]) in key for key in samples)
    # the latency histogram: cumulative buckets, +Inf equals the count
    prefix = 'codegen_http_request_duration_seconds_bucket{method="GET",route="/api/generations/{generation_id}",le="'
    buckets = [(key[len(prefix):-2], value) for key, value in samples.items() if key.startswith(prefix)]
    assert [b for b, _ in buckets][-1] == "+Inf"
    assert [v for _, v in buckets] == sorted(v for _, v in buckets)
    assert buckets[-1][1] == samples[
        'codegen_http_request_duration_seconds_count{method="GET",route="/api/generations/{generation_id}"}'] == 3
    assert declared["codegen_http_request_duration_seconds"] == "histogram"
    # the service's state
    assert samples['codegen_generations{status="processing"}'] == 1
    assert samples['codegen_generations{status="pending"}'] == 1
    assert samples["codegen_queue_depth"] == 1
    assert samples["codegen_oldest_pending_age_seconds"] > 0.2
    assert samples["codegen_open_streams"] == 1 == server.app[appkeys.BUS].subscriber_count()
    assert samples["codegen_worker_running"] == 1
    assert samples["codegen_database_up"] == 1 and samples["codegen_event_bus_connected"] == 1
    assert samples["process_resident_memory_bytes"] > 10 * 2**20

    generator.release.set()
    await asyncio.wait_for(_drain(stream), 30)
    await api.wait_for(second["id"], timeout=30)
    async with http.get(server.url + "/metrics") as answer:
        after = parse_metrics(await answer.text())
    assert after['codegen_generations{status="completed"}'] == 2
    assert after["codegen_queue_depth"] == 0 and after["codegen_oldest_pending_age_seconds"] == 0
    assert after["codegen_open_streams"] == 0
    assert not any('status="5' in key for key in after if key.startswith("codegen_http_requests_total"))



async def test_metrics_can_require_a_scraper_token(make_server, http):
    server = await make_server(metrics_token="scrape-s3cret")
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Bearer scrape-s3cret-"},
                    {"Authorization": "Bearer été"}):
        async with http.get(server.url + "/metrics", headers=headers) as answer:
            assert answer.status == 401, headers
            assert await answer.json() == {"detail": "Not authenticated"}
            assert answer.headers["WWW-Authenticate"] == "Bearer"
    async with http.get(server.url + "/metrics", headers={"Authorization": "Bearer scrape-s3cret"}) as answer:
        assert answer.status == 200
        assert "codegen_http_requests_total" in await answer.text()

async def _drain(response: aiohttp.ClientResponse) -> None:
    async for _ in read_events(response):
        pass


async def test_sigterm_hands_work_back_and_ends_streams_within_10_s(fresh_database_url, tmp_path, http):
    settings = {"jwt_secret": "ops-" + uuid.uuid4().hex, "stage_delay": 1.0, "worker_concurrency": 2,
                "lease_seconds": 30, "worker_poll_seconds": 0.5}
    leaving = ServeProcess.start(fresh_database_url, tmp_path, "leaving", **settings)
    db = await asyncpg.connect(fresh_database_url)
    staying = None
    try:
        await leaving.wait_ready(http)
        token, _ = await register(http, leaving.url)
        created = []
        for i in range(6):
            async with http.post(leaving.url + "/api/generations/generate", headers=bearer(token),
                                 json={"prompt": f"Create an inventory service number {i} with reports"}) as answer:
                assert answer.status == 201
                created.append((await answer.json())["id"])
        tag = f"%:{leaving.pid}:%"
        async with asyncio.timeout(20):
            while await db.fetchval("SELECT count(*) FROM generations WHERE status = 'processing' AND worker_id LIKE $1",
                                    tag) < 2:
                await asyncio.sleep(0.05)
        held = [str(r["id"]) for r in await db.fetch(
            "SELECT id FROM generations WHERE status = 'processing' AND worker_id LIKE $1", tag)]
        watched = held + [g for g in created if g not in held][:2]  # processing here, and still queued
        logs = {gid: StreamLog() for gid in watched}
        readers = [asyncio.create_task(follow(await open_stream(http, leaving.url, token, gid), logs[gid], 30))
                   for gid in watched]
        await asyncio.sleep(0.3)

        signalled = time.monotonic()
        sigterm_at = await db.fetchval("SELECT now()")
        leaving.proc.send_signal(signal.SIGTERM)
        await asyncio.gather(*readers)
        streams_ended_s = time.monotonic() - signalled
        code = await asyncio.to_thread(leaving.proc.wait, SHUTDOWN_BUDGET + 5)
        exited_s = time.monotonic() - signalled
        assert code == 0, leaving.tail()
        assert exited_s < SHUTDOWN_BUDGET, exited_s

        # every stream ended cleanly with the final event, which names where to resume
        for gid, log in logs.items():
            assert log.ended == "eof", (gid, log.ended)
            final = log.events[-1]
            assert final.name == "reconnect" and final.id is None, final
            assert final.data["last_event_id"] == log.last_id and final.data["stage"] == "reconnect"
        # the leases were handed back at once (no attempt spent), nothing was claimed after the signal
        rows = {str(r["id"]): r for r in await db.fetch(
            "SELECT id, status, attempts, worker_id, lease_token FROM generations")}
        for gid in held:
            assert rows[gid]["status"] == "pending" and rows[gid]["lease_token"] is None, rows[gid]
            assert rows[gid]["attempts"] == 0
        assert await db.fetchval(
            "SELECT count(*) FROM generation_events WHERE created_at > $1 AND message LIKE 'Worker started%'",
            sigterm_at) == 0
        handed_back = await db.fetchval(
            "SELECT count(*) FROM generation_events WHERE created_at > $1 AND message LIKE 'The worker shut down%'",
            sigterm_at)
        assert handed_back == len(held)

        # clients reconnect elsewhere and lose nothing
        staying = ServeProcess.start(fresh_database_url, tmp_path, "staying", **{**settings, "worker_concurrency": 6})
        await staying.wait_ready(http)
        async def resume(gid: str, log: StreamLog) -> None:
            rest = await follow(await open_stream(http, staying.url, token, gid, log.last_id), StreamLog(), 60)
            assert rest.terminal, (gid, rest.ended)
            ids = log.ids + rest.ids
            assert ids == list(range(1, len(ids) + 1)), (gid, log.ids, rest.ids)

        await asyncio.gather(*(resume(gid, log) for gid, log in logs.items()))
        async with asyncio.timeout(60):
            while await db.fetchval("SELECT count(*) FROM generations WHERE status NOT IN "
                                    "('completed', 'failed', 'cancelled')"):
                await asyncio.sleep(0.1)
        print("\nFIGURES sigterm", {
            "held_at_signal": len(held), "streams": len(watched), "streams_ended_s": round(streams_ended_s, 2),
            "exited_s": round(exited_s, 2), "handed_back": handed_back, "exit_code": code,
        })
    finally:
        await db.close()
        leaving.stop()
        if staying is not None:
            staying.stop()
