"""The generation state machine: statuses, stages and the moves between them.

Every status write in the code base asks this module which moves are legal
(``plan_transition``), and the SQL applies the move conditionally (``WHERE status = ANY($allowed)``),
so a move that lost a race to another process changes nothing and says so.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Status(enum.StrEnum):
    PENDING = "pending"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


class Stage(enum.StrEnum):
    QUEUED = "queued"
    PLANNING = "planning"
    ARCHITECTURE = "architecture"
    GENERATING = "generating"
    REVIEWING = "reviewing"
    FINALIZING = "finalizing"
    COMPLETE = "complete"
    FAILED = "failed"
    CANCELLED = "cancelled"
    # only ever sent on a stream, never stored
    CONNECTED = "connected"


class Mode(enum.StrEnum):
    PHASED = "phased"
    UNIFIED = "unified"


TERMINAL: frozenset[Status] = frozenset({Status.COMPLETED, Status.FAILED, Status.CANCELLED})

# status -> the statuses it may be entered from
_ENTERED_FROM: dict[Status, frozenset[Status]] = {
    Status.PENDING: frozenset({Status.PROCESSING}),  # a lease expired: retry
    Status.PROCESSING: frozenset({Status.PENDING, Status.PROCESSING}),  # claim, then progress
    Status.COMPLETED: frozenset({Status.PROCESSING}),
    Status.FAILED: frozenset({Status.PENDING, Status.PROCESSING}),
    Status.CANCELLED: frozenset({Status.PENDING, Status.PROCESSING}),
}

STAGES_BY_MODE: dict[Mode, tuple[Stage, ...]] = {
    Mode.PHASED: (Stage.PLANNING, Stage.ARCHITECTURE, Stage.GENERATING, Stage.REVIEWING, Stage.FINALIZING),
    Mode.UNIFIED: (Stage.GENERATING, Stage.FINALIZING),
}

# the stage a claimed generation starts in (the claim's event carries it)
FIRST_STAGE: dict[Mode, Stage] = {mode: stages[0] for mode, stages in STAGES_BY_MODE.items()}


def first_stages() -> dict[str, str]:
    """{mode: its first stage}, as the claim query (sql/queries/generations.sql claim_pending, $7) takes it."""
    return {mode.value: stage.value for mode, stage in FIRST_STAGE.items()}


# the stage written together with each terminal status
TERMINAL_STAGE: dict[Status, Stage] = {
    Status.COMPLETED: Stage.COMPLETE,
    Status.FAILED: Stage.FAILED,
    Status.CANCELLED: Stage.CANCELLED,
}


class IllegalTransition(ValueError):
    """A move the state machine does not allow, whatever the current state."""


@dataclass(frozen=True)
class Transition:
    """A legal move: the target status and the statuses the SQL may apply it from."""

    target: Status
    allowed_from: tuple[str, ...]

    @property
    def is_terminal(self) -> bool:
        return self.target in TERMINAL


def plan_transition(source: Status | str | None, target: Status | str) -> Transition:
    """Validate a move and return what the conditional UPDATE needs (the store's
    ``record_transition`` applies it: the one place a status changes).

    ``source`` is what the caller believes the status is (None: any legal
    source). The SQL re-checks against ``allowed_from`` so a stale belief
    cannot apply an illegal move.
    """
    target = Status(target)
    allowed = _ENTERED_FROM[target]
    if source is not None:
        source = Status(source)
        if source not in allowed:
            raise IllegalTransition(f"cannot move a generation from {source} to {target}")
        allowed = frozenset({source})
    return Transition(target=target, allowed_from=tuple(sorted(s.value for s in allowed)))


def is_terminal(status: Status | str) -> bool:
    return Status(status) in TERMINAL


def stage_is_valid(mode: Mode | str, stage: Stage | str) -> bool:
    return Stage(stage) in STAGES_BY_MODE[Mode(mode)]
