"""Migrations: each applied once, also when processes start together; the SQL functions re-applied after
them on every start; every time column is timestamptz."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest

from codegen.db import load_queries
from codegen.migrations import MIGRATIONS_DIR, function_files, migrate, migration_files
from tests.databases import admin, with_database
from tests.faults import restricted_role

pytestmark = pytest.mark.database


@pytest.fixture
async def empty_database_url(admin_dsn: str) -> AsyncIterator[str]:
    """A database with nothing in it, not even the template's schema."""
    name = f"codegen_test_empty_{uuid.uuid4().hex[:12]}"
    await admin(admin_dsn, f'CREATE DATABASE "{name}" TEMPLATE template0')
    try:
        # with_database keeps the DSN's query (an embedded server's socket directory)
        yield with_database(admin_dsn, name)
    finally:
        await admin(admin_dsn, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_migration_files_are_numbered_and_unique() -> None:
    files = migration_files()
    assert files, "no migrations found"
    versions = [version for version, _ in files]
    numbers = [version.split("_", 1)[0] for version in versions]
    assert numbers == sorted(numbers)
    assert len(set(numbers)) == len(numbers)
    assert all(re.fullmatch(r"\d{4}", n) for n in numbers)
    on_disk = sorted(p.stem for p in MIGRATIONS_DIR.glob("*.sql"))
    assert on_disk == versions, "a migration file is not named NNNN_name.sql and would never be applied"


def test_named_queries_load() -> None:
    queries = load_queries()
    for name in ("create_generation", "get_generation", "list_generations", "apply_move", "list_projects",
                 "insert_user", "get_user_by_email"):
        assert queries[name].strip()


async def test_concurrent_migrations_apply_each_once(empty_database_url: str) -> None:
    versions = [version for version, _ in migration_files()]
    results = await asyncio.gather(migrate(empty_database_url), migrate(empty_database_url),
                                   migrate(empty_database_url))
    applied = [v for result in results for v in result]
    assert sorted(applied) == sorted(versions)
    # one process applied everything in order; the others found nothing left
    assert sorted(results, key=len) == [[], [], versions]

    conn = await asyncpg.connect(empty_database_url)
    try:
        recorded = await conn.fetch("SELECT version, applied_at FROM schema_migrations ORDER BY version")
        assert [r["version"] for r in recorded] == versions
        assert all(r["applied_at"].tzinfo is not None for r in recorded)
        assert await conn.fetchval("SELECT to_regclass('public.generations') IS NOT NULL")
    finally:
        await conn.close()
    # and a later start has nothing to do
    assert await migrate(empty_database_url) == []


FUNCTION_DEFINITIONS = """
    SELECT p.proname, pg_get_function_identity_arguments(p.oid) AS args, pg_get_functiondef(p.oid) AS definition
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname = 'public' AND p.proname LIKE 'codegen%'
    ORDER BY 1, 2"""
CREATES_A_FUNCTION = re.compile(r"\bCREATE\s+(OR\s+REPLACE\s+)?FUNCTION\b", re.IGNORECASE)


async def function_definitions(dsn: str) -> dict[tuple[str, str], str]:
    conn = await asyncpg.connect(dsn)
    try:
        return {(r["proname"], r["args"]): r["definition"] for r in await conn.fetch(FUNCTION_DEFINITIONS)}
    finally:
        await conn.close()


def test_functions_are_defined_once_in_sql_functions_and_never_in_a_migration() -> None:
    files = function_files()
    assert files, "no sql/functions files found"
    defined: list[str] = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        # re-applied on every start: nothing but CREATE OR REPLACE FUNCTION
        assert not re.search(r"\b(CREATE|ALTER|DROP)\s+(TABLE|INDEX)\b", text, re.IGNORECASE), path.name
        assert len(CREATES_A_FUNCTION.findall(text)) == text.count("CREATE OR REPLACE FUNCTION"), path.name
        defined += re.findall(r"CREATE OR REPLACE FUNCTION (\w+)\(", text)
    assert len(defined) == len(set(defined)), "a function is defined in two files"
    for _, path in migration_files():
        assert not CREATES_A_FUNCTION.search(path.read_text(encoding="utf-8")), f"{path.name} defines a function"


async def test_a_start_applies_the_functions_the_database_lacks(empty_database_url: str) -> None:
    assert await migrate(empty_database_url) == [version for version, _ in migration_files()]
    fresh = await function_definitions(empty_database_url)
    defined = {re.search(r"FUNCTION public\.(\w+)\(", d).group(1) for d in fresh.values()}
    in_files = {name for path in function_files()
                for name in re.findall(r"CREATE OR REPLACE FUNCTION (\w+)\(", path.read_text(encoding="utf-8"))}
    assert defined == in_files
    # a database whose functions are not the code's (as one migrated by an earlier version, before
    # schema_functions existed): one body stale, one function missing
    conn = await asyncpg.connect(empty_database_url)
    try:
        await conn.execute("CREATE OR REPLACE FUNCTION codegen_terminal_statuses() RETURNS text[]"
                           " LANGUAGE sql IMMUTABLE AS $$ SELECT ARRAY['completed'] $$")
        await conn.execute("DROP FUNCTION codegen_requirement_counts(jsonb)")
        await conn.execute("DELETE FROM schema_functions")
    finally:
        await conn.close()
    # processes starting together: one applies them, the others find them in place
    assert await asyncio.gather(*(migrate(empty_database_url) for _ in range(3))) == [[], [], []]
    assert await function_definitions(empty_database_url) == fresh
    conn = await asyncpg.connect(empty_database_url)
    try:
        assert await conn.fetchval("SELECT count(*) FROM schema_functions") == 1
    finally:
        await conn.close()


async def test_a_role_that_may_not_replace_the_functions_starts_once_they_are_in_place(
    empty_database_url: str,
) -> None:
    await migrate(empty_database_url)
    async with restricted_role(empty_database_url) as role:
        assert await migrate(role.dsn) == []
        # a change of the files (a new release) needs the functions' owner, as a migration does
        await role.admin.execute("UPDATE schema_functions SET digest = 'an earlier release'")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await migrate(role.dsn)
        assert await migrate(empty_database_url) == []
        assert await migrate(role.dsn) == []


async def test_every_time_column_is_timestamptz(db_conn: asyncpg.Connection) -> None:
    columns = await db_conn.fetch(
        """SELECT table_name, column_name, data_type FROM information_schema.columns
           WHERE table_schema = 'public'
             AND (data_type LIKE 'time%' OR data_type IN ('date', 'interval')
                  OR column_name LIKE '%\\_at' OR column_name LIKE '%time%')"""
    )
    by_name = {(r["table_name"], r["column_name"]): r["data_type"] for r in columns}
    assert {k: v for k, v in by_name.items() if v != "timestamp with time zone"} == {}
    # the check looked at the real schema
    for column in [("users", "created_at"), ("projects", "updated_at"), ("generations", "created_at"),
                   ("generations", "started_at"), ("generations", "completed_at"), ("generations", "updated_at"),
                   ("generations", "lease_expires_at"), ("generation_events", "created_at"),
                   ("stream_tokens", "expires_at"), ("rate_limits", "window_start"),
                   ("schema_migrations", "applied_at")]:
        assert by_name.get(column) == "timestamp with time zone", column


async def test_no_function_takes_or_returns_a_naive_timestamp(db_conn: asyncpg.Connection) -> None:
    naive = await db_conn.fetch(
        """SELECT p.proname, pg_get_function_arguments(p.oid) AS args, pg_get_function_result(p.oid) AS result
           FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
           WHERE n.nspname = 'public' AND p.proname LIKE 'codegen%'"""
    )
    assert naive, "no codegen functions found"
    for row in naive:
        text = f"{row['args']} {row['result']}"
        assert "without time zone" not in text, row["proname"]
        assert not re.search(r"\btimestamp\b(?! with time zone)", text), (row["proname"], text)
