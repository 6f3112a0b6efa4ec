"""The benchmark's databases: a server (DATABASE_URL or embedded), a migrated template with the
users, fresh copies of it per measurement, and pending generations made by the service's own SQL."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
from yarl import URL

from bench.progress import log
from bench.workload import PROMPTS, USER_PASSWORD, user_id
from codegen.auth import hash_password
from codegen.db import Database, EmbeddedPostgres
from codegen.migrations import migrate


def with_database(dsn: str, name: str) -> str:
    url = URL(dsn)
    # with_path drops the query, which holds the socket directory of an embedded server (?host=/tmp/…)
    return str(url.with_path("/" + name).with_query(url.query))


class Databases:
    """A database server (DATABASE_URL or embedded), a migrated template, and copies of it."""

    def __init__(self, admin_dsn: str, embedded: EmbeddedPostgres | None, users: int) -> None:
        self.admin_dsn = admin_dsn
        self.embedded = embedded
        self.users = users
        self.prefix = f"codegen_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        self.template = self.prefix + "_tpl"
        self.created: list[str] = []
        self.max_connections = 100

    @classmethod
    @contextlib.asynccontextmanager
    async def open(cls, users: int, keep: bool = False) -> AsyncIterator[Databases]:
        configured = os.environ.get("DATABASE_URL")
        embedded = None
        if configured:
            admin = with_database(configured, "postgres")
        else:
            embedded = EmbeddedPostgres(Path(tempfile.mkdtemp(prefix="codegen-bench-pg-")))
            log("DATABASE_URL is unset: starting an embedded PostgreSQL")
            admin = await asyncio.to_thread(embedded.start)
        dbs = cls(admin, embedded, users)
        try:
            await dbs._make_template()
            yield dbs
        finally:
            if not keep:
                for name in [*dbs.created, dbs.template]:
                    with contextlib.suppress(Exception):
                        await dbs.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            if embedded is not None:
                await asyncio.to_thread(embedded.stop)
                if not keep:
                    shutil.rmtree(embedded.data_dir, ignore_errors=True)

    async def admin(self, sql: str, *args: Any) -> Any:
        conn = await asyncpg.connect(self.admin_dsn)
        try:
            return await conn.fetch(sql, *args)
        finally:
            await conn.close()

    async def admin_on(self, dsn: str, sql: str, *args: Any) -> Any:
        conn = await asyncpg.connect(dsn)
        try:
            return await conn.fetch(sql, *args)
        finally:
            await conn.close()

    def dsn(self, name: str) -> str:
        return with_database(self.admin_dsn, name)

    async def _make_template(self) -> None:
        from bench.bare import TABLE_SQL

        await self.admin(f'CREATE DATABASE "{self.template}"')
        dsn = self.dsn(self.template)
        await migrate(dsn)
        conn = await asyncpg.connect(dsn)
        try:
            await conn.execute(TABLE_SQL)
            await conn.execute(
                """INSERT INTO users (id, email, password_hash)
                   SELECT md5('bench-user-' || i)::uuid, 'bench-' || i || '@example.com', $1
                   FROM generate_series(0, $2 - 1) AS i""",
                await hash_password(USER_PASSWORD), self.users,
            )
            self.max_connections = int(await conn.fetchval("SHOW max_connections"))
        finally:
            await conn.close()

    async def fresh(self) -> str:
        """A new database, a copy of the migrated template with the users; returns its DSN."""
        name = f"{self.prefix}_{len(self.created)}"
        await self.admin(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        self.created.append(name)
        return self.dsn(name)

    async def drop(self, dsn: str) -> None:
        name = URL(dsn).path.lstrip("/")
        await self.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if name in self.created:
            self.created.remove(name)

    async def connections_in_use(self) -> int:
        rows = await self.admin("SELECT count(*) AS n FROM pg_stat_activity WHERE backend_type = 'client backend'")
        return int(rows[0]["n"])


async def open_db(dsn: str, size: int = 4) -> Database:
    return await Database.connect(dsn, min_size=1, max_size=size)


async def create_pending(dsn: str, count: int, users: int, concurrency: int = 8) -> list[tuple[str, int]]:
    """``count`` pending generations made by the service's own create function; [(id, user index)]."""
    from codegen.services.generations import SIMILAR_NAME_THRESHOLD, derive_domain, derive_name

    db = await open_db(dsn, size=concurrency)
    made: list[tuple[str, int]] = []
    try:
        async def one(i: int) -> None:
            prompt = PROMPTS[i % len(PROMPTS)]
            row = await db.fetchrow(
                db.q.create_generation, user_id(i % users), prompt, None,
                derive_name(prompt), derive_domain(prompt), {}, "phased", False, None, 0, SIMILAR_NAME_THRESHOLD, 0, 0,
            )
            made.append((str(row["id"]), i % users))

        limit = asyncio.Semaphore(concurrency)

        async def bounded(i: int) -> None:
            async with limit:
                await one(i)

        await asyncio.gather(*(bounded(i) for i in range(count)))
    finally:
        await db.close()
    return made
