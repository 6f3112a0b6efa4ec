"""The service-wide gauges of a metrics scrape (sql/queries/metrics.sql)."""

from __future__ import annotations

from codegen.db import Database


async def generations_by_status(db: Database) -> dict[str, int]:
    return {row["status"]: row["n"] for row in await db.fetch(db.q.generations_by_status)}


async def queue(db: Database) -> tuple[int, float | None]:
    """(pending generations, age in seconds of the oldest; None when none is pending)."""
    row = await db.fetchrow(db.q.queue_depth)
    assert row is not None
    return row["depth"], row["oldest"]
