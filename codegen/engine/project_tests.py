"""A generated project's own tests, run in the sandbox, read into the contract's ``tests`` result.

``ProjectTester.start`` probes the sandbox once; where it cannot start, every
run says so (``not_run`` with the reason) and nothing is executed. Sandboxed
runs are CPU-bound: they share their own cap (``CODEGEN_SANDBOX_CONCURRENCY``),
apart from how many generations a worker holds.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, replace
from pathlib import PurePosixPath
from typing import Any, Literal

from codegen.config import ValidationSettings
from codegen.engine.dependencies import DependencyCache, DependencyError, read_requirements
from codegen.engine.sandbox import VENV_DIR, RunResult, Sandbox, SandboxError, base_python

log = logging.getLogger(__name__)

TestStatus = Literal["passed", "failed", "error", "not_run"]
Say = Callable[[str], Awaitable[None]]
PYTEST_COMMAND = [f"{VENV_DIR}/bin/python", "-m", "pytest", "-q", "-p", "no:cacheprovider", "--color=no"]
_COUNT_RE = re.compile(r"(\d+) (passed|failed|errors?|skipped|xfailed|xpassed)\b")
# pytest's exit codes: https://docs.pytest.org/en/stable/reference/exit-codes.html
_NO_TESTS_COLLECTED = 5


@dataclass(frozen=True)
class TestReport:
    """The ``tests`` field of a generation (shared/API.md, "Test results")."""

    __test__ = False  # not a pytest test class, whatever its name

    status: TestStatus
    passed: int = 0
    failed: int = 0
    errors: int = 0
    duration_s: float = 0.0
    repair_rounds: int = 0
    output: str = ""
    reason: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> str:
        if self.status == "not_run":
            return f"tests not run: {self.reason}"
        if self.status == "error":
            return f"tests could not finish: {self.reason}"
        parts = [f"{self.passed} passed"]
        if self.failed:
            parts.append(f"{self.failed} failed")
        if self.errors:
            parts.append(f"{self.errors} error{'s' * (self.errors != 1)}")
        return ", ".join(parts)

    def with_rounds(self, rounds: int) -> TestReport:
        return replace(self, repair_rounds=rounds)


def not_run(reason: str) -> TestReport:
    return TestReport(status="not_run", reason=reason)


def has_python_tests(files: dict[str, str]) -> bool:
    return any(_is_python_test(path) for path in files)


def _is_python_test(path: str) -> bool:
    name = PurePosixPath(path).name
    return name.endswith(".py") and (name.startswith("test_") or name.endswith("_test.py"))


class ProjectTester:
    def __init__(self, settings: ValidationSettings, sandbox: Sandbox | None, unavailable: str | None) -> None:
        self.settings = settings
        self.sandbox = sandbox
        self.unavailable = unavailable
        self.python = base_python(settings.sandbox)
        self.dependencies = DependencyCache(settings.dependencies, self.python)
        self._slots = asyncio.Semaphore(settings.sandbox.concurrency or os.cpu_count() or 1)

    @classmethod
    async def start(cls, settings: ValidationSettings) -> ProjectTester:
        """Probe the sandbox once; say at start, once, when generated code cannot run here."""
        if settings.mode != "tests":
            return cls(settings, None, "tests are turned off on this server (CODEGEN_VALIDATE=syntax)")
        sandbox, why = await Sandbox.probe(settings.sandbox)
        if sandbox is None:
            reason = f"no sandbox on this host: {why}"
            log.warning("generated projects' tests will not run: the sandbox cannot start", extra={"reason": why})
            return cls(settings, None, reason)
        log.info("sandbox ready", extra={"cgroup": bool(sandbox.cgroup_parents)})
        return cls(settings, sandbox, None)

    async def run(self, files: dict[str, str], say: Say) -> TestReport:
        """Run the project's tests in the sandbox; every outcome is a report, never an exception."""
        if self.sandbox is None:
            return not_run(self.unavailable or "no sandbox")
        if not has_python_tests(files):
            return not_run("the project has no Python tests (test_*.py) to run")
        try:
            requirements = read_requirements(files)
        except DependencyError as exc:
            return not_run(str(exc))

        async def installing() -> None:
            await say("Installing the project's requirements")

        try:
            async with self.dependencies.environment(requirements, on_install=installing) as venv, self._slots:
                await say("Running the project's tests")
                result = await self.sandbox.run(files, PYTEST_COMMAND, python=self.python, venv=venv)
        except DependencyError as exc:
            return not_run(f"a requirement could not be installed: {exc}")
        except SandboxError as exc:
            return TestReport(status="error", reason=str(exc))
        return read_result(result, self.sandbox.limits.timeout_seconds)


def read_result(result: RunResult, timeout_seconds: float) -> TestReport:
    """pytest's exit code and summary line, as the contract's result."""
    counts = _counts(result.output)
    common = {
        "passed": counts.get("passed", 0), "failed": counts.get("failed", 0),
        "errors": counts.get("error", 0) + counts.get("errors", 0),
        "duration_s": round(result.duration_s, 2), "output": result.output,
    }
    if result.timed_out:
        return TestReport(status="error", reason=f"the tests did not finish within {timeout_seconds:g} s", **common)
    code = result.exit_code
    if code == 0:
        return TestReport(status="passed", **common)
    if code == 1:
        return TestReport(status="failed", **common)
    if code == _NO_TESTS_COLLECTED:
        return TestReport(status="not_run", reason="pytest collected no tests", **common)
    # bwrap reports a command killed by a signal as 128 + its number
    killed_by = result.signal or (code - 128 if code is not None and code > 128 else None)
    if killed_by is not None:
        return TestReport(status="error", reason=_signal_reason(killed_by), **common)
    if "MemoryError" in result.output:
        return TestReport(status="error", reason="the tests ran out of memory (the sandbox's memory limit)", **common)
    return TestReport(status="error", reason=f"pytest could not run the tests (exit status {code})", **common)


def _counts(output: str) -> dict[str, int]:
    """The counts of pytest's last summary line ("3 passed, 1 failed in 0.12s")."""
    for line in reversed(output.splitlines()):
        found = _COUNT_RE.findall(line)
        if found and (" in " in line or "no tests ran" in line):
            return {kind: int(number) for number, kind in found}
    return {}


def _signal_reason(number: int) -> str:
    if number == 24:  # SIGXCPU
        return "the tests used up their CPU time limit"
    if number == 9:
        return "the tests were killed (a memory or process limit of the sandbox)"
    if number == 25:  # SIGXFSZ
        return "the tests wrote a file over the sandbox's file size limit"
    return f"the tests were killed by signal {number}"
