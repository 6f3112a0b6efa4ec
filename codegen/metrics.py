"""Prometheus metrics in the text exposition format (0.0.4), served at ``GET /metrics``.

Request counts and latencies are counted by a middleware in this process;
the gauges that describe the whole service (generations by status, queue
depth, oldest pending age) are read from PostgreSQL at scrape time, so every
process reports the same numbers for them. A scrape during a database outage
still answers 200, with ``codegen_database_up 0`` and without the gauges that
need the database.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import os
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from aiohttp import web

from codegen import appkeys
from codegen.db import DatabaseUnavailable
from codegen.errors import Unauthenticated
from codegen.lifecycle import Status
from codegen.store import metrics as metrics_store

log = logging.getLogger(__name__)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# seconds; the last bucket is +Inf
LATENCY_BUCKETS: tuple[float, ...] = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# a scrape never waits longer than this for the database
SCRAPE_DB_TIMEOUT = 2.0
UNMATCHED = "unmatched"
# nginx's code for "the client closed the connection before the answer was complete"
CLIENT_CLOSED = 499

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]



def escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _labels(pairs: Iterable[tuple[str, str]]) -> str:
    inner = ",".join(f'{k}="{escape(v)}"' for k, v in pairs)
    return "{" + inner + "}" if inner else ""


def _number(value: float) -> str:
    if value == float("inf"):
        return "+Inf"
    if float(value).is_integer():
        return str(int(value))
    return repr(float(value))


class Metrics:
    """The counters of one process."""

    def __init__(self) -> None:
        self.started = time.time()
        self.requests: dict[tuple[str, str, str], int] = defaultdict(int)
        # (method, route) -> bucket counts (len(LATENCY_BUCKETS) + 1), sum, count
        self.latency_buckets: dict[tuple[str, str], list[int]] = {}
        self.latency_sum: dict[tuple[str, str], float] = defaultdict(float)
        self.in_flight = 0

    def observe(self, method: str, route: str, status: int, seconds: float | None) -> None:
        self.requests[(method, route, str(status))] += 1
        if seconds is None:
            return
        key = (method, route)
        buckets = self.latency_buckets.get(key)
        if buckets is None:
            buckets = self.latency_buckets[key] = [0] * (len(LATENCY_BUCKETS) + 1)
        for i, bound in enumerate(LATENCY_BUCKETS):
            if seconds <= bound:
                buckets[i] += 1
                break
        else:
            buckets[-1] += 1
        self.latency_sum[key] += seconds


METRICS: web.AppKey[Metrics] = web.AppKey("metrics", Metrics)


def route_template(request: web.Request) -> str:
    """The route as registered (``/api/generations/{generation_id}``): bounded label values."""
    match_info = request.match_info
    if match_info.http_exception is not None:
        return UNMATCHED
    resource = match_info.route.resource
    if resource is None:
        return UNMATCHED
    return resource.canonical


@web.middleware
async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    metrics = request.app[METRICS]
    started = time.perf_counter()
    status = 500
    streamed = False
    metrics.in_flight += 1
    try:
        response = await handler(request)
        status = response.status
        streamed = (response.content_type or "") == "text/event-stream"
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    except (asyncio.CancelledError, ConnectionResetError):
        status = CLIENT_CLOSED  # the client went away (a stream's usual end): not a server error
        raise
    finally:
        metrics.in_flight -= 1
        elapsed = time.perf_counter() - started
        # a stream lasts as long as its generation: count it, keep it out of the latency histogram
        metrics.observe(request.method, route_template(request), status, None if streamed else elapsed)


def _process_lines() -> list[str]:
    lines = []
    rss = _rss_bytes()
    if rss is not None:
        lines += [
            "# HELP process_resident_memory_bytes Resident memory size in bytes.",
            "# TYPE process_resident_memory_bytes gauge",
            f"process_resident_memory_bytes {rss}",
        ]
    try:
        fds = len(os.listdir("/proc/self/fd"))
    except OSError:
        fds = None
    if fds is not None:
        lines += [
            "# HELP process_open_fds Number of open file descriptors.",
            "# TYPE process_open_fds gauge",
            f"process_open_fds {fds}",
        ]
    return lines


def _rss_bytes() -> int | None:
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            pages = int(statm.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        try:
            import resource

            return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        except (ImportError, OSError):
            return None


async def _database_gauges(app: web.Application) -> dict[str, Any] | None:
    db = app[appkeys.DB]
    try:
        async with asyncio.timeout(SCRAPE_DB_TIMEOUT):
            by_status = await metrics_store.generations_by_status(db)
            depth, oldest = await metrics_store.queue(db)
    except (DatabaseUnavailable, TimeoutError) as exc:
        log.warning("metrics: database gauges unavailable", extra={"error": str(exc)})
        return None
    # every status of the state machine, 0 when none is in it
    counts = {status.value: 0 for status in Status}
    counts.update(by_status)
    return {"by_status": counts, "depth": depth, "oldest": oldest or 0.0}


def _family(name: str, kind: str, help_text: str, samples: Iterable[tuple[str, float]]) -> list[str]:
    return [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}", *(f"{name}{lbl} {_number(v)}" for lbl, v in samples)]


async def render(app: web.Application) -> str:
    metrics = app[METRICS]
    lines: list[str] = []
    lines += _family(
        "codegen_http_requests_total", "counter", "HTTP requests answered, by method, route template and status.",
        [(_labels((("method", m), ("route", r), ("status", s))), n) for (m, r, s), n in sorted(metrics.requests.items())],
    )
    hist = ["# HELP codegen_http_request_duration_seconds Time to answer an HTTP request (streams excluded).",
            "# TYPE codegen_http_request_duration_seconds histogram"]
    for (method, route), buckets in sorted(metrics.latency_buckets.items()):
        base = (("method", method), ("route", route))
        cumulative = 0
        for bound, n in zip((*LATENCY_BUCKETS, float("inf")), buckets):
            cumulative += n
            hist.append(f"codegen_http_request_duration_seconds_bucket{_labels((*base, ('le', _number(bound))))} {cumulative}")
        hist.append(f"codegen_http_request_duration_seconds_sum{_labels(base)} {_number(metrics.latency_sum[(method, route)])}")
        hist.append(f"codegen_http_request_duration_seconds_count{_labels(base)} {cumulative}")
    lines += hist
    lines += _family("codegen_http_requests_in_flight", "gauge", "HTTP requests being answered now (streams included).",
                     [("", metrics.in_flight)])

    bus = app.get(appkeys.BUS)
    if bus is not None:
        lines += _family("codegen_open_streams", "gauge", "Open SSE streams on this process (event bus subscribers).",
                         [("", bus.subscriber_count())])
        lines += _family("codegen_event_bus_connected", "gauge", "1 while the LISTEN connection is up.",
                         [("", 1 if bus.connected.is_set() else 0)])
        lines += _family("codegen_event_bus_reconnects_total", "counter", "Times the LISTEN connection was re-made.",
                         [("", bus.reconnects)])
    worker = app.get(appkeys.WORKER)
    if worker is not None:
        lines += _family("codegen_worker_running", "gauge", "Generations this process is working on now.",
                         [("", len(worker.running))])
    db = app.get(appkeys.DB)
    if db is not None:
        lines += _family("codegen_db_pool_connections", "gauge", "Connections in this process's pool, by state.", [
            ('{state="idle"}', db.pool.get_idle_size()),
            ('{state="busy"}', db.pool.get_size() - db.pool.get_idle_size()),
        ])

    gauges = await _database_gauges(app) if db is not None else None
    lines += _family("codegen_database_up", "gauge", "1 when this scrape could read the database.",
                     [("", 1 if gauges else 0)])
    if gauges:
        lines += _family("codegen_generations", "gauge", "Generations by status (the whole service).",
                         ((_labels((("status", s),)), n) for s, n in gauges["by_status"].items()))
        lines += _family("codegen_queue_depth", "gauge", "Pending generations (the whole service).",
                         [("", gauges["depth"])])
        lines += _family("codegen_oldest_pending_age_seconds", "gauge",
                         "Age of the oldest pending generation (0 when none).", [("", gauges["oldest"])])
    lines += _process_lines()
    lines += _family("process_start_time_seconds", "gauge", "Start time of the process since the Unix epoch.",
                     [("", metrics.started)])
    return "\n".join(lines) + "\n"


async def handler(request: web.Request) -> web.Response:
    expected = request.app[appkeys.SETTINGS].metrics_token
    if expected:
        given = request.headers.get("Authorization", "").encode("utf-8", "surrogateescape")
        if not hmac.compare_digest(given, f"Bearer {expected}".encode()):
            raise Unauthenticated()
    body = await render(request.app)
    return web.Response(body=body.encode(), headers={"Content-Type": CONTENT_TYPE, "Cache-Control": "no-cache"})


def setup(app: web.Application) -> None:
    """Count this app's requests; call before the app starts."""
    app[METRICS] = Metrics()
