"""The HTTP side of errors: the contract's JSON shape (``{"detail": ...}``), FastAPI-style 422 items,
and the one mapping of the domain's errors (codegen/errors.py) to status codes and headers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import ValidationError

from codegen import errors

RETRY_AFTER_UNAVAILABLE = "5"


class ApiError(Exception):
    """An answer other than success, with the detail clients match on."""

    def __init__(self, status: int, detail: Any, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.headers = dict(headers or {})


_BEARER = {"WWW-Authenticate": "Bearer"}
_STATUS: tuple[tuple[type[errors.DomainError], int], ...] = (
    (errors.NotFound, 404),
    (errors.Conflict, 409),
    (errors.InvalidInput, 400),
    (errors.Unauthenticated, 401),
    (errors.RateLimited, 429),
    (errors.Unavailable, 503),
)


def from_domain(exc: errors.DomainError) -> ApiError:
    """The answer to a domain error: its status, its message as the detail, and the headers it needs."""
    if isinstance(exc, errors.IdempotencyKeyReused):
        return header_error("Idempotency-Key", "idempotency_key_reused", exc.message, exc.key)
    status = next(code for kind, code in _STATUS if isinstance(exc, kind))
    headers: dict[str, str] = {}
    if isinstance(exc, errors.Unauthenticated):
        headers.update(_BEARER)
    if isinstance(exc, (errors.RateLimited, errors.Unavailable)):
        headers["Retry-After"] = str(exc.retry_after)
    return ApiError(status, exc.message, headers)


# what orjson can write as a JSON number (larger integers are echoed back as strings)
_INT_MIN, _INT_MAX = -(2**63), 2**64 - 1


def _json_safe(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool) and not _INT_MIN <= value <= _INT_MAX:
        return str(value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, Mapping):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


# fields whose value a 422 never echoes (in ``input``, whether the item is about them or about the
# object holding them): a password or token in an error body ends up in browser consoles and logs
SECRET_FIELDS = frozenset({"password", "token", "sse_token", "access_token", "secret", "api_key"})
REDACTED = "[redacted]"


def _redacted(loc: tuple[Any, ...], value: Any) -> Any:
    """``value`` as a 422 may show it: ``loc`` is where the value sits (empty: nested inside)."""
    if any(part in SECRET_FIELDS for part in loc):
        return REDACTED
    if isinstance(value, Mapping):
        return {k: REDACTED if k in SECRET_FIELDS else _redacted((), v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_redacted((), v) for v in value]
    return value


def validation_items(exc: ValidationError, location: str) -> list[dict[str, Any]]:
    """pydantic errors as FastAPI's 422 items, ``loc`` starting with body/query/path."""
    items = []
    for error in exc.errors(include_url=False):
        item: dict[str, Any] = {
            "type": error["type"],
            "loc": [location, *error["loc"]],
            "msg": error["msg"],
            # FastAPI reports a missing query or path parameter with input null
            "input": None if error["type"] == "missing" and location != "body"
            # a missing field's input is the object that lacks it, not the field's value
            else _json_safe(_redacted(error["loc"][:-1] if error["type"] == "missing" else error["loc"],
                                      error.get("input"))),
        }
        if error.get("ctx"):
            item["ctx"] = _json_safe(error["ctx"])
        items.append(item)
    return items


def validation_error(items: Iterable[dict[str, Any]]) -> ApiError:
    return ApiError(422, list(items))


def header_error(name: str, kind: str, msg: str, value: str) -> ApiError:
    """A 422 about a request header, in the same shape as FastAPI's (``loc: ["header", name]``)."""
    # a header's bytes that are not UTF-8 arrive as lone surrogates, which JSON cannot carry
    shown = value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return validation_error([{"type": kind, "loc": ["header", name], "msg": msg, "input": shown}])
