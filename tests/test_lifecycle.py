"""The state machine (codegen/lifecycle.py) and the one conditional UPDATE that applies it."""

from __future__ import annotations

import asyncio
import itertools
import re
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from codegen import lifecycle
from codegen.db import Database
from codegen.lifecycle import IllegalTransition, Mode, Stage, Status
from codegen.store import generations
from tests.conftest import Server, ServerFactory
from tests.conftest import UserFactory as ServerUserFactory
from tests.helpers import ApiClient

LEGAL = {
    (Status.PENDING, Status.PROCESSING),
    (Status.PROCESSING, Status.PROCESSING),
    (Status.PROCESSING, Status.PENDING),
    (Status.PROCESSING, Status.COMPLETED),
    (Status.PENDING, Status.FAILED),
    (Status.PROCESSING, Status.FAILED),
    (Status.PENDING, Status.CANCELLED),
    (Status.PROCESSING, Status.CANCELLED),
}
TERMINAL = {Status.COMPLETED, Status.FAILED, Status.CANCELLED}


# -- the rules, without a database --------------------------------------------------------------


@pytest.mark.parametrize(("source", "target"), list(itertools.product(Status, Status)))
def test_every_move_is_legal_or_refused(source: Status, target: Status) -> None:
    if (source, target) in LEGAL:
        planned = lifecycle.plan_transition(source, target)
        assert planned.target is target
        assert planned.allowed_from == (source.value,)
        assert planned.is_terminal is (target in TERMINAL)
    else:
        with pytest.raises(IllegalTransition):
            lifecycle.plan_transition(source, target)


def test_nothing_leaves_a_terminal_state() -> None:
    assert lifecycle.TERMINAL == TERMINAL
    for source in TERMINAL:
        assert lifecycle.is_terminal(source)
        for target in Status:
            with pytest.raises(IllegalTransition):
                lifecycle.plan_transition(source, target)
    for source in (Status.PENDING, Status.PROCESSING):
        assert not lifecycle.is_terminal(source)


def test_a_move_without_a_believed_source_allows_exactly_the_legal_sources() -> None:
    for target in Status:
        planned = lifecycle.plan_transition(None, target)
        assert set(planned.allowed_from) == {s.value for s, t in LEGAL if t is target}
        assert not set(planned.allowed_from) & {s.value for s in TERMINAL}


def test_strings_are_accepted_and_unknown_statuses_refused() -> None:
    assert lifecycle.plan_transition("pending", "processing").target is Status.PROCESSING
    # the refusal names both ends (it reaches logs and errors)
    with pytest.raises(IllegalTransition, match="^cannot move a generation from completed to pending$"):
        lifecycle.plan_transition("completed", "pending")
    with pytest.raises(ValueError):
        lifecycle.plan_transition(None, "finished")


def test_stages_by_mode() -> None:
    assert lifecycle.STAGES_BY_MODE[Mode.PHASED] == (
        Stage.PLANNING, Stage.ARCHITECTURE, Stage.GENERATING, Stage.REVIEWING, Stage.FINALIZING
    )
    assert lifecycle.STAGES_BY_MODE[Mode.UNIFIED] == (Stage.GENERATING, Stage.FINALIZING)
    assert lifecycle.stage_is_valid("unified", "generating")
    assert not lifecycle.stage_is_valid("unified", "planning")
    assert lifecycle.TERMINAL_STAGE == {
        Status.COMPLETED: Stage.COMPLETE, Status.FAILED: Stage.FAILED, Status.CANCELLED: Stage.CANCELLED
    }


# -- the SQL and the browser client agree with lifecycle.py ------------------------------------

ROOT = Path(__file__).resolve().parents[1]
# a list of statuses written out in SQL: "status IN ('pending', 'processing')"
SQL_STATUS_LIST = re.compile(r"status\s+IN\s*\(([^)]*)\)", re.IGNORECASE)


async def test_the_sql_terminal_statuses_are_lifecycles(db_conn: asyncpg.Connection) -> None:
    """codegen_terminal_statuses() (sql/functions/statuses.sql) is what every function and query uses."""
    assert set(await db_conn.fetchval("SELECT codegen_terminal_statuses()")) == {s.value for s in lifecycle.TERMINAL}


def test_every_status_list_written_in_sql_is_one_lifecycle_names() -> None:
    """The few lists still written out (a CHECK, a partial index and the queries it serves, where a
    function call would keep the planner from the index) are all statuses, or the active ones."""
    everything = {s.value for s in Status}
    active = {s.value for s in Status if not lifecycle.is_terminal(s)}
    found = []
    for path in sorted((ROOT / "sql").rglob("*.sql")):
        for listed in SQL_STATUS_LIST.findall(path.read_text(encoding="utf-8")):
            statuses = set(re.findall(r"'(\w+)'", listed))
            found.append(path.name)
            assert statuses in (everything, active), (path.name, statuses)
    assert len(found) >= 4, found  # the check looked at the real files


def test_the_browser_clients_terminal_statuses_are_lifecycles() -> None:
    """stream.js exports TERMINAL_STATUSES, the one list the client's screens ask (isTerminal);
    tests/e2e/test_stream_rules.py reads the same constant from the module in Chromium."""
    source = (ROOT / "codegen" / "static" / "stream.js").read_text(encoding="utf-8")
    declared = re.search(r"export const TERMINAL_STATUSES = new Set\(\[([^\]]*)\]\)", source)
    assert declared, "stream.js no longer exports TERMINAL_STATUSES as a Set"
    assert set(re.findall(r"'(\w+)'", declared.group(1))) == {s.value for s in lifecycle.TERMINAL}


# -- the conditional UPDATE ---------------------------------------------------------------------


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = await Database.connect(database_url, min_size=1, max_size=12)
    try:
        yield database
    finally:
        await database.close()


@pytest.fixture
async def server(make_server: ServerFactory) -> Server:
    return await make_server(worker=False, generate_rate_limit=0)


@pytest.fixture
async def client(server: Server, make_user: ServerUserFactory) -> ApiClient:
    return await make_user(server)


async def snapshot(db_conn: asyncpg.Connection, generation_id: uuid.UUID) -> dict[str, Any]:
    row = await db_conn.fetchrow(
        "SELECT status, stage, progress, message, error_message, last_event_seq, updated_at, completed_at,"
        " (SELECT count(*) FROM generation_events e WHERE e.generation_id = g.id) AS events"
        " FROM generations g WHERE id = $1",
        generation_id,
    )
    assert row is not None
    return dict(row)


async def events(db_conn: asyncpg.Connection, generation_id: uuid.UUID) -> list[tuple[int, str]]:
    rows = await db_conn.fetch(
        "SELECT seq, status FROM generation_events WHERE generation_id = $1 ORDER BY seq", generation_id
    )
    return [(r["seq"], r["status"]) for r in rows]


async def test_an_illegal_move_raises_and_writes_nothing(client: ApiClient, db: Database,
                                                         db_conn: asyncpg.Connection) -> None:
    created = uuid.UUID((await client.generate())["id"])
    before = await snapshot(db_conn, created)
    for source, target in [(Status.PENDING, Status.COMPLETED), (Status.COMPLETED, Status.PROCESSING),
                           (Status.CANCELLED, Status.PENDING), (Status.FAILED, Status.CANCELLED)]:
        with pytest.raises(IllegalTransition):
            await generations.record_transition(db, created, target, message="never", source=source)
    assert await snapshot(db_conn, created) == before


async def test_a_stale_belief_cannot_apply_an_illegal_move(client: ApiClient, db: Database,
                                                           db_conn: asyncpg.Connection) -> None:
    created = uuid.UUID((await client.generate())["id"])
    before = await snapshot(db_conn, created)
    # completed is only legal from processing: the pending row does not move
    assert await generations.record_transition(db, created, Status.COMPLETED, message="done?") is None
    # the caller believes it is processing; the database knows better
    assert await generations.record_transition(db, created, Status.COMPLETED, message="done?", source=Status.PROCESSING) is None
    assert await snapshot(db_conn, created) == before


async def test_a_legal_move_updates_the_row_and_records_one_event(client: ApiClient, db: Database,
                                                                  db_conn: asyncpg.Connection) -> None:
    created = uuid.UUID((await client.generate())["id"])
    assert await events(db_conn, created) == [(1, "pending")]
    seq = await generations.record_transition(db, created, Status.FAILED, message="gave up", error_message="boom",
                                 source=Status.PENDING)
    assert seq == 2
    after = await snapshot(db_conn, created)
    assert after["status"] == "failed"
    assert after["stage"] == "failed"
    assert after["error_message"] == "boom"
    assert after["last_event_seq"] == 2
    assert after["completed_at"] is not None and after["completed_at"].tzinfo is not None
    assert await events(db_conn, created) == [(1, "pending"), (2, "failed")]


async def test_a_move_from_a_terminal_state_returns_none_and_writes_nothing(
    client: ApiClient, db: Database, db_conn: asyncpg.Connection
) -> None:
    created = uuid.UUID((await client.generate())["id"])
    assert await generations.record_transition(db, created, Status.CANCELLED, message="stop") == 2
    before = await snapshot(db_conn, created)
    assert before["status"] == "cancelled"
    for target in (Status.CANCELLED, Status.FAILED, Status.PROCESSING):
        assert await generations.record_transition(db, created, target, message="again", progress=1.0) is None
    assert await snapshot(db_conn, created) == before
    assert await events(db_conn, created) == [(1, "pending"), (2, "cancelled")]


async def test_a_claimed_generation_moves_only_for_its_claim(client: ApiClient, db: Database,
                                                             db_conn: asyncpg.Connection) -> None:
    created = uuid.UUID((await client.generate())["id"])
    lease = uuid.uuid4()
    await db_conn.execute(
        "UPDATE generations SET status = 'processing', lease_token = $2, progress = 0.5 WHERE id = $1", created, lease
    )
    before = await snapshot(db_conn, created)
    stranger = uuid.uuid4()
    assert await generations.record_transition(db, created, Status.COMPLETED, message="not mine", lease_token=stranger) is None
    assert await snapshot(db_conn, created) == before
    # progress never goes down
    seq = await generations.record_transition(db, created, Status.PROCESSING, message="reviewing", stage=Stage.REVIEWING,
                                 progress=0.2, lease_token=lease, source=Status.PROCESSING)
    assert seq == before["last_event_seq"] + 1
    assert (await snapshot(db_conn, created))["progress"] == 0.5
    assert await generations.record_transition(db, created, Status.COMPLETED, message="done", progress=1.0, lease_token=lease) == seq + 1
    done = await snapshot(db_conn, created)
    assert (done["status"], done["stage"], done["progress"]) == ("completed", "complete", 1.0)
    assert await db_conn.fetchval("SELECT lease_token FROM generations WHERE id = $1", created) is None


async def test_simultaneous_moves_apply_once(client: ApiClient, db: Database, db_conn: asyncpg.Connection) -> None:
    created = uuid.UUID((await client.generate())["id"])
    targets = [Status.CANCELLED, Status.FAILED] * 5
    results = await asyncio.gather(
        *(generations.record_transition(db, created, t, message=f"racer {i}") for i, t in enumerate(targets))
    )
    applied = [r for r in results if r is not None]
    assert applied == [2]
    history = await events(db_conn, created)
    assert len(history) == 2
    winner = targets[results.index(2)]
    assert history == [(1, "pending"), (2, winner.value)]
    assert (await snapshot(db_conn, created))["status"] == winner.value


async def test_two_concurrent_cancels_change_the_status_once(client: ApiClient, db_conn: asyncpg.Connection) -> None:
    created = await client.generate()
    generation_id = uuid.UUID(created["id"])
    answers = await asyncio.gather(
        *(client.call("POST", f"/api/generations/{created['id']}/cancel") for _ in range(2))
    )
    assert sorted(a.status for a in answers) == [200, 409], [a.body for a in answers]
    won = next(a for a in answers if a.status == 200)
    lost = next(a for a in answers if a.status == 409)
    assert won.body["id"] == created["id"]
    assert won.body["status"] == "cancelled"
    assert lost.body == {"detail": "Generation is already cancelled and cannot be cancelled"}
    cancelled_rows = await db_conn.fetchval(
        "SELECT count(*) FROM generation_events WHERE generation_id = $1 AND status = 'cancelled'", generation_id
    )
    assert cancelled_rows == 1
    assert await events(db_conn, generation_id) == [(1, "pending"), (2, "cancelled")]
    assert (await snapshot(db_conn, generation_id))["status"] == "cancelled"


async def test_many_concurrent_cancels_on_two_servers(make_server: ServerFactory, client: ApiClient,
                                                      db_conn: asyncpg.Connection) -> None:
    other = await make_server(worker=False)
    created = await client.generate()
    clients = [client, client.for_server(other.url)]
    answers = await asyncio.gather(
        *(clients[i % 2].call("POST", f"/api/generations/{created['id']}/cancel") for i in range(8))
    )
    assert sorted(a.status for a in answers) == [200] + [409] * 7
    assert await events(db_conn, uuid.UUID(created["id"])) == [(1, "pending"), (2, "cancelled")]
