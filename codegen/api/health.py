from __future__ import annotations

from aiohttp import web

from codegen import keys
from codegen.api.common import json_response
from codegen.db import DatabaseUnavailable
from codegen.errors import RETRY_AFTER_UNAVAILABLE


async def health(request: web.Request) -> web.Response:
    try:
        await request.app[keys.DB].fetchval("SELECT 1")
    except DatabaseUnavailable:
        return json_response(
            {"status": "degraded", "database": "unreachable"}, status=503,
            headers={"Retry-After": RETRY_AFTER_UNAVAILABLE},
        )
    return json_response({"status": "ok", "database": "ok"})
