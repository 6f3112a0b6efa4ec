"""The OpenAPI 3.1 document of the HTTP API, served at ``GET /api/openapi.json``.

Built from the route table in ``codegen/api/routes.py``, the same rows aiohttp registers: each
``Route`` names its handler and says what the document lists for it. Request bodies and query
parameters come from the very pydantic models the handlers validate with (``model_json_schema`` in
validation mode), answers from the response models in ``codegen/schemas.py`` (serialization mode).
Only the ``/api`` form of each route is listed; the generation, project and auth routes answer at
the same path without ``/api`` too (see the document's description).

tests/test_hardening_fuzz.py runs schemathesis against this document and the
live service: no 5xx, and every answer conforms to what is written here.
"""

from __future__ import annotations

import copy
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from aiohttp import web
from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import models_json_schema

from codegen import __version__, schemas

REF = "#/components/schemas/{model}"
JSON = "application/json"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class Answer:
    """One documented answer of an operation: a description and, when it has a body, its schema
    (a response model, or a literal schema for zips, diffs and event streams)."""

    description: str
    model: type[BaseModel] | None = None
    media: str = JSON
    schema: dict[str, Any] | None = None
    headers: dict[str, Any] | None = None
    links: dict[str, Any] | None = None


@dataclass(frozen=True)
class Route:
    """One operation of the API: what aiohttp registers (method, path, handler) and what the
    document says of it. The answers every operation shares (401 when ``auth``, 422 for a body,
    a query or a path parameter, 413 for a body, 503, 500) are added by ``document``."""

    method: str
    # the documented form, under /api (or /metrics)
    path: str
    handler: Handler
    # the operationId
    name: str
    summary: str
    tag: str
    # status -> the answer: the success and this operation's own errors
    responses: Mapping[str, Answer]
    auth: bool = True
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    # request headers it reads, as OpenAPI parameter objects
    header_parameters: tuple[dict[str, Any], ...] = ()
    description: str | None = None
    # 503 when the database is unreachable (everything but the document and the metrics)
    needs_database: bool = True
    # also answered at the path without "/api"
    bare: bool = False
    # a GET that answers HEAD too (probes of the health and generator routes)
    head: bool = False
    # more paths that answer the same and are not in the document (a trailing slash)
    aliases: tuple[str, ...] = ()

    def paths(self) -> list[str]:
        """Every path aiohttp answers this operation at, the documented one first."""
        found = []
        for path in (self.path, *self.aliases):
            found.append(path)
            if self.bare:
                found.append(path.removeprefix("/api"))
        return found


def error(description: str) -> Answer:
    return Answer(description, schemas.ErrorOut)


RETRY_AFTER = {"Retry-After": {
    "description": "Seconds to wait before trying again", "required": True, "schema": {"type": "string"},
}}
WWW_AUTHENTICATE = {"WWW-Authenticate": {
    "description": "Always `Bearer`", "required": True, "schema": {"type": "string"},
}}
UNAVAILABLE = Answer(
    "The database is unreachable: `Service temporarily unavailable`", schemas.ErrorOut, headers=RETRY_AFTER
)
SERVER_ERROR = error("An unexpected failure: `Internal Server Error` (never a traceback)")
UNAUTHENTICATED = Answer(
    "Missing, malformed, expired or forged token, or a user that does not exist: `Not authenticated`",
    schemas.ErrorOut, headers=WWW_AUTHENTICATE,
)
INVALID = Answer("Validation error, in pydantic/FastAPI's shape", schemas.ValidationErrorOut)
TOO_LARGE = error("The body is larger than CODEGEN_MAX_BODY_BYTES")


def rate_limited(what: str) -> Answer:
    return Answer(f"More than the per-minute limit of {what}", schemas.ErrorOut, headers=RETRY_AFTER)


def _ref(model: type[BaseModel]) -> dict[str, Any]:
    return {"$ref": REF.format(model=model.__name__)}


def _response(answer: Answer) -> dict[str, Any]:
    response: dict[str, Any] = {"description": answer.description}
    if answer.model is not None or answer.schema is not None:
        schema = answer.schema if answer.schema is not None else _ref(answer.model)  # type: ignore[arg-type]
        response["content"] = {answer.media: {"schema": schema}}
    if answer.headers:
        response["headers"] = answer.headers
    if answer.links:
        response["links"] = answer.links
    return response


_UUID_SCHEMA = TypeAdapter(UUID).json_schema()


def _without_null(schema: dict[str, Any]) -> dict[str, Any]:
    """A query parameter is absent or a string: drop the ``null`` branch of ``X | None``."""
    branches = schema.get("anyOf")
    if branches:
        kept = [b for b in branches if b.get("type") != "null"]
        if len(kept) == 1:
            rest = {k: v for k, v in schema.items() if k != "anyOf"}
            return {**kept[0], **rest}
        return {**schema, "anyOf": kept}
    return schema


# query fields whose wire form differs from their parsed type
_QUERY_OVERRIDES: dict[tuple[str, str], dict[str, Any]] = {
    ("ListGenerationsQuery", "cursor"): {
        "type": "string", "description": "`next_cursor` of the previous page (opaque)",
    },
    ("ListProjectsQuery", "cursor"): {
        "type": "string", "description": "`next_cursor` of the previous page (opaque)",
    },
}


def _query_parameters(model: type[BaseModel], components: dict[str, Any]) -> list[dict[str, Any]]:
    schema = components[model.__name__]
    required = set(schema.get("required", ()))
    parameters = []
    for name, prop in schema["properties"].items():
        prop = _QUERY_OVERRIDES.get((model.__name__, name)) or _without_null(copy.deepcopy(prop))
        prop.pop("title", None)
        if prop.get("default", 0) is None:
            del prop["default"]
        parameters.append({"name": name, "in": "query", "required": name in required, "schema": prop})
    return parameters


def _path_parameters(path: str) -> list[dict[str, Any]]:
    names = [part[1:-1] for part in path.split("/") if part.startswith("{") and part.endswith("}")]
    return [{"name": n, "in": "path", "required": True, "schema": dict(_UUID_SCHEMA)} for n in names]


def _all_responses(route: Route) -> dict[str, Answer]:
    """The route's own answers and the shared ones that apply to it, by status."""
    responses = dict(route.responses)
    if route.auth:
        responses.setdefault("401", UNAUTHENTICATED)
    if route.body is not None or route.query is not None or "{" in route.path:
        responses.setdefault("422", INVALID)
    if route.body is not None:
        responses.setdefault("413", TOO_LARGE)
    if route.needs_database:
        responses.setdefault("503", UNAVAILABLE)
    responses.setdefault("500", SERVER_ERROR)
    return dict(sorted(responses.items()))


def _components(routes: list[Route], responses: list[dict[str, Answer]]) -> dict[str, Any]:
    """Every model the routes name: request models in validation mode, answers in serialization mode."""
    requests = [m for r in routes for m in (r.body, r.query) if m is not None]
    answers = [a.model for by_status in responses for a in by_status.values() if a.model is not None]
    keyed = [(m, "validation") for m in dict.fromkeys(requests)]
    keyed += [(m, "serialization") for m in dict.fromkeys(answers)]
    _, top = models_json_schema(keyed, ref_template=REF)
    return top.get("$defs", {})


def _referenced(paths: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    names: set[str] = set()
    pending = [paths]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
                name = ref.rsplit("/", 1)[1]
                if name not in names:
                    names.add(name)
                    pending.append(components[name])
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
    return {name: components[name] for name in sorted(names)}


def _operation(route: Route, responses: dict[str, Answer], components: dict[str, Any]) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "operationId": route.name, "summary": route.summary, "tags": [route.tag],
        "responses": {status: _response(answer) for status, answer in responses.items()},
    }
    if route.description:
        entry["description"] = route.description
    parameters = _path_parameters(route.path) + list(route.header_parameters)
    if route.query is not None:
        parameters += _query_parameters(route.query, components)
    if parameters:
        entry["parameters"] = parameters
    if route.body is not None:
        entry["requestBody"] = {"required": True, "content": {JSON: {"schema": _ref(route.body)}}}
    entry["security"] = [{"bearerAuth": []}] if route.auth else []
    return entry


def document(table: Iterable[Route]) -> dict[str, Any]:
    routes = list(table)
    responses = [_all_responses(route) for route in routes]
    components = _components(routes, responses)
    paths: dict[str, dict[str, Any]] = {}
    for route, answers in zip(routes, responses, strict=True):
        paths.setdefault(route.path, {})[route.method.lower()] = _operation(route, answers, components)
    # the query models are described as parameters: keep only the schemas something refers to
    components = _referenced(paths, components)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "codegen",
            "version": __version__,
            "description": (
                "AI code-generation service: projects, background generations and live progress over SSE. "
                "The generation, project and auth routes also answer at the same path without `/api`. "
                "Every error body is `{\"detail\": ...}`: a string, or for 422 a list of pydantic-style items."
            ),
        },
        "servers": [{"url": "/"}],
        "tags": [{"name": t} for t in ("auth", "generations", "streams", "projects", "operations")],
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                               "description": "`Authorization: Bearer <access_token>` (HS256; `sub` = user id)"},
            },
        },
    }
