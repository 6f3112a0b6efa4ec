"""One generation, from claim to terminal state.

Every write carries the claim (``lease_token``) in its WHERE: a worker that
was paused past its lease and taken over can no longer write anything. Each
step is one transaction through the state machine: the move, the numbered
event row and ``pg_notify``.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from codegen import lifecycle
from codegen.config import Settings
from codegen.db import Database, DatabaseUnavailable
from codegen.generators import review
from codegen.generators.base import GeneratedFile, GenerationError, GenerationRequest, Generator
from codegen.lifecycle import Mode, Stage, Status
from codegen.services import generations as generation_service
from codegen.services.files import language_for

log = logging.getLogger(__name__)

REVIEW_PROGRESS = 0.85
FINALIZE_PROGRESS = 0.95
# reports from a generator are kept below the engine's own review/finalize steps
GENERATOR_PROGRESS_CAP = 0.84


class ClaimLost(Exception):
    """The generation is no longer this worker's (lease taken over, cancelled or deleted)."""


@dataclass(frozen=True)
class Claim:
    generation_id: UUID
    user_id: UUID
    lease_token: UUID
    attempt: int
    prompt: str
    mode: Mode
    context: dict[str, Any]
    is_iteration: bool
    parent_generation_id: UUID | None

    @classmethod
    def from_row(cls, row: Any) -> Claim:
        return cls(
            generation_id=row["id"],
            user_id=row["user_id"],
            lease_token=row["lease_token"],
            attempt=row["attempts"],
            prompt=row["prompt"],
            mode=Mode(row["generation_mode"]),
            context=row["context"] or {},
            is_iteration=row["is_iteration"],
            parent_generation_id=row["parent_generation_id"],
        )


@dataclass
class ProgressWriter:
    """The ``report`` a generator calls: one committed, claimed progress event per call."""

    db: Database
    claim: Claim
    stage_delay: float = 0.0
    progress: float = 0.0
    stage: Stage | None = None

    async def __call__(self, stage: Stage, progress: float, message: str) -> None:
        stage = Stage(stage)
        if not lifecycle.stage_is_valid(self.claim.mode, stage):
            raise GenerationError(f"the generator reported stage {stage} which {self.claim.mode} mode does not have")
        self.progress = max(self.progress, min(float(progress), 1.0))
        changed_stage = stage is not self.stage
        seq = await generation_service.move(
            self.db, self.claim.generation_id, Status.PROCESSING,
            stage=stage, progress=self.progress, message=message,
            source=Status.PROCESSING, lease_token=self.claim.lease_token,
        )
        if seq is None:
            raise ClaimLost()
        self.stage = stage
        if changed_stage and self.stage_delay:
            await asyncio.sleep(self.stage_delay)

    async def capped(self, stage: Stage, progress: float, message: str) -> None:
        await self(stage, min(progress, GENERATOR_PROGRESS_CAP), message)


async def run(db: Database, settings: Settings, generator: Generator, claim: Claim) -> Status:
    """Take a claimed generation to a terminal state; returns that state.

    Raises ClaimLost when the generation stopped being ours; CancelledError
    propagates (the worker decides what a cancel means).
    """
    writer = ProgressWriter(db, claim, stage_delay=settings.stage_delay)
    try:
        parent_files = await _parent_files(db, claim)
        request = GenerationRequest(
            generation_id=str(claim.generation_id), prompt=claim.prompt, mode=claim.mode,
            context=claim.context, parent_files=parent_files,
        )
        result = await generator.generate(request, writer.capped)
        files = _deduplicated(result.files)
        if claim.mode is Mode.PHASED:
            await writer(Stage.REVIEWING, REVIEW_PROGRESS, f"Reviewing {len(files)} files")
        problems = review.check_files(files)
        if problems:
            raise GenerationError("The review found problems: " + "; ".join(problems[:10]), usage=result.usage)
        notes = dict(result.notes)
        if settings.validate_mode == "tests":
            notes["tests"] = await _run_tests(settings, files)
        await writer(Stage.FINALIZING, FINALIZE_PROGRESS, f"Saving {len(files)} files")
        await _complete(db, claim, files, result.usage, notes)
        return Status.COMPLETED
    except GenerationError as exc:
        log.warning("generation failed", extra={"error": str(exc)})
        await _fail(db, claim, str(exc) or type(exc).__name__, exc.usage)
        return Status.FAILED
    except (ClaimLost, asyncio.CancelledError, DatabaseUnavailable):
        # a lost database is not the generator's fault: the lease expires and another attempt runs
        raise
    except Exception as exc:
        log.exception("generator crashed")
        await _fail(db, claim, f"Internal error while generating ({type(exc).__name__}: {exc})")
        return Status.FAILED


async def _parent_files(db: Database, claim: Claim) -> dict[str, str] | None:
    if not claim.is_iteration or claim.parent_generation_id is None:
        return None
    rows = await db.fetch(db.q.parent_files, claim.parent_generation_id)
    return {r["path"]: r["content"] for r in rows}


def _deduplicated(files: list[GeneratedFile]) -> list[GeneratedFile]:
    by_path: dict[str, GeneratedFile] = {}
    for f in files:
        by_path[f.path] = f
    return [by_path[p] for p in sorted(by_path)]


async def _run_tests(settings: Settings, files: list[GeneratedFile]) -> dict[str, Any]:
    if not any(f.path.endswith(".py") for f in files):
        return {"passed": True, "summary": "no Python tests to run", "output": ""}
    python = settings.validate_python or "python3"
    return await review.run_project_tests(
        files, python=python, timeout_seconds=settings.validate_timeout_seconds, memory_mb=settings.validate_memory_mb
    )


async def _complete(
    db: Database, claim: Claim, files: list[GeneratedFile], usage: dict[str, int] | None, notes: dict[str, Any]
) -> None:
    """The move to completed and the files, in one transaction: only the claim holder writes them."""
    async with db.transaction() as conn:
        seq = await generation_service.move(
            db, claim.generation_id, Status.COMPLETED, stage=Stage.COMPLETE, progress=1.0,
            message="Generation complete", source=Status.PROCESSING, lease_token=claim.lease_token, conn=conn,
        )
        if seq is None:
            # only when the claim is lost between the finalizing write just before and this one, a window
            # no test can time; the same fence as ProgressWriter's, which tests/test_fencing.py drives
            raise ClaimLost()  # pragma: no cover
        await conn.execute(db.q.delete_files, claim.generation_id)
        await conn.execute(
            db.q.insert_files, claim.generation_id,
            [f.path for f in files], [language_for(f.path) for f in files],
            [len(f.content.encode()) for f in files], [f.content for f in files],
        )
        await conn.execute(db.q.set_result, claim.generation_id, usage, notes or None)


async def _fail(db: Database, claim: Claim, error: str, usage: dict[str, int] | None = None) -> None:
    """The move to failed and what the attempt cost (when known), in one transaction."""
    error = error.replace("\x00", "")[:10_000]
    async with db.transaction() as conn:
        seq = await generation_service.move(
            db, claim.generation_id, Status.FAILED, stage=Stage.FAILED, message=error[:1000], error_message=error,
            source=Status.PROCESSING, lease_token=claim.lease_token, conn=conn,
        )
        if seq is None:
            raise ClaimLost()
        if usage:
            await conn.execute(db.q.set_result, claim.generation_id, usage, None)
