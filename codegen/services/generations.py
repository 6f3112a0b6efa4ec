"""Generations: create, read, list, cancel, files, download and diff.

Every status change in the code base goes through ``move`` (or the engine's
claim and reaper queries, which take their allowed sources from the same
state machine).
"""

from __future__ import annotations

import asyncio
import difflib
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg

from codegen import lifecycle
from codegen.db import Database
from codegen import errors
from codegen.errors import Conflict, IdempotencyKeyReused, InvalidInput, NotFound, RateLimited
from codegen.lifecycle import Stage, Status
from codegen.schemas import GenerateBody, ListGenerationsQuery, keyset_page
from codegen.services.naming import SIMILAR_NAME_THRESHOLD, derive_domain, derive_name

_CREATE_FIELDS = (
    "id", "status", "user_id", "project_id", "project_name", "project_domain", "auto_created_project",
    "prompt", "generation_mode", "is_iteration", "parent_generation_id", "created_at",
)


@dataclass(frozen=True)
class CreateLimits:
    """CODEGEN_GENERATE_RATE_LIMIT, CODEGEN_MAX_ACTIVE_GENERATIONS, CODEGEN_DAILY_TOKEN_BUDGET (0: off)."""

    rate_limit: int
    max_active: int = 0
    daily_token_budget: int = 0


class _KeyTaken(Exception):
    """Another request with the same Idempotency-Key committed first: roll this one back."""


async def create(
    db: Database, user_id: UUID, body: GenerateBody, limits: CreateLimits, idempotency_key: str | None = None
) -> dict[str, Any]:
    if body.is_iteration and body.parent_generation_id is None:
        raise InvalidInput(errors.PARENT_REQUIRED)
    if idempotency_key is None:
        return await _create(db, user_id, body, limits)
    request_hash = hashlib.sha256(body.model_dump_json().encode()).digest()
    try:
        async with db.transaction() as conn:
            replay = await _replay(db, conn, user_id, idempotency_key, request_hash)
            if replay is not None:
                return replay
            created = await _create(db, user_id, body, limits, conn)
            if await conn.fetchval(db.q.insert_idempotency_key, user_id, idempotency_key, request_hash, created["id"]) is None:
                raise _KeyTaken()
            return created
    except _KeyTaken:
        async with db.connection() as conn:
            replay = await _replay(db, conn, user_id, idempotency_key, request_hash)
        assert replay is not None
        return replay


async def _replay(
    db: Database, conn: asyncpg.Connection, user_id: UUID, key: str, request_hash: bytes
) -> dict[str, Any] | None:
    """The first answer to this key (within 24 h), or None when the key is new."""
    row = await conn.fetchrow(db.q.get_idempotency_key, user_id, key)
    if row is None:
        return None
    if row["request_hash"] != request_hash:
        raise IdempotencyKeyReused(key)
    first = await conn.fetchrow(db.q.get_generation, row["generation_id"], user_id)
    assert first is not None  # the key's row goes with its generation (ON DELETE CASCADE)
    # the 201 as it was: the generation was pending then, whatever it is now
    return {**{k: first[k] for k in _CREATE_FIELDS}, "status": Status.PENDING.value}


async def _create(
    db: Database, user_id: UUID, body: GenerateBody, limits: CreateLimits, conn: asyncpg.Connection | None = None
) -> dict[str, Any]:
    context = body.context.model_dump() if body.context else {}
    run = conn.fetchrow if conn is not None else db.fetchrow
    row = await run(
        db.q.create_generation,
        user_id, body.prompt, body.project_id,
        derive_name(body.prompt), derive_domain(body.prompt),
        context, body.generation_mode, body.is_iteration, body.parent_generation_id,
        limits.rate_limit, SIMILAR_NAME_THRESHOLD, limits.max_active, limits.daily_token_budget,
    )
    assert row is not None
    outcome = row["outcome"]
    if outcome == "rate_limited":
        raise RateLimited(errors.GENERATE_RATE_LIMITED.format(limit=limits.rate_limit), row["retry_after"])
    if outcome == "too_many_active":
        raise RateLimited(errors.TOO_MANY_ACTIVE.format(limit=limits.max_active), row["retry_after"])
    if outcome == "budget_exhausted":
        raise RateLimited(errors.BUDGET_EXHAUSTED.format(budget=limits.daily_token_budget), row["retry_after"])
    if outcome == "project_not_found":
        raise NotFound(errors.PROJECT_NOT_FOUND)
    if outcome == "parent_not_found":
        raise InvalidInput(errors.PARENT_NOT_FOUND)
    if outcome.startswith("parent_not_completed:"):
        status = outcome.partition(":")[2]
        raise InvalidInput(errors.PARENT_NOT_COMPLETED.format(status=status))
    values = {
        **dict(row),
        "status": Status.PENDING.value, "user_id": user_id,
        "prompt": body.prompt, "generation_mode": body.generation_mode,
        "is_iteration": body.is_iteration, "parent_generation_id": body.parent_generation_id,
    }
    return {k: values[k] for k in _CREATE_FIELDS}


async def get(db: Database, user_id: UUID, generation_id: UUID) -> dict[str, Any]:
    row = await db.fetchrow(db.q.get_generation, generation_id, user_id)
    if row is None:
        raise NotFound(errors.GENERATION_NOT_FOUND)
    return dict(row)


async def list_for_user(db: Database, user_id: UUID, query: ListGenerationsQuery) -> dict[str, Any]:
    cursor = query.cursor
    rows = await db.fetch(
        db.q.list_generations, user_id, query.limit + 1, query.project_id,
        query.status.value if query.status else None,
        cursor.created_at if cursor else None, cursor.id if cursor else None,
    )
    return keyset_page(rows, query.limit, "created_at")


async def move(
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
    run = conn.fetchrow if conn is not None else db.fetchrow
    row = await run(
        db.q.apply_move, generation_id, planned.target.value, stage.value, progress, message,
        error_message, list(planned.allowed_from), lease_token,
    )
    return row["seq"] if row else None


async def cancel(db: Database, user_id: UUID, generation_id: UUID) -> dict[str, Any]:
    current = await _status(db, user_id, generation_id)
    moved = None
    if not lifecycle.is_terminal(current):
        moved = await move(db, generation_id, Status.CANCELLED, message="Generation cancelled by the user")
    if moved is None:
        # already terminal, or it became terminal while we looked
        current = await _status(db, user_id, generation_id)
        raise Conflict(errors.ALREADY_TERMINAL.format(status=current.value))
    return await get(db, user_id, generation_id)


async def _status(db: Database, user_id: UUID, generation_id: UUID) -> Status:
    row = await db.fetchrow(db.q.get_generation_status, generation_id, user_id)
    if row is None:
        raise NotFound(errors.GENERATION_NOT_FOUND)
    return Status(row["status"])


async def files(db: Database, user_id: UUID, generation_id: UUID) -> dict[str, Any]:
    await _status(db, user_id, generation_id)
    rows = await db.fetch(db.q.list_files, generation_id)
    items = []
    for r in rows:
        item = {"path": r["path"], "language": r["language"], "size": r["size"], "content": r["content"]}
        if r["change"] is not None:
            item["change"] = r["change"]
        items.append(item)
    return {"files": items}


async def download(db: Database, user_id: UUID, generation_id: UUID) -> tuple[str, bytes]:
    generation = await get(db, user_id, generation_id)
    if generation["status"] != Status.COMPLETED:
        raise Conflict(errors.NOT_COMPLETED_DOWNLOAD.format(status=generation["status"]))
    rows = await db.fetch(db.q.file_contents, generation_id)
    folder = _slug(generation["project_name"]) or "project"
    # CPU work (compression) off the event loop, so other requests do not wait on a large project's zip
    archive = await asyncio.to_thread(_zip, folder, [(r["path"], r["content"]) for r in rows])
    return f"{folder}-{str(generation_id)[:8]}.zip", archive


def _zip(folder: str, files: list[tuple[str, str]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, content in files:
            archive.writestr(f"{folder}/{path}", content)
    return buffer.getvalue()


async def diff(db: Database, user_id: UUID, generation_id: UUID, against: UUID | None) -> str:
    generation = await get(db, user_id, generation_id)
    base_id = against or generation["parent_generation_id"]
    if base_id is None:
        raise InvalidInput(errors.NO_PARENT_TO_DIFF)
    # the base first: another user's (or an unknown) generation is a 404 whatever the state of this one
    base_status = await _status(db, user_id, base_id)
    if generation["status"] != Status.COMPLETED:
        raise Conflict(errors.NOT_COMPLETED_DIFF.format(status=generation["status"]))
    if base_status != Status.COMPLETED:
        raise Conflict(errors.BASE_NOT_COMPLETED.format(generation_id=base_id, status=base_status.value))
    old = {r["path"]: r["content"] for r in await db.fetch(db.q.file_contents, base_id)}
    new = {r["path"]: r["content"] for r in await db.fetch(db.q.file_contents, generation_id)}
    return await asyncio.to_thread(unified_diff, old, new)


def unified_diff(old: dict[str, str], new: dict[str, str]) -> str:
    chunks: list[str] = []
    for path in sorted(old.keys() | new.keys()):
        before, after = old.get(path), new.get(path)
        if before == after:
            continue
        chunks.extend(
            difflib.unified_diff(
                (before or "").splitlines(keepends=True),
                (after or "").splitlines(keepends=True),
                fromfile=f"a/{path}" if before is not None else "/dev/null",
                tofile=f"b/{path}" if after is not None else "/dev/null",
            )
        )
        if chunks and not chunks[-1].endswith("\n"):
            chunks[-1] += "\n\\ No newline at end of file\n"
    return "".join(chunks)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
