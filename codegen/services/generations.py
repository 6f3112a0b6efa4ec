"""Generations: create, read, list, cancel, files, download and diff.

A status changes in one place, ``store.generations.record_transition`` (the engine's claim and
reaper statements take their allowed sources from the same state machine).
"""

from __future__ import annotations

import asyncio
import difflib
import io
import re
import zipfile
from dataclasses import dataclass
from uuid import UUID

import asyncpg

from codegen import errors, lifecycle
from codegen.db import Database
from codegen.errors import Conflict, IdempotencyKeyReused, InvalidInput, NotFound, RateLimited
from codegen.lifecycle import Status
from codegen.records import (
    CreatedGeneration, Download, FileContent, Generation, GenerationFilter, GenerationListItem, IdempotencyKey,
    NewGeneration, Page, PageRequest, Position,
)
from codegen.services.naming import SIMILAR_NAME_THRESHOLD, derive_domain, derive_name
from codegen.store import files as file_store
from codegen.store import generations as store
from codegen.store import security


@dataclass(frozen=True)
class CreateLimits:
    """CODEGEN_GENERATE_RATE_LIMIT, CODEGEN_MAX_ACTIVE_GENERATIONS, CODEGEN_DAILY_TOKEN_BUDGET (0: off)."""

    rate_limit: int
    max_active: int = 0
    daily_token_budget: int = 0


class _KeyTaken(Exception):
    """Another request with the same Idempotency-Key committed first: roll this one back."""


async def create(
    db: Database, user_id: UUID, new: NewGeneration, limits: CreateLimits, idempotency: IdempotencyKey | None = None
) -> CreatedGeneration:
    if new.is_iteration and new.parent_generation_id is None:
        raise InvalidInput(errors.PARENT_REQUIRED)
    if idempotency is None:
        return await _create(db, user_id, new, limits)
    try:
        async with db.transaction() as conn:
            replay = await _replay(db, conn, user_id, idempotency)
            if replay is not None:
                return replay
            created = await _create(db, user_id, new, limits, conn)
            if not await security.claim_idempotency_key(
                conn, db, user_id, idempotency.key, idempotency.request_hash, created.id
            ):
                raise _KeyTaken()
            return created
    except _KeyTaken:
        async with db.connection() as conn:
            replay = await _replay(db, conn, user_id, idempotency)
        assert replay is not None
        return replay


async def _replay(
    db: Database, conn: asyncpg.Connection, user_id: UUID, idempotency: IdempotencyKey
) -> CreatedGeneration | None:
    """The first answer to this key (within 24 h), or None when the key is new."""
    used = await security.idempotency_key(conn, db, user_id, idempotency.key)
    if used is None:
        return None
    first_hash, generation_id = used
    if first_hash != idempotency.request_hash:
        raise IdempotencyKeyReused(idempotency.key)
    first = await store.get(db, user_id, generation_id, conn)
    assert first is not None  # the key's row goes with its generation (ON DELETE CASCADE)
    return first.created()


async def _create(
    db: Database, user_id: UUID, new: NewGeneration, limits: CreateLimits, conn: asyncpg.Connection | None = None
) -> CreatedGeneration:
    quota = store.Quota(limits.rate_limit, SIMILAR_NAME_THRESHOLD, limits.max_active, limits.daily_token_budget)
    row = await store.create(db, user_id, new, derive_name(new.prompt), derive_domain(new.prompt), quota, conn)
    outcome = row.outcome
    if outcome == "rate_limited":
        raise RateLimited(errors.GENERATE_RATE_LIMITED.format(limit=limits.rate_limit), row.retry_after or 0)
    if outcome == "too_many_active":
        raise RateLimited(errors.TOO_MANY_ACTIVE.format(limit=limits.max_active), row.retry_after or 0)
    if outcome == "budget_exhausted":
        raise RateLimited(errors.BUDGET_EXHAUSTED.format(budget=limits.daily_token_budget), row.retry_after or 0)
    if outcome == "project_not_found":
        raise NotFound(errors.PROJECT_NOT_FOUND)
    if outcome == "parent_not_found":
        raise InvalidInput(errors.PARENT_NOT_FOUND)
    if outcome.startswith("parent_not_completed:"):
        raise InvalidInput(errors.PARENT_NOT_COMPLETED.format(status=outcome.partition(":")[2]))
    assert row.project_id and row.project_name and row.project_domain and row.created_at
    return CreatedGeneration(
        id=row.id, status=Status.PENDING.value, user_id=user_id, project_id=row.project_id,
        project_name=row.project_name, project_domain=row.project_domain,
        auto_created_project=bool(row.auto_created_project), prompt=new.prompt,
        generation_mode=str(new.generation_mode), is_iteration=new.is_iteration,
        parent_generation_id=new.parent_generation_id, created_at=row.created_at,
    )


async def get(db: Database, user_id: UUID, generation_id: UUID) -> Generation:
    generation = await store.get(db, user_id, generation_id)
    if generation is None:
        raise NotFound(errors.GENERATION_NOT_FOUND)
    return generation


async def list_for_user(
    db: Database, user_id: UUID, which: GenerationFilter, request: PageRequest
) -> Page[GenerationListItem]:
    items = await store.page(db, user_id, which, request)
    return Page.of(items, request, lambda item: Position(item.created_at, item.id))


async def cancel(db: Database, user_id: UUID, generation_id: UUID) -> Generation:
    current = await _status(db, user_id, generation_id)
    moved = None
    if not lifecycle.is_terminal(current):
        moved = await store.record_transition(
            db, generation_id, Status.CANCELLED, message="Generation cancelled by the user"
        )
    if moved is None:
        # already terminal, or it became terminal while we looked
        current = await _status(db, user_id, generation_id)
        raise Conflict(errors.ALREADY_TERMINAL.format(status=current.value))
    return await get(db, user_id, generation_id)


async def _status(db: Database, user_id: UUID, generation_id: UUID) -> Status:
    status = await store.status(db, user_id, generation_id)
    if status is None:
        raise NotFound(errors.GENERATION_NOT_FOUND)
    return status


async def files(db: Database, user_id: UUID, generation_id: UUID) -> list[FileContent]:
    await _status(db, user_id, generation_id)
    return await file_store.listed(db, generation_id)


async def download(db: Database, user_id: UUID, generation_id: UUID) -> Download:
    generation = await get(db, user_id, generation_id)
    if generation.status != Status.COMPLETED:
        raise Conflict(errors.NOT_COMPLETED_DOWNLOAD.format(status=generation.status))
    contents = await file_store.contents(db, generation_id)
    folder = _slug(generation.project_name) or "project"
    # CPU work (compression) off the event loop, so other requests do not wait on a large project's zip
    archive = await asyncio.to_thread(_zip, folder, contents)
    return Download(f"{folder}-{str(generation_id)[:8]}.zip", archive)


def _zip(folder: str, files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, content in files.items():
            archive.writestr(f"{folder}/{path}", content)
    return buffer.getvalue()


async def diff(db: Database, user_id: UUID, generation_id: UUID, against: UUID | None) -> str:
    generation = await get(db, user_id, generation_id)
    base_id = against or generation.parent_generation_id
    if base_id is None:
        raise InvalidInput(errors.NO_PARENT_TO_DIFF)
    # the base first: another user's (or an unknown) generation is a 404 whatever the state of this one
    base_status = await _status(db, user_id, base_id)
    if generation.status != Status.COMPLETED:
        raise Conflict(errors.NOT_COMPLETED_DIFF.format(status=generation.status))
    if base_status != Status.COMPLETED:
        raise Conflict(errors.BASE_NOT_COMPLETED.format(generation_id=base_id, status=base_status.value))
    old = await file_store.contents(db, base_id)
    new = await file_store.contents(db, generation_id)
    return await asyncio.to_thread(unified_diff, old, new)


def unified_diff(old: dict[str, str], new: dict[str, str]) -> str:
    chunks: list[str] = []
    for path in sorted(old.keys() | new.keys()):
        before, after = old.get(path), new.get(path)
        if before == after:
            continue
        lines = difflib.unified_diff(
            (before or "").splitlines(keepends=True),
            (after or "").splitlines(keepends=True),
            fromfile=f"a/{path}" if before is not None else "/dev/null",
            tofile=f"b/{path}" if after is not None else "/dev/null",
        )
        # a last line without its newline, the old file's or the new one's (each can be): marked as diff(1) does
        chunks.extend(line if line.endswith("\n") else f"{line}\n\\ No newline at end of file\n" for line in lines)
    return "".join(chunks)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
