"""What the tests of generated projects' runs share."""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

import asyncpg


async def say_nothing(message: str) -> None:
    """A progress callback for runs outside a generation."""


def processes_with(marker: str) -> list[int]:
    """Host processes whose command line holds ``marker`` (a sandboxed daemon that outlived its run)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if marker.encode() in cmdline:
            found.append(int(entry.name))
    return found


async def event_messages(conn: asyncpg.Connection, generation_id: str) -> list[str]:
    """The messages of a generation's numbered events, in order."""
    rows = await conn.fetch(
        "SELECT message FROM generation_events WHERE generation_id = $1 ORDER BY seq", UUID(generation_id)
    )
    return [row["message"] for row in rows]
