from __future__ import annotations

from aiohttp import web

from codegen import keys
from codegen.api.common import current_user, json_response, parse_body
from codegen.schemas import Credentials
from codegen.services import users


async def register(request: web.Request) -> web.Response:
    body = await parse_body(request, Credentials)
    result = await users.register(request.app[keys.DB], request.app[keys.TOKENS], body.email, body.password)
    return json_response(result, status=201)


async def login(request: web.Request) -> web.Response:
    body = await parse_body(request, Credentials)
    return json_response(await users.login(request.app[keys.DB], request.app[keys.TOKENS], body.email, body.password))


async def me(request: web.Request) -> web.Response:
    user_id = await current_user(request)
    return json_response(await users.profile(request.app[keys.DB], user_id))
