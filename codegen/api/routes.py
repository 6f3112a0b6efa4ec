"""Every route, under /api and (for generations, projects and auth) without it."""

from __future__ import annotations

from importlib.util import find_spec
from pathlib import Path

from aiohttp import web

from codegen import metrics, openapi
from codegen.api import auth, generations, generator, health, previews, projects, streams

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"


def swagger_ui_dir() -> Path:
    """Swagger UI's dist files, shipped by the swagger-ui-py package (found without importing it:
    its __init__ loads adapters for a dozen web frameworks we do not use)."""
    spec = find_spec("swagger_ui")
    # swagger-ui-py is a dependency in setup.cfg: missing only in a broken install
    if spec is None or not spec.submodule_search_locations:  # pragma: no cover
        raise RuntimeError("the swagger-ui-py package is not installed (pip install -e .)")
    return Path(spec.submodule_search_locations[0]) / "static"

# (method, path, handler): answered at "/api" + path and at path
API_ROUTES = [
    ("POST", "/auth/register", auth.register),
    ("POST", "/auth/login", auth.login),
    ("GET", "/auth/me", auth.me),
    ("POST", "/generations/generate", generations.create),
    ("GET", "/generations", generations.list_all),
    # a trailing slash on the lists is the same request (clients and proxies add one)
    ("GET", "/generations/", generations.list_all),
    ("GET", "/generations/{generation_id}", generations.get),
    ("POST", "/generations/{generation_id}/cancel", generations.cancel),
    ("GET", "/generations/{generation_id}/files", generations.files),
    ("GET", "/generations/{generation_id}/download", generations.download),
    ("GET", "/generations/{generation_id}/diff", generations.diff),
    ("POST", "/generations/{generation_id}/preview-token", previews.preview_token),
    ("POST", "/generations/generate/{generation_id}/stream-token", streams.stream_token),
    ("POST", "/generations/{generation_id}/stream-token", streams.stream_token),
    ("GET", "/generations/generate/{generation_id}/stream", streams.stream),
    ("GET", "/projects", projects.list_all),
    ("GET", "/projects/", projects.list_all),
    ("POST", "/projects", projects.create),
    ("GET", "/projects/{project_id}", projects.get),
    ("DELETE", "/projects/{project_id}", projects.delete),
]


async def only_post(request: web.Request) -> web.StreamResponse:
    """Any other method on a POST-only path that a dynamic route would otherwise take
    (GET /generations/generate is not GET /generations/{generation_id}): 405, as the contract says."""
    raise web.HTTPMethodNotAllowed(request.method, ["POST"])


async def index(_request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC_DIR / "index.html", headers={"Cache-Control": "no-cache"})


async def api_docs(_request: web.Request) -> web.FileResponse:
    """Interactive API docs: Swagger UI (from the swagger-ui-py package) on /api/openapi.json."""
    return web.FileResponse(STATIC_DIR / "api-docs.html", headers={"Cache-Control": "no-cache"})


def setup_routes(app: web.Application) -> None:
    for method, path, handler in API_ROUTES:
        app.router.add_route(method, "/api" + path, handler)
        app.router.add_route(method, path, handler)
    for prefix in ("/api", ""):
        # registered after POST on the same resource, so POST still goes to generations.create
        app.router.add_route("*", prefix + "/generations/generate", only_post)
    app.router.add_get("/api/health", health.health)
    app.router.add_get("/api/generator", generator.info)
    app.router.add_get("/preview/{token}/{path:.+}", previews.preview_file)
    app.router.add_route("GET", "/api/openapi.json", openapi.handler)
    app.router.add_get("/api/docs", api_docs)
    app.router.add_static("/api/docs/assets/", swagger_ui_dir(), append_version=False)
    app.router.add_route("GET", "/metrics", metrics.handler)
    app.router.add_get("/", index)
    app.router.add_static("/static/", STATIC_DIR, append_version=False)
