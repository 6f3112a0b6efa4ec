"""The event bus: one LISTEN connection per process, fanning events out to subscribers.

Each progress event is committed as a row and announced with ``pg_notify``
(see ``codegen_record_event``). The notification carries the SSE data line,
so a frame is encoded once per event and shared by every subscriber. A
subscriber whose buffer is full is never waited on: its buffer is replaced by
a RESYNC marker and it catches up from the event table. When the LISTEN
connection drops, the bus reconnects and tells every subscriber to resync, so
nothing is lost; subscribers drop what they have already sent, so nothing is
duplicated.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Final

import asyncpg
import orjson

from codegen import lifecycle

log = logging.getLogger(__name__)

EVENTS_CHANNEL: Final = "codegen_events"
QUEUE_CHANNEL: Final = "codegen_queue"
HEALTH_CHECK_SECONDS: Final = 5.0
# kept short: after a database outage the LISTEN connection (and with it live streams) is back
# at most this long after the database is
RECONNECT_MAX_DELAY: Final = 1.0


@dataclass(frozen=True, slots=True)
class StreamEvent:
    seq: int
    frame: bytes  # the complete SSE message: "id: …\ndata: …\n\n"
    status: str

    @property
    def terminal(self) -> bool:
        return lifecycle.is_terminal(self.status)


class _Marker:
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


# the subscriber must catch up from the event table
RESYNC: Final = _Marker("RESYNC")
# the stream must end now (the server is shutting down, or its client went away)
CLOSE: Final = _Marker("CLOSE")


def make_event(seq: int, payload: str) -> StreamEvent:
    status = orjson.loads(payload)["status"]
    return StreamEvent(seq=seq, frame=b"id: %d\ndata: %s\n\n" % (seq, payload.encode()), status=status)


class Subscription:
    __slots__ = ("generation_id", "queue", "closed")

    def __init__(self, generation_id: str, maxsize: int) -> None:
        self.generation_id = generation_id
        self.queue: asyncio.Queue[StreamEvent | _Marker] = asyncio.Queue(maxsize)
        self.closed = False

    def offer(self, item: StreamEvent | _Marker) -> None:
        if item is CLOSE:
            self.closed = True
        try:
            self.queue.put_nowait(item)
        except asyncio.QueueFull:
            # never wait on a slow reader: drop its buffer; it catches up from the table
            while not self.queue.empty():
                self.queue.get_nowait()
            self.queue.put_nowait(CLOSE if self.closed else RESYNC)

    async def get(self) -> StreamEvent | _Marker:
        if self.closed:
            return CLOSE
        item = await self.queue.get()
        return CLOSE if self.closed else item


class EventBus:
    def __init__(self, dsn: str, *, queue_size: int = 256) -> None:
        self._dsn = dsn
        self._queue_size = queue_size
        self._topics: dict[str, set[Subscription]] = {}
        self._event_listeners: list[Callable[[str, StreamEvent], None]] = []
        self._queue_listeners: list[Callable[[], None]] = []
        self._task: asyncio.Task[None] | None = None
        self._conn: asyncpg.Connection | None = None
        self.connected = asyncio.Event()
        self.reconnects = 0
        # set by close_all(): streams ending now tell their clients to reconnect elsewhere
        self.closing = False

    # -- subscribers -------------------------------------------------------

    @contextmanager
    def subscribe(self, generation_id: str) -> Iterator[Subscription]:
        subscription = Subscription(generation_id, self._queue_size)
        self._topics.setdefault(generation_id, set()).add(subscription)
        try:
            yield subscription
        finally:
            subscribers = self._topics.get(generation_id)
            if subscribers is not None:
                subscribers.discard(subscription)
                if not subscribers:
                    del self._topics[generation_id]

    def close_all(self) -> None:
        """End every open stream at once (shutdown)."""
        self.closing = True
        for subscribers in self._topics.values():
            for subscription in subscribers:
                subscription.offer(CLOSE)

    def subscriber_count(self) -> int:
        return sum(len(s) for s in self._topics.values())

    def topic_count(self) -> int:
        return len(self._topics)

    def on_event(self, callback: Callable[[str, StreamEvent], None]) -> None:
        """Call ``callback(generation_id, event)`` for every event (the worker watches for cancels)."""
        self._event_listeners.append(callback)

    def on_queue(self, callback: Callable[[], None]) -> None:
        """Call ``callback()`` when a generation is queued."""
        self._queue_listeners.append(callback)

    # -- the LISTEN connection ----------------------------------------------

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="event-bus")
        # the first connection is made before the app serves, so no early event is missed
        await asyncio.wait_for(self.connected.wait(), timeout=30)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _run(self) -> None:
        delay = 0.1
        first = True
        while True:
            lost = asyncio.get_running_loop().create_future()
            try:
                conn = await asyncpg.connect(self._dsn, timeout=10)
            except Exception as exc:  # the bus outlives any failure (a database outage above all)
                log.warning("event bus cannot connect; retrying", extra={"error": str(exc), "delay": delay})
                await asyncio.sleep(delay)
                delay = min(delay * 2, RECONNECT_MAX_DELAY)
                continue
            try:
                conn.add_termination_listener(lambda _c: lost.done() or lost.set_result(None))
                await conn.add_listener(EVENTS_CHANNEL, self._on_event_notification)
                await conn.add_listener(QUEUE_CHANNEL, self._on_queue_notification)
                self._conn = conn
                self.connected.set()
                delay = 0.1
                if not first:
                    self.reconnects += 1
                    log.info("event bus reconnected; subscribers resync", extra={"subscribers": self.subscriber_count()})
                    self._resync_all()
                first = False
                await self._watch(conn, lost)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as exc:
                log.warning("event bus connection lost", extra={"error": str(exc)})
            except Exception:
                log.exception("event bus connection failed unexpectedly; reconnecting")
                await asyncio.sleep(delay)
            finally:
                self.connected.clear()
                self._conn = None
                conn.terminate()

    async def _watch(self, conn: asyncpg.Connection, lost: asyncio.Future[None]) -> None:
        """Return when the connection is gone (or stops answering)."""
        while not lost.done():
            await asyncio.wait([lost], timeout=HEALTH_CHECK_SECONDS)
            if not lost.done():
                await conn.execute("SELECT 1", timeout=HEALTH_CHECK_SECONDS)

    def _resync_all(self) -> None:
        for subscribers in self._topics.values():
            for subscription in subscribers:
                subscription.offer(RESYNC)
        for callback in self._queue_listeners:
            callback()

    def _on_event_notification(self, _conn: object, _pid: int, _channel: str, payload: str) -> None:
        generation_id, seq, data = payload.split(":", 2)
        subscribers = self._topics.get(generation_id)
        if not subscribers and not self._event_listeners:
            return
        event = make_event(int(seq), data)
        for subscription in tuple(subscribers or ()):
            subscription.offer(event)
        for callback in self._event_listeners:
            callback(generation_id, event)

    def _on_queue_notification(self, _conn: object, _pid: int, _channel: str, _payload: str) -> None:
        for callback in self._queue_listeners:
            callback()
