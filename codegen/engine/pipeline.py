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
from urllib.parse import urlsplit

from codegen import lifecycle
from codegen.config import EngineSettings
from codegen.db import Database, DatabaseUnavailable
from codegen.engine import cpu as cpu_work
from codegen.engine.cpu import CpuPool
from codegen.engine.live_writer import LiveWriter
from codegen.engine.project_tests import ProjectTester, TestReport
from codegen.generators import llm_checklist
from codegen.generators.base import (
    GeneratedFile,
    GenerationError,
    GenerationRequest,
    GenerationResult,
    Generator,
    Repairer,
    Reporter,
)
from codegen.lifecycle import Mode, Stage, Status
from codegen.records import Claim
from codegen.languages import language_for
from codegen.store import files as file_store
from codegen.store import generations as store
from codegen.store import spend

log = logging.getLogger(__name__)

REVIEW_PROGRESS = 0.85
FINALIZE_PROGRESS = 0.95
# reports from a generator are kept below the engine's own review/finalize steps
GENERATOR_PROGRESS_CAP = 0.84


class ClaimLost(Exception):
    """The generation is no longer this worker's (lease taken over, cancelled or deleted)."""


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
        seq = await store.record_transition(
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


async def run(
    db: Database, settings: EngineSettings, generator: Generator, claim: Claim, tester: ProjectTester,
    live: LiveWriter | None = None,
    *, cpu: CpuPool,
) -> Status:
    """Take a claimed generation to a terminal state; returns that state.

    ``live`` receives the files' text as it is written; before the result is committed it is made
    equal to the files stored, and sent to every process. ``cpu`` runs the review, and the generator
    itself when it is CPU-bound, off the event loop.

    Raises ClaimLost when the generation stopped being ours; CancelledError
    propagates (the worker decides what a cancel means).
    """
    writer = ProgressWriter(db, claim, stage_delay=settings.stage_delay)
    try:
        await _check_spending(db, settings, claim)
        parent_files = await _parent_files(db, claim)
        request = GenerationRequest(
            generation_id=str(claim.generation_id), prompt=claim.prompt, mode=claim.mode,
            context=claim.context, parent_files=parent_files, live=live, cpu=cpu.run,
        )
        result = await _generate(cpu, generator, request, writer.capped)
        files = _deduplicated(result.files)
        _show(request, files)
        if claim.mode is Mode.PHASED:
            await writer(Stage.REVIEWING, REVIEW_PROGRESS, f"Reviewing {len(files)} files")
        await _review(cpu, files, result.usage)
        verified = await _verify(settings, generator, tester, request, writer, Verified(files, result.usage), cpu)
        await writer(Stage.FINALIZING, FINALIZE_PROGRESS, f"Saving {len(verified.files)} files")
        _show(request, verified.files)
        if live is not None:
            # the streams of every process hold the files before the event that says they are done
            await live.sync()
        requirements = result.requirements
        if result.requirements_claimed and verified.tests is not None:
            requirements = llm_checklist.against_tests(requirements, verified.tests.as_dict())
        await _complete(db, claim, verified.files, verified.usage, dict(result.notes), verified.tests, requirements)
        return Status.COMPLETED
    except GenerationError as exc:
        log.warning("generation failed", extra={"error": str(exc)})
        await _fail(db, claim, _without_endpoint(str(exc) or "The generator failed", settings), exc.usage)
        return Status.FAILED
    except (ClaimLost, asyncio.CancelledError, DatabaseUnavailable):
        # a lost database is not the generator's fault: the lease expires and another attempt runs
        raise
    except Exception:
        # the details (class, paths, URLs) are for the log only; the user gets a stable message
        log.exception("generator crashed")
        await _fail(db, claim, f"Internal error while generating; the server's log has the details (generation {claim.generation_id})")
        return Status.FAILED


async def _check_spending(db: Database, settings: EngineSettings, claim: Claim) -> None:
    """The spending stop: no model is called once today's tokens reach the user's budget or the
    service's daily limit (tokens are billed when a generation ends, so one running generation per
    worker slot may go past them)."""
    user_tokens, all_tokens = await spend.today(db, claim.user_id)
    if settings.global_daily_token_limit and all_tokens >= settings.global_daily_token_limit:
        raise GenerationError(
            "The service has reached its daily spending limit; no model was called. Try again after midnight UTC."
        )
    if settings.daily_token_budget and user_tokens >= settings.daily_token_budget:
        raise GenerationError(
            f"Your daily token budget ({settings.daily_token_budget} tokens) is spent; no model was called. "
            "It renews at midnight UTC."
        )


def _without_endpoint(message: str, settings: EngineSettings) -> str:
    """The message with the model endpoint's address taken out: users see what went wrong, the log
    (which keeps the whole message) says where."""
    if not settings.model_endpoint:
        return message
    endpoint = urlsplit(settings.model_endpoint.rstrip("/"))
    for secret in (settings.model_endpoint.rstrip("/"), endpoint.netloc, endpoint.hostname):
        if secret:
            message = message.replace(secret, "<model endpoint>")
    return message


def _tokens(usage: dict[str, int] | None) -> int:
    if not usage:
        return 0
    return int(usage.get("prompt_tokens") or 0) + int(usage.get("completion_tokens") or 0)


async def _generate(cpu: CpuPool, generator: Generator, request: GenerationRequest, report: Reporter) -> GenerationResult:
    # a CPU-bound generator (the template one) would hold the loop, and every request of the process, while it works
    if getattr(generator, "cpu_bound", False):
        return await cpu_work.generate(cpu, generator, request, report)
    return await generator.generate(request, report)


async def _review(cpu: CpuPool, files: list[GeneratedFile], usage: dict[str, int] | None) -> None:
    problems = await cpu_work.review_files(cpu, files)
    if problems:
        raise GenerationError("The review found problems: " + "; ".join(problems[:10]), usage=usage)


@dataclass
class Verified:
    files: list[GeneratedFile]
    usage: dict[str, int] | None
    tests: TestReport | None = None


async def _verify(
    settings: EngineSettings, generator: Generator, tester: ProjectTester, request: GenerationRequest,
    writer: ProgressWriter, current: Verified,
    cpu: CpuPool,
) -> Verified:
    """Run the project's tests in the sandbox; a generator that can repair gets up to REPAIR_ROUNDS tries.

    The stage stays ``reviewing`` (``generating`` in unified mode, which has no review stage) with a
    message per step. A repair that cannot be made ends the loop and keeps the last files.
    """
    stage = Stage.REVIEWING if request.mode is Mode.PHASED else Stage.GENERATING
    progress = REVIEW_PROGRESS

    async def say(message: str) -> None:
        nonlocal progress
        progress = min(progress + 0.01, FINALIZE_PROGRESS - 0.01)
        await writer(stage, progress, message)

    report = await tester.run(_as_dict(current.files), say)
    rounds = 0
    while report.status == "failed" and rounds < settings.validation.repair_rounds and isinstance(generator, Repairer):
        await say(f"{report.summary()}; repairing (round {rounds + 1} of {settings.validation.repair_rounds})")
        try:
            repaired = await generator.repair(request, current.files, _failure_text(report), current.usage)
            files = _deduplicated(repaired.files)
            await _review(cpu, files, repaired.usage)
        except GenerationError as exc:
            # the files and their result stay those of the last tested snapshot
            await say(f"Repair round {rounds + 1} could not be made: {str(exc)[:300]}")
            current.usage = exc.usage or current.usage
            break
        rounds += 1
        current = Verified(files, repaired.usage)
        _show(request, files)
        report = await tester.run(_as_dict(current.files), say)
    current.tests = report.with_rounds(rounds)
    if report.status != "not_run":
        await say(f"Tests: {current.tests.summary()}")
    return current


def _show(request: GenerationRequest, files: list[GeneratedFile]) -> None:
    """The live view shows ``files`` (what the generator wrote last, as it will be stored)."""
    if isinstance(request.live, LiveWriter):
        request.live.settle(files, request.parent_files)


def _as_dict(files: list[GeneratedFile]) -> dict[str, str]:
    return {f.path: f.content for f in files}


def _failure_text(report: TestReport, limit: int = 6000) -> str:
    """The end of the failing run's output: where pytest puts the failures and its summary."""
    return report.output[-limit:]


async def _parent_files(db: Database, claim: Claim) -> dict[str, str] | None:
    if not claim.is_iteration or claim.parent_generation_id is None:
        return None
    return await store.parent_files(db, claim.parent_generation_id)


def _deduplicated(files: list[GeneratedFile]) -> list[GeneratedFile]:
    by_path: dict[str, GeneratedFile] = {}
    for f in files:
        by_path[f.path] = f
    return [by_path[p] for p in sorted(by_path)]


async def _complete(
    db: Database, claim: Claim, files: list[GeneratedFile], usage: dict[str, int] | None, notes: dict[str, Any],
    tests: TestReport | None,
    requirements: list[dict[str, Any]],
) -> None:
    """The move to completed and the files, in one transaction: only the claim holder writes them."""
    async with db.transaction() as conn:
        seq = await store.record_transition(
            db, claim.generation_id, Status.COMPLETED, stage=Stage.COMPLETE, progress=1.0,
            message="Generation complete", source=Status.PROCESSING, lease_token=claim.lease_token, conn=conn,
        )
        if seq is None:
            # only when the claim is lost between the finalizing write just before and this one, a window
            # no test can time; the same fence as ProgressWriter's, which tests/test_fencing.py drives
            raise ClaimLost()  # pragma: no cover
        await file_store.replace(
            conn, db, claim.generation_id,
            [f.path for f in files], [language_for(f.path) for f in files],
            [len(f.content.encode()) for f in files], [f.content for f in files],
        )
        await store.set_result(conn, db, claim.generation_id, usage, notes or None, tests.as_dict() if tests else None)
        await store.set_requirements(conn, db, claim.generation_id, requirements)
        if _tokens(usage):
            await spend.record(conn, db, claim.generation_id, _tokens(usage))


async def _fail(db: Database, claim: Claim, error: str, usage: dict[str, int] | None = None) -> None:
    """The move to failed and what the attempt cost (when known), in one transaction."""
    error = error.replace("\x00", "")[:10_000]
    async with db.transaction() as conn:
        seq = await store.record_transition(
            db, claim.generation_id, Status.FAILED, stage=Stage.FAILED, message=error[:1000], error_message=error,
            source=Status.PROCESSING, lease_token=claim.lease_token, conn=conn,
        )
        if seq is None:
            raise ClaimLost()
        if usage:
            await store.set_result(conn, db, claim.generation_id, usage, None, None)
        if _tokens(usage):
            await spend.record(conn, db, claim.generation_id, _tokens(usage))
