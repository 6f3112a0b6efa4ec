"""Generations (sql/queries/generations.sql), and the one writer of a status change.

``record_transition`` applies a move that ``lifecycle.plan_transition`` planned; the claim,
hand-back and reaper statements here take their target and allowed sources from the same plan.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import asyncpg

from codegen import lifecycle
from codegen.db import Database
from codegen.lifecycle import Mode, Stage, Status
from codegen.records import Claim, Generation, GenerationFilter, GenerationListItem, Json, NewGeneration, PageRequest
from codegen.store import runner


@dataclass(frozen=True, slots=True)
class Created:
    """What the create function decided: ``outcome`` created, or why not (rate_limited, too_many_active,
    budget_exhausted, project_not_found, parent_not_found, parent_not_completed:<status>)."""

    id: UUID
    outcome: str
    retry_after: int | None
    project_id: UUID | None
    project_name: str | None
    project_domain: str | None
    auto_created_project: bool | None
    created_at: datetime | None


@dataclass(frozen=True, slots=True)
class Quota:
    rate_limit: int
    similar_name_threshold: float
    max_active: int
    daily_token_budget: int


async def create(
    db: Database, user_id: UUID, new: NewGeneration, name: str, domain: str, quota: Quota,
    conn: asyncpg.Connection | None = None,
) -> Created:
    row = await runner(db, conn).fetchrow(
        db.q.create_generation,
        user_id, new.prompt, new.project_id, name, domain,
        new.context or {}, new.generation_mode, new.is_iteration, new.parent_generation_id,
        quota.rate_limit, quota.similar_name_threshold, quota.max_active, quota.daily_token_budget,
    )
    assert row is not None
    return Created(**row)


async def get(
    db: Database, user_id: UUID, generation_id: UUID, conn: asyncpg.Connection | None = None
) -> Generation | None:
    row = await runner(db, conn).fetchrow(db.q.get_generation, generation_id, user_id)
    return Generation(**row) if row is not None else None


async def page(db: Database, user_id: UUID, which: GenerationFilter, request: PageRequest) -> list[GenerationListItem]:
    """Newest first: up to ``request.limit + 1`` generations after ``request.after``."""
    after = request.after
    rows = await db.fetch(
        db.q.list_generations, user_id, request.limit + 1, which.project_id,
        which.status.value if which.status else None, after.at if after else None, after.id if after else None,
    )
    return [GenerationListItem(**row) for row in rows]


async def status(db: Database, user_id: UUID, generation_id: UUID) -> Status | None:
    row = await db.fetchrow(db.q.get_generation_status, generation_id, user_id)
    return Status(row["status"]) if row is not None else None


async def active_in_project(db: Database, user_id: UUID, project_id: UUID) -> list[UUID]:
    return [row["id"] for row in await db.fetch(db.q.list_active_in_project, project_id, user_id)]


async def record_transition(
    db: Database,
    generation_id: UUID,
    target: Status,
    *,
    message: str,
    stage: Stage | None = None,
    progress: float = 0.0,
    error_message: str | None = None,
    source: Status | None = None,
    lease_token: UUID | None = None,
    conn: asyncpg.Connection | None = None,
) -> int | None:
    """Apply one state-machine move with one conditional UPDATE (plus its event).

    Returns the new event's sequence number, or None when the move did not
    apply: the generation was not in a status the move is legal from, or the
    claim (``lease_token``) is no longer the caller's. With ``conn`` it runs
    inside the caller's transaction.
    """
    planned = lifecycle.plan_transition(source, target)
    stage = stage or lifecycle.TERMINAL_STAGE.get(planned.target, Stage.QUEUED)
    row = await runner(db, conn).fetchrow(
        db.q.apply_move, generation_id, planned.target.value, stage.value, progress, message,
        error_message, list(planned.allowed_from), lease_token,
    )
    return row["seq"] if row else None


async def claim(
    db: Database, limit: int, lease_seconds: float, worker_id: str, provider: str
) -> list[Claim]:
    """Take up to ``limit`` pending generations (fairly across users) for this worker."""
    planned = lifecycle.plan_transition(Status.PENDING, Status.PROCESSING)
    rows = await db.fetch(
        db.q.claim_pending, limit, list(planned.allowed_from), planned.target.value,
        lease_seconds, worker_id, provider, lifecycle.first_stages(),
    )
    return [
        Claim(
            generation_id=row["id"], user_id=row["user_id"], lease_token=row["lease_token"], attempt=row["attempts"],
            prompt=row["prompt"], mode=Mode(row["generation_mode"]), context=row["context"] or {},
            is_iteration=row["is_iteration"], parent_generation_id=row["parent_generation_id"],
        )
        for row in rows
    ]


async def release_claim(db: Database, generation_id: UUID, lease_token: UUID) -> None:
    """Hand a claimed generation back to the queue without spending an attempt (shutdown)."""
    planned = lifecycle.plan_transition(Status.PROCESSING, Status.PENDING)
    await db.fetch(
        db.q.release_claim, generation_id, lease_token, planned.target.value, list(planned.allowed_from)
    )


async def renew_leases(db: Database, held: list[tuple[UUID, UUID]], lease_seconds: float) -> set[UUID]:
    """Renew every (generation, lease token) held, in one statement; the ids still this worker's."""
    rows = await db.fetch(
        db.q.renew_leases, [gid for gid, _ in held], [token for _, token in held], lease_seconds
    )
    return {row["id"] for row in rows}


async def reap_expired(db: Database, max_attempts: int) -> tuple[list[UUID], list[UUID]]:
    """Expired leases: (requeued, failed) — back to the queue, or failed once their attempts are spent."""
    requeue = lifecycle.plan_transition(Status.PROCESSING, Status.PENDING)
    fail = lifecycle.plan_transition(Status.PROCESSING, Status.FAILED)
    returned = await db.fetch(
        db.q.requeue_expired, max_attempts, list(requeue.allowed_from), requeue.target.value
    )
    failed = await db.fetch(db.q.fail_exhausted, max_attempts, list(fail.allowed_from), fail.target.value)
    return [row["id"] for row in returned], [row["id"] for row in failed]


async def parent_files(db: Database, parent_id: UUID) -> dict[str, str]:
    return {row["path"]: row["content"] for row in await db.fetch(db.q.parent_files, parent_id)}


async def set_result(
    conn: asyncpg.Connection, db: Database, generation_id: UUID, usage: Json, notes: Json, tests: Json
) -> None:
    await conn.execute(db.q.set_result, generation_id, usage, notes, tests)


async def set_requirements(conn: asyncpg.Connection, db: Database, generation_id: UUID, requirements: Json) -> None:
    await conn.execute(db.q.set_requirements, generation_id, requirements)
