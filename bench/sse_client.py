"""The load generator's SSE client on a raw asyncio protocol: one stream per connection, chunked
bodies decoded by hand, each event's delay recorded and its ids checked to be consecutive."""

from __future__ import annotations

import asyncio
import math
import time
from typing import Any

import orjson

from bench.http_client import HttpConnection, build_request, connect_http
from codegen import lifecycle

TERMINAL = frozenset(status.encode() for status in lifecycle.TERMINAL)
MAX_DELAY_SAMPLES = 1_000_000


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
        # `event: reconnect`: the server ended the stream early (shutting down, database away)
        self.told_to_reconnect = 0
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
        if message.startswith(b"event: reconnect"):
            self.told_to_reconnect += 1  # no id: not a repeated event; this client does not reconnect
            return
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


async def stream_token_path(conn: HttpConnection, spec: dict[str, Any], generation_id: str, jwt: str) -> str:
    """POST for a stream token; the stream's path with it."""
    raw = build_request(
        "POST", spec["token_path"].format(id=generation_id), f"{spec['host']}:{spec['port']}",
        {"Authorization": f"Bearer {jwt}"},
    )
    status, body = await conn.request(raw)
    if status != 200:
        raise RuntimeError(f"stream-token answered {status}: {body[:200]!r}")
    answer = orjson.loads(body)
    return f"{answer['stream_url']}?token={answer['sse_token']}"


async def connect_stream(spec: dict[str, Any], path: str, recorder: Recorder, key: str, timeout: float) -> SseStream:
    """GET the stream at ``path`` until its ``connected`` event."""
    host, port = spec["host"], spec["port"]
    loop = asyncio.get_running_loop()
    _, stream = await loop.create_connection(lambda: SseStream(recorder, key), host, port)
    assert stream.transport is not None
    stream.transport.write(build_request("GET", path, f"{host}:{port}", {"Accept": "text/event-stream"}))
    await asyncio.wait_for(asyncio.shield(stream.connected), timeout=timeout)
    return stream


async def open_stream(
    spec: dict[str, Any], entry: list[Any], recorder: Recorder, token_conn: HttpConnection | None
) -> tuple[SseStream, HttpConnection | None]:
    """POST the token (when the entry has one), then GET the stream until ``connected``."""
    path, token_conn = await stream_path(spec, entry, token_conn)
    stream = await connect_stream(spec, path, recorder, entry[0], spec.get("connect_timeout", 30))
    return stream, token_conn


async def stream_path(
    spec: dict[str, Any], entry: list[Any], token_conn: HttpConnection | None
) -> tuple[str, HttpConnection | None]:
    """The entry's stream path, with a fresh token when the spec asks for one (POSTed on ``token_conn``,
    opened when it is missing or closed); the connection to use for the next token."""
    generation_id, jwt = entry[0], entry[1]
    if not spec.get("token_path"):
        return spec["stream_path"].format(id=generation_id), token_conn
    if token_conn is None or token_conn.closed:
        token_conn = await connect_http(spec["host"], spec["port"])
    return await stream_token_path(token_conn, spec, generation_id, jwt), token_conn
