"""The framework's limit: a bare aiohttp server with nothing of the service in it.

``python -m bench.bare --port N`` (``DATABASE_URL`` in the environment):

- ``POST /api/generations/generate`` parses the JSON body and does one INSERT
  through asyncpg (a pool as large as the service's), answering 201 with the
  new row's id and time. No auth, no validation model, no project, no event.
- ``GET /sse`` holds a text/event-stream response; one LISTEN connection on
  ``bench_bare`` (``<seq>:<data line>``) and on the service's own
  ``codegen_events`` writes each notification to every open stream, straight
  from the notification callback. An event whose status is terminal ends every
  stream. No replay, no per-generation routing: the least a server can do.

It runs on uvloop like the service. The table is ``bench_bare`` (made by the
benchmark in its database).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import uuid

import asyncpg
import orjson
from aiohttp import web

from codegen import lifecycle

CHANNEL = "bench_bare"
SERVICE_CHANNEL = "codegen_events"
TERMINAL = sorted(lifecycle.TERMINAL)

TABLE_SQL = """
CREATE TABLE IF NOT EXISTS bench_bare (
    id         uuid PRIMARY KEY,
    prompt     text NOT NULL,
    mode       text NOT NULL,
    context    jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at timestamptz NOT NULL DEFAULT now()
)
"""

POOL: web.AppKey[asyncpg.Pool] = web.AppKey("pool")
STREAMS: web.AppKey[set[tuple[web.StreamResponse, asyncio.Event]]] = web.AppKey("streams")


async def create(request: web.Request) -> web.Response:
    data = orjson.loads(await request.read())
    prompt = data.get("prompt")
    if not isinstance(prompt, str):
        return web.Response(status=422, body=b'{"detail":"prompt"}', content_type="application/json")
    row = await request.app[POOL].fetchrow(
        "INSERT INTO bench_bare (id, prompt, mode, context) VALUES ($1, $2, $3, $4::jsonb) RETURNING id, created_at",
        uuid.uuid4(), prompt, data.get("generation_mode", "phased"), orjson.dumps(data.get("context") or {}).decode(),
    )
    body = orjson.dumps({"id": str(row["id"]), "status": "pending", "created_at": row["created_at"].isoformat()})
    return web.Response(status=201, body=body, content_type="application/json")


async def sse(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
    await response.prepare(request)
    connected = orjson.dumps({"status": "processing", "stage": "connected", "progress": 0.0, "timestamp": 0.0})
    await response.write(b"id: 0\ndata: %s\n\n" % connected)
    ended = asyncio.Event()
    entry = (response, ended)
    request.app[STREAMS].add(entry)
    try:
        await ended.wait()
    finally:
        request.app[STREAMS].discard(entry)
    return response


async def health(_request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def _on_notify(app: web.Application):  # type: ignore[no-untyped-def]
    def callback(_conn: object, _pid: int, channel: str, payload: str) -> None:
        if channel == CHANNEL:
            seq, data = payload.split(":", 1)
        else:  # the service's own channel: "<generation id>:<seq>:<data line>"
            _generation_id, seq, data = payload.split(":", 2)
        frame = b"id: %s\ndata: %s\n\n" % (seq.encode(), data.encode())
        terminal = any(f'"status" : "{s}"' in data or f'"status":"{s}"' in data for s in TERMINAL)
        for response, ended in tuple(app[STREAMS]):
            writer = response._payload_writer  # the bare minimum: write without awaiting
            if writer is None or writer.transport is None or writer.transport.is_closing():
                ended.set()
                continue
            # chunked framing as aiohttp's own write() does it
            writer.transport.write(b"%x\r\n%s\r\n" % (len(frame), frame))
            if terminal:
                ended.set()

    return callback


async def resources(app: web.Application):  # type: ignore[no-untyped-def]
    dsn = os.environ["DATABASE_URL"]
    pool_max = int(os.environ.get("CODEGEN_DB_POOL_MAX", "10"))
    app[POOL] = await asyncpg.create_pool(dsn, min_size=2, max_size=pool_max)
    app[STREAMS] = set()
    listener = await asyncpg.connect(dsn)
    await listener.add_listener(CHANNEL, _on_notify(app))
    # the service's events too, so a baseline can be fed the very notifications the service gets
    await listener.add_listener(SERVICE_CHANNEL, _on_notify(app))
    yield
    for _response, ended in app[STREAMS]:
        ended.set()
    await listener.close()
    await app[POOL].close()


def make_app() -> web.Application:
    app = web.Application()
    app.cleanup_ctx.append(resources)
    app.router.add_post("/api/generations/generate", create)
    app.router.add_get("/sse", sse)
    app.router.add_get("/api/health", health)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.bare")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    web.run_app(make_app(), host="127.0.0.1", port=args.port, access_log=None, print=None, backlog=4096)


if __name__ == "__main__":
    main()
