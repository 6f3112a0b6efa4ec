"""The ``codegen`` command: serve, worker, migrate; and the client (register, login, generate, …)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Iterator

from aiohttp import web

from codegen.client import commands as client
from codegen.config import Settings, load_settings
from codegen.db import EmbeddedPostgres
from codegen.migrations import migrate
from codegen.logs import setup_logging

log = logging.getLogger("codegen")

# seconds aiohttp waits for handlers on shutdown; streams are ended before that. SIGTERM to exit
# stays within 10 s: the worker's hand-back (at most engine.worker.STOP_TIMEOUT_SECONDS, 3 s),
# then this wait, then closing the pool (at most db.CLOSE_TIMEOUT_SECONDS, 2 s)
SHUTDOWN_TIMEOUT = 4.0
LISTEN_BACKLOG = 4096


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="codegen", description="AI code-generation service")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the API and the browser client (and work, unless --no-worker)")
    serve.add_argument("--host", help="address to listen on (CODEGEN_HOST, default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to listen on (CODEGEN_PORT, default 8000)")
    serve.add_argument("--no-worker", action="store_true", help="only serve; run generations elsewhere")
    commands.add_parser("worker", help="only run generations (no HTTP)")
    commands.add_parser("migrate", help="apply pending database migrations and exit")
    client.add_commands(commands)
    return parser


@contextlib.contextmanager
def database(settings: Settings) -> Iterator[Settings]:
    """Settings bound to a database: DATABASE_URL, or an embedded server for the duration."""
    if settings.database_url:
        yield settings
        return
    embedded = EmbeddedPostgres(settings.data_dir)
    dsn = embedded.start()
    try:
        yield settings.model_copy(update={"database_url": dsn})
    finally:
        embedded.stop()


async def _wait_for_signal() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    log.info("shutting down")


async def _serve(settings: Settings, *, http: bool) -> None:
    from codegen.app import create_app

    runner = web.AppRunner(
        create_app(settings), handler_cancellation=True, shutdown_timeout=SHUTDOWN_TIMEOUT, access_log=None
    )
    await runner.setup()
    try:
        if http:
            # a reconnect storm brings thousands of connects at once: a short accept queue makes the kernel
            # drop some while the loop is busy (their clients see the connection reset); Linux caps it at
            # net.core.somaxconn (4096 by default)
            site = web.TCPSite(runner, settings.host, settings.port, backlog=LISTEN_BACKLOG)
            await site.start()
            port = site._server.sockets[0].getsockname()[1] if site._server else settings.port  # type: ignore[union-attr]
            url = f"http://{settings.host}:{port}"
            log.info(f"codegen is running at {url}", extra={"worker": settings.worker})
        else:
            log.info("working (no HTTP)")
        await _wait_for_signal()
    finally:
        await runner.cleanup()


def _run(coro: object) -> None:
    try:
        import uvloop

        uvloop.run(coro)  # type: ignore[arg-type]
    except ImportError:
        asyncio.run(coro)  # type: ignore[arg-type]


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    if args.command in client.COMMANDS:
        raise SystemExit(client.main(args))
    overrides: dict[str, object] = {}
    if args.command == "serve":
        overrides = {"host": args.host, "port": args.port}
        if args.no_worker:
            overrides["worker"] = False
    elif args.command == "worker":
        overrides = {"worker": True}
    settings = load_settings(**overrides)
    setup_logging(settings.log_level, settings.log_format)
    with database(settings) as bound:
        assert bound.database_url
        if args.command == "migrate":
            applied = asyncio.run(migrate(bound.database_url))
            print(f"applied {len(applied)} migration(s): {', '.join(applied) or 'none pending'}")
            return
        _run(_serve(bound, http=args.command == "serve"))


if __name__ == "__main__":  # pragma: no cover
    main(sys.argv[1:])
