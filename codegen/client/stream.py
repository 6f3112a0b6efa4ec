"""Following a generation's progress stream, by the browser client's rules (codegen/static/stream.js).

1. One single-use token per connection: POST …/stream-token, then GET the stream with it.
2. Remember the last event id; resume with ``Last-Event-ID``; drop an event whose id is not
   greater than it (no duplicates after a resume).
3. Stop at the terminal event (completed, failed, cancelled).
4. The token request answered 400: the generation already ended; read it with GET (not an
   error). 429 or another 4xx: stop with the server's message.
5. The connection dropped, the stream was refused, or the server ended it early (``event:
   reconnect``): reconnect with a new token, at most 5 times in a row, backoff about 1, 2, 4,
   8, 16 s with jitter. A new progress event resets the count.

Named ``event: file`` events (docs/api.md "Live file content") carry the files as they are
written; ``LiveFiles`` assembles them.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import orjson

from codegen.client.api import Api, ApiError

TERMINAL = frozenset({"completed", "failed", "cancelled"})
MAX_RETRIES = 5
BASE_DELAY_SECONDS = 1.0
# a stream that says nothing (not even the 15 s ping) for this long is taken as dropped
READ_TIMEOUT_SECONDS = 60.0


def backoff_delay(attempt: int, base: float = BASE_DELAY_SECONDS, rand: Callable[[], float] = random.random) -> float:
    """The wait before retry ``attempt`` (1..5): base * 2^(attempt-1), times a jitter in [0.8, 1.2)."""
    return base * 2 ** (attempt - 1) * (0.8 + 0.4 * rand())


@dataclass
class SseMessage:
    event: str
    data: str
    id: str | None


async def read_messages(content: aiohttp.StreamReader) -> AsyncIterator[SseMessage]:
    """Server-sent events as they arrive (any line length: a file event can be long)."""
    buffer = b""
    event, data, event_id = "", [], None
    async for chunk in content.iter_any():
        buffer += chunk
        *lines, buffer = buffer.split(b"\n")
        for raw in lines:
            line = raw.decode("utf-8").removesuffix("\r")
            if not line:
                if data:
                    yield SseMessage(event or "message", "\n".join(data), event_id)
                event, data, event_id = "", [], None
                continue
            if line.startswith(":"):
                continue  # a comment: the server's ping
            name, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if name == "event":
                event = value
            elif name == "data":
                data.append(value)
            elif name == "id":
                event_id = value


@dataclass
class LiveFiles:
    """Files assembled from ``event: file`` deltas: append at the held length, skip what is held
    already, ``offset: 0`` replaces the file, ``done`` ends it."""

    texts: dict[str, str] = field(default_factory=dict)
    done: set[str] = field(default_factory=set)

    def apply(self, event: dict[str, Any]) -> bool:
        """Take one event; True when it finished a file (``done``) that was not finished before."""
        path, offset, text = event.get("path"), event.get("offset"), event.get("text", "")
        if not isinstance(path, str) or not isinstance(offset, int) or not isinstance(text, str):
            return False
        held = self.texts.get(path, "")
        if offset == 0:
            held = text
            self.done.discard(path)
        elif offset <= len(held):
            held = held[:offset] + text if offset + len(text) > len(held) else held
        # offset beyond what is held: a gap; the resync on the next connection sends the whole file
        self.texts[path] = held
        if event.get("done") and offset <= len(held) and path not in self.done:
            self.done.add(path)
            return True
        return False


class StreamStopped(Exception):
    """The stream stopped before the end: refused (``status``), rate limited, or gave up."""

    def __init__(self, message: str, status: int = 0, retry_after: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


@dataclass
class Follower:
    """Follows one generation until its terminal event. Callbacks: ``on_event(data)`` for each new
    progress event (and the ``connected`` snapshot), ``on_file(event)``, ``on_wait(attempt, delay,
    reason)`` before a reconnect."""

    api: Api
    generation_id: str
    on_event: Callable[[dict[str, Any]], None]
    on_file: Callable[[dict[str, Any]], None] = lambda _event: None
    on_wait: Callable[[int, float, str], None] = lambda _attempt, _delay, _reason: None
    base_delay: float = BASE_DELAY_SECONDS
    last_event_id: int | None = None
    retries: int = 0
    token_requests: int = 0

    async def run(self) -> dict[str, Any] | None:
        """The terminal event's data; None when the generation had already ended (read it with GET)."""
        while True:
            self.token_requests += 1
            try:
                grant = await self.api.request(
                    "POST", f"/api/generations/generate/{self.generation_id}/stream-token"
                )
            except ApiError as exc:
                if exc.status == 400:
                    return None  # failed, cancelled or completed already: nothing to stream
                if exc.status == 429:
                    wait = f" (retry after {exc.retry_after} s)" if exc.retry_after else ""
                    raise StreamStopped(f"{exc.detail}{wait}", 429, exc.retry_after) from None
                if 400 < exc.status < 500:
                    raise StreamStopped(exc.detail, exc.status) from None
                reason = exc.detail  # the server is down or failing: worth retrying
            else:
                terminal, reason = await self._read(grant)
                if terminal is not None:
                    return terminal
            await self._wait(reason)

    async def _read(self, grant: dict[str, Any]) -> tuple[dict[str, Any] | None, str]:
        headers = dict(self.api.headers)
        if self.last_event_id is not None:
            headers["Last-Event-ID"] = str(self.last_event_id)
        timeout = aiohttp.ClientTimeout(total=None, sock_connect=10, sock_read=READ_TIMEOUT_SECONDS)
        try:
            async with self.api.session.get(
                self.api.url(grant["stream_url"]), params={"token": grant["sse_token"]},
                headers=headers, timeout=timeout,
            ) as response:
                if response.status != 200:
                    return None, f"The server refused the stream ({response.status})."
                async for message in read_messages(response.content):
                    if message.event == "file":
                        self.on_file(orjson.loads(message.data))
                    elif message.event == "reconnect":
                        return None, "The server ended the stream early."
                    elif message.event == "message":
                        terminal = self._take(message)
                        if terminal is not None:
                            return terminal, ""
        except (aiohttp.ClientError, TimeoutError, orjson.JSONDecodeError) as exc:
            return None, f"The connection to the server was lost ({type(exc).__name__})."
        return None, "The connection to the server was lost."

    def _take(self, message: SseMessage) -> dict[str, Any] | None:
        data = orjson.loads(message.data)
        if not isinstance(data, dict):
            return None
        if data.get("stage") == "connected":
            # a snapshot of the generation, outside the numbered sequence
            self.on_event(data)
        else:
            if message.id is not None and message.id.isdigit():
                event_id = int(message.id)
                if self.last_event_id is not None and event_id <= self.last_event_id:
                    return None  # seen already
                self.last_event_id = event_id
            self.retries = 0  # a good event: the connection works
            self.on_event(data)
        return data if data.get("status") in TERMINAL else None

    async def _wait(self, reason: str) -> None:
        if self.retries >= MAX_RETRIES:
            raise StreamStopped(f"{reason} Gave up after {MAX_RETRIES} attempts to reconnect.")
        self.retries += 1
        delay = backoff_delay(self.retries, self.base_delay)
        self.on_wait(self.retries, delay, reason)
        await asyncio.sleep(delay)
