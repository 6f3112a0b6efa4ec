"""The bus hands each notification to every listener: one that raises (a bug of ours) costs the others nothing.

Found by the mutation runs of streams.sender: a stream's direct writer that raised inside the bus's callback
stopped that event from reaching the streams after it and the worker's cancel watch.
"""

from __future__ import annotations

import uuid

import asyncpg
import orjson
import pytest

from codegen.engine.bus import EVENTS_CHANNEL, QUEUE_CHANNEL, EventBus
from tests.helpers import logged, wait_until

pytestmark = pytest.mark.database


def _explode(*_args: object) -> bool:
    raise RuntimeError("a listener's bug")


async def test_a_failing_listener_costs_the_others_nothing(database_url, log_lines) -> None:
    bus = EventBus(database_url)
    await bus.start()
    conn = await asyncpg.connect(database_url)
    try:
        generation_id = str(uuid.uuid4())
        heard: list[tuple[str, int]] = []
        woken: list[str] = []
        bus.on_event(lambda gid, event: heard.append((gid, event.seq)))
        bus.on_queue(_explode)
        bus.on_queue(lambda: woken.append("queue"))
        with bus.subscribe(generation_id) as broken:
            broken.direct = _explode  # the stream's writer raises: its subscription comes before the listeners
            payload = orjson.dumps({"status": "processing", "progress": 0.5}).decode()
            await conn.execute("SELECT pg_notify($1, $2)", EVENTS_CHANNEL, f"{generation_id}:1:{payload}")
            await conn.execute("SELECT pg_notify($1, '')", QUEUE_CHANNEL)

            async def both_heard() -> bool:
                return heard == [(generation_id, 1)] and woken == ["queue"]

            await wait_until(both_heard)
        failures = logged(log_lines, "a notification listener failed")
        assert [line.get("generation_id") for line in failures] == [generation_id, None]
        assert all("a listener's bug" in line["traceback"] for line in failures)
    finally:
        await conn.close()
        await bus.stop()


async def test_a_failing_listener_costs_the_others_their_resync(database_url, log_lines) -> None:
    """After the LISTEN connection comes back, every listener hears of it, whichever raised before it."""
    bus = EventBus(database_url)
    await bus.start()
    admin = await asyncpg.connect(database_url)
    try:
        resynced: list[str] = []
        bus.on_queue(_explode)
        bus.on_resync(lambda: resynced.append("resync"))
        pid = await bus._conn.fetchval("SELECT pg_backend_pid()")  # the bus's own LISTEN session
        assert await admin.fetchval("SELECT pg_terminate_backend($1)", pid)

        async def heard() -> bool:
            return resynced == ["resync"]

        await wait_until(heard)
        assert logged(log_lines, "a notification listener failed")
    finally:
        await admin.close()
        await bus.stop()
