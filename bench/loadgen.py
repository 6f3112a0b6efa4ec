"""The load generator, run in its own process so it never starves the orchestrator.

``python -m bench.loadgen`` reads one JSON spec on stdin and writes lines
``READY {...}`` (SSE: every stream is open) and ``RESULT {...}`` on stdout.

It speaks HTTP/1.1 itself on raw asyncio protocols (keep-alive requests with
a Content-Length answer, and chunked SSE bodies), which costs a few
microseconds per message: the same client drives the service and every
baseline, so the ratios compare servers, not clients.

Modes:

- ``http``: ``clients`` keep-alive connections, each sending its request in a
  closed loop for ``duration`` seconds (after ``warmup``); latencies and statuses.
- ``sse``: opens one stream per entry of ``streams`` (token first when the
  entry has one), prints READY, then records every event until each stream
  ends: the delay from the event's ``timestamp`` to its arrival, and per stream
  the events received, duplicated or skipped. Optionally LISTENs on the
  database itself (``listen_dsn``) for the floor: NOTIFY delivery alone.
- ``connect``: ``samples`` times, one after another: POST a token, open the
  stream, wait for the ``connected`` event; the time of the whole.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import time
from collections.abc import AsyncIterator
from typing import Any

import orjson

from bench.http_client import HttpConnection, build_request, connect_http
from bench.machine import raise_nofile
from bench.sse_client import Recorder, SseStream, connect_stream, open_stream, stream_path, stream_token_path
from bench.stats import summary_ms


def emit(kind: str, payload: dict[str, Any]) -> None:
    sys.stdout.write(kind + " " + json.dumps(payload) + "\n")
    sys.stdout.flush()


async def run_http(spec: dict[str, Any]) -> dict[str, Any]:
    host, port = spec["host"], spec["port"]
    hostport = f"{host}:{port}"
    clients = spec["clients"]
    duration, warmup = spec["duration"], spec.get("warmup", 0.0)
    tokens: list[str | None] = spec.get("tokens") or [None]
    prompts: list[str] = spec["prompts"]
    requests = []
    for i in range(clients):
        headers = {"Content-Type": "application/json"}
        token = tokens[i % len(tokens)]
        if token:
            headers["Authorization"] = f"Bearer {token}"
        body = orjson.dumps({"prompt": prompts[i % len(prompts)], "generation_mode": "phased"})
        requests.append(build_request("POST", spec["path"], hostport, headers, body))

    latencies: list[float] = []
    statuses: dict[str, int] = {}
    errors: dict[str, int] = {}
    start = time.perf_counter()
    measure_from = start + warmup
    deadline = measure_from + duration
    sample_error: list[str] = []
    answered_all = 0  # warm-up included: what the server's CPU time is divided by

    async def client(i: int) -> None:
        nonlocal answered_all
        raw = requests[i]
        conn: HttpConnection | None = None
        while time.perf_counter() < deadline:
            try:
                if conn is None or conn.closed:
                    conn = await connect_http(host, port)
                t0 = time.perf_counter()
                status, body = await conn.request(raw)
                t1 = time.perf_counter()
                answered_all += 1
            except (OSError, ConnectionError) as exc:
                name = type(exc).__name__
                errors[name] = errors.get(name, 0) + 1
                conn = None
                await asyncio.sleep(0.01)
                continue
            if t0 >= measure_from and t1 <= deadline:
                latencies.append(t1 - t0)
                key = str(status)
                statuses[key] = statuses.get(key, 0) + 1
                if status >= 300 and len(sample_error) < 3:
                    sample_error.append(body[:300].decode(errors="replace"))
        if conn is not None:
            conn.close()

    tasks = [asyncio.create_task(client(i)) for i in range(clients)]
    _done, pending = await asyncio.wait(tasks, timeout=warmup + duration + 30)
    for task in pending:
        task.cancel()
    hung = len(pending)
    if hung:
        errors["hung_client"] = hung
    ok = sum(n for s, n in statuses.items() if s.startswith("2"))
    failed = sum(n for s, n in statuses.items() if not s.startswith("2")) + sum(errors.values())
    return {
        "clients": clients, "duration": duration, "requests": len(latencies), "answered_all": answered_all, "ok": ok,
        "errors": failed,
        "statuses": statuses, "connection_errors": errors, "rps": round(ok / duration, 1),
        "latency_ms": summary_ms(latencies), "error_samples": sample_error,
    }


async def _listen_floor(spec: dict[str, Any], recorder: Recorder, wanted: set[str]) -> Any:
    """A raw LISTEN of our own: when NOTIFY reaches a plain asyncpg client (the floor)."""
    import asyncpg

    floor = Recorder()
    conn = await asyncpg.connect(spec["listen_dsn"])
    channel = spec.get("listen_channel", "codegen_events")

    def on_notify(_c: object, _pid: int, _channel: str, payload: str) -> None:
        now = time.time()
        if channel == "bench_bare":
            seq, data = payload.split(":", 1)
            generation_id = "bare"
        else:
            generation_id, seq, data = payload.split(":", 2)
        if generation_id in wanted:
            timestamp = orjson.loads(data)["timestamp"]
            if timestamp >= recorder.measure_after:
                floor.delays.append(now - timestamp)
                recorder.notified[(generation_id, int(seq))] = now

    await conn.add_listener(channel, on_notify)
    return conn, floor


async def run_sse(spec: dict[str, Any]) -> dict[str, Any]:
    entries: list[list[Any]] = spec["streams"]
    recorder = Recorder()
    listen = None
    if spec.get("listen_dsn"):
        listen = await _listen_floor(spec, recorder, {e[0] for e in entries})
    limit = asyncio.Semaphore(spec.get("open_concurrency", 32))
    streams: list[SseStream | None] = [None] * len(entries)
    failures: list[str] = []
    token_conns: list[HttpConnection | None] = [None] * spec.get("open_concurrency", 32)
    free_conns = list(range(len(token_conns)))

    @contextlib.asynccontextmanager
    async def token_connection() -> AsyncIterator[int]:
        """One of the ``open_concurrency`` token connections (its slot in token_conns) while the block runs."""
        async with limit:
            slot = free_conns.pop()
            try:
                yield slot
            finally:
                free_conns.append(slot)

    def failed(exc: Exception) -> None:
        failures.append(f"{type(exc).__name__}: {exc}"[:300])

    async def path_for(i: int) -> str:
        async with token_connection() as slot:
            path, token_conns[slot] = await stream_path(spec, entries[i], token_conns[slot])
            return path

    async def opener(i: int) -> None:
        async with token_connection() as slot:
            try:
                streams[i], token_conns[slot] = await open_stream(spec, entries[i], recorder, token_conns[slot])
            except Exception as exc:  # noqa: BLE001 - counted and reported
                failed(exc)
                token_conns[slot] = None

    async def storm_opener(i: int, path: str) -> None:
        # every stream at once, as after a deploy: no limit on how many connect together
        try:
            streams[i] = await connect_stream(spec, path, recorder, entries[i][0], spec.get("connect_timeout", 30))
        except Exception as exc:  # noqa: BLE001 - counted and reported
            failed(exc)

    if spec.get("storm"):
        # the tokens first (as many connections as usual), then every stream's GET together
        paths = await asyncio.gather(*(path_for(i) for i in range(len(entries))))
        t0 = time.perf_counter()
        await asyncio.gather(*(storm_opener(i, path) for i, path in enumerate(paths)))
    else:
        t0 = time.perf_counter()
        await asyncio.gather(*(opener(i) for i in range(len(entries))))
    open_seconds = time.perf_counter() - t0
    for conn in token_conns:
        if conn is not None:
            conn.close()
    open_streams = [s for s in streams if s is not None]
    await asyncio.sleep(spec.get("settle", 0.3))  # replays of earlier events arrive
    recorder.measure_after = time.time()
    emit("READY", {"opened": len(open_streams), "failed": len(failures), "open_seconds": round(open_seconds, 3)})

    pending = [s.done for s in open_streams]
    _done, still = await asyncio.wait(pending, timeout=spec["timeout"]) if pending else (set(), set())
    for s in open_streams:
        s.close()
    per_stream = [
        [entries[i][0], s.received, s.duplicates, s.skipped, s.terminal, s.last_seq] if s else [entries[i][0], 0, 0, 0, False, 0]
        for i, s in enumerate(streams)
    ]
    result: dict[str, Any] = {
        "streams": len(entries), "opened": len(open_streams), "open_failures": len(failures),
        "failure_samples": failures[:3], "open_seconds": round(open_seconds, 3),
        "unavailable": sum("HTTP 503" in f for f in failures),
        "told_to_reconnect": sum(s.told_to_reconnect for s in open_streams),
        "unfinished": len(still), "delay_ms": summary_ms(recorder.delays),
        "dropped_samples": recorder.dropped_samples, "per_stream": per_stream,
        "worst_by_event_ms": {str(k): round(v * 1000, 2) for k, v in sorted(recorder.worst.items())},
    }
    if spec.get("raw"):
        result["delays"] = [round(d, 6) for d in recorder.delays]
    if listen is not None:
        conn, floor = listen
        await conn.close()
        result["listen_delay_ms"] = summary_ms(floor.delays)
        # the server's own part: from the NOTIFY reaching this process to the event reaching the client
        notified = recorder.notified
        serving = [at - notified[(g, q)] for g, q, at in recorder.arrivals if (g, q) in notified]
        result["serve_delay_ms"] = summary_ms(serving)
        if spec.get("raw"):
            result["listen_delays"] = [round(d, 6) for d in floor.delays]
            result["serve_delays"] = [round(d, 6) for d in serving]
    return result


async def run_connect(spec: dict[str, Any]) -> dict[str, Any]:
    """Token, then stream, then ``connected``: one at a time, ``samples`` times."""
    host, port = spec["host"], spec["port"]
    hostport = f"{host}:{port}"
    recorder = Recorder()
    conn = await connect_http(host, port)
    totals: list[float] = []
    first_legs: list[float] = []
    errors: list[str] = []
    open_streams: list[SseStream] = []
    for i in range(spec["samples"] + spec.get("warmup_samples", 5)):
        generation_id, jwt = spec["entries"][i % len(spec["entries"])]
        t0 = time.perf_counter()
        try:
            if conn.closed:
                conn = await connect_http(host, port)
            if spec.get("token_path"):
                path = await stream_token_path(conn, spec, generation_id, jwt)
            else:
                raw = build_request(
                    "POST", spec["post_path"], hostport, {"Content-Type": "application/json"},
                    orjson.dumps({"prompt": "Create a REST API with authentication", "generation_mode": "phased"}),
                )
                status, body = await conn.request(raw)
                if status >= 300:
                    raise RuntimeError(f"post {status} {body[:200]!r}")
                path = spec["stream_path"].format(id=generation_id)
            t1 = time.perf_counter()
            stream = await connect_stream(spec, path, recorder, "", timeout=10)
            t2 = time.perf_counter()
        except Exception as exc:  # noqa: BLE001 - counted and reported
            errors.append(f"{type(exc).__name__}: {exc}"[:300])
            continue
        if spec.get("close_streams", True):
            stream.close()
        else:
            open_streams.append(stream)
        if i >= spec.get("warmup_samples", 5):
            totals.append(t2 - t0)
            first_legs.append(t1 - t0)
    conn.close()
    for stream in open_streams:
        stream.close()
    return {
        "samples": len(totals), "errors": len(errors), "error_samples": errors[:3],
        "total_ms": summary_ms(totals), "token_ms": summary_ms(first_legs),
    }


async def main() -> None:
    spec = json.loads(sys.stdin.read())
    raise_nofile()
    runner = {"http": run_http, "sse": run_sse, "connect": run_connect}[spec["mode"]]
    result = await runner(spec)
    emit("RESULT", result)


if __name__ == "__main__":
    try:
        import uvloop

        uvloop.run(main())
    except ImportError:
        asyncio.run(main())
