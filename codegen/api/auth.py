"""Sign-up and sign-in handlers.

Every handler has the same three steps on purpose (parse the request, call one service, answer):
a shared helper would hide which service a route calls, which is what a reader looks for here.
"""

from __future__ import annotations

from aiohttp import web

from codegen import appkeys
from codegen.api.common import client_address, current_user, json_response, parse_body
from codegen.schemas import Credentials
from codegen.services import users


async def register(request: web.Request) -> web.Response:
    body = await parse_body(request, Credentials)
    app = request.app
    result = await users.register(
        app[appkeys.DB], app[appkeys.TOKENS], app[appkeys.HASHING], app[appkeys.THROTTLE], body.email, body.password,
        client_address(request),
    )
    return json_response(result, status=201)


async def login(request: web.Request) -> web.Response:
    body = await parse_body(request, Credentials)
    app = request.app
    result = await users.login(
        app[appkeys.DB], app[appkeys.TOKENS], app[appkeys.HASHING], app[appkeys.THROTTLE], body.email, body.password,
        client_address(request),
    )
    return json_response(result)


async def me(request: web.Request) -> web.Response:
    user_id = await current_user(request)
    return json_response(await users.profile(request.app[appkeys.DB], user_id))
