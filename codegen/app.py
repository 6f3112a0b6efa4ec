"""create_app(settings): routes, middlewares and a cleanup context per resource."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

from aiohttp import web

from codegen import keys
from codegen.api.common import json_response
from codegen.api.routes import setup_routes
from codegen.auth import TokenService, resolve_jwt_secret
from codegen.config import Settings
from codegen.db import Database, DatabaseUnavailable, migrate
from codegen.engine.bus import EventBus
from codegen.engine.worker import Worker
from codegen.errors import RETRY_AFTER_UNAVAILABLE, ApiError
from codegen.generators import Generator, build_generator
from codegen.logs import request_id_var, user_id_var

log = logging.getLogger("codegen.http")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
REQUEST_ID_HEADER = "X-Request-ID"


@web.middleware
async def request_context(request: web.Request, handler: Handler) -> web.StreamResponse:
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    request_id = incoming if 0 < len(incoming) <= 128 and incoming.isprintable() else uuid.uuid4().hex
    request_id_var.set(request_id)
    user_id_var.set(None)
    request[keys.REQUEST_ID] = request_id
    started = time.perf_counter()
    status = 500
    try:
        response = await _answer(request, handler)
        status = response.status
        return response
    finally:
        log.info(
            "request",
            extra={
                "method": request.method, "path": request.path, "status": status,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2),
            },
        )


async def _answer(request: web.Request, handler: Handler) -> web.StreamResponse:
    """The handler's response, or the contract's JSON error; never a traceback."""
    try:
        return await handler(request)
    except ApiError as exc:
        return json_response({"detail": exc.detail}, status=exc.status, headers=exc.headers)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        detail = exc.reason
        if exc.status == 413:
            detail = f"Request body is too large (the limit is {request.app[keys.SETTINGS].max_body_bytes} bytes)"
        headers = {k: v for k, v in exc.headers.items() if k in ("Allow", "Retry-After", "WWW-Authenticate")}
        return json_response({"detail": detail}, status=exc.status, headers=headers)
    except DatabaseUnavailable as exc:
        log.warning("database unavailable", extra={"error": str(exc)})
        return json_response(
            {"detail": "Service temporarily unavailable"}, status=503, headers={"Retry-After": RETRY_AFTER_UNAVAILABLE}
        )
    except (asyncio.CancelledError, ConnectionResetError):
        raise
    except Exception:
        log.exception("unhandled error")
        return json_response({"detail": "Internal Server Error"}, status=500)


async def _add_request_id(request: web.Request, response: web.StreamResponse) -> None:
    request_id = request.get(keys.REQUEST_ID)
    if request_id:
        response.headers[REQUEST_ID_HEADER] = request_id


def _database(settings: Settings) -> Callable[[web.Application], AsyncIterator[None]]:
    async def ctx(app: web.Application) -> AsyncIterator[None]:
        assert settings.database_url, "create_app needs a database_url (the CLI starts the embedded server)"
        await migrate(settings.database_url)
        db = await Database.connect(settings.database_url, min_size=settings.db_pool_min, max_size=settings.db_pool_max)
        app[keys.DB] = db
        app[keys.TOKENS] = TokenService(resolve_jwt_secret(settings.jwt_secret, settings.data_dir), settings.jwt_ttl_seconds)
        yield
        await db.close()

    return ctx


def _event_bus(settings: Settings) -> Callable[[web.Application], AsyncIterator[None]]:
    async def ctx(app: web.Application) -> AsyncIterator[None]:
        assert settings.database_url
        bus = EventBus(settings.database_url, queue_size=settings.sse_queue_size)
        await bus.start()
        app[keys.BUS] = bus
        yield
        bus.close_all()
        await bus.stop()

    return ctx


def _worker(settings: Settings, generator: Generator | None) -> Callable[[web.Application], AsyncIterator[None]]:
    async def ctx(app: web.Application) -> AsyncIterator[None]:
        worker = None
        if settings.worker:
            worker = Worker(app[keys.DB], app[keys.BUS], settings, generator or build_generator(settings))
            await worker.start()
        app[keys.WORKER] = worker
        yield
        if worker is not None:
            await worker.stop()

    return ctx


async def _end_streams(app: web.Application) -> None:
    # open streams end now, not after the server's grace period; clients reconnect elsewhere
    app[keys.BUS].close_all()


def create_app(settings: Settings, *, generator: Generator | None = None) -> web.Application:
    """The application; ``generator`` overrides the one CODEGEN_PROVIDER names."""
    app = web.Application(middlewares=[request_context], client_max_size=settings.max_body_bytes)
    app[keys.SETTINGS] = settings
    app.cleanup_ctx.append(_database(settings))
    app.cleanup_ctx.append(_event_bus(settings))
    app.cleanup_ctx.append(_worker(settings, generator))
    app.on_shutdown.append(_end_streams)
    app.on_response_prepare.append(_add_request_id)
    setup_routes(app)
    return app
