"""Whether the database answers (``GET /api/health``)."""

from __future__ import annotations

from codegen.db import Database


async def ping(db: Database) -> None:
    """Raises DatabaseUnavailable when the database does not answer."""
    await db.fetchval(db.q.ping)
