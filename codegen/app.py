"""create_app(settings): routes, middlewares and a cleanup context per resource."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable

from aiohttp import web

from codegen import appkeys, metrics
from codegen.api.common import json_response
from codegen.api.http_errors import RETRY_AFTER_UNAVAILABLE, ApiError, from_domain
from codegen.api.routes import setup_routes
from codegen.auth import HashingGate, TokenService, resolve_jwt_secret
from codegen.config import Settings
from codegen.db import Database, DatabaseUnavailable
from codegen.migrations import migrate
from codegen.engine.bus import EventBus
from codegen.engine.cpu import CpuPool
from codegen.engine.live import LiveFiles
from codegen.engine.worker import Worker
from codegen.errors import SERVICE_UNAVAILABLE, DomainError
from codegen.generators import Generator, build_generator
from codegen.headers import add_security_headers
from codegen.logs import RequestIds, request_id_var, user_id_var
from codegen.services import stream_tokens, users
from codegen.services.previews import preview_key
from codegen.store.stream_reads import StreamReads

log = logging.getLogger("codegen.http")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
REQUEST_ID_HEADER = "X-Request-ID"
# an incoming id is kept (a proxy's, say) when it is plain ASCII of a sane length
_REQUEST_ID_PATTERN = re.compile(r"[A-Za-z0-9._:-]{1,128}")
# the response whose headers went out (a stream): an error after that cannot become a JSON answer
# the browser client's and the API docs' files
STATIC_PREFIXES = ("/static/", "/api/docs")
PREPARED: web.RequestKey[web.StreamResponse] = web.RequestKey("prepared_response")


@web.middleware
async def request_context(request: web.Request, handler: Handler) -> web.StreamResponse:
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    request_id = incoming if _REQUEST_ID_PATTERN.fullmatch(incoming) else request.app[appkeys.REQUEST_IDS].next()
    request_id_var.set(request_id)
    user_id_var.set(None)
    request[appkeys.REQUEST_ID] = request_id
    started = time.perf_counter()
    status = 500
    try:
        response = await _answer(request, handler)
        status = response.status
        return response
    except (asyncio.CancelledError, ConnectionResetError):
        status = 499  # the client went away (how most streams end), not a server error
        raise
    finally:
        # the browser client's files are noise at INFO: a page load is a dozen of them
        level = logging.DEBUG if status < 400 and _is_static(request.path) else logging.INFO
        if log.isEnabledFor(level):
            log.log(
                level,
                "request",
                extra={
                    "method": request.method, "path": request.path, "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                },
            )


def _is_static(path: str) -> bool:
    return path == "/" or path.startswith(STATIC_PREFIXES)


async def _answer(request: web.Request, handler: Handler) -> web.StreamResponse:
    """The handler's response, or the contract's JSON error; never a traceback."""
    try:
        return await handler(request)
    except (asyncio.CancelledError, ConnectionResetError):
        raise
    except Exception as exc:
        prepared = request.get(PREPARED)
        if prepared is not None and not isinstance(exc, web.HTTPException):
            # headers (and maybe events) are out: end that response cleanly, never write a second one
            log.warning("error after the response started; ending it", exc_info=exc)
            return prepared
        return _error_response(request, exc)


def _error_response(request: web.Request, exc: Exception) -> web.StreamResponse:
    if isinstance(exc, DomainError):
        exc = from_domain(exc)
    if isinstance(exc, ApiError):
        return json_response({"detail": exc.detail}, status=exc.status, headers=exc.headers)
    if isinstance(exc, web.HTTPException):
        if exc.status < 400:
            raise exc
        detail = exc.reason
        if exc.status == 413:
            detail = f"Request body is too large (the limit is {request.app[appkeys.SETTINGS].max_body_bytes} bytes)"
        headers = {k: v for k, v in exc.headers.items() if k in ("Allow", "Retry-After", "WWW-Authenticate")}
        return json_response({"detail": detail}, status=exc.status, headers=headers)
    if isinstance(exc, DatabaseUnavailable):
        log.warning("database unavailable", extra={"error": str(exc)})
        return json_response(
            {"detail": SERVICE_UNAVAILABLE}, status=503, headers={"Retry-After": RETRY_AFTER_UNAVAILABLE}
        )
    log.exception("unhandled error", exc_info=exc)
    return json_response({"detail": "Internal Server Error"}, status=500)


async def _add_request_id(request: web.Request, response: web.StreamResponse) -> None:
    request[PREPARED] = response
    request_id = request.get(appkeys.REQUEST_ID)
    if request_id:
        response.headers[REQUEST_ID_HEADER] = request_id


def _database(settings: Settings) -> Callable[[web.Application], AsyncIterator[None]]:
    async def ctx(app: web.Application) -> AsyncIterator[None]:
        assert settings.database_url, "create_app needs a database_url (the CLI starts the embedded server)"
        await migrate(settings.database_url)
        db = await Database.connect(
            settings.database_url, min_size=settings.db_pool_min, max_size=settings.db_pool_max,
            probe_timeout=settings.db_probe_timeout_seconds,
        )
        app[appkeys.DB] = db
        secret = resolve_jwt_secret(settings.jwt_secret, settings.data_dir)
        app[appkeys.TOKENS] = TokenService(secret, settings.jwt_ttl_seconds)
        app[appkeys.PREVIEW_KEY] = preview_key(secret)
        yield
        await db.close()

    return ctx


def _open_streams(settings: Settings) -> Callable[[web.Application], AsyncIterator[None]]:
    async def ctx(app: web.Application) -> AsyncIterator[None]:
        streams = app[appkeys.STREAMS] = stream_tokens.OpenStreams(app[appkeys.DB], settings.max_streams_per_user)
        app[appkeys.STREAM_READS] = StreamReads(app[appkeys.DB])
        streams.start()
        yield
        await streams.stop()

    return ctx


def _event_bus(settings: Settings) -> Callable[[web.Application], AsyncIterator[None]]:
    async def ctx(app: web.Application) -> AsyncIterator[None]:
        assert settings.database_url
        bus = EventBus(settings.database_url, queue_size=settings.sse_queue_size)
        await bus.start()
        app[appkeys.BUS] = bus
        live = app[appkeys.LIVE] = LiveFiles(app[appkeys.DB], bus)
        await live.start()
        yield
        bus.close_all()
        await live.stop()
        await bus.stop()

    return ctx


def _worker(settings: Settings, generator: Generator | None) -> Callable[[web.Application], AsyncIterator[None]]:
    async def ctx(app: web.Application) -> AsyncIterator[None]:
        worker = None
        # CPU work of the generations (template generation, review) runs in these processes, not on the loop
        cpu = CpuPool(settings.cpu_workers)
        if settings.worker:
            await cpu.start()
            worker = Worker(
                app[appkeys.DB], app[appkeys.BUS], settings.engine, generator or build_generator(settings),
                live=app[appkeys.LIVE], cpu=cpu,
            )
            await worker.start()
        app[appkeys.WORKER] = worker
        yield
        if worker is not None:
            await worker.stop()
        cpu.close()

    return ctx


async def _end_streams(app: web.Application) -> None:
    # open streams end now (with a final `reconnect` event), not after the server's grace period;
    # clients reconnect elsewhere
    app[appkeys.BUS].close_all()
    # stop taking work and hand back what is running, so another process takes it at once
    worker = app.get(appkeys.WORKER)
    if worker is not None:
        await worker.stop()


def create_app(settings: Settings, *, generator: Generator | None = None) -> web.Application:
    """The application; ``generator`` overrides the one CODEGEN_PROVIDER names."""
    app = web.Application(middlewares=[metrics.middleware, request_context], client_max_size=settings.max_body_bytes)
    app[appkeys.SETTINGS] = settings
    app[appkeys.REQUEST_IDS] = RequestIds()
    app[appkeys.HASHING] = HashingGate(settings.password_hash_concurrency, settings.password_hash_queue)
    app[appkeys.THROTTLE] = users.Throttle(
        account_free_attempts=settings.login_free_attempts,
        address_free_attempts=settings.login_address_free_attempts,
        first_wait_seconds=settings.login_backoff_base_seconds,
        max_wait_seconds=settings.login_backoff_max_seconds,
        register_per_minute=settings.register_rate_limit,
    )
    metrics.setup(app)
    app.cleanup_ctx.append(_database(settings))
    app.cleanup_ctx.append(_open_streams(settings))
    app.cleanup_ctx.append(_event_bus(settings))
    app.cleanup_ctx.append(_worker(settings, generator))
    app.on_shutdown.append(_end_streams)
    app.on_response_prepare.append(_add_request_id)
    app.on_response_prepare.append(add_security_headers)
    setup_routes(app)
    return app
