"""The plain typed values the store returns, services take and answer with, and ``api/`` serialises.

Frozen dataclasses, one field per column the SQL returns (sql/queries), so a query and its record
cannot drift apart silently: building one from a row with a missing or extra column fails. orjson
writes them as JSON objects, field for field (the shapes of shared/API.md).

A deliberate parallel: the pydantic response models of codegen/schemas.py describe the same shapes
for the OpenAPI document (with constraints and descriptions); these are what the code passes around,
built without validating each row again. tests/test_records.py checks that both name the same fields.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar
from uuid import UUID

from codegen.lifecycle import Mode, Status

T = TypeVar("T")

# a JSON document stored in a jsonb column (a generation's context, usage, notes, tests, requirements)
Json = Any


@dataclass(frozen=True, slots=True)
class Position:
    """Where a keyset page ends: the last item's time and id."""

    at: datetime
    id: UUID


@dataclass(frozen=True, slots=True)
class PageRequest:
    limit: int
    after: Position | None = None


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    next: Position | None

    @classmethod
    def of(cls, fetched: Sequence[T], request: PageRequest, position: Callable[[T], Position]) -> Page[T]:
        """One page from ``request.limit + 1`` fetched items: the extra one says another page follows."""
        items = list(fetched[: request.limit])
        more = len(fetched) > request.limit
        return cls(items, position(items[-1]) if more else None)


# -- accounts -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class User:
    id: UUID
    email: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Account:
    """A user as sign-in sees it (with the password's hash)."""

    id: UUID
    email: str
    password_hash: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class AccessToken:
    access_token: str
    token_type: str
    expires_in: int


@dataclass(frozen=True, slots=True)
class Registered:
    """A new account and its first access token (one JSON object)."""

    id: UUID
    email: str
    created_at: datetime
    access_token: str
    token_type: str
    expires_in: int


# -- projects -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Project:
    id: UUID
    name: str
    domain: str
    description: str | None
    created_at: datetime
    updated_at: datetime
    generation_count: int


@dataclass(frozen=True, slots=True)
class ProjectGeneration:
    id: UUID
    status: str
    prompt: str
    generation_mode: str
    is_iteration: bool
    parent_generation_id: UUID | None
    stage: str
    progress: float
    message: str
    error_message: str | None
    created_at: datetime
    completed_at: datetime | None
    updated_at: datetime
    requirement_counts: Json


@dataclass(frozen=True, slots=True)
class ProjectDetail(Project):
    generations: list[ProjectGeneration]


# -- generations --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NewGeneration:
    """What a user asks to generate."""

    prompt: str
    project_id: UUID | None = None
    context: dict[str, Json] | None = None
    generation_mode: Mode = Mode.PHASED
    is_iteration: bool = False
    parent_generation_id: UUID | None = None


@dataclass(frozen=True, slots=True)
class IdempotencyKey:
    """A client's Idempotency-Key and the fingerprint of the request it came with."""

    key: str
    request_hash: bytes


@dataclass(frozen=True, slots=True)
class GenerationFilter:
    project_id: UUID | None = None
    status: Status | None = None


@dataclass(frozen=True, slots=True)
class CreatedGeneration:
    """The answer to a create (and to its replay under the same Idempotency-Key)."""

    id: UUID
    status: str
    user_id: UUID
    project_id: UUID
    project_name: str
    project_domain: str
    auto_created_project: bool
    prompt: str
    generation_mode: str
    is_iteration: bool
    parent_generation_id: UUID | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class GenerationSummary(CreatedGeneration):
    """What every view of a generation shows beyond its creation."""

    stage: str
    progress: float
    message: str
    error_message: str | None
    attempts: int
    provider: str | None
    started_at: datetime | None
    completed_at: datetime | None
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Generation(GenerationSummary):
    """One generation as ``GET /generations/{id}`` shows it."""

    context: Json
    usage: Json
    notes: Json
    tests: Json
    requirements: Json
    files: Json

    def created(self) -> CreatedGeneration:
        """The 201 as it was: the generation was pending then, whatever it is now."""
        fields = {name: getattr(self, name) for name in CreatedGeneration.__dataclass_fields__}
        return CreatedGeneration(**{**fields, "status": Status.PENDING.value})


@dataclass(frozen=True, slots=True)
class GenerationListItem(GenerationSummary):
    requirement_counts: Json


@dataclass(frozen=True, slots=True)
class Claim:
    """A generation a worker claimed: what it needs to run this attempt, and the lease that fences its writes."""

    generation_id: UUID
    user_id: UUID
    lease_token: UUID
    attempt: int
    prompt: str
    mode: Mode
    context: dict[str, Json]
    is_iteration: bool
    parent_generation_id: UUID | None


@dataclass(frozen=True, slots=True)
class FileContent:
    """A generated file; ``change`` (added, modified, deleted, unchanged) only for an iteration."""

    path: str
    language: str
    size: int
    content: str
    change: str | None = None


@dataclass(frozen=True, slots=True)
class Download:
    filename: str
    archive: bytes


@dataclass(frozen=True, slots=True)
class StreamToken:
    sse_token: str
    expires_in: int
    stream_url: str
    generation_id: UUID


@dataclass(frozen=True, slots=True)
class PreviewLink:
    preview_url: str
    expires_in: int
    generation_id: UUID


@dataclass(frozen=True, slots=True)
class PreviewFile:
    content_type: str
    content: str
