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
# live file deltas (codegen/engine/live.py): named `file` events, never rows
FILES_CHANNEL: Final = "codegen_files"
HEALTH_CHECK_SECONDS: Final = 5.0
# the most a worker in another process waits to hear of a new generation (this process's worker
# is woken at once); one NOTIFY per interval however many creates arrive
ANNOUNCE_INTERVAL: Final = 0.01
# kept short: after a database outage the LISTEN connection (and with it live streams) is back
# at most this long after the database is
RECONNECT_MAX_DELAY: Final = 1.0


@dataclass(frozen=True, slots=True)
class StreamEvent:
    seq: int
    frame: bytes  # the complete SSE message: "id: …\ndata: …\n\n"
    status: str
    terminal: bool
    # the frame as one HTTP/1.1 chunk, framed once per event for every subscriber that writes it directly
    chunk: bytes


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
# files this stream follows changed (the paths are in ``Subscription.dirty_files``): send their deltas
FILES: Final = _Marker("FILES")


def _deliver(callback: Callable[..., object], *args: object, generation_id: str | None = None) -> None:
    """Hand a notification to one listener. A listener that raises (only a bug of ours can) is logged and
    skipped: the others (every other stream, the worker's cancel watch) still get the notification, and
    nothing is raised into asyncpg's callback."""
    try:
        callback(*args)
    except Exception:
        log.exception("a notification listener failed", extra={"generation_id": generation_id})


def make_event(seq: int, payload: str) -> StreamEvent:
    status = orjson.loads(payload)["status"]
    frame = b"id: %d\ndata: %s\n\n" % (seq, payload.encode())
    return StreamEvent(
        seq=seq, frame=frame, status=status, terminal=lifecycle.is_terminal(status),
        chunk=b"%x\r\n%s\r\n" % (len(frame), frame),
    )


class Subscription:
    """One stream's inbox: events in order, and markers; at most ``maxsize`` waiting.

    Kept small (a list made on first use and one future while the reader waits, not an
    asyncio.Queue), since a process holds thousands. Its reader may also lend a ``direct``
    writer while it waits with nothing queued: a live event then goes straight to the client
    from the bus's callback (no task switch), when the writer accepts it; anything it declines
    (a gap, a full socket) is queued as before.
    """

    __slots__ = ("closed", "direct", "dirty_files", "generation_id", "items", "maxsize", "waiter")

    def __init__(self, generation_id: str, maxsize: int) -> None:
        self.generation_id = generation_id
        self.maxsize = maxsize
        self.items: list[StreamEvent | _Marker] | None = None
        self.waiter: asyncio.Future[None] | None = None
        self.closed = False
        self.direct: Callable[[StreamEvent], bool] | None = None
        # paths of live files changed since this stream last sent them; one FILES marker wakes it
        self.dirty_files: set[str] | None = None

    def file_changed(self, path: str) -> None:
        """A live file changed: coalesced, so a slow reader costs one set entry per path, not a queue slot per delta."""
        dirty = self.dirty_files
        if dirty is None:
            dirty = self.dirty_files = set()
        if not dirty:
            # (a reader whose queue overflows still finds the paths here when it resyncs)
            self.offer(FILES)
        dirty.add(path)

    def close_callback(self, _done: object) -> None:
        """A done-callback that ends the stream (its reader wakes on CLOSE)."""
        self.offer(CLOSE)

    def take_dirty_files(self) -> set[str]:
        dirty, self.dirty_files = self.dirty_files or set(), None
        return dirty

    def offer(self, item: StreamEvent | _Marker) -> None:
        if item is CLOSE:
            self.closed = True
        elif (
            self.direct is not None and type(item) is StreamEvent and not self.items
            and self.direct(item) and not item.terminal
        ):
            return
        # (a terminal event written directly is queued too: the reader wakes, finds it sent, ends the stream)
        items = self.items
        if items is None:
            items = self.items = []
        if len(items) < self.maxsize:
            items.append(item)
        else:
            # never wait on a slow reader: drop its buffer; it catches up from the table
            items.clear()
            items.append(CLOSE if self.closed else RESYNC)
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def get(self) -> StreamEvent | _Marker:
        if self.closed:
            return CLOSE
        while not self.items:
            self.waiter = asyncio.get_running_loop().create_future()
            try:
                await self.waiter
            finally:
                self.waiter = None
        item = self.items.pop(0)  # type: ignore[union-attr]
        return CLOSE if self.closed else item


class EventBus:
    def __init__(self, dsn: str, *, queue_size: int = 256) -> None:
        self._dsn = dsn
        self._queue_size = queue_size
        self._topics: dict[str, set[Subscription]] = {}
        self._event_listeners: list[Callable[[str, StreamEvent], None]] = []
        self._queue_listeners: list[Callable[[], None]] = []
        self._file_listeners: list[Callable[[str], None]] = []
        self._resync_listeners: list[Callable[[], None]] = []
        self._task: asyncio.Task[None] | None = None
        self._conn: asyncpg.Connection | None = None
        self.connected = asyncio.Event()
        self.reconnects = 0
        # set by close_all(): streams ending now tell their clients to reconnect elsewhere
        self.closing = False
        # queue wake-ups go out on a connection of their own, opened on first use
        self._notify_conn: asyncpg.Connection | None = None
        self._announce_wanted = False
        self._announcer: asyncio.Task[None] | None = None

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

    def on_event(self, callback: Callable[[str, StreamEvent], None]) -> None:
        """Call ``callback(generation_id, event)`` for every event (the worker watches for cancels)."""
        self._event_listeners.append(callback)

    def on_queue(self, callback: Callable[[], None]) -> None:
        """Call ``callback()`` when a generation is queued."""
        self._queue_listeners.append(callback)

    def on_files(self, callback: Callable[[str], None]) -> None:
        """Call ``callback(payload)`` for every notification on the live files channel."""
        self._file_listeners.append(callback)

    def on_resync(self, callback: Callable[[], None]) -> None:
        """Call ``callback()`` after the LISTEN connection came back (notifications may have been missed)."""
        self._resync_listeners.append(callback)

    def announce_queued(self) -> None:
        """A generation was just queued and its transaction committed: wake the workers.

        This process's worker is woken at once; every other process by a NOTIFY on the queue
        channel sent afterwards on a connection of the bus's own (asynchronous commit: a wake-up
        has nothing to make durable), coalesced: at most one every ANNOUNCE_INTERVAL, however
        many creates arrive. The NOTIFY stays out of the creating transaction on purpose: PostgreSQL
        serialises the commits of all transactions that NOTIFY (one lock, held through the
        WAL flush), which capped creates at one disk flush each (docs/performance.md).
        """
        for callback in self._queue_listeners:
            _deliver(callback)
        self._announce_wanted = True
        if self._announcer is None or self._announcer.done():
            self._announcer = asyncio.get_running_loop().create_task(self._announce(), name="queue-announcer")

    async def _announce(self) -> None:
        while self._announce_wanted:
            self._announce_wanted = False
            try:
                conn = self._notify_conn
                if conn is None or conn.is_closed():
                    conn = self._notify_conn = await asyncpg.connect(self._dsn, timeout=HEALTH_CHECK_SECONDS)
                    # this session writes nothing that must survive a crash: it only sends wake-ups
                    await conn.execute("SET synchronous_commit = off")
                await conn.execute("SELECT pg_notify($1, '')", QUEUE_CHANNEL, timeout=HEALTH_CHECK_SECONDS)
                # creates arriving meanwhile are announced together, at most ANNOUNCE_INTERVAL apart
                await asyncio.sleep(ANNOUNCE_INTERVAL)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as exc:
                # the other workers find the generation by polling (and all are woken when the bus reconnects)
                log.warning("could not announce a queued generation", extra={"error": str(exc)})
                if self._notify_conn is not None:
                    self._notify_conn.terminate()
                    self._notify_conn = None
                return

    # -- the LISTEN connection ----------------------------------------------

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="event-bus")
        # the first connection is made before the app serves, so no early event is missed
        await asyncio.wait_for(self.connected.wait(), timeout=30)

    async def stop(self) -> None:
        if self._announcer is not None:
            self._announcer.cancel()
            await asyncio.gather(self._announcer, return_exceptions=True)
            self._announcer = None
        if self._notify_conn is not None:
            self._notify_conn.terminate()
            self._notify_conn = None
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
            except Exception as exc:  # noqa: BLE001 - the bus outlives any failure (a database outage above all)
                log.warning("event bus cannot connect; retrying", extra={"error": str(exc), "delay": delay})
                await asyncio.sleep(delay)
                delay = min(delay * 2, RECONNECT_MAX_DELAY)
                continue
            try:
                conn.add_termination_listener(lambda _c: lost.done() or lost.set_result(None))
                await conn.add_listener(EVENTS_CHANNEL, self._on_event_notification)
                await conn.add_listener(QUEUE_CHANNEL, self._on_queue_notification)
                await conn.add_listener(FILES_CHANNEL, self._on_files_notification)
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
            except Exception:  # pragma: no cover - only a bug (ours, asyncpg's) raises anything else; logged
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
        for generation_id, subscribers in self._topics.items():
            for subscription in tuple(subscribers):
                _deliver(subscription.offer, RESYNC, generation_id=generation_id)
        for callback in (*self._queue_listeners, *self._resync_listeners):
            _deliver(callback)

    def _on_event_notification(self, _conn: object, _pid: int, _channel: str, payload: str) -> None:
        generation_id, seq, data = payload.split(":", 2)
        subscribers = self._topics.get(generation_id)
        if not subscribers and not self._event_listeners:
            return
        event = make_event(int(seq), data)
        for subscription in tuple(subscribers or ()):
            _deliver(subscription.offer, event, generation_id=generation_id)
        for callback in self._event_listeners:
            _deliver(callback, generation_id, event, generation_id=generation_id)

    def _on_queue_notification(self, _conn: object, _pid: int, _channel: str, _payload: str) -> None:
        for callback in self._queue_listeners:
            _deliver(callback)

    def _on_files_notification(self, _conn: object, _pid: int, _channel: str, payload: str) -> None:
        for callback in self._file_listeners:
            _deliver(callback, payload)
