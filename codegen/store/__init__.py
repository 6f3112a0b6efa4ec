"""The store: the only reader of the named queries in sql/queries (``db.q``).

One module per area. Each function runs one named query (or a few, in the caller's transaction
when given ``conn``) and returns plain values or the records of codegen/records.py; what the
rules decide with them is the services' and the engine's.
"""

from __future__ import annotations

from typing import Protocol

import asyncpg

from codegen.db import Database


class Runner(Protocol):
    """The pool (``Database``) or one connection inside a transaction: both run statements alike."""

    async def fetch(self, sql: str, *args: object) -> list[asyncpg.Record]: ...
    async def fetchrow(self, sql: str, *args: object) -> asyncpg.Record | None: ...
    async def fetchval(self, sql: str, *args: object) -> object: ...
    async def execute(self, sql: str, *args: object) -> str: ...


def runner(db: Database, conn: asyncpg.Connection | None) -> Runner:
    """``conn`` when the caller holds a transaction, else the pool."""
    return conn if conn is not None else db  # type: ignore[return-value]
