"""CPU work off the event loop: a process pool with its own cap (CODEGEN_CPU_WORKERS).

The template generator (a generator that sets ``cpu_bound = True``) and the static review
(``ast.parse`` of every file) take tens of milliseconds of CPU per generation; on the event loop
that time is added to every API request and stream of the process. Threads do not help (the GIL),
and CPython 3.11's parser is not safe to drive from many threads at once (the review in threads
raised "AST constructor recursion depth mismatch" under load), so the work goes to processes.

Children come from a *forkserver*: a fresh interpreter that imported only the modules below, so no
event loop, socket or pool connection of the server is ever inherited. Arguments and results cross
by pickle; a generator's progress reports are recorded in the child and replayed on the loop
after the call, in order (replaying is a few database writes, what the generator did inline).

Cancelling a caller returns at once; a call already running in a child finishes there and its
result is dropped. ``close()`` ends the children, whatever they are doing.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import select
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from codegen.generators import review
from codegen.generators.base import (
    GeneratedFile, GenerationError, GenerationRequest, GenerationResult, Generator, Reporter, run_inline,
)
from codegen.lifecycle import Stage

log = logging.getLogger(__name__)

T = TypeVar("T")

# imported once by the forkserver, so each child starts with them loaded (a fork, not an import)
PRELOAD = ["codegen.engine.cpu", "codegen.generators.template", "codegen.generators.openai.answers"]


def default_workers() -> int:
    return os.cpu_count() or 1


class CpuPool:
    """At most ``workers`` CPU tasks run at once, each in a child process; more wait their turn."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or default_workers()
        self._context = multiprocessing.get_context("forkserver")
        # takes effect when this process starts its forkserver (the first pool to run a task)
        self._context.set_forkserver_preload(PRELOAD)
        self._executor = self._new_executor()
        self._closed = False

    def _new_executor(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.workers, mp_context=self._context, initializer=_end_with, initargs=(os.getpid(),)
        )

    async def start(self) -> None:
        """Start the children now, from a thread.

        Otherwise the first task starts them from the event loop, and the first pool of a process
        also starts the forkserver, which imports PRELOAD before it answers: measured, the loop
        stopped for ~450 ms at the first generation to finish.
        """
        await asyncio.to_thread(self._start_children)

    def _start_children(self) -> None:
        # each submit finds no idle child and starts one, up to ``workers``
        started = [self._executor.submit(os.getpid) for _ in range(self.workers)]
        for future in started:
            future.result()

    @property
    def children(self) -> list[int]:
        """The pids of the children started so far."""
        return list(getattr(self._executor, "_processes", None) or {})

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` in a child process; ``fn``, the arguments and the result must pickle."""
        if self._closed:
            raise RuntimeError("the CPU pool is closed")
        executor = self._executor
        try:
            return await asyncio.get_running_loop().run_in_executor(executor, fn, *args)
        except BrokenProcessPool:
            # a child died (killed, out of memory): this call fails, the next ones get fresh children
            if self._executor is executor and not self._closed:
                log.error("a CPU worker process died; starting a new pool")
                executor.shutdown(wait=False, cancel_futures=True)
                self._executor = self._new_executor()
            raise

    def close(self) -> None:
        """Drop queued tasks and end the children now (a task still running is not waited for)."""
        if self._closed:
            return
        self._closed = True
        # the executor has no public way to stop a running task; its process table is the one handle
        # (shutdown() clears it, so it is read first)
        processes = list((getattr(self._executor, "_processes", None) or {}).values())
        self._executor.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            if process.is_alive():
                process.terminate()


def _end_with(server_pid: int) -> None:
    """Each child's initializer: the child ends when the server process does.

    A server that is killed (SIGKILL, OOM) sends its children no shutdown; they would wait for work
    forever, and keep the forkserver alive with them (each child holds its liveness pipe).
    """
    if hasattr(os, "pidfd_open"):  # Linux
        server = os.pidfd_open(server_pid)

        def watch() -> None:
            select.select([server], [], [])  # readable once the process has ended
            os._exit(0)
    else:  # pragma: no cover - elsewhere (macOS): ask once a second; tests and CI run on Linux

        def watch() -> None:
            while True:
                time.sleep(1.0)
                try:
                    os.kill(server_pid, 0)
                except ProcessLookupError:
                    os._exit(0)

    threading.Thread(target=watch, name="end-with-server", daemon=True).start()


@dataclass(frozen=True)
class _Report:
    stage: Stage
    progress: float
    message: str


@dataclass
class _Outcome:
    """What a generator did in a child: its reports in order, then its result or its error."""

    reports: list[_Report] = field(default_factory=list)
    result: GenerationResult | None = None
    error: str | None = None
    usage: dict[str, int] | None = None


def _generate_in_child(generator: Generator, request: GenerationRequest) -> _Outcome:
    outcome = _Outcome()

    async def record(stage: Stage, progress: float, message: str) -> None:
        outcome.reports.append(_Report(Stage(stage), progress, message))

    try:
        outcome.result = asyncio.run(generator.generate(request, record))
    except GenerationError as exc:
        # sent as values: the exception's keyword-only ``usage`` does not survive pickling
        outcome.error, outcome.usage = str(exc), exc.usage
    return outcome


async def generate(pool: CpuPool, generator: Generator, request: GenerationRequest, report: Reporter) -> GenerationResult:
    """``generator.generate`` in a child; its reports are then made here, in order, as if inline.

    The live view is not sent along (it lives on this loop): the engine settles it from the result.
    """
    outcome = await pool.run(_generate_in_child, generator, replace(request, live=None, cpu=run_inline))
    for item in outcome.reports:
        await report(item.stage, item.progress, item.message)
    if outcome.error is not None:
        raise GenerationError(outcome.error, usage=outcome.usage)
    assert outcome.result is not None
    return outcome.result


async def review_files(pool: CpuPool, files: list[GeneratedFile]) -> list[str]:
    """``review.check_files`` in a child: the problems found, none when the snapshot is fine."""
    return await pool.run(review.check_files, files)
