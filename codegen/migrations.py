"""The database's schema: migrations, applied once each, then the SQL functions (sql/functions).

Both run at every start of every process role, under one advisory lock (docs/deployment.md,
"Migrations and SQL functions").
"""

from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path

import asyncpg

from codegen.db import SQL_DIR

log = logging.getLogger(__name__)

MIGRATIONS_DIR = SQL_DIR / "migrations"
FUNCTIONS_DIR = SQL_DIR / "functions"
MIGRATION_LOCK_KEY = 0x636F646567656E  # "codegen"

# a line that is not a comment: the file has a statement to run
_STATEMENT_LINE = re.compile(r"^[ \t]*(?!--)\S", re.MULTILINE)


def migration_files(directory: Path = MIGRATIONS_DIR) -> list[tuple[str, Path]]:
    files = sorted(directory.glob("[0-9][0-9][0-9][0-9]_*.sql"))
    return [(path.stem, path) for path in files]


def function_files(directory: Path = FUNCTIONS_DIR) -> list[Path]:
    """sql/functions/*.sql in name order: each file only ``CREATE OR REPLACE``s (sql/functions/README.md)."""
    return sorted(directory.glob("*.sql"))


def functions_digest(files: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in files:
        digest.update(f"{path.name}\0{path.read_text(encoding='utf-8')}\0".encode())
    return digest.hexdigest()


async def migrate(dsn: str) -> list[str]:
    """Apply pending migrations in order, each once, then the SQL functions, under an advisory lock.

    The functions (sql/functions) are applied after the migrations whenever the files differ from
    those the database last got (schema_functions), in one transaction: a database migrated by
    any earlier version ends with the functions of the code that starts on it. Several processes
    may start at once: the first takes the lock and applies, the others wait for it and then
    find nothing left to do. Returns the migrations applied now.
    """
    conn = await asyncpg.connect(dsn)
    applied_now: list[str] = []
    try:
        await conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK_KEY)
        try:
            await conn.execute(
                """CREATE TABLE IF NOT EXISTS schema_migrations (
                       version text PRIMARY KEY,
                       applied_at timestamptz NOT NULL DEFAULT now())"""
            )
            done = {r["version"] for r in await conn.fetch("SELECT version FROM schema_migrations")}
            for version, path in migration_files():
                if version in done:
                    continue
                sql = path.read_text(encoding="utf-8")
                async with conn.transaction():
                    # a migration reduced to its note (0002: its functions moved to sql/functions) sends nothing
                    if _STATEMENT_LINE.search(sql):
                        await conn.execute(sql)
                    await conn.execute("INSERT INTO schema_migrations (version) VALUES ($1)", version)
                applied_now.append(version)
            await _apply_functions(conn)
        finally:
            await conn.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK_KEY)
    finally:
        await conn.close()
    if applied_now:
        # one line however many there are (a fresh database gets them all)
        log.info("migrations applied", extra={"versions": applied_now})
    return applied_now


async def _apply_functions(conn: asyncpg.Connection) -> None:
    files = function_files()
    digest = functions_digest(files)
    if await conn.fetchval("SELECT digest FROM schema_functions ORDER BY id DESC LIMIT 1") == digest:
        return
    async with conn.transaction():
        for path in files:
            await conn.execute(path.read_text(encoding="utf-8"))
        await conn.execute("INSERT INTO schema_functions (digest) VALUES ($1)", digest)
    log.info("SQL functions applied", extra={"files": [path.name for path in files], "digest": digest[:12]})
