"""Every route: the one table of the API's operations, which aiohttp registers and from which
codegen/openapi.py writes the document, then the pages and files that are not API operations.

The generation, project and auth operations answer under /api and at the same path without it.
"""

from __future__ import annotations

from functools import cache
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from aiohttp import web

from codegen import errors, metrics, openapi, schemas
from codegen.api import auth, generations, generator, health, previews, projects, streams
from codegen.api.common import json_response
from codegen.openapi import (
    RETRY_AFTER, WWW_AUTHENTICATE, Answer, Route, error, rate_limited,
)

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"


def swagger_ui_dir() -> Path:
    """Swagger UI's dist files, shipped by the swagger-ui-py package (found without importing it:
    its __init__ loads adapters for a dozen web frameworks we do not use)."""
    spec = find_spec("swagger_ui")
    # swagger-ui-py is a dependency in setup.cfg: missing only in a broken install
    if spec is None or not spec.submodule_search_locations:  # pragma: no cover
        raise RuntimeError("the swagger-ui-py package is not installed (pip install -e .)")
    return Path(spec.submodule_search_locations[0]) / "static"


async def openapi_json(_request: web.Request) -> web.Response:
    return json_response(openapi_document())


async def only_post(request: web.Request) -> web.StreamResponse:
    """Any other method on a POST-only path that a dynamic route would otherwise take
    (GET /generations/generate is not GET /generations/{generation_id}): 405, as the contract says."""
    raise web.HTTPMethodNotAllowed(request.method, ["POST"])


async def index(_request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC_DIR / "index.html", headers={"Cache-Control": "no-cache"})


async def api_docs(_request: web.Request) -> web.FileResponse:
    """Interactive API docs: Swagger UI (from the swagger-ui-py package) on /api/openapi.json."""
    return web.FileResponse(STATIC_DIR / "api-docs.html", headers={"Cache-Control": "no-cache"})


GENERATION_NOT_FOUND = error(f"`{errors.GENERATION_NOT_FOUND}`: unknown, or another user's")
PROJECT_NOT_FOUND = error(f"`{errors.PROJECT_NOT_FOUND}`: unknown, or another user's")
NOT_COMPLETED = error("Not completed yet")
NEXT_PAGE = "One page; pass `next_cursor` as `cursor` for the next"
SIGN_IN_BUSY = Answer(
    f"Password hashing is at capacity: `{errors.HASHING_BUSY}`",
    schemas.ErrorOut, headers=RETRY_AFTER,
)
IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key", "in": "header", "required": False,
    "description": ("Makes retries safe: for 24 h the same key with the same body returns the first answer and "
                    "creates nothing; with another body, 422"),
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[\\x21-\\x7e]+$"},
}
LAST_EVENT_ID = {
    "name": "Last-Event-ID", "in": "header", "required": False,
    "description": "The last event id seen; the stream resumes after it", "schema": {"type": "string"},
}


def _links(id_name: str, operations: dict[str, str]) -> dict[str, Any]:
    """OpenAPI links: from a created object's answer to the operations on it (link name -> operationId)."""
    ids = {id_name: "$response.body#/id"}
    return {link: {"operationId": name, "parameters": ids} for link, name in operations.items()}


GENERATION_LINKS = _links("generation_id", {
    "GetGeneration": "getGeneration", "CancelGeneration": "cancelGeneration",
    "GetGenerationFiles": "getGenerationFiles", "DownloadGeneration": "downloadGeneration",
    "DiffGeneration": "diffGeneration", "IssueStreamToken": "issueStreamToken",
})
PROJECT_LINKS = {
    **_links("project_id", {"GetProject": "getProject", "DeleteProject": "deleteProject"}),
    "GenerateInProject": {"operationId": "createGeneration", "requestBody": {
        "prompt": "Create a REST API with authentication", "project_id": "$response.body#/id",
    }},
}


ROUTES: tuple[Route, ...] = (
    Route("POST", "/api/auth/register", auth.register, "register", "Create an account (and sign in)", "auth",
          auth=False, bare=True, body=schemas.Credentials, responses={
              "201": Answer("Registered; the answer carries an access token", schemas.RegisterOut),
              "409": error(f"`{errors.EMAIL_TAKEN}` (emails compare case-insensitively)"),
              "429": rate_limited("CODEGEN_REGISTER_RATE_LIMIT registrations from one client address"),
              "503": SIGN_IN_BUSY,
          }),
    Route("POST", "/api/auth/login", auth.login, "login", "Sign in", "auth", auth=False, bare=True,
          body=schemas.Credentials, responses={
              "200": Answer("Signed in", schemas.TokenOut),
              "401": Answer(f"`{errors.INVALID_CREDENTIALS}`", schemas.ErrorOut, headers=WWW_AUTHENTICATE),
              "429": Answer("The account or the client address is waiting out its backoff after failed sign-ins",
                            schemas.ErrorOut, headers=RETRY_AFTER),
              "503": SIGN_IN_BUSY,
          }),
    Route("GET", "/api/auth/me", auth.me, "me", "The signed-in user", "auth", bare=True, responses={
        "200": Answer("The user", schemas.UserOut),
    }),
    Route("POST", "/api/generations/generate", generations.create, "createGeneration", "Queue a generation",
          "generations", bare=True, body=schemas.GenerateBody, header_parameters=(IDEMPOTENCY_KEY,), responses={
              "201": Answer("Stored (committed) and queued", schemas.GenerationCreated, links=GENERATION_LINKS),
              "400": error("An iteration without a usable parent (the detail says which)"),
              "404": PROJECT_NOT_FOUND,
              "422": Answer("Validation error, in pydantic/FastAPI's shape; also an `Idempotency-Key` that is "
                            "malformed or was used with another body (`loc: [\"header\", \"Idempotency-Key\"]`)",
                            schemas.ValidationErrorOut),
              "429": Answer("The per-minute limit of CODEGEN_GENERATE_RATE_LIMIT generations, "
                            "CODEGEN_MAX_ACTIVE_GENERATIONS active at once, or the daily token budget",
                            schemas.ErrorOut, headers=RETRY_AFTER),
          }),
    # a trailing slash on the lists is the same request (clients and proxies add one)
    Route("GET", "/api/generations", generations.list_all, "listGenerations", "The user's generations, newest first",
          "generations", bare=True, aliases=("/api/generations/",), query=schemas.ListGenerationsQuery, responses={
              "200": Answer(NEXT_PAGE, schemas.GenerationList),
          }),
    Route("GET", "/api/generations/{generation_id}", generations.get, "getGeneration", "One generation",
          "generations", bare=True, responses={
              "200": Answer("The generation", schemas.GenerationOut), "404": GENERATION_NOT_FOUND,
          }),
    Route("POST", "/api/generations/{generation_id}/cancel", generations.cancel, "cancelGeneration",
          "Cancel a generation", "generations", bare=True, responses={
              "200": Answer("Now cancelled", schemas.GenerationOut), "404": GENERATION_NOT_FOUND,
              "409": error("Already terminal; the detail names the state"),
          }),
    Route("GET", "/api/generations/{generation_id}/files", generations.files, "getGenerationFiles",
          "The files, with contents", "generations", bare=True, responses={
              "200": Answer("The files", schemas.FilesOut), "404": GENERATION_NOT_FOUND,
          }),
    Route("GET", "/api/generations/{generation_id}/download", generations.download, "downloadGeneration",
          "The files as a zip", "generations", bare=True, responses={
              "200": Answer("A zip archive (`Content-Disposition: attachment`)", media="application/zip",
                            schema={"type": "string", "format": "binary"}),
              "404": GENERATION_NOT_FOUND, "409": NOT_COMPLETED,
          }),
    Route("GET", "/api/generations/{generation_id}/diff", generations.diff, "diffGeneration",
          "Unified diff against the parent, or against `against`", "generations", bare=True,
          query=schemas.DiffQuery, responses={
              "200": Answer("The unified diff", media="text/x-diff", schema={"type": "string"}),
              "400": error("No parent and no `against`"), "404": GENERATION_NOT_FOUND,
              "409": error("This generation, or the one it is compared with, is not completed"),
          }),
    Route("POST", "/api/generations/{generation_id}/preview-token", previews.preview_token, "issuePreviewToken",
          "A short-lived link to a web-page generation's page", "generations", bare=True,
          description=("The page is served at `preview_url` (outside /api) until the link expires "
                       "(CODEGEN_PREVIEW_TTL_SECONDS), with a Content-Security-Policy that sandboxes it, "
                       "forbids every network request but its own files and lets only this app frame it."),
          responses={
              "200": Answer("The link", schemas.PreviewTokenOut),
              "400": error(f"`{errors.NO_PAGE}`"),
              "404": GENERATION_NOT_FOUND, "409": NOT_COMPLETED,
          }),
    Route("POST", "/api/generations/generate/{generation_id}/stream-token", streams.stream_token, "issueStreamToken",
          "A single-use token for the progress stream", "streams", bare=True, responses={
              "200": Answer("The token (60 s, single use, this user and generation)", schemas.StreamTokenOut),
              "400": error("The generation is terminal (failed, cancelled or completed): cannot stream"),
              "404": GENERATION_NOT_FOUND,
              "429": rate_limited("CODEGEN_STREAM_TOKEN_RATE_LIMIT token requests (every request counts)"),
          }),
    # the same handler at the shorter path API.md also lists; a row of its own, with its own texts
    Route("POST", "/api/generations/{generation_id}/stream-token", streams.stream_token, "issueStreamTokenShort",
          "The same as `/api/generations/generate/{generation_id}/stream-token`", "streams", bare=True, responses={
              "200": Answer("The token", schemas.StreamTokenOut),
              "400": error("The generation is terminal: cannot stream"),
              "404": GENERATION_NOT_FOUND,
              "429": rate_limited("CODEGEN_STREAM_TOKEN_RATE_LIMIT token requests"),
          }),
    Route("GET", "/api/generations/generate/{generation_id}/stream", streams.stream, "streamGeneration",
          "Server-sent progress events", "streams", auth=False, bare=True, query=schemas.StreamQuery,
          header_parameters=(LAST_EVENT_ID,),
          description=("Authenticated by the stream token alone (EventSource cannot send headers). "
                       "Events: `id: <seq>` and one `data:` line of JSON; see docs/streaming.md."),
          responses={
              "200": Answer("`text/event-stream` until the terminal event", media="text/event-stream",
                            schema={"type": "string"}),
              "401": Answer(f"`{errors.INVALID_STREAM_TOKEN}`", schemas.ErrorOut, headers=WWW_AUTHENTICATE),
              "404": GENERATION_NOT_FOUND,
              "429": Answer("CODEGEN_MAX_STREAMS_PER_USER streams of this user are open (on any process)",
                            schemas.ErrorOut, headers=RETRY_AFTER),
          }),
    Route("GET", "/api/projects", projects.list_all, "listProjects", "The user's projects, most recently active first",
          "projects", bare=True, aliases=("/api/projects/",), query=schemas.ListProjectsQuery, responses={
              "200": Answer(NEXT_PAGE, schemas.ProjectList),
          }),
    Route("POST", "/api/projects", projects.create, "createProject", "Create a project", "projects", bare=True,
          body=schemas.ProjectBody, responses={
              "201": Answer("The project", schemas.ProjectOut, links=PROJECT_LINKS),
          }),
    Route("GET", "/api/projects/{project_id}", projects.get, "getProject", "A project with its generations",
          "projects", bare=True, responses={
              "200": Answer("The project", schemas.ProjectDetail), "404": PROJECT_NOT_FOUND,
          }),
    Route("DELETE", "/api/projects/{project_id}", projects.delete, "deleteProject",
          "Delete a project; its generations are cancelled and deleted", "projects", bare=True, responses={
              "204": Answer("Deleted"), "404": PROJECT_NOT_FOUND,
          }),
    Route("GET", "/api/health", health.health, "health", "Liveness and database reachability", "operations",
          auth=False, head=True, responses={
              "200": Answer("`{\"status\": \"ok\", \"database\": \"ok\"}`", schemas.HealthOut),
              "503": Answer("The database is unreachable", schemas.HealthOut, headers=RETRY_AFTER),
          }),
    Route("GET", "/api/generator", generator.info, "describeGenerator",
          "What the configured generator writes, and prompts that work with it", "operations", auth=False,
          head=True, responses={"200": Answer("The generator", schemas.GeneratorOut)}),
    Route("GET", "/api/openapi.json", openapi_json, "openapi", "This document", "operations", auth=False,
          needs_database=False, responses={"200": Answer("OpenAPI 3.1", schema={"type": "object"})}),
    Route("GET", "/metrics", metrics.handler, "metrics", "Prometheus metrics (text exposition format 0.0.4)",
          "operations", auth=False, needs_database=False, responses={
              "200": Answer("Metrics", media="text/plain", schema={"type": "string"}),
          }),
)


@cache
def openapi_document() -> dict[str, Any]:
    """Built once, on the first request for it."""
    return openapi.document(ROUTES)


def setup_routes(app: web.Application) -> None:
    for route in ROUTES:
        for path in route.paths():
            if route.head:
                app.router.add_route("HEAD", path, route.handler)
            app.router.add_route(route.method, path, route.handler)
    for prefix in ("/api", ""):
        # registered after POST on the same resource, so POST still goes to generations.create
        app.router.add_route("*", prefix + "/generations/generate", only_post)
    app.router.add_get("/preview/{token}/{path:.+}", previews.preview_file)
    app.router.add_get("/api/docs", api_docs)
    app.router.add_static("/api/docs/assets/", swagger_ui_dir(), append_version=False)
    app.router.add_get("/", index)
    app.router.add_static("/static/", STATIC_DIR, append_version=False)
