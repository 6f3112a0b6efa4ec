"""Test databases: created from the migrated template, dropped afterwards."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from yarl import URL


def with_database(dsn: str, name: str) -> str:
    url = URL(dsn)
    # with_path drops the query, which holds the socket directory of an embedded server
    return str(url.with_path("/" + name).with_query(url.query))


async def admin(admin_dsn: str, sql: str) -> None:
    conn = await asyncpg.connect(admin_dsn)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@asynccontextmanager
async def database_copy(admin_dsn: str, template: str, prefix: str = "codegen_test") -> AsyncIterator[str]:
    """A new database copied from ``template`` (about a second on a busy server); its DSN."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    await admin(admin_dsn, f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    try:
        yield with_database(admin_dsn, name)
    finally:
        await admin(admin_dsn, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
