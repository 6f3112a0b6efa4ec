"""Live file content: the text of the files a generation is writing, as it is written.

shared/API.md ("Live file content") and docs/streaming.md say what a client sees; this is how.

- The worker writes through a ``LiveWriter`` (the generator's ``FileSink``). Every write lands at once in
  this process's ``LiveGeneration`` (the exact text so far) and wakes the streams that follow it here.
- Deltas reach other processes without a row per token, and only for generations that a stream on another
  process follows (it says so, and again every INTEREST_REFRESH_SECONDS): the process's ``LiveFiles`` hub
  batches every such delta of every generation it writes and, at most once per FLUSH_SECONDS, sends them
  in one statement
  (``live_flush``): NOTIFY payloads under MAX_PAYLOAD_BYTES each, plus a checkpoint (the whole text so far)
  of each file changed since its generation's last one, at most once per CHECKPOINT_SECONDS and always
  when the generator's result is settled. So statements grow with time (at most 1/FLUSH_SECONDS a
  second per process, however many generations and tokens), never with tokens.
- A process that streams a generation written elsewhere keeps a mirror: loaded from the checkpoints,
  then following the deltas (and reloaded at the first checkpoint after it said it follows). A delta it cannot place (it missed the ones before, having joined after the
  checkpoint) marks the file behind until the next checkpoint announced in a payload, which it reloads.
- Every file has a source ``version`` (bumped when its writer starts it over) and, per process, an
  ``epoch`` (bumped whenever the text is replaced rather than extended), which is what a stream compares
  with what it sent: same epoch, send the new tail; another epoch, send the whole text from offset 0.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Final

import asyncpg
import orjson

from codegen.db import Database, DatabaseUnavailable, Lane
from codegen.engine.bus import EventBus, Subscription
from codegen.engine.live_generation import LiveGeneration
from codegen.engine.live_payloads import chunked_payloads, payloads_for
from codegen.engine.live_writer import LiveWriter
from codegen.store import files as file_store
from codegen.store import live as store

log = logging.getLogger(__name__)

# the longest a delta waits in this process before other processes get it (this process's streams get it at once)
FLUSH_SECONDS: Final = 0.05
# the longest a file grows between two checkpoints (what a stream joining on another process starts from)
CHECKPOINT_SECONDS: Final = 1.0
# the most a settle waits for its flush before the result is committed anyway
SYNC_TIMEOUT_SECONDS: Final = 5.0
# a process whose streams follow a generation written elsewhere says so this often; the writer sends that
# generation's deltas and checkpoints only while someone said so within INTEREST_SECONDS
INTEREST_REFRESH_SECONDS: Final = 5.0
INTEREST_SECONDS: Final = 3 * INTEREST_REFRESH_SECONDS
FLUSH_ERRORS: Final = (DatabaseUnavailable, asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError)


class LiveFiles:
    """This process's live files: the generations it writes and the ones its streams follow."""

    def __init__(self, db: Database, bus: EventBus) -> None:
        self.db = db
        self.sender = uuid.uuid4().hex[:12]
        self.generations: dict[str, LiveGeneration] = {}
        self._epoch = 0
        self._pending: list[list[Any]] = []
        self._wake = asyncio.Event()
        self._flushed: asyncio.Future[None] | None = None
        self._flushed_at = 0.0
        self._task: asyncio.Task[None] | None = None
        # generation id -> until when another process follows it (only those are sent)
        self.interest: dict[str, float] = {}
        # mirrors to announce at the next flush (new ones at once, all of them every INTEREST_REFRESH_SECONDS)
        self._announce: set[str] = set()
        self._announced_at = 0.0
        # statements sent and payloads in them (docs/streaming.md measures them)
        self.flushes = 0
        self.payloads = 0
        bus.on_files(self._on_payload)
        bus.on_resync(self._on_resync)

    def next_epoch(self) -> int:
        self._epoch += 1
        return self._epoch

    # -- writing (the worker) ----------------------------------------------------

    def writer(self, generation_id: str, attempt: int) -> LiveWriter:
        generation = self.generations.get(generation_id)
        if generation is None:
            generation = self.generations[generation_id] = LiveGeneration(self, generation_id, attempt)
        elif generation.attempt != attempt or generation.writer is not None:  # pragma: no branch - attempts only grow
            generation.restart(attempt)
        # a load in flight (a stream came first) finds the writer there and changes nothing
        generation.loaded = True
        generation.held.clear()
        writer = generation.writer = LiveWriter(self, generation)
        return writer

    def followed_elsewhere(self, generation_id: str) -> bool:
        until = self.interest.get(generation_id)
        if until is None:
            return False
        if until < time.monotonic():
            del self.interest[generation_id]
            return False
        return True

    def publish(self, generation: LiveGeneration, path: str, version: int, offset: int, text: str, done: bool) -> None:
        if not self.followed_elsewhere(generation.generation_id):
            return  # nobody on another process follows it: its streams here have it all already
        generation.unsaved.add(path)
        last = self._pending[-1] if self._pending else None
        if (
            last is not None and not last[6] and last[0] == generation.generation_id and last[2] == path
            and last[1] == generation.attempt and last[3] == version and last[4] + len(last[5]) == offset
        ):
            # consecutive deltas of one file travel as one
            last[5] += text
            last[6] = done
        else:
            self._pending.append([generation.generation_id, generation.attempt, path, version, offset, text, done])
        self.wake()

    def wake(self) -> None:
        self._wake.set()

    async def sync(self, generation: LiveGeneration) -> None:
        if not self.followed_elsewhere(generation.generation_id):
            return
        # the next flush, which starts after any in flight: everything written before this call is in one of them
        if self._flushed is None:
            self._flushed = asyncio.get_running_loop().create_future()
        self.wake()
        try:
            async with asyncio.timeout(SYNC_TIMEOUT_SECONDS):
                await asyncio.shield(self._flushed)
        except TimeoutError:
            log.warning("live file deltas not flushed in time; other processes catch up from the stored files")

    def release(self, generation: LiveGeneration) -> None:
        if not generation.watchers and generation.writer is None and not generation.unsaved:
            self.generations.pop(generation.generation_id, None)

    async def start(self) -> None:
        # the generations' deltas and checkpoints: a busy pool delays a flush (the next one carries more), never drops it
        with Database.lane(Lane.GENERATION):
            self._task = asyncio.create_task(self._flush_loop(), name="live-files")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _flush_loop(self) -> None:
        while True:
            # a file changed since its checkpoint is checkpointed within CHECKPOINT_SECONDS, even if all is
            # quiet; mirrors are announced again every INTEREST_REFRESH_SECONDS
            timeout = None
            if any(g.writer is None and g.watchers for g in self.generations.values()):
                timeout = INTEREST_REFRESH_SECONDS
            if any(g.unsaved for g in self.generations.values()):
                timeout = CHECKPOINT_SECONDS
            try:
                async with asyncio.timeout(timeout):
                    await self._wake.wait()
            except TimeoutError:
                pass
            # batch: at most one statement per FLUSH_SECONDS
            wait = self._flushed_at + FLUSH_SECONDS - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            self._wake.clear()
            self._flushed_at = time.monotonic()
            done, self._flushed = self._flushed, None
            try:
                await self.flush()
            finally:
                if done is not None and not done.done():
                    done.set_result(None)

    async def flush(self) -> None:
        deltas, self._pending = self._pending, []
        now = time.monotonic()
        if now - self._announced_at >= INTEREST_REFRESH_SECONDS:
            self._announced_at = now
            self.interest = {g: until for g, until in self.interest.items() if until >= now}
            self._announce.update(g.generation_id for g in self.generations.values() if g.writer is None and g.watchers)
        announce, self._announce = sorted(self._announce), set()
        rows: list[store.Checkpoint] = []
        saved: list[str] = []
        for generation in list(self.generations.values()):
            if not generation.unsaved or not (generation.save_now or now - generation.saved_at >= CHECKPOINT_SECONDS):
                continue
            for path in generation.unsaved:
                file = generation.files[path]
                rows.append(store.Checkpoint(
                    generation.generation_id, path, generation.attempt, file.version, file.text, file.done
                ))
            generation.unsaved.clear()
            generation.save_now = False
            generation.saved_at = now
            saved.append(generation.generation_id)
            self.release(generation)
        if not deltas and not rows and not announce:
            return
        payloads = payloads_for(self.sender, deltas, saved)
        if announce:
            payloads += chunked_payloads(self.sender, "w", announce)
        try:
            await store.flush(self.db, rows, payloads)
        except FLUSH_ERRORS as exc:
            # streams here have it all; other processes' mirrors catch up at the next checkpoint, which has everything
            log.warning("live file deltas could not be sent", extra={"error": str(exc), "deltas": len(deltas)})
            for generation in self.generations.values():
                if generation.writer is not None and self.followed_elsewhere(generation.generation_id):
                    generation.unsaved.update(generation.files)
                    generation.save_now = True
            self._announce.update(announce)
            return
        self.flushes += 1
        self.payloads += len(payloads)

    # -- following (the streams) --------------------------------------------------

    @contextmanager
    def follow(self, generation_id: str, subscription: Subscription) -> Iterator[LiveGeneration]:
        generation = self.generations.get(generation_id)
        if generation is None:
            generation = self.generations[generation_id] = LiveGeneration(self, generation_id, 0)
        if generation.writer is None and not generation.watchers:
            # whoever writes it starts sending its deltas and checkpoints (the next mark reloads this mirror)
            self._announce.add(generation_id)
            self.wake()
        generation.watchers.add(subscription)
        try:
            yield generation
        finally:
            generation.watchers.discard(subscription)
            self.release(generation)

    async def ready(self, generation: LiveGeneration) -> None:
        """Wait until a mirror holds what the checkpoints say (at once for a generation written here)."""
        if generation.writer is None and not generation.loaded and generation.loading is None:
            # the checkpoints may lag the deltas this mirror missed before it listened; the next mark's do not
            generation.unconfirmed = True
            self._load(generation)
        if generation.loading is not None:
            await asyncio.shield(generation.loading)

    def _load(self, generation: LiveGeneration) -> None:
        generation.loading = asyncio.get_running_loop().create_task(self._read(generation))

    async def _read(self, generation: LiveGeneration) -> None:
        try:
            while True:
                generation.reload = False
                rows = await store.latest(self.db, generation.generation_id)
                if generation.writer is not None:
                    return
                generation.load(rows)
                if not generation.reload:
                    return
        finally:
            generation.loading = None

    async def settle_stored(self, generation: LiveGeneration) -> None:
        """Before a stream sends ``completed``: a mirror not settled here takes the stored files (once a process).

        The writer settles its files before the result commits, but another process may not have had all
        of it (it began to follow late, or a flush was lost): the stored files are the truth.
        """
        if generation.final:
            return
        if generation.final_load is None:
            generation.final_load = asyncio.get_running_loop().create_task(self._read_stored(generation))
        await asyncio.shield(generation.final_load)

    async def _read_stored(self, generation: LiveGeneration) -> None:
        try:
            stored = await file_store.contents(self.db, uuid.UUID(generation.generation_id))
        finally:
            generation.final_load = None
        for path, content in stored.items():
            file = generation.files.get(path)
            if file is not None and content.startswith(file.text):
                generation.extend(path, 0, content, True)
            else:
                generation.replace(path, content, True, 0 if file is None else file.version + 1)
        generation.behind.clear()
        generation.final = True

    def _on_payload(self, payload: str) -> None:
        try:
            message = orjson.loads(payload)
        except orjson.JSONDecodeError:
            log.warning("a live files payload that is not JSON", extra={"payload": payload[:200]})
            return
        if message.get("s") == self.sender:
            return
        for generation_id in message.get("w", ()):
            new = not self.followed_elsewhere(generation_id)
            self.interest[generation_id] = time.monotonic() + INTEREST_SECONDS
            generation = self.generations.get(generation_id)
            if new and generation is not None and generation.writer is not None:
                # newly followed elsewhere: checkpoint every file now, deltas follow
                generation.unsaved.update(generation.files)
                generation.save_now = True
                self.wake()
        for item in message.get("d", ()):
            generation = self.generations.get(item[0])
            if generation is None or generation.writer is not None:
                continue
            if generation.loading is not None or not generation.loaded:
                generation.held.append(item[1:])
            else:
                generation.apply_remote(*item[1:])
        for generation_id in message.get("c", ()):
            generation = self.generations.get(generation_id)
            if generation is None or generation.writer is not None:
                continue
            if generation.behind or generation.unconfirmed:
                generation.unconfirmed = False
                if generation.loading is None:
                    self._load(generation)
                else:
                    # the load in flight may have read before this mark's rows: read again after it
                    generation.reload = True

    def _on_resync(self) -> None:
        # notifications were missed while the bus was away: every mirror starts again from the checkpoints
        for generation in self.generations.values():
            if generation.writer is None and generation.loading is None and generation.loaded:
                self._load(generation)
