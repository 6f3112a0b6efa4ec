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
import json
import math
import resource
import sys
import time
from typing import Any

import orjson

TERMINAL = {b"completed", b"failed", b"cancelled"}
MAX_DELAY_SAMPLES = 1_000_000


def emit(kind: str, payload: dict[str, Any]) -> None:
    sys.stdout.write(kind + " " + json.dumps(payload) + "\n")
    sys.stdout.flush()


def raise_nofile() -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else 65536
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return target


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile of sorted ``values`` (q in 0..100)."""
    if not values:
        return None
    rank = max(1, math.ceil(q / 100 * len(values)))
    return values[min(rank, len(values)) - 1]


def summary_ms(values: list[float]) -> dict[str, Any]:
    """p50/p90/p99/max in milliseconds, plus 101 quantiles for charts."""
    values = sorted(values)
    if not values:
        return {"n": 0, "p50": None, "p90": None, "p99": None, "max": None, "mean": None, "quantiles": []}
    ms = 1000.0
    return {
        "n": len(values),
        "p50": round(percentile(values, 50) * ms, 3),  # type: ignore[operator]
        "p90": round(percentile(values, 90) * ms, 3),  # type: ignore[operator]
        "p99": round(percentile(values, 99) * ms, 3),  # type: ignore[operator]
        "max": round(values[-1] * ms, 3),
        "mean": round(sum(values) / len(values) * ms, 3),
        "quantiles": [round(values[min(len(values) - 1, int(i / 100 * (len(values) - 1)))] * ms, 3) for i in range(101)],
    }


def build_request(method: str, path: str, host: str, headers: dict[str, str] | None = None, body: bytes = b"") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}"]
    for name, value in (headers or {}).items():
        lines.append(f"{name}: {value}")
    if body or method in ("POST", "PUT", "PATCH"):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


# -- plain requests -------------------------------------------------------------


class HttpConnection(asyncio.Protocol):
    """One keep-alive HTTP/1.1 connection; answers must carry Content-Length."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buf = bytearray()
        self.waiter: asyncio.Future[tuple[int, bytes]] | None = None
        self.closed = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.buf += data
        if self.waiter is not None:
            self._parse()

    def _parse(self) -> None:
        end = self.buf.find(b"\r\n\r\n")
        if end < 0:
            return
        head = bytes(self.buf[:end]).lower()
        at = head.find(b"\r\ncontent-length:")
        length = 0
        if at >= 0:
            stop = head.find(b"\r\n", at + 2)
            length = int(head[at + 17 : stop if stop >= 0 else None])
        total = end + 4 + length
        if len(self.buf) < total:
            return
        status = int(head[9:12])
        body = bytes(self.buf[end + 4 : total])
        del self.buf[:total]
        waiter, self.waiter = self.waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result((status, body))

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(ConnectionResetError("connection closed"))

    async def request(self, raw: bytes) -> tuple[int, bytes]:
        assert self.transport is not None
        self.waiter = asyncio.get_running_loop().create_future()
        self.transport.write(raw)
        return await self.waiter

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


async def connect_http(host: str, port: int) -> HttpConnection:
    _, protocol = await asyncio.get_running_loop().create_connection(HttpConnection, host, port)
    return protocol


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


# -- server-sent events -----------------------------------------------------------


class Recorder:
    def __init__(self) -> None:
        self.measure_after = math.inf
        self.delays: list[float] = []
        self.dropped_samples = 0
        self.worst: dict[int, float] = {}  # event id -> the longest delay of any stream
        # (generation, event id, arrival) of every measured event, and when its NOTIFY reached our own LISTEN
        self.arrivals: list[tuple[str, int, float]] = []
        self.notified: dict[tuple[str, int], float] = {}


def _timestamp_and_status(data: bytes) -> tuple[float, bytes]:
    """The event's ``timestamp`` and ``status`` without a full JSON parse (a few µs per event count here)."""
    at = data.rfind(b'"timestamp"')
    st = data.find(b'"status"')
    if at >= 0 and st >= 0 and data.endswith(b"}"):
        try:
            timestamp = float(data[data.index(b":", at) + 1 : -1])
            open_quote = data.index(b'"', data.index(b":", st) + 1)
            return timestamp, data[open_quote + 1 : data.index(b'"', open_quote + 1)]
        except ValueError:
            pass
    event = orjson.loads(data)
    return float(event["timestamp"]), str(event["status"]).encode()


class SseStream(asyncio.Protocol):
    """One SSE response: headers, chunked body, events; checks ids are consecutive."""

    def __init__(self, recorder: Recorder, key: str = "") -> None:
        loop = asyncio.get_running_loop()
        self.recorder = recorder
        self.key = key
        self.transport: asyncio.Transport | None = None
        self.head = bytearray()
        self.in_body = False
        self.chunked = False
        self.raw = bytearray()
        self.chunk_left = 0  # >0: data bytes left; 0: a size line next; -2: the CRLF after data
        self.body = bytearray()
        self.status = 0
        self.error: str | None = None
        self.connected: asyncio.Future[float] = loop.create_future()
        self.done: asyncio.Future[None] = loop.create_future()
        self.expected = 0
        self.received = 0
        self.duplicates = 0
        self.skipped = 0
        self.terminal = False
        self.last_seq = 0
        self.eof = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.connected.done():
            self.connected.set_exception(ConnectionResetError(self.error or f"closed before connected (HTTP {self.status})"))
        if not self.done.done():
            self.done.set_result(None)

    def data_received(self, data: bytes) -> None:
        now = time.time()
        if self.chunk_left == 0 and self.chunked and not self.raw and not self.body:
            # the common case, cheaply: exactly one whole chunk of whole events
            nl = data.find(b"\r\n")
            if nl > 0:
                size = int(data[:nl], 16)
                if size and len(data) == nl + size + 4 and data.endswith(b"\n\n\r\n") and b"\r" not in data[nl + 2 : -2]:
                    for message in data[nl + 2 : -4].split(b"\n\n"):
                        if not message.startswith(b":"):
                            self._on_message(message, now)
                    return
        if not self.in_body:
            self.head += data
            end = self.head.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(self.head[:end]).lower()
            self.status = int(head[9:12])
            self.chunked = b"transfer-encoding: chunked" in head
            data = bytes(self.head[end + 4 :])
            self.head = bytearray()
            self.in_body = True
            if self.status != 200:
                self.error = f"HTTP {self.status}: {data[:200]!r}"
                assert self.transport is not None
                self.transport.close()
                return
            if not data:
                return
        if self.chunked:
            self.raw += data
            self._dechunk()
        else:
            self.body += data
        if b"\r" in self.body:
            self.body = bytearray(self.body.replace(b"\r\n", b"\n"))
        body = self.body
        while True:
            cut = body.find(b"\n\n")
            if cut < 0:
                break
            message = bytes(body[:cut])
            del body[: cut + 2]
            if not message.startswith(b":"):
                self._on_message(message, now)
        if self.eof and self.transport is not None:
            # the response is complete; the server would keep the connection alive
            self.transport.close()

    def _dechunk(self) -> None:
        buf = self.raw
        pos = 0
        size_total = len(buf)
        while pos < size_total:
            if self.chunk_left > 0:
                take = min(self.chunk_left, size_total - pos)
                self.body += buf[pos : pos + take]
                pos += take
                self.chunk_left -= take
                if self.chunk_left:
                    break
                self.chunk_left = -2
            elif self.chunk_left == -2:
                if size_total - pos < 2:
                    break
                pos += 2
                self.chunk_left = 0
            else:
                line_end = buf.find(b"\r\n", pos)
                if line_end < 0:
                    break
                size = int(bytes(buf[pos:line_end]).split(b";")[0], 16)
                pos = line_end + 2
                if size == 0:
                    pos = size_total  # the last chunk: the response is over
                    self.eof = True
                    break
                self.chunk_left = size
        del buf[:pos]

    def _on_message(self, message: bytes, now: float) -> None:
        if message.startswith(b"event: file"):
            return  # live file content: not a numbered event (the live files scenario is for a later bench)
        seq = -1
        data = b""
        if message.startswith(b"id: ") and message.count(b"\n") == 1:
            nl = message.find(b"\n")
            seq = int(message[4:nl])
            data = message[nl + 7 :] if message.startswith(b"data: ", nl + 1) else message[nl + 1 :].partition(b":")[2]
        else:
            for line in message.split(b"\n"):
                if line.startswith(b"id:"):
                    seq = int(line[3:])
                elif line.startswith(b"data:"):
                    data = line[5:].strip()
        if not self.connected.done():
            # the first event: "connected", with the id the client resumed from
            self.expected = seq + 1
            self.connected.set_result(now)
            return
        if seq == self.expected:
            self.received += 1
            self.expected += 1
        elif seq < self.expected:
            self.duplicates += 1
            return
        else:
            self.skipped += seq - self.expected
            self.received += 1
            self.expected = seq + 1
        self.last_seq = seq
        timestamp, status = _timestamp_and_status(data)
        recorder = self.recorder
        if timestamp >= recorder.measure_after:
            delay = now - timestamp
            if len(recorder.delays) < MAX_DELAY_SAMPLES:
                recorder.delays.append(delay)
            else:
                recorder.dropped_samples += 1
            if delay > recorder.worst.get(seq, 0.0):
                recorder.worst[seq] = delay
            if len(recorder.arrivals) < MAX_DELAY_SAMPLES:
                recorder.arrivals.append((self.key, seq, now))
        if status in TERMINAL:
            self.terminal = True

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


async def open_stream(
    spec: dict[str, Any], entry: list[Any], recorder: Recorder, token_conn: HttpConnection | None
) -> tuple[SseStream, HttpConnection | None]:
    """POST the token (when the entry has one), then GET the stream until ``connected``."""
    host, port = spec["host"], spec["port"]
    hostport = f"{host}:{port}"
    generation_id, jwt = entry[0], entry[1]
    if spec.get("token_path"):
        if token_conn is None or token_conn.closed:
            token_conn = await connect_http(host, port)
        raw = build_request(
            "POST", spec["token_path"].format(id=generation_id), hostport, {"Authorization": f"Bearer {jwt}"}
        )
        status, body = await token_conn.request(raw)
        if status != 200:
            raise RuntimeError(f"stream-token answered {status}: {body[:200]!r}")
        answer = orjson.loads(body)
        path = f"{answer['stream_url']}?token={answer['sse_token']}"
    else:
        path = spec["stream_path"].format(id=generation_id)
    loop = asyncio.get_running_loop()
    _, stream = await loop.create_connection(lambda: SseStream(recorder, generation_id), host, port)
    assert stream.transport is not None
    stream.transport.write(build_request("GET", path, hostport, {"Accept": "text/event-stream"}))
    await asyncio.wait_for(asyncio.shield(stream.connected), timeout=spec.get("connect_timeout", 30))
    return stream, token_conn


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

    async def opener(i: int) -> None:
        async with limit:
            slot = free_conns.pop()
            try:
                stream, token_conns[slot] = await open_stream(spec, entries[i], recorder, token_conns[slot])
                streams[i] = stream
            except Exception as exc:  # noqa: BLE001 - counted and reported
                failures.append(f"{type(exc).__name__}: {exc}"[:300])
                token_conns[slot] = None
            finally:
                free_conns.append(slot)

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
    loop = asyncio.get_running_loop()
    open_streams: list[SseStream] = []
    for i in range(spec["samples"] + spec.get("warmup_samples", 5)):
        generation_id, jwt = spec["entries"][i % len(spec["entries"])]
        t0 = time.perf_counter()
        try:
            if conn.closed:
                conn = await connect_http(host, port)
            if spec.get("token_path"):
                raw = build_request(
                    "POST", spec["token_path"].format(id=generation_id), hostport, {"Authorization": f"Bearer {jwt}"}
                )
                status, body = await conn.request(raw)
                if status != 200:
                    raise RuntimeError(f"token {status} {body[:200]!r}")
                answer = orjson.loads(body)
                path = f"{answer['stream_url']}?token={answer['sse_token']}"
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
            _, stream = await loop.create_connection(lambda: SseStream(recorder), host, port)
            assert stream.transport is not None
            stream.transport.write(build_request("GET", path, hostport, {"Accept": "text/event-stream"}))
            await asyncio.wait_for(asyncio.shield(stream.connected), timeout=10)
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
