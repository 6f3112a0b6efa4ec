"""pydantic models of every request body, query and path parameter (and of responses), and the page cursor.

The API's side only: services take and answer the plain values of codegen/records.py."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import (
    AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator,
)

from codegen.lifecycle import Status
from codegen.records import Page, PageRequest, Position


def _no_nul(value: str) -> str:
    # PostgreSQL text cannot hold NUL; refuse it here rather than fail in the database
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


# the NUL check comes after the length and pattern constraints, so those keep pydantic's
# string error types and messages (string_too_short, "String should have at least 10 characters")
NoNul = AfterValidator(_no_nul)


def _contains_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_contains_nul(k) or _contains_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_contains_nul(v) for v in value)
    return False


class Body(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=False)


class Credentials(Body):
    email: Annotated[str, Field(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"), NoNul]
    password: Annotated[str, Field(min_length=8, max_length=1024), NoNul]


class GenerationContext(BaseModel):
    model_config = ConfigDict(extra="allow")

    additional_requirements: Annotated[list[Annotated[str, Field(max_length=2000), NoNul]], Field(max_length=50)] = []

    @model_validator(mode="after")
    def _no_nul_anywhere(self) -> GenerationContext:
        # jsonb cannot hold \u0000 either, in keys or values
        if _contains_nul(self.model_extra):
            raise ValueError("must not contain NUL characters")
        if _contains_huge_int(self.model_extra):
            # the JSON encoder (orjson) writes 64-bit integers at most
            raise ValueError("integers must fit in 64 bits")
        return self


def _contains_huge_int(value: Any) -> bool:
    if isinstance(value, int) and not isinstance(value, bool):
        return not -(2**63) <= value <= 2**64 - 1
    if isinstance(value, dict):
        return any(_contains_huge_int(v) for v in value.values())
    if isinstance(value, list):
        return any(_contains_huge_int(v) for v in value)
    return False


class GenerateBody(Body):
    prompt: Annotated[str, Field(min_length=10, max_length=20_000), NoNul]
    project_id: UUID | None = None
    context: GenerationContext | None = None
    generation_mode: Literal["phased", "unified"] = "phased"
    is_iteration: bool = False
    parent_generation_id: UUID | None = None


class ProjectBody(Body):
    # surrounding blanks are dropped, so a blank name is refused like an empty one
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), NoNul]
    domain: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50), NoNul] | None = None
    description: Annotated[str, Field(max_length=5000), NoNul] | None = None


class Cursor(BaseModel):
    """The opaque ``cursor`` of a page: base64 of where the previous page ended."""

    created_at: datetime
    id: UUID

    def encode(self) -> str:
        raw = f"{self.created_at.isoformat()}|{self.id}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, value: str) -> Cursor:
        try:
            raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
            created_at, _, ident = raw.partition("|")
            cursor = cls(created_at=datetime.fromisoformat(created_at), id=UUID(ident))
        except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
            raise ValueError("not a cursor returned by this API") from exc
        if cursor.created_at.tzinfo is None:
            raise ValueError("not a cursor returned by this API")
        return cursor


def page_answer(page: Page[Any]) -> dict[str, Any]:
    """A page as the contract answers it: its items, and the cursor of the next page (null: none)."""
    after = page.next
    return {"items": page.items, "next_cursor": Cursor(created_at=after.at, id=after.id).encode() if after else None}


class PageQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")

    limit: Annotated[int, Field(ge=1, le=100)] = 20
    cursor: Annotated[Cursor | None, Field(description="next_cursor of the previous page")] = None

    @field_validator("cursor", mode="before")
    @classmethod
    def _decode_cursor(cls, value: Any) -> Any:
        return Cursor.decode(value) if isinstance(value, str) else value

    def page(self) -> PageRequest:
        """The page the services read: the cursor decoded to where the previous page ended."""
        return PageRequest(self.limit, Position(self.cursor.created_at, self.cursor.id) if self.cursor else None)


class ListGenerationsQuery(PageQuery):
    project_id: UUID | None = None
    status: Status | None = None


class ListProjectsQuery(PageQuery):
    # the cursor's time is the last project's updated_at (projects are listed by activity)
    limit: Annotated[int, Field(ge=1, le=100)] = 100


class StreamQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")

    token: Annotated[str, Field(min_length=1, max_length=200), NoNul]
    last_event_id: Annotated[int, Field(ge=0)] | None = None


class DiffQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")

    against: UUID | None = None


# -- responses ---------------------------------------------------------------------------
# What the handlers answer, for the OpenAPI document (codegen/openapi.py). The handlers
# build plain dicts from SQL rows; these models describe them and are checked against the
# live service by the schemathesis run in tests/test_hardening_fuzz.py. No model forbids
# extra keys, so adding a field to an answer never breaks a client that validates.


class ErrorOut(BaseModel):
    detail: str


class ValidationErrorItem(BaseModel):
    type: str
    loc: list[str | int]
    msg: str
    input: Any = None
    ctx: dict[str, Any] | None = None


class ValidationErrorOut(BaseModel):
    detail: list[ValidationErrorItem]


class UserOut(BaseModel):
    id: UUID
    email: str
    created_at: datetime


class TokenOut(BaseModel):
    access_token: str
    token_type: Literal["bearer"]
    expires_in: int


class RegisterOut(UserOut, TokenOut):
    pass


class GenerationCreated(BaseModel):
    id: UUID
    status: Status
    user_id: UUID
    project_id: UUID
    project_name: str
    project_domain: str
    auto_created_project: bool
    prompt: str
    generation_mode: Literal["phased", "unified"]
    is_iteration: bool
    parent_generation_id: UUID | None
    created_at: datetime


class FileInfo(BaseModel):
    path: str
    language: str
    size: int


class Usage(BaseModel):
    model_config = ConfigDict(extra="allow")

    prompt_tokens: int
    completion_tokens: int


class Requirement(BaseModel):
    """One request of the prompt and what became of it (see "Requirements checklist" in the contract)."""

    text: str
    status: Literal["met", "substituted", "unmet"]
    where: list[str] = Field(description="files that do it (met), or that hold the substitute")
    detail: str | None = Field(description="what was done instead (substituted), or why not (unmet)")


class RequirementCounts(BaseModel):
    met: int
    substituted: int
    unmet: int


class GenerationSummary(GenerationCreated):
    stage: str
    progress: Annotated[float, Field(ge=0, le=1)]
    message: str
    error_message: str | None
    attempts: int
    provider: str | None
    started_at: datetime | None
    completed_at: datetime | None
    updated_at: datetime


class TestResults(BaseModel):
    """A generated project's own tests, run in the sandbox (null while it runs and when never tried)."""

    __test__ = False  # not a pytest test class, whatever its name

    status: Literal["passed", "failed", "error", "not_run"]
    passed: int
    failed: int
    errors: int
    duration_s: float
    repair_rounds: int
    output: str
    reason: str | None


class GenerationOut(GenerationSummary):
    context: dict[str, Any]
    usage: Usage | None
    notes: dict[str, Any] | None
    tests: TestResults | None
    requirements: list[Requirement] = Field(description="the requirements checklist; [] until completed")
    files: list[FileInfo]


class GenerationListItem(GenerationSummary):
    requirement_counts: RequirementCounts = Field(description="how many requests of the checklist are met, "
                                                  "substituted and unmet (all 0 until completed)")


class GenerationList(BaseModel):
    items: list[GenerationListItem]
    next_cursor: str | None


class FileContent(FileInfo):
    content: str
    # only for an iteration (against its parent); absent otherwise
    change: Literal["added", "modified", "deleted", "unchanged"] | None = None


class FilesOut(BaseModel):
    files: list[FileContent]


class StreamTokenOut(BaseModel):
    sse_token: str
    expires_in: int
    stream_url: str
    generation_id: UUID


class ProjectOut(BaseModel):
    id: UUID
    name: str
    domain: str
    description: str | None
    created_at: datetime
    updated_at: datetime
    generation_count: int


class ProjectGeneration(BaseModel):
    id: UUID
    status: Status
    prompt: str
    generation_mode: Literal["phased", "unified"]
    is_iteration: bool
    parent_generation_id: UUID | None
    stage: str
    progress: Annotated[float, Field(ge=0, le=1)]
    message: str
    error_message: str | None
    created_at: datetime
    completed_at: datetime | None
    updated_at: datetime
    requirement_counts: RequirementCounts = Field(description="how many requests of the checklist are met, "
                                                  "substituted and unmet (all 0 until completed)")


class ProjectDetail(ProjectOut):
    generations: list[ProjectGeneration]


class ProjectList(BaseModel):
    items: list[ProjectOut]
    next_cursor: str | None


class PreviewTokenOut(BaseModel):
    """A short-lived link to a web-page generation's page, served sandboxed."""

    preview_url: str = Field(description="the page (index.html); its own files load relative to it")
    expires_in: int
    generation_id: UUID


class GeneratorOut(BaseModel):
    """What the configured generator can write, and prompts that work with it."""

    provider: str
    writes: list[str]
    languages: list[str]
    examples: list[str] = Field(description="prompts it serves faithfully")
    follow_up_examples: list[str] = Field(description="follow-up requests (iterations) it serves")


class HealthOut(BaseModel):
    status: str
    database: Literal["ok", "unreachable"]
