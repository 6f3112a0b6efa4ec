"""The worker: claims pending generations, holds their leases, reaps lost ones.

Runs in every server process (and alone in ``codegen worker``). Woken by
NOTIFY when a generation is queued, polling slowly as a fallback.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from dataclasses import dataclass, field
from typing import Literal
from uuid import UUID

import asyncpg

from codegen import lifecycle
from codegen.records import Claim
from codegen.config import EngineSettings
from codegen.db import Database, DatabaseUnavailable, Lane
from codegen.engine import pipeline
from codegen.engine.bus import EventBus, StreamEvent
from codegen.engine.cpu import CpuPool
from codegen.engine.live import LiveFiles
from codegen.engine.project_tests import ProjectTester
from codegen.generators.base import Generator
from codegen.lifecycle import Status
from codegen.logs import generation_id_var, user_id_var
from codegen.store import generations as store
from codegen.store import live as live_store
from codegen.store import security, stream_tokens

log = logging.getLogger(__name__)

# errors a background loop survives: it logs, waits and tries again
TRANSIENT_ERRORS = (DatabaseUnavailable, asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError)
# how long stop() waits for running generations to hand themselves back
STOP_TIMEOUT_SECONDS = 3.0
StopReason = Literal["cancelled", "claim_lost", "shutdown"]


@dataclass
class Running:
    claim: Claim
    task: asyncio.Task[None] = field(init=False)
    stop_reason: StopReason | None = None

    def stop(self, reason: StopReason) -> None:
        if self.stop_reason is None:
            self.stop_reason = reason
            self.task.cancel()


class Worker:
    def __init__(
        self, db: Database, bus: EventBus, settings: EngineSettings, generator: Generator,
        tester: ProjectTester | None = None, live: LiveFiles | None = None,
        cpu: CpuPool | None = None,
    ) -> None:
        self.db = db
        self.bus = bus
        self._owns_live = live is None
        self.live = live or LiveFiles(db, bus)
        # the app passes its pool (sized by CODEGEN_CPU_WORKERS); a worker made alone sizes one by the CPUs
        self._owns_cpu = cpu is None
        self.cpu = cpu or CpuPool()
        self.settings = settings
        self.generator = generator
        # probed at start unless given: where no sandbox can start, every generation's tests are not_run
        self._probe_sandbox = tester is None
        self.tester = tester or ProjectTester(settings.validation, None, "the sandbox was not probed yet")
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.running: dict[UUID, Running] = {}
        self._wake = asyncio.Event()
        self._loops: list[asyncio.Task[None]] = []
        self._stopping = False

    # -- lifecycle of the worker itself ----------------------------------------

    async def start(self) -> None:
        if self._probe_sandbox:
            self.tester = await ProjectTester.start(self.settings.validation)
        if self._owns_live:
            await self.live.start()
        self.bus.on_queue(self._wake.set)
        self.bus.on_event(self._on_event)
        self._loops = [
            asyncio.create_task(self._claim_loop(), name="worker-claim"),
            asyncio.create_task(self._heartbeat_loop(), name="worker-heartbeat"),
            asyncio.create_task(self._reaper_loop(), name="worker-reaper"),
        ]
        log.info("worker started", extra={"worker_id": self.worker_id, "concurrency": self.capacity})

    async def stop(self) -> None:
        """Stop taking work and hand back what is running, so another worker takes it at once.

        Bounded: a hand-back that cannot reach the database within STOP_TIMEOUT_SECONDS is
        abandoned, and that generation's lease expires instead. Calling it again does nothing.
        """
        self._stopping = True
        for loop in self._loops:
            loop.cancel()
        await asyncio.gather(*self._loops, return_exceptions=True)
        running = list(self.running.values())
        for item in running:
            item.stop("shutdown")
        tasks = [item.task for item in running]
        if tasks:
            _done, late = await asyncio.wait(tasks, timeout=STOP_TIMEOUT_SECONDS)
            for task in late:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        if self._owns_live:
            await self.live.stop()
        if self._owns_cpu:
            self.cpu.close()

    # -- claiming ----------------------------------------------------------------

    async def _claim_loop(self) -> None:
        delay = 0.1
        # stop() cancels the loop; the flag only covers a wake-up racing that cancel
        while not self._stopping:  # pragma: no branch
            self._wake.clear()
            try:
                await self.claim_available()
                delay = 0.1
            except Exception as exc:
                # a database outage (or anything else) never ends the loop: wait and try again
                if isinstance(exc, TRANSIENT_ERRORS):
                    log.warning("claiming failed; retrying", extra={"error": str(exc), "delay": delay})
                else:  # pragma: no cover - only a bug of ours raises anything else here (logged, not swallowed)
                    log.exception("claiming failed unexpectedly; retrying", extra={"delay": delay})
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.settings.poll_seconds)
                continue
            # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow a cancel that races the wake-up
            try:
                async with asyncio.timeout(self.settings.poll_seconds):
                    await self._wake.wait()
            except TimeoutError:
                pass

    @property
    def capacity(self) -> int:
        """Generations held at once: a model-backed generator waits on tokens, so it holds many more."""
        if getattr(self.generator, "io_bound", False):
            return self.settings.model_concurrency
        return self.settings.concurrency

    async def claim_available(self) -> int:
        free = self.capacity - len(self.running)
        if free <= 0 or self._stopping:
            return 0
        claims = await store.claim(self.db, free, self.settings.lease_seconds, self.worker_id, self.generator.name)
        for claim in claims:
            self._start(claim)
        return len(claims)

    def _start(self, claim: Claim) -> None:
        # the task copies the context: its logs carry the generation and its user, its statements their lane
        generation_token = generation_id_var.set(str(claim.generation_id))
        user_token = user_id_var.set(str(claim.user_id))
        item = Running(claim)
        try:
            # a busy pool slows the generation down; it does not end it (and its work with it)
            with Database.lane(Lane.GENERATION):
                item.task = asyncio.create_task(self._execute(item), name=f"generation-{claim.generation_id}")
        finally:
            generation_id_var.reset(generation_token)
            user_id_var.reset(user_token)
        # our own earlier attempt, if its lease ran out while it was stalled, no longer owns the
        # generation: stop it (its writes would fail anyway); each attempt keeps its own bookkeeping
        stale = self.running.get(claim.generation_id)
        if stale is not None:
            stale.stop("claim_lost")
        self.running[claim.generation_id] = item

    async def _execute(self, item: Running) -> None:
        claim = item.claim
        log.info("generation claimed", extra={"attempt": claim.attempt, "worker_id": self.worker_id})
        live = self.live.writer(str(claim.generation_id), claim.attempt)
        try:
            status = await pipeline.run(self.db, self.settings, self.generator, claim, self.tester, live, cpu=self.cpu)
            log.info("generation finished", extra={"status": status.value})
        except pipeline.ClaimLost:
            log.warning("generation is no longer ours; stopped without writing", extra={"worker_id": self.worker_id})
        except asyncio.CancelledError:
            reason = item.stop_reason
            log.info("generation stopped", extra={"reason": reason})
            if reason == "shutdown":
                await self._release(claim)
            elif reason is None:
                raise
        except TRANSIENT_ERRORS as exc:
            # the lease runs out and the reaper hands the generation to another attempt
            log.warning("generation interrupted by the database; the lease will expire", extra={"error": str(exc)})
        finally:
            live.close()
            if self.running.get(claim.generation_id) is item:
                del self.running[claim.generation_id]
            self._wake.set()

    async def _release(self, claim: Claim) -> None:
        try:
            await store.release_claim(self.db, claim.generation_id, claim.lease_token)
        except TRANSIENT_ERRORS as exc:
            log.warning("could not hand the generation back; its lease will expire", extra={"error": str(exc)})

    def _on_event(self, generation_id: str, event: StreamEvent) -> None:
        if not self.running or not event.terminal:
            return
        item = self.running.get(UUID(generation_id))
        # our own terminal writes also arrive here; only a foreign one (a cancel) stops the task
        if item is not None and event.status == Status.CANCELLED:
            item.stop("cancelled")

    # -- leases ------------------------------------------------------------------

    async def _heartbeat_loop(self) -> None:
        interval = self.settings.lease_seconds / 3
        while not self._stopping:  # pragma: no branch - as in _claim_loop (stop() cancels the loop)
            await asyncio.sleep(interval)
            await self.renew()

    async def renew(self) -> None:
        """Renew every lease held, in one statement (hundreds of model generations are one round trip)."""
        held = list(self.running.items())
        if not held:
            return
        try:
            # on a connection of its own: the generations' statements queued for the pool never hold it up
            with Database.lane(Lane.LEASES):
                renewed = await store.renew_leases(
                    self.db, [(gid, item.claim.lease_token) for gid, item in held], self.settings.lease_seconds
                )
        except Exception as exc:  # noqa: BLE001 - the loop outlives any failure; the next beat tries again
            log.warning("lease renewal failed", extra={"error": str(exc), "generations": len(held)})
            return
        for generation_id, item in held:
            if generation_id not in renewed and self.running.get(generation_id) is item:
                item.stop("claim_lost")

    async def _reaper_loop(self) -> None:
        interval = max(self.settings.lease_seconds / 2, 0.2)
        while not self._stopping:  # pragma: no branch - as in _claim_loop
            try:
                await self.reap()
            except TRANSIENT_ERRORS as exc:
                log.warning("reaper failed; retrying", extra={"error": str(exc)})
            except Exception:  # pragma: no cover - only a bug of ours raises anything else here (logged)
                log.exception("reaper failed unexpectedly; retrying")
            await asyncio.sleep(interval)

    async def reap(self) -> int:
        """Expired leases go back to the queue, or fail once their attempts are spent."""
        returned, failed = await store.reap_expired(self.db, self.settings.max_attempts)
        for generation_id in returned:
            log.warning("lease expired; generation requeued", extra={"generation_id": str(generation_id)})
        for generation_id in failed:
            log.error(
                "lease expired on the last attempt; generation failed", extra={"generation_id": str(generation_id)}
            )
        await stream_tokens.purge_expired(self.db)
        await security.purge_expired(self.db)
        await live_store.purge(self.db, [s.value for s in Status if s not in lifecycle.TERMINAL])
        return len(returned) + len(failed)
