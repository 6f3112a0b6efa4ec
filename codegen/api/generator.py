from __future__ import annotations

from aiohttp import web

from codegen import appkeys
from codegen.api.common import json_response
from codegen.generators import describe


async def info(request: web.Request) -> web.Response:
    """What the configured generator writes and prompts that work with it; no sign-in needed."""
    return json_response(describe(request.app[appkeys.SETTINGS]))
