"""The generator interface.

A generator turns a request (prompt, context, mode and, for an iteration, the
parent's files) into a full snapshot of files. While it works it reports the
pipeline's stages through ``report``; the engine turns each report into one
committed progress event. The engine owns the state machine, leases and
cancellation: a generator only computes, and raises ``GenerationError`` with a
message a user can act on when it cannot produce the project.

Cancellation and lost leases arrive as ``asyncio.CancelledError`` at any
``await`` (including ``report`` and HTTP calls in flight); generators must let
it propagate.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar, runtime_checkable

from codegen.lifecycle import Mode, Stage


T = TypeVar("T")

# runs a pure function of picklable arguments and answers its result: the engine's CPU pool, so that
# a generator's CPU-heavy steps (parsing and checking a long answer) stay off the event loop
CpuRunner = Callable[..., Awaitable[Any]]


async def run_inline(fn: Callable[..., T], *args: Any) -> T:
    """The CpuRunner outside the engine (and inside a CPU pool's child): the call, here and now."""
    return fn(*args)


class GenerationError(Exception):
    """The generator cannot produce the project; ``str(exc)`` is shown to the user.

    ``usage``: the tokens the model was billed for before the failure, stored on the generation.
    """

    def __init__(self, message: str, *, usage: dict[str, int] | None = None) -> None:
        super().__init__(message)
        self.usage = usage


@dataclass(frozen=True)
class GeneratedFile:
    path: str
    content: str


class FileSink(Protocol):
    """Where a generator writes file text as it is produced, for the live view (shared/API.md, "Live file content").

    Optional and best effort: the files of the result are the truth, and the engine makes the live
    view equal to them when the generator returns. Calls are synchronous and never block.
    """

    def begin(self, path: str) -> None:
        """The file starts (again) from nothing."""

    def append(self, path: str, text: str) -> None:
        """More text of the file (begun implicitly if needed)."""

    def end(self, path: str) -> None:
        """The file is written."""

    def finish(self, path: str, content: str) -> None:
        """The file is written and this is its text (only what differs from what was appended is sent)."""


@dataclass(frozen=True)
class GenerationRequest:
    generation_id: str
    prompt: str
    mode: Mode
    context: dict[str, Any] = field(default_factory=dict)
    # path -> content of the parent's snapshot; None unless this is an iteration
    parent_files: dict[str, str] | None = None
    # where file text goes as it is written (None: nobody watches)
    live: FileSink | None = field(default=None, compare=False, repr=False)
    # where CPU-heavy steps run (the engine passes its CPU pool)
    cpu: CpuRunner = field(default=run_inline, compare=False, repr=False)

    @property
    def is_iteration(self) -> bool:
        return self.parent_files is not None

    @property
    def additional_requirements(self) -> list[str]:
        reqs = self.context.get("additional_requirements") or []
        return [r for r in reqs if isinstance(r, str)]


@dataclass
class GenerationResult:
    files: list[GeneratedFile]
    # {"prompt_tokens": int, "completion_tokens": int} for LLM generators
    usage: dict[str, int] | None = None
    # free-form facts worth keeping on the generation (assumptions, validation)
    notes: dict[str, Any] = field(default_factory=dict)
    # the requirements checklist: [{"text", "status": "met"|"substituted"|"unmet", "where": [paths], "detail"}]
    requirements: list[dict[str, Any]] = field(default_factory=list)
    # the checklist states what the generator claims (a model's word), not what it knows it wrote: the
    # engine holds the requests still ``met`` against the project's tests (llm_checklist.against_tests)
    requirements_claimed: bool = False


class Reporter(Protocol):
    async def __call__(self, stage: Stage, progress: float, message: str) -> None:
        """Record one progress step.

        ``progress`` is the fraction of the whole generation done (0.0-1.0);
        the engine keeps it monotonic. ``stage`` must be one of the mode's
        stages (lifecycle.STAGES_BY_MODE).
        """


@runtime_checkable
class Generator(Protocol):
    name: str

    async def generate(self, request: GenerationRequest, report: Reporter) -> GenerationResult: ...


@runtime_checkable
class Repairer(Protocol):
    """A generator that can fix a project whose own tests failed (the engine runs the tests)."""

    async def repair(
        self, request: GenerationRequest, files: list[GeneratedFile], failure: str, usage: dict[str, int] | None
    ) -> GenerationResult:
        """The whole corrected snapshot; ``failure`` is the trimmed test output, ``usage`` what was spent so far.

        ``usage`` of the result is the total, repairs included. GenerationError when no repair can be made
        (the budget is spent, the answer is unusable): the engine then keeps the files it has.
        """
