"""The health probe sees a database answering again even when a new connection is slow to open.

A database behind a slow link (TLS and authentication round trips) takes longer to open a
connection than to answer SELECT 1. A TCP proxy on loopback holds each new connection's first
bytes for longer than the probe's timeout (but less than the connect timeout) in front of the
real server: after the probe's connection is cut, the database must be seen healthy again.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit, urlunsplit

import asyncpg
import pytest

from codegen.db import CONNECT_TIMEOUT_SECONDS, Database

pytestmark = [pytest.mark.database]

PROBE_TIMEOUT = 0.5
HANDSHAKE_DELAY = 1.2  # over the probe's timeout, under the connect timeout
assert PROBE_TIMEOUT < HANDSHAKE_DELAY < CONNECT_TIMEOUT_SECONDS


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except ConnectionError:
        pass  # the other side went away: so does this direction
    finally:
        writer.close()


def _upstream(url: str):
    """How to reach the server ``url`` names: TCP, or the embedded server's Unix socket (``?host=/dir``)."""
    parts = urlsplit(url)
    socket_dir = parse_qs(parts.query).get("host", [None])[0]
    if socket_dir and socket_dir.startswith("/"):
        port = parts.port or 5432
        path = str(Path(socket_dir) / f".s.PGSQL.{port}")
        return lambda: asyncio.open_unix_connection(path)
    return lambda: asyncio.open_connection(parts.hostname or "127.0.0.1", parts.port or 5432)


@pytest.fixture
async def slow_handshake_url(database_url: str) -> AsyncIterator[str]:
    """``database_url`` through a proxy that delays every new connection by HANDSHAKE_DELAY."""
    connect_upstream = _upstream(database_url)

    async def relay(client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(HANDSHAKE_DELAY)
        server_reader, server_writer = await connect_upstream()
        await asyncio.gather(_pipe(client_reader, server_writer), _pipe(server_reader, client_writer))

    proxy = await asyncio.start_server(relay, "127.0.0.1", 0)
    port = proxy.sockets[0].getsockname()[1]
    parts = urlsplit(database_url)
    user = parts.netloc.rsplit("@", 1)[0] + "@" if "@" in parts.netloc else ""
    try:
        yield urlunsplit(parts._replace(netloc=f"{user}127.0.0.1:{port}", query=""))
    finally:
        proxy.close()


async def _until(condition) -> None:
    async with asyncio.timeout(30):  # a bound for a broken build, not a measure: the wait is on the state
        while not condition():
            await asyncio.sleep(0.05)


async def test_the_probe_reconnects_through_a_slow_handshake(slow_handshake_url: str, database_url: str) -> None:
    db = await Database.connect(slow_handshake_url, min_size=1, max_size=2, probe_timeout=PROBE_TIMEOUT)
    admin = await asyncpg.connect(database_url)
    others = ("SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() "
              "AND backend_start > $2")
    try:
        await _until(lambda: db.healthy)
        name = urlsplit(database_url).path.lstrip("/")
        cut_at = await admin.fetchval("SELECT now()")
        # cut every connection of this database but the admin's own: the probe's among them
        cut = await admin.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = $1 AND pid <> pg_backend_pid()", name)
        assert cut >= 1
        # The probe opens a new connection, which takes HANDSHAKE_DELAY (longer than PROBE_TIMEOUT).
        # The database answers all along: the probe must never take it for unreachable (a probe
        # that gave the connect only PROBE_TIMEOUT would, and would never see it answer again).
        seen_unhealthy = False
        async with asyncio.timeout(30):
            while not await admin.fetchval(others, name, cut_at):
                seen_unhealthy |= not db.healthy
                await asyncio.sleep(0.05)
        for _ in range(round(2 * HANDSHAKE_DELAY / 0.05)):  # a few probe rounds with the new connection
            seen_unhealthy |= not db.healthy
            await asyncio.sleep(0.05)
        assert not seen_unhealthy
        assert await db.fetchval("SELECT 1") == 1
    finally:
        await admin.close()
        await db.close()


async def test_a_deadline_the_busy_event_loop_reached_late_is_not_held_against_the_database(database_url: str) -> None:
    """The event loop is held (a blocking call three times the probe's timeout, as a process starved of
    CPU holds it) from just before the probe's SELECT 1 goes out: the answer comes at once, but the
    loop reaches the deadline first. That deadline is not the database's: the probe waits a window
    more and sees the answer. (Held against it, the probe cut the pool's connections of a healthy
    database: 503s and interrupted generations at 1,000 generations on 2 cores, docs/performance.md.)"""
    db = await Database.connect(database_url, min_size=1, max_size=1, probe_timeout=PROBE_TIMEOUT)
    conn = await asyncpg.connect(database_url)
    try:
        probe = asyncio.create_task(db.answers(conn))
        await asyncio.sleep(0)  # the probe's first step: its deadline is set, its query about to be sent
        time.sleep(3 * PROBE_TIMEOUT)  # noqa: ASYNC251 - the point: the event loop held, nothing else runs
        await asyncio.wait_for(probe, 30)  # raises TimeoutError when the late deadline is held against it
        assert db.healthy
    finally:
        await conn.close()
        await db.close()


async def test_a_database_that_does_not_answer_is_still_noticed(database_url: str) -> None:
    """The probe's backend is stopped (SIGSTOP): however its windows go, the probe gives up."""
    db = await Database.connect(database_url, min_size=1, max_size=1, probe_timeout=PROBE_TIMEOUT)
    conn = await asyncpg.connect(database_url)
    backend = conn.get_server_pid()
    os.kill(backend, signal.SIGSTOP)
    try:
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(db.answers(conn), 30)
    finally:
        os.kill(backend, signal.SIGCONT)
        conn.terminate()
        await db.close()
