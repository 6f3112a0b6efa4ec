from __future__ import annotations

from aiohttp import web

from codegen import appkeys
from codegen.api.common import current_user, json_response, path_uuid
from codegen.services import previews


async def preview_token(request: web.Request) -> web.Response:
    user_id = await current_user(request)
    generation_id = path_uuid(request, "generation_id")
    settings = request.app[appkeys.SETTINGS]
    answer = await previews.issue(
        request.app[appkeys.DB], request.app[appkeys.PREVIEW_KEY], user_id, generation_id, settings.preview_ttl_seconds
    )
    return json_response(answer)


async def preview_file(request: web.Request) -> web.Response:
    token, path = request.match_info["token"], request.match_info["path"]
    found = await previews.file(request.app[appkeys.DB], request.app[appkeys.PREVIEW_KEY], token, path)
    headers = {
        # set here, so the app-wide policy (frame-ancestors 'none') leaves it: the app frames its previews
        "Content-Security-Policy": previews.content_security_policy(request.host, token),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
    }
    return web.Response(text=found.content, content_type=found.content_type, charset="utf-8", headers=headers)
