"""The OpenAPI 3.1 document of the HTTP API, served at ``GET /api/openapi.json``.

Built from the pydantic models in ``codegen/schemas.py``: request bodies and
query parameters from the very models the handlers validate with
(``model_json_schema`` in validation mode), answers from the response models
(serialization mode). Only the ``/api`` form of each route is listed; the
generation, project and auth routes answer at the same path without ``/api``
too (see the document's description).

tests/test_hardening_fuzz.py runs schemathesis against this document and the
live service: no 5xx, and every answer conforms to what is written here.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from uuid import UUID

from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import models_json_schema

from codegen import __version__, schemas

REF = "#/components/schemas/{model}"
JSON = "application/json"

# every request-model and response-model the document refers to
REQUEST_MODELS: tuple[type[BaseModel], ...] = (
    schemas.Credentials, schemas.GenerateBody, schemas.ProjectBody,
    schemas.ListGenerationsQuery, schemas.StreamQuery, schemas.DiffQuery,
)
RESPONSE_MODELS: tuple[type[BaseModel], ...] = (
    schemas.ErrorOut, schemas.ValidationErrorOut, schemas.UserOut, schemas.TokenOut, schemas.RegisterOut,
    schemas.GenerationCreated, schemas.GenerationOut, schemas.GenerationList, schemas.FilesOut,
    schemas.StreamTokenOut, schemas.ProjectOut, schemas.ProjectDetail, schemas.ProjectList, schemas.HealthOut,
    schemas.GeneratorOut, schemas.PreviewTokenOut,
)


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    operation_id: str
    summary: str
    tag: str
    auth: bool = True
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    # status -> (description, media type -> schema) ; built by the helpers below
    responses: dict[str, dict[str, Any]] = field(default_factory=dict)
    headers: tuple[dict[str, Any], ...] = ()
    description: str | None = None


def _ref(model: type[BaseModel]) -> dict[str, Any]:
    return {"$ref": REF.format(model=model.__name__)}


def _answer(description: str, model: type[BaseModel] | None = None, *, media: str = JSON,
            schema: dict[str, Any] | None = None, headers: dict[str, Any] | None = None,
            links: dict[str, Any] | None = None) -> dict[str, Any]:
    response: dict[str, Any] = {"description": description}
    if model is not None or schema is not None:
        response["content"] = {media: {"schema": schema if schema is not None else _ref(model)}}  # type: ignore[arg-type]
    if headers:
        response["headers"] = headers
    if links:
        response["links"] = links
    return response


RETRY_AFTER = {"Retry-After": {
    "description": "Seconds to wait before trying again", "required": True, "schema": {"type": "string"},
}}
WWW_AUTHENTICATE = {"WWW-Authenticate": {
    "description": "Always `Bearer`", "required": True, "schema": {"type": "string"},
}}


def _error(description: str) -> dict[str, Any]:
    return _answer(description, schemas.ErrorOut)


UNAVAILABLE = _answer(
    "The database is unreachable: `Service temporarily unavailable`", schemas.ErrorOut, headers=RETRY_AFTER
)
SERVER_ERROR = _error("An unexpected failure: `Internal Server Error` (never a traceback)")
UNAUTHENTICATED = _answer(
    "Missing, malformed, expired or forged token, or a user that does not exist: `Not authenticated`",
    schemas.ErrorOut, headers=WWW_AUTHENTICATE,
)
INVALID = _answer("Validation error, in pydantic/FastAPI's shape", schemas.ValidationErrorOut)
TOO_LARGE = _error("The body is larger than CODEGEN_MAX_BODY_BYTES")
GENERATION_NOT_FOUND = _error("`Generation not found`: unknown, or another user's")


def _rate_limited(what: str) -> dict[str, Any]:
    return _answer(f"More than the per-minute limit of {what}", schemas.ErrorOut, headers=RETRY_AFTER)


def _generation_links() -> dict[str, Any]:
    ids = {"generation_id": "$response.body#/id"}
    return {
        "GetGeneration": {"operationId": "getGeneration", "parameters": ids},
        "CancelGeneration": {"operationId": "cancelGeneration", "parameters": ids},
        "GetGenerationFiles": {"operationId": "getGenerationFiles", "parameters": ids},
        "DownloadGeneration": {"operationId": "downloadGeneration", "parameters": ids},
        "DiffGeneration": {"operationId": "diffGeneration", "parameters": ids},
        "IssueStreamToken": {"operationId": "issueStreamToken", "parameters": ids},
    }


def _project_links() -> dict[str, Any]:
    ids = {"project_id": "$response.body#/id"}
    return {
        "GetProject": {"operationId": "getProject", "parameters": ids},
        "DeleteProject": {"operationId": "deleteProject", "parameters": ids},
        "GenerateInProject": {"operationId": "createGeneration", "requestBody": {
            "prompt": "Create a REST API with authentication", "project_id": "$response.body#/id",
        }},
    }


def _operations() -> list[Operation]:
    generation = {"404": GENERATION_NOT_FOUND}
    return [
        Operation("post", "/api/auth/register", "register", "Create an account (and sign in)", "auth", auth=False,
                  body=schemas.Credentials, responses={
                      "201": _answer("Registered; the answer carries an access token", schemas.RegisterOut),
                      "409": _error("`Email already registered` (emails compare case-insensitively)"),
                  }),
        Operation("post", "/api/auth/login", "login", "Sign in", "auth", auth=False, body=schemas.Credentials,
                  responses={
                      "200": _answer("Signed in", schemas.TokenOut),
                      "401": _answer("`Invalid email or password`", schemas.ErrorOut, headers=WWW_AUTHENTICATE),
                  }),
        Operation("get", "/api/auth/me", "me", "The signed-in user", "auth", responses={
            "200": _answer("The user", schemas.UserOut),
        }),
        Operation("post", "/api/generations/generate", "createGeneration", "Queue a generation", "generations",
                  body=schemas.GenerateBody, responses={
                      "201": _answer("Stored (committed) and queued", schemas.GenerationCreated,
                                     links=_generation_links()),
                      "400": _error("An iteration without a usable parent (the detail says which)"),
                      "404": _error("`Project not found`: unknown, or another user's"),
                      "429": _rate_limited("CODEGEN_GENERATE_RATE_LIMIT generations"),
                  }),
        Operation("get", "/api/generations", "listGenerations", "The user's generations, newest first",
                  "generations", query=schemas.ListGenerationsQuery, responses={
                      "200": _answer("One page; pass `next_cursor` as `cursor` for the next", schemas.GenerationList),
                  }),
        Operation("get", "/api/generations/{generation_id}", "getGeneration", "One generation", "generations",
                  responses={"200": _answer("The generation", schemas.GenerationOut), **generation}),
        Operation("post", "/api/generations/{generation_id}/cancel", "cancelGeneration", "Cancel a generation",
                  "generations", responses={
                      "200": _answer("Now cancelled", schemas.GenerationOut), **generation,
                      "409": _error("Already terminal; the detail names the state"),
                  }),
        Operation("get", "/api/generations/{generation_id}/files", "getGenerationFiles", "The files, with contents",
                  "generations", responses={"200": _answer("The files", schemas.FilesOut), **generation}),
        Operation("get", "/api/generations/{generation_id}/download", "downloadGeneration", "The files as a zip",
                  "generations", responses={
                      "200": _answer("A zip archive (`Content-Disposition: attachment`)", media="application/zip",
                                     schema={"type": "string", "format": "binary"}),
                      **generation,
                      "409": _error("Not completed yet"),
                  }),
        Operation("get", "/api/generations/{generation_id}/diff", "diffGeneration",
                  "Unified diff against the parent, or against `against`", "generations", query=schemas.DiffQuery,
                  responses={
                      "200": _answer("The unified diff", media="text/x-diff", schema={"type": "string"}),
                      "400": _error("No parent and no `against`"), **generation,
                      "409": _error("This generation, or the one it is compared with, is not completed"),
                  }),
        Operation("post", "/api/generations/{generation_id}/preview-token", "issuePreviewToken",
                  "A short-lived link to a web-page generation's page", "generations",
                  description=("The page is served at `preview_url` (outside /api) until the link expires "
                               "(CODEGEN_PREVIEW_TTL_SECONDS), with a Content-Security-Policy that sandboxes it, "
                               "forbids every network request but its own files and lets only this app frame it."),
                  responses={
                      "200": _answer("The link", schemas.PreviewTokenOut),
                      "400": _error("`This generation has no index.html to preview`"),
                      **generation,
                      "409": _error("Not completed yet"),
                  }),
        Operation("post", "/api/generations/generate/{generation_id}/stream-token", "issueStreamToken",
                  "A single-use token for the progress stream", "streams", responses={
                      "200": _answer("The token (60 s, single use, this user and generation)",
                                     schemas.StreamTokenOut),
                      "400": _error("The generation is terminal (failed, cancelled or completed): cannot stream"),
                      **generation,
                      "429": _rate_limited("CODEGEN_STREAM_TOKEN_RATE_LIMIT token requests (every request counts)"),
                  }),
        Operation("post", "/api/generations/{generation_id}/stream-token", "issueStreamTokenShort",
                  "The same as `/api/generations/generate/{generation_id}/stream-token`", "streams", responses={
                      "200": _answer("The token", schemas.StreamTokenOut),
                      "400": _error("The generation is terminal: cannot stream"),
                      **generation,
                      "429": _rate_limited("CODEGEN_STREAM_TOKEN_RATE_LIMIT token requests"),
                  }),
        Operation("get", "/api/generations/generate/{generation_id}/stream", "streamGeneration",
                  "Server-sent progress events", "streams", auth=False, query=schemas.StreamQuery,
                  headers=({"name": "Last-Event-ID", "in": "header", "required": False,
                            "description": "The last event id seen; the stream resumes after it",
                            "schema": {"type": "string"}},),
                  description=("Authenticated by the stream token alone (EventSource cannot send headers). "
                               "Events: `id: <seq>` and one `data:` line of JSON; see docs/streaming.md."),
                  responses={
                      "200": _answer("`text/event-stream` until the terminal event", media="text/event-stream",
                                     schema={"type": "string"}),
                      "401": _answer("`Invalid or expired stream token`", schemas.ErrorOut,
                                     headers=WWW_AUTHENTICATE),
                      **generation,
                  }),
        Operation("get", "/api/projects", "listProjects", "The user's projects", "projects", responses={
            "200": _answer("The projects", schemas.ProjectList),
        }),
        Operation("post", "/api/projects", "createProject", "Create a project", "projects", body=schemas.ProjectBody,
                  responses={"201": _answer("The project", schemas.ProjectOut, links=_project_links())}),
        Operation("get", "/api/projects/{project_id}", "getProject", "A project with its generations", "projects",
                  responses={"200": _answer("The project", schemas.ProjectDetail),
                             "404": _error("`Project not found`: unknown, or another user's")}),
        Operation("delete", "/api/projects/{project_id}", "deleteProject",
                  "Delete a project; its generations are cancelled and deleted", "projects",
                  responses={"204": _answer("Deleted"),
                             "404": _error("`Project not found`: unknown, or another user's")}),
        Operation("get", "/api/health", "health", "Liveness and database reachability", "operations", auth=False,
                  responses={
                      "200": _answer("`{\"status\": \"ok\", \"database\": \"ok\"}`", schemas.HealthOut),
                      "503": _answer("The database is unreachable", schemas.HealthOut, headers=RETRY_AFTER),
                  }),
        Operation("get", "/api/generator", "describeGenerator",
                  "What the configured generator writes, and prompts that work with it", "operations", auth=False,
                  responses={"200": _answer("The generator", schemas.GeneratorOut)}),
        Operation("get", "/api/openapi.json", "openapi", "This document", "operations", auth=False, responses={
            "200": _answer("OpenAPI 3.1", schema={"type": "object"}),
        }),
        Operation("get", "/metrics", "metrics", "Prometheus metrics (text exposition format 0.0.4)", "operations",
                  auth=False, responses={
                      "200": _answer("Metrics", media="text/plain", schema={"type": "string"}),
                  }),
    ]


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


def _components() -> dict[str, Any]:
    keyed = [(m, "validation") for m in REQUEST_MODELS] + [(m, "serialization") for m in RESPONSE_MODELS]
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


@cache
def document() -> dict[str, Any]:
    components = _components()
    paths: dict[str, dict[str, Any]] = {}
    for op in _operations():
        responses = dict(op.responses)
        if op.auth:
            responses.setdefault("401", UNAUTHENTICATED)
        if op.body is not None or op.query is not None or "{" in op.path:
            responses.setdefault("422", INVALID)
        if op.body is not None:
            responses.setdefault("413", TOO_LARGE)
        if op.operation_id not in ("openapi", "metrics"):
            responses.setdefault("503", UNAVAILABLE)
        responses.setdefault("500", SERVER_ERROR)
        entry: dict[str, Any] = {
            "operationId": op.operation_id, "summary": op.summary, "tags": [op.tag],
            "responses": dict(sorted(responses.items())),
        }
        if op.description:
            entry["description"] = op.description
        parameters = _path_parameters(op.path) + list(op.headers)
        if op.query is not None:
            parameters += _query_parameters(op.query, components)
        if parameters:
            entry["parameters"] = parameters
        if op.body is not None:
            entry["requestBody"] = {"required": True, "content": {JSON: {"schema": _ref(op.body)}}}
        entry["security"] = [{"bearerAuth": []}] if op.auth else []
        paths.setdefault(op.path, {})[op.method] = entry
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


async def handler(_request: object) -> Any:
    from codegen.api.common import json_response

    return json_response(document())
