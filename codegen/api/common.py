"""What every handler needs: parsing with pydantic, JSON answers, the current user."""

from __future__ import annotations

from typing import Any, TypeVar
from uuid import UUID

import orjson
from aiohttp import web
from pydantic import BaseModel, TypeAdapter, ValidationError

from codegen import appkeys
from codegen.api.http_errors import validation_error, validation_items
from codegen.logs import user_id_var
from codegen.services import users

M = TypeVar("M", bound=BaseModel)
_UUID = TypeAdapter(UUID)

_JSON_OPTIONS = orjson.OPT_UTC_Z


def _default(value: Any) -> Any:
    # asyncpg returns its own UUID type, which orjson does not know
    if isinstance(value, UUID):
        return str(value)
    # orjson calls this only for a type it cannot write; our answers hold no other such type
    raise TypeError(f"cannot serialise {type(value).__name__}")  # pragma: no cover


def dumps(data: Any) -> bytes:
    return orjson.dumps(data, option=_JSON_OPTIONS, default=_default)


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(
        body=dumps(data), status=status, headers=headers,
        content_type="application/json",
    )


async def parse_body(request: web.Request, model: type[M]) -> M:
    raw = await request.read()
    try:
        return model.model_validate_json(raw or b"")
    except ValidationError as exc:
        raise validation_error(validation_items(exc, "body")) from None


def parse_query(request: web.Request, model: type[M]) -> M:
    try:
        return model.model_validate(dict(request.query))
    except ValidationError as exc:
        raise validation_error(validation_items(exc, "query")) from None


def path_uuid(request: web.Request, name: str) -> UUID:
    try:
        return _UUID.validate_python(request.match_info[name])
    except ValidationError as exc:
        raise validation_error(
            {**item, "loc": ["path", name]} for item in validation_items(exc, "path")
        ) from None


async def current_user(request: web.Request) -> UUID:
    app = request.app
    user_id = await users.current_user(app[appkeys.DB], app[appkeys.TOKENS], request.headers.get("Authorization"))
    user_id_var.set(str(user_id))
    return user_id


def client_address(request: web.Request) -> str:
    """The client's address: the peer's, or (CODEGEN_TRUST_FORWARDED_FOR, behind a proxy that sets it)
    the last X-Forwarded-For entry, the one our proxy appended, which the client cannot forge."""
    if request.app[appkeys.SETTINGS].trust_forwarded_for:
        forwarded = request.headers.get("X-Forwarded-For", "").rsplit(",", 1)[-1].strip()
        if forwarded:
            return forwarded
    return request.remote or ""


def api_prefix(request: web.Request) -> str:
    """"/api" when the request came in under it, so links keep the caller's form."""
    return "/api" if request.path.startswith("/api/") else ""
