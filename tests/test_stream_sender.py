"""One stream's sender (api/streams.py ``_Sender``) with the test as the worker.

The server has no worker: the test writes the generation's events to the table and announces them with
NOTIFY, as the engine does, and also what the engine never sends in that order (a repeat, an event ahead
of one still unannounced, a terminal event whose predecessors the table no longer holds, events the bus
missed), to watch the order checks of both ways an event goes out: written straight to the socket from
the bus's callback while the stream's task waits (``_direct``), and written by that task (``follow``).
"""

from __future__ import annotations

import asyncio
import re
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import asyncpg
import pytest

from codegen import appkeys
from codegen.api import streams
from codegen.api.streams import DIRECT_WRITE_MAX_BUFFER
from tests.conftest import Server, ServerFactory
from tests.faults import blocked_backend, table_locked
from tests.helpers import ApiClient, SseEvent, read_events, wait_until

pytestmark = pytest.mark.database


class Reader:
    """A stream's numbered events and its ``file`` events, read in the background."""

    def __init__(self, response) -> None:
        self.events: list[SseEvent] = []
        self.files: list[tuple[str, int, str, bool]] = []
        self._changed = asyncio.Condition()
        self.task = asyncio.create_task(self._read(response))

    async def _read(self, response) -> None:
        try:
            async for event in read_events(response, files=True):
                if event.event == "file":
                    data = event.data
                    self.files.append((data["path"], data["offset"], data["text"], data["done"]))
                else:
                    self.events.append(event)
                async with self._changed:
                    self._changed.notify_all()
        finally:
            async with self._changed:
                self._changed.notify_all()

    def ids(self) -> list[int | None]:
        return [event.id for event in self.events]

    async def until(self, predicate: Callable[[], bool]) -> None:
        async with asyncio.timeout(15):  # only a failure's bound
            async with self._changed:
                await self._changed.wait_for(lambda: self.task.done() or predicate())
        if not predicate():
            self.task.result()  # the stream broke: say how
            raise AssertionError(f"the stream ended with {self.ids()}")

    async def ended(self) -> list[SseEvent]:
        async with asyncio.timeout(15):  # only a failure's bound
            await self.task
        return self.events


@dataclass
class Followed:
    server: Server
    user: ApiClient
    generation_id: str
    written: int  # the last event the table held when the stream connected (its `connected` frame's id)
    reader: Reader

    async def waiting(self) -> None:
        """Until the stream's task waits for the next event with its direct writer lent (nothing in flight)."""
        bus = self.server.app[appkeys.BUS]

        async def idle() -> bool:
            subscriptions = bus._topics.get(self.generation_id, ())
            return bool(subscriptions) and all(s.waiter is not None and s.direct is not None for s in subscriptions)

        await wait_until(idle)


async def followed(server: Server, user: ApiClient, db_conn: asyncpg.Connection) -> Followed:
    """A new queued generation of ``user``'s on ``server`` (which has no worker), and a stream of it from its last
    event."""
    generation_id = (await user.generate())["id"]
    written = await db_conn.fetchval("SELECT last_event_seq FROM generations WHERE id = $1", uuid.UUID(generation_id))
    reader = Reader(await user.open_stream(generation_id, last_event_id=written))
    await reader.until(lambda: reader.ids() == [written])
    stream = Followed(server, user, generation_id, written, reader)
    await stream.waiting()
    return stream


async def record(conn: asyncpg.Connection, generation_id: str, seq: int, status: str = "processing",
                 stage: str = "generating", *, announce: bool = True) -> None:
    """Event ``seq`` as the engine records it: its row, then its NOTIFY (unless ``announce`` is False)."""
    gid = uuid.UUID(generation_id)
    if announce:
        await conn.fetchval("SELECT codegen_record_event($1, $2, $3, $4, 0.5, 'step')", gid, seq, status, stage)
    else:
        await conn.execute(
            "INSERT INTO generation_events (generation_id, seq, status, stage, progress, message, payload) "
            "VALUES ($1, $2, $3, $4, 0.5, 'step', codegen_event_payload($1, $3, $4, 0.5, 'step'))",
            gid, seq, status, stage,
        )


async def announce(conn: asyncpg.Connection, generation_id: str, seq: int, status: str = "processing",
                   stage: str = "generating") -> None:
    """Only the NOTIFY of event ``seq`` (no row)."""
    payload = await conn.fetchval(
        "SELECT codegen_event_payload($1, $2, $3, 0.5, 'step')", uuid.UUID(generation_id), status, stage
    )
    await conn.execute("SELECT pg_notify('codegen_events', $1)", f"{generation_id}:{seq}:{payload}")


@pytest.fixture
async def queue(make_server: ServerFactory) -> Server:
    return await make_server(worker=False, generate_rate_limit=0, stream_token_rate_limit=0)


async def test_an_early_or_repeated_event_reaches_the_client_once_and_in_order(queue, make_user, db_conn):
    stream = await followed(queue, await make_user(queue), db_conn)
    gid, n, reader = stream.generation_id, stream.written, stream.reader
    await record(db_conn, gid, n + 1)
    await reader.until(lambda: reader.ids()[-1] == n + 1)
    await stream.waiting()
    # n + 3 is announced while n + 2 is in the table but not announced yet: the stream sends n + 2 first
    await record(db_conn, gid, n + 2, announce=False)
    await record(db_conn, gid, n + 3)
    await reader.until(lambda: reader.ids()[-1] == n + 3)
    await stream.waiting()
    # NOTIFYs of events the client already holds (as after a replay that overtook them): never sent again
    await announce(db_conn, gid, n + 1)
    await announce(db_conn, gid, n + 2)
    await record(db_conn, gid, n + 4, "failed", "failed")
    events = await reader.ended()
    assert [event.id for event in events] == list(range(n, n + 5))
    assert [event.data["status"] for event in events[1:]] == ["processing"] * 3 + ["failed"]


async def test_a_resync_sends_what_the_bus_missed(queue, make_user, db_conn):
    stream = await followed(queue, await make_user(queue), db_conn)
    gid, n = stream.generation_id, stream.written
    # written while the bus heard nothing (its NOTIFYs lost with its connection): only the table has them
    await record(db_conn, gid, n + 1, announce=False)
    await record(db_conn, gid, n + 2, "failed", "failed", announce=False)
    bus = queue.app[appkeys.BUS]
    killed = await db_conn.fetchval(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
        "WHERE datname = current_database() AND query LIKE 'LISTEN%'"
    )
    assert killed >= 1
    events = await stream.reader.ended()
    assert bus.reconnects >= 1
    assert [(event.id, event.data["status"]) for event in events] == [
        (n, "pending"), (n + 1, "processing"), (n + 2, "failed")
    ]


async def test_a_terminal_event_whose_predecessors_are_gone_still_ends_the_stream(queue, make_user, db_conn):
    stream = await followed(queue, await make_user(queue), db_conn)
    gid, n = stream.generation_id, stream.written
    # as when the project is deleted with its generations: the table cannot fill the gap before the end
    await announce(db_conn, gid, n + 2, "cancelled", "cancelled")
    events = await stream.reader.ended()
    assert [(event.id, event.data["status"]) for event in events] == [(n, "pending"), (n + 2, "cancelled")]



async def test_an_event_that_comes_while_the_stream_fills_a_gap_is_kept_for_after_it(
    queue, make_user, db_conn, database_url
):
    """While the stream's task reads the table (the event table locked, for real), it lends no direct writer:
    the terminal event announced meanwhile waits in the stream's queue and goes out after what was read."""
    stream = await followed(queue, await make_user(queue), db_conn)
    other = await followed(queue, await make_user(queue), db_conn)
    gid, n = stream.generation_id, stream.written
    await record(db_conn, gid, n + 1, announce=False)
    await record(db_conn, gid, n + 2, announce=False)
    async with table_locked(database_url, "generation_events") as admin:
        await announce(db_conn, gid, n + 2)
        await blocked_backend(admin, "generation_events")
        await announce(db_conn, gid, n + 3, "failed", "failed")
        # NOTIFYs arrive in order: once the other stream's client has this one, the terminal event was offered
        await announce(db_conn, other.generation_id, other.written + 1)
        await other.reader.until(lambda: other.reader.ids()[-1] == other.written + 1)
    events = await stream.reader.ended()
    assert [(event.id, event.data["status"]) for event in events] == [
        (n, "pending"), (n + 1, "processing"), (n + 2, "processing"), (n + 3, "failed")
    ]

async def test_a_reconnect_event_names_the_status_of_the_last_event_sent_either_way(queue, make_user, db_conn):
    """The server stops after each stream sent a `processing` event: one written straight to the socket,
    one by the stream's task (after a gap it fills from the table). Each `reconnect` names that status,
    not the `pending` the stream found on connecting."""
    direct = await followed(queue, await make_user(queue), db_conn)
    by_task = await followed(queue, await make_user(queue), db_conn)
    await record(db_conn, direct.generation_id, direct.written + 1)
    await record(db_conn, by_task.generation_id, by_task.written + 1, announce=False)
    await record(db_conn, by_task.generation_id, by_task.written + 2)
    for stream, last in ((direct, direct.written + 1), (by_task, by_task.written + 2)):
        await stream.reader.until(lambda stream=stream, last=last: stream.reader.ids()[-1] == last)
    await queue.stop()
    for stream in (direct, by_task):
        final = (await stream.reader.ended())[-1]
        assert (final.event, final.data["status"]) == ("reconnect", "processing"), final


async def test_a_live_file_goes_out_as_its_start_then_tails_then_its_end_without_new_text(queue, make_user, db_conn):
    """Each change of a file this process writes reaches the stream as what the client lacks: a file begun
    empty, then only the new text at the offset the client holds, then its end even with no text added."""
    stream = await followed(queue, await make_user(queue), db_conn)
    reader = stream.reader
    writer = queue.app[appkeys.LIVE].writer(stream.generation_id, 1)
    try:
        expected = [("a.py", 0, "", False), ("a.py", 0, "abc", False), ("a.py", 3, "def", False), ("a.py", 6, "", True)]
        changes = [lambda: writer.begin("a.py"), lambda: writer.append("a.py", "abc"),
                   lambda: writer.append("a.py", "def"), lambda: writer.end("a.py")]
        for change, sent in zip(changes, expected, strict=True):
            change()
            await reader.until(lambda sent=sent: reader.files[-1:] == [sent])
        assert reader.files == expected
    finally:
        writer.close()


async def chunk(reader: asyncio.StreamReader) -> bytes:
    """One HTTP/1.1 chunk of a response body."""
    size = int((await reader.readuntil(b"\r\n"))[:-2], 16)
    return (await reader.readexactly(size + 2))[:-2]


async def small_buffered(server: Server) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A connection to ``server`` whose client end buffers little (a client that stops reading stalls soon)."""
    host, port = server.url.removeprefix("http://").split(":")
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.setblocking(False)
    await asyncio.get_running_loop().sock_connect(sock, (host, int(port)))
    return await asyncio.open_connection(sock=sock, limit=1024)


async def request_stream(server: Server, stream: Followed, reader: asyncio.StreamReader,
                         writer: asyncio.StreamWriter) -> asyncio.Transport:
    """Another stream of ``stream``'s generation on this connection, from the same event; the server's end of
    the connection, its send buffer made small too."""
    token = (await stream.user.stream_token(stream.generation_id)).body
    host = server.url.removeprefix("http://").split(":")[0]
    writer.write(f"GET {token['stream_url']}?token={token['sse_token']}&last_event_id={stream.written} HTTP/1.1\r\n"
                 f"Host: {host}\r\n\r\n".encode())
    await reader.readuntil(b"\r\n\r\n")
    [transport] = [handler.transport for handler in server.runner.server.connections
                   if handler.transport is not None
                   and handler.transport.get_extra_info("peername") == writer.get_extra_info("sockname")]
    transport.get_extra_info("socket").setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    return transport


async def events(db_conn: asyncpg.Connection, watcher: Followed, first: int, last: int) -> None:
    """Events first..last of about 1.2 KB, in one transaction (their NOTIFYs go out together, at the commit),
    until ``watcher``'s client, which reads, has the last: each was offered to the generation's other streams too."""
    await db_conn.execute(
        "SELECT codegen_record_event($1, s, 'processing', 'generating', 0.5, repeat('x', 1000)) "
        "FROM generate_series($2::int, $3::int) AS s", uuid.UUID(watcher.generation_id), first, last,
    )
    await watcher.reader.until(lambda: watcher.reader.ids()[-1] == last)


async def test_a_client_that_stops_reading_holds_a_bounded_buffer_and_then_gets_every_event(
    make_server, make_user, db_conn
):
    """Events go straight to the socket only while less than DIRECT_WRITE_MAX_BUFFER waits unsent; later ones
    queue for the stream's task, which waits for the client. Once the client reads again it has them all."""
    server = await make_server(worker=False, generate_rate_limit=0, stream_token_rate_limit=0, sse_queue_size=1000,
                               sse_ping_seconds=3600)
    watcher = await followed(server, await make_user(server), db_conn)
    n = watcher.written
    reader, writer = await small_buffered(server)
    ids: list[int] = []

    async def read_until(seq: int) -> None:
        async with asyncio.timeout(15):  # only a failure's bound
            while not ids or ids[-1] != seq:
                ids.extend(int(i) for i in re.findall(rb"^id: (\d+)$", await chunk(reader), re.M))

    try:
        transport = await request_stream(server, watcher, reader, writer)
        await read_until(n)
        await watcher.waiting()
        # one event at a time, each written straight to the socket, until more than the bound waits unsent
        seq = n
        while transport.get_write_buffer_size() <= DIRECT_WRITE_MAX_BUFFER:
            seq += 1
            assert seq < n + 1000, "the stalled client's buffer never filled"
            await events(db_conn, watcher, seq, seq)
        # the next is the task's to write: it reaches the client once it reads, though no event follows it
        await events(db_conn, watcher, seq + 1, seq + 1)
        await read_until(seq + 1)

        # stalled again, with 400 events at once: what waits unsent is the direct writes up to the bound, then
        # what the task wrote before it waited for the client
        last = seq + 401
        await events(db_conn, watcher, seq + 2, last)
        assert transport.get_write_buffer_size() < 3 * DIRECT_WRITE_MAX_BUFFER
        await read_until(last)
        assert ids == list(range(n, last + 1))
    finally:
        writer.close()


async def test_a_client_that_stops_reading_is_cut_off_after_the_send_timeout(make_server, make_user, db_conn,
                                                                             monkeypatch):
    """The stream's task waits SEND_TIMEOUT_SECONDS for a client that stopped reading, then aborts its connection
    and frees the stream: its buffers are not held for ever. The wait is shortened here once the stream is open
    (the kernel's own bound, TCP_USER_TIMEOUT, was set from it before, so it stays 30 s and is not what cuts)."""
    server = await make_server(worker=False, generate_rate_limit=0, stream_token_rate_limit=0, sse_queue_size=1000,
                               sse_ping_seconds=3600)
    watcher = await followed(server, await make_user(server), db_conn)
    reader, writer = await small_buffered(server)
    try:
        transport = await request_stream(server, watcher, reader, writer)
        await watcher.waiting()
        monkeypatch.setattr(streams, "SEND_TIMEOUT_SECONDS", 0.5)
        # more than the direct writes and the task's unwaited writes hold: the task waits for the client
        await events(db_conn, watcher, watcher.written + 1, watcher.written + 400)
        bus = server.app[appkeys.BUS]
        # the connection is aborted, its buffer dropped (a close would keep it until the client takes it), and the
        # stream freed
        await wait_until(lambda: _true(transport.is_closing() and transport.get_write_buffer_size() == 0
                                       and bus.subscriber_count() == 1))
    finally:
        writer.close()


async def _true(value: bool) -> bool:
    return value
