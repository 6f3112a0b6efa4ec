"""Real database faults for the tests, instead of patching our own database layer.

- ``Restricted``: a throw-away database served to the app as a login role of its own, whose
  privileges the test revokes (a misconfigured grant: the query fails inside PostgreSQL, which
  is a bug to the app, answered 500).
- ``blocked_backend``: the app's backend stuck on a lock the test holds, found in
  pg_stat_activity, so the test can terminate (a dropped connection: 503) or cancel it exactly
  while a request is in its query.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import asyncpg
from yarl import URL


@dataclass
class Restricted:
    """``dsn`` logs in as ``role``; ``admin`` is a superuser connection to the same database."""

    dsn: str
    role: str
    admin: asyncpg.Connection

    async def revoke(self, privilege: str, table: str) -> None:
        await self.admin.execute(f'REVOKE {privilege} ON {table} FROM "{self.role}"')


@asynccontextmanager
async def restricted_role(database_url: str) -> AsyncIterator[Restricted]:
    """A login role with the app's privileges on ``database_url`` (a throw-away database)."""
    role = f"codegen_test_role_{uuid.uuid4().hex[:10]}"
    password = uuid.uuid4().hex
    admin = await asyncpg.connect(database_url)
    try:
        await admin.execute(f"CREATE ROLE \"{role}\" LOGIN PASSWORD '{password}'")
        try:
            await admin.execute(
                f'GRANT USAGE, CREATE ON SCHEMA public TO "{role}"; '
                f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "{role}"; '
                f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "{role}"'
            )
            url = URL(database_url)
            dsn = str(url.with_user(role).with_password(password))
            yield Restricted(dsn, role, admin)
        finally:
            # roles are the cluster's: end its sessions, drop what it holds here, then the role itself
            await admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1", role)
            await admin.execute(f'DROP OWNED BY "{role}"')
            await admin.execute(f'DROP ROLE "{role}"')
    finally:
        await admin.close()


async def blocked_backend(admin: asyncpg.Connection, query_contains: str, timeout: float = 30.0) -> int:
    """The pid of the backend waiting on a lock while running a query containing ``query_contains``."""
    async with asyncio.timeout(timeout):
        while True:
            pid = await admin.fetchval(
                "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid() "
                "AND datname = current_database() AND position($1 in query) > 0 LIMIT 1",
                query_contains,
            )
            if pid is not None:
                return pid
            await asyncio.sleep(0.02)


@asynccontextmanager
async def table_locked(dsn: str, table: str) -> AsyncIterator[asyncpg.Connection]:
    """``table`` locked against everyone (reads included) until the block ends; yields an admin connection."""
    holder = await asyncpg.connect(dsn)
    admin = await asyncpg.connect(dsn)
    try:
        async with holder.transaction():
            await holder.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
            yield admin
    finally:
        await admin.close()
        await holder.close()
