"""How a process puts together the live files of a generation written elsewhere (its mirror), and the writer's
edge cases: against a real server's stream (HTTP) and real NOTIFY payloads and checkpoints (PostgreSQL).

The payloads are sent here as another process's writer would send them (``codegen.engine.live_payloads``);
what is asserted is what the stream's client holds, by the contract's rules (``Assembled`` fails on a
delta past what the client has). An ignored delta is followed by a sentinel delta of another file in the
same payload: once the client has the sentinel, the ignored one has been handled.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import pytest

from codegen import appkeys
from codegen.engine import live as live_module
from codegen.engine.bus import FILES_CHANNEL
from codegen.engine.live_payloads import payloads_for
from codegen.generators.base import GeneratedFile
from codegen.store import live as live_store
from tests.helpers import ApiClient, read_events, wait_until
from tests.test_live_files import Assembled

pytestmark = pytest.mark.database

ELSEWHERE = "elsewhere123"  # the sender id of the other process's hub


class Client:
    """A stream's client, reading ``file`` events into ``files`` in the background."""

    def __init__(self, response: Any) -> None:
        self.files = Assembled()
        self._changed = asyncio.Condition()
        self._task = asyncio.create_task(self._read(response))

    async def _read(self, response: Any) -> None:
        async for event in read_events(response, files=True):
            if event.event == "file":
                self.files.apply(event.data)
                async with self._changed:
                    self._changed.notify_all()

    async def until(self, predicate: Callable[[], bool]) -> None:
        async with asyncio.timeout(15):
            async with self._changed:
                await self._changed.wait_for(lambda: self._task.done() or predicate())
        if self._task.done():
            self._task.result()  # the stream broke or a contract check failed: say so
            raise AssertionError("the stream ended before the client had what it waited for")

    def has(self, path: str, text: str) -> Callable[[], bool]:
        return lambda: self.files.files.get(path) == text

    def close(self) -> None:
        self._task.cancel()


async def mirrored(make_server, http) -> tuple[Any, str, Client]:
    """A server without a worker, a queued generation of a new user's, and a stream of it (the mirror loaded)."""
    server = await make_server(worker=False)
    api = ApiClient(http, server.url)
    await api.sign_up()
    generation_id = (await api.generate())["id"]
    client = Client(await api.open_stream(generation_id))
    hub = server.app[appkeys.LIVE]

    async def loaded() -> bool:
        generation = hub.generations.get(generation_id)
        return generation is not None and generation.loaded and generation.loading is None

    await wait_until(loaded)
    return server, generation_id, client


async def followed_elsewhere(make_server, http) -> tuple[Any, str, Client]:
    """Two servers: the writer's live hub, a queued generation, and a stream of it on the other server that the
    writer knows is following it."""
    writer_server = await make_server(worker=False)
    reader_server = await make_server(worker=False)
    api = ApiClient(http, writer_server.url)
    await api.sign_up()
    gid = (await api.generate())["id"]
    hub = writer_server.app[appkeys.LIVE]
    client = Client(await api.for_server(reader_server.url).open_stream(gid))
    await wait_until(lambda: _true(hub.followed_elsewhere(gid)))
    return hub, gid, client


async def notify(conn: asyncpg.Connection, *, deltas: list[list[Any]] = (), marks: list[str] = ()) -> None:
    for payload in payloads_for(ELSEWHERE, list(deltas), list(marks)):
        await conn.execute("SELECT pg_notify($1, $2)", FILES_CHANNEL, payload)


async def checkpoint(server: Any, generation_id: str, rows: list[tuple[int, str, int, str, bool]]) -> None:
    """Checkpoints of another process's writer (attempt, path, version, text, done), then its mark."""
    checkpoints = [live_store.Checkpoint(generation_id, path, attempt, version, text, done)
                   for attempt, path, version, text, done in rows]
    await live_store.flush(server.app[appkeys.DB], checkpoints, payloads_for(ELSEWHERE, [], [generation_id]))


@asynccontextmanager
async def checkpoints_locked(database_url: str) -> AsyncIterator[None]:
    """The checkpoints table locked (a slow read, for real): a mirror's load waits until the block ends."""
    conn = await asyncpg.connect(database_url)
    transaction = conn.transaction()
    await transaction.start()
    try:
        await conn.execute("LOCK TABLE live_file_checkpoints IN ACCESS EXCLUSIVE MODE")
        yield
    finally:
        await transaction.rollback()
        await conn.close()


async def a_load_waits(conn: asyncpg.Connection) -> None:
    """Until a read of the checkpoints waits for the lock."""
    async def waiting() -> bool:
        return await conn.fetchval(
            "SELECT count(*) > 0 FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND query LIKE '%live_file_checkpoints%' AND pid <> pg_backend_pid()"
        )

    await wait_until(waiting)


async def test_a_gap_and_late_deltas_are_never_shown_and_the_checkpoint_fills_them(make_server, http, db_conn):
    server, gid, client = await mirrored(make_server, http)
    generation = server.app[appkeys.LIVE].generations[gid]
    await notify(db_conn, deltas=[[gid, 1, "a.py", 1, 0, "abc", False]])
    await client.until(client.has("a.py", "abc"))

    # a delta past the text (the ones before it were missed), then one after it: the file waits, behind
    await notify(db_conn, deltas=[
        [gid, 1, "a.py", 1, 10, "zzz", False], [gid, 1, "a.py", 1, 3, "def", False], [gid, 1, "s1.py", 1, 0, "1", False],
    ])
    await client.until(client.has("s1.py", "1"))
    assert client.files.files["a.py"] == "abc" and generation.files["a.py"].text == "abc"
    assert generation.behind == {"a.py"}

    # attempt 2 starts every file again; then a late delta of attempt 1, an older version of attempt 2,
    # and a new version that does not start at 0 (its start was missed)
    await notify(db_conn, deltas=[
        [gid, 2, "c.py", 1, 0, "two", False],
        [gid, 1, "c.py", 1, 3, " stale attempt", False],
        [gid, 2, "c.py", 0, 0, "an older version", False],
        [gid, 2, "d.py", 1, 4, "tail", False],
        [gid, 2, "s2.py", 1, 0, "2", False],
    ])
    await client.until(client.has("s2.py", "2"))
    assert client.files.files["a.py"] == "" and client.files.files["c.py"] == "two"
    assert "d.py" not in client.files.files
    assert generation.behind == {"d.py"}

    # the writer's next checkpoint: the behind file is read whole, the other extended from it
    await checkpoint(server, gid, [(2, "c.py", 1, "two and more", True), (2, "d.py", 1, "d in full", True)])
    await client.until(lambda: client.files.files.get("d.py") == "d in full" and client.files.done.get("c.py"))
    assert client.files.files["c.py"] == "two and more"
    assert not generation.behind
    client.close()


async def test_a_load_skips_checkpoints_older_than_the_mirror(make_server, http, db_conn):
    server, gid, client = await mirrored(make_server, http)
    generation = server.app[appkeys.LIVE].generations[gid]
    await notify(db_conn, deltas=[[gid, 2, "a.py", 3, 0, "fresh", False], [gid, 2, "b.py", 1, 7, "gap", False]])
    await client.until(client.has("a.py", "fresh"))
    assert generation.behind == {"b.py"}

    # the checkpoints the mirror reloads from are still attempt 1's: nothing of them is taken
    await checkpoint(server, gid, [(1, "b.py", 1, "attempt one's b", True)])
    await notify(db_conn, deltas=[[gid, 2, "s1.py", 1, 0, "1", False]])
    await client.until(client.has("s1.py", "1"))
    await wait_until(lambda: _true(generation.loading is None))
    assert "b.py" not in client.files.files and generation.behind == {"b.py"}

    # attempt 2's: an older version of a.py than the mirror's is skipped, b.py is taken
    await checkpoint(server, gid, [(2, "a.py", 2, "an older version", False), (2, "b.py", 1, "b, whole", True)])
    await client.until(client.has("b.py", "b, whole"))
    assert client.files.files["a.py"] == "fresh" and generation.files["a.py"].version == 3
    client.close()


async def test_deltas_that_arrive_during_a_load_are_applied_after_it(make_server, http, db_conn, database_url):
    server, gid, client = await mirrored(make_server, http)
    generation = server.app[appkeys.LIVE].generations[gid]
    await notify(db_conn, deltas=[[gid, 1, "a.py", 1, 5, "gap", False], [gid, 1, "s.py", 1, 0, "s", False]])
    await client.until(client.has("s.py", "s"))
    assert generation.behind == {"a.py"}
    await live_store.flush(server.app[appkeys.DB], [live_store.Checkpoint(gid, "a.py", 1, 1, "a, whole", False)], [])

    async with checkpoints_locked(database_url):
        await notify(db_conn, marks=[gid])  # the mirror reloads; its read waits for the lock
        await a_load_waits(db_conn)
        # held until the load ends; a second mark during the load asks for another read after it (a mark's
        # rows hold every delta sent before it: here no checkpoint came with it, so the held delta is another file's)
        await notify(db_conn, deltas=[[gid, 1, "h.py", 1, 0, "held", False]])
        await notify(db_conn, marks=[gid])
        await wait_until(lambda: _true(len(generation.held) == 1 and generation.reload))
        assert "h.py" not in client.files.files
    await client.until(lambda: client.files.files.get("a.py") == "a, whole")
    await client.until(client.has("h.py", "held"))
    await wait_until(lambda: _true(generation.loading is None))
    assert not generation.held and not generation.behind
    client.close()


async def test_a_writer_that_starts_while_the_mirror_loads_keeps_its_text(make_server, http, db_conn, database_url):
    server = await make_server(worker=False)
    api = ApiClient(http, server.url)
    await api.sign_up()
    gid = (await api.generate())["id"]
    hub = server.app[appkeys.LIVE]
    # another process checkpointed attempt 1; this process takes the generation over as attempt 2
    await live_store.flush(server.app[appkeys.DB], [live_store.Checkpoint(gid, "old.py", 1, 1, "attempt one", True)], [])
    async with checkpoints_locked(database_url):
        stream = asyncio.create_task(api.open_stream(gid))  # its mirror's first load waits for the lock
        await a_load_waits(db_conn)
        writer = hub.writer(gid, 2)
        writer.begin("new.py")
        writer.append("new.py", "attempt two\n")
    client = Client(await stream)
    await client.until(client.has("new.py", "attempt two\n"))
    await wait_until(lambda: _true(hub.generations[gid].loading is None))
    # the load found the writer there and took nothing of attempt 1
    assert "old.py" not in client.files.files and set(hub.generations[gid].files) == {"new.py"}
    writer.close()
    client.close()


async def test_the_mirror_reloads_after_the_bus_reconnects(make_server, http, db_conn):
    server, gid, client = await mirrored(make_server, http)
    bus = server.app[appkeys.BUS]
    await notify(db_conn, deltas=[[gid, 1, "a.py", 1, 0, "abc", False]])
    await client.until(client.has("a.py", "abc"))
    # a checkpoint whose mark the mirror never hears (sent before the bus is cut, with no payload)
    await live_store.flush(server.app[appkeys.DB], [live_store.Checkpoint(gid, "a.py", 1, 1, "abcdef", True)], [])
    reconnects = bus.reconnects
    assert await db_conn.fetchval("SELECT pg_terminate_backend($1)", bus._conn.get_server_pid())
    await client.until(lambda: client.files.files.get("a.py") == "abcdef" and client.files.done.get("a.py"))
    assert bus.reconnects == reconnects + 1
    client.close()


async def test_a_payload_that_is_not_json_is_dropped_and_the_next_one_applies(make_server, http, db_conn):
    server, gid, client = await mirrored(make_server, http)
    await db_conn.execute("SELECT pg_notify($1, $2)", FILES_CHANNEL, "{not json")
    await notify(db_conn, deltas=[[gid, 1, "a.py", 1, 0, "after", True]])
    await client.until(client.has("a.py", "after"))
    assert set(server.app[appkeys.LIVE].generations[gid].files) == {"a.py"}
    client.close()


async def test_a_flush_that_fails_sends_the_lost_checkpoint_again(make_server, http, db_conn, database_url, caplog):
    """The writer's flush waits on a lock (sync gives up after SYNC_TIMEOUT_SECONDS), then its connection is
    cut: the checkpoint it carried is sent again at the next flush, and the other process converges."""
    hub, gid, client = await followed_elsewhere(make_server, http)
    writer = hub.writer(gid, 1)
    writer.begin("a.py")
    writer.append("a.py", "first\n")
    await client.until(client.has("a.py", "first\n"))

    async with checkpoints_locked(database_url):
        # the result settled: the next flush carries a.py's checkpoint (due at once)
        writer.settle([GeneratedFile(path="a.py", content="first\nsecond\n")])
        syncing = asyncio.create_task(writer.sync())
        await a_load_waits(db_conn)  # the flush, waiting for the lock
        pid = await db_conn.fetchval(
            "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND query LIKE '%INSERT INTO live_file_checkpoints%' AND pid <> pg_backend_pid()"
        )
        await syncing  # gave up waiting (logged); the result would commit anyway
        assert client.files.files["a.py"] == "first\n"
        assert await db_conn.fetchval("SELECT pg_terminate_backend($1)", pid)
        await wait_until(lambda: _true("live file deltas could not be sent" in caplog.text))
    stored = "SELECT text FROM live_file_checkpoints WHERE generation_id = $1::uuid AND path = 'a.py'"
    await wait_until(lambda: _text_is(db_conn, stored, gid, "first\nsecond\n"))
    # the reader missed "second"; the next delta is a gap it fills from that checkpoint
    writer.finish("a.py", "first\nsecond\nthird\n")
    await client.until(client.has("a.py", "first\nsecond\nthird\n"))
    assert client.files.done["a.py"]
    writer.close()
    client.close()


async def test_a_writer_stops_sending_once_nobody_elsewhere_said_it_follows(make_server, http, monkeypatch):
    """Interest lapses INTEREST_SECONDS after the last announcement (shortened here, under the re-announcement
    interval): the writer's next delta stays in this process."""
    monkeypatch.setattr(live_module, "INTEREST_SECONDS", 0.5)
    hub, gid, client = await followed_elsewhere(make_server, http)
    writer = hub.writer(gid, 1)
    writer.append("a.py", "sent\n")
    await client.until(client.has("a.py", "sent\n"))
    await wait_until(lambda: _true(not hub.followed_elsewhere(gid)))
    assert gid not in hub.interest
    writer.append("a.py", "kept here\n")
    # nothing queued for other processes, nothing to checkpoint: this process's streams have it all
    assert not any(delta[0] == gid for delta in hub._pending) and not hub.generations[gid].unsaved
    writer.close()
    client.close()


async def _text_is(conn: asyncpg.Connection, sql: str, gid: str, text: str) -> bool:
    return await conn.fetchval(sql, gid) == text


async def test_the_writer_s_edge_cases(make_server, http):
    """append without begin, an empty append, a second end, finish extending, and a replaced writer's calls."""
    server = await make_server(worker=False)
    api = ApiClient(http, server.url)
    await api.sign_up()
    gid = (await api.generate())["id"]
    hub = server.app[appkeys.LIVE]
    client = Client(await api.open_stream(gid))
    first = hub.writer(gid, 1)
    first.append("a.py", "x = 1\n")  # no begin: the file starts here
    first.append("a.py", "")
    first.finish("a.py", "x = 1\ny = 2\n")  # the text so far, then more: only the tail is sent
    first.end("a.py")  # already done: nothing to send
    await client.until(lambda: client.files.done.get("a.py", False))
    assert client.files.files == {"a.py": "x = 1\ny = 2\n"}
    events = client.files.events

    second = hub.writer(gid, 2)  # the generation was handed to another attempt
    first.begin("zombie.py")
    first.settle([GeneratedFile(path="zombie.py", content="late")])
    second.finish("b.py", "attempt two\n")
    await client.until(client.has("b.py", "attempt two\n"))
    assert "zombie.py" not in client.files.files and client.files.files["a.py"] == ""
    assert set(hub.generations[gid].files) == {"a.py", "b.py"}
    assert client.files.events == events + 2  # a.py emptied, b.py: nothing of the replaced writer
    second.close()
    client.close()


async def _true(value: bool) -> bool:
    return value
