"""Test-only CPU-bound generators: they run in the engine's CPU pool, in a child process.

They live in a module of their own because the child imports them by name (they are pickled by
reference). The test and the child talk through files in a directory both see.
"""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path
from typing import Any

from codegen.generators.base import GeneratedFile, GenerationError, GenerationResult
from codegen.lifecycle import Stage

# a bound, so that a test that never releases the gate still ends (and fails on its assertions)
GATE_LIMIT_SECONDS = 20.0


class SlowCpuGenerator:
    """Reports, writes ``started`` (its pid), then blocks its process until ``release`` exists.

    Blocking (not awaiting) is the point: on the event loop it would stop every request of the
    server until the gate opened.
    """

    name = "slow-cpu"
    cpu_bound = True

    def __init__(self, gate: Path, error: str | None = None) -> None:
        self.gate = gate
        self.error = error

    @property
    def started(self) -> Path:
        return self.gate / "started"

    @property
    def release(self) -> Path:
        return self.gate / "release"

    @property
    def passed(self) -> Path:
        """Written when the child leaves the gate (released or given up)."""
        return self.gate / "passed"

    async def generate(self, request: Any, report: Any) -> GenerationResult:
        await report(Stage.GENERATING, 0.1, "Computing")
        self.started.write_text(str(os.getpid()))
        deadline = time.monotonic() + GATE_LIMIT_SECONDS
        while not self.release.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        self.passed.touch()
        await report(Stage.GENERATING, 0.5, "Computed" if self.release.exists() else "Gave up waiting")
        if self.error is not None:
            raise GenerationError(self.error, usage={"prompt_tokens": 3, "completion_tokens": 4})
        return GenerationResult(files=[GeneratedFile("app.py", "print('hi')\n"), GeneratedFile("README.md", "# hi\n")])

    async def opened(self, timeout: float = 3 * GATE_LIMIT_SECONDS) -> int:
        """The child's pid, once it is blocked at the gate."""
        async with asyncio.timeout(timeout):
            while not self.started.exists() or not self.started.read_text():
                await asyncio.sleep(0.02)
        return int(self.started.read_text())


def pid_and_square(value: int) -> tuple[int, int]:
    return os.getpid(), value * value


def sleep_forever() -> None:
    time.sleep(3600)
