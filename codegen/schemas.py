"""pydantic models of every request body, query and path parameter (and of responses)."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from codegen.lifecycle import Status


def _no_nul(value: str) -> str:
    # PostgreSQL text cannot hold NUL; refuse it here rather than fail in the database
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


Text = Annotated[str, AfterValidator(_no_nul)]


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
    email: Annotated[Text, Field(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    password: Annotated[Text, Field(min_length=8, max_length=1024)]


class GenerationContext(BaseModel):
    model_config = ConfigDict(extra="allow")

    additional_requirements: Annotated[list[Annotated[Text, Field(max_length=2000)]], Field(max_length=50)] = []

    @model_validator(mode="after")
    def _no_nul_anywhere(self) -> GenerationContext:
        # jsonb cannot hold \u0000 either, in keys or values
        if _contains_nul(self.model_extra):
            raise ValueError("must not contain NUL characters")
        return self


class GenerateBody(Body):
    prompt: Annotated[Text, Field(min_length=10, max_length=20_000)]
    project_id: UUID | None = None
    context: GenerationContext | None = None
    generation_mode: Literal["phased", "unified"] = "phased"
    is_iteration: bool = False
    parent_generation_id: UUID | None = None


class ProjectBody(Body):
    name: Annotated[Text, Field(min_length=1, max_length=200)]
    domain: Annotated[Text, Field(min_length=1, max_length=50)] | None = None
    description: Annotated[Text, Field(max_length=5000)] | None = None


class Cursor(BaseModel):
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


class ListGenerationsQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")

    project_id: UUID | None = None
    status: Status | None = None
    limit: Annotated[int, Field(ge=1, le=100)] = 20
    cursor: Annotated[Cursor | None, Field(description="next_cursor of the previous page")] = None

    @field_validator("cursor", mode="before")
    @classmethod
    def _decode_cursor(cls, value: Any) -> Any:
        return Cursor.decode(value) if isinstance(value, str) else value


class StreamQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")

    token: Annotated[Text, Field(min_length=1, max_length=200)]
    last_event_id: Annotated[int, Field(ge=0)] | None = None


class DiffQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")

    against: UUID | None = None
