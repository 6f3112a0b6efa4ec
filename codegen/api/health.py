from __future__ import annotations

from aiohttp import web

from codegen import appkeys
from codegen.api.common import json_response
from codegen.api.http_errors import RETRY_AFTER_UNAVAILABLE
from codegen.db import DatabaseUnavailable
from codegen.store import health as health_store


async def health(request: web.Request) -> web.Response:
    try:
        await health_store.ping(request.app[appkeys.DB])
    except DatabaseUnavailable:
        return json_response(
            {"status": "degraded", "database": "unreachable"}, status=503,
            headers={"Retry-After": RETRY_AFTER_UNAVAILABLE},
        )
    return json_response({"status": "ok", "database": "ok"})
