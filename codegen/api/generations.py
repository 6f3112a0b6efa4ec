from __future__ import annotations

import re

from aiohttp import web

from codegen import keys
from codegen.api.common import current_user, json_response, parse_body, parse_query, path_uuid
from codegen.errors import header_error
from codegen.schemas import DiffQuery, GenerateBody, ListGenerationsQuery
from codegen.services import generations


IDEMPOTENCY_KEY = "Idempotency-Key"
_KEY_PATTERN = re.compile(r"[\x21-\x7e]{1,255}")


def idempotency_key(value: str | None) -> str | None:
    if value is None:
        return None
    if not _KEY_PATTERN.fullmatch(value):
        raise header_error(
            IDEMPOTENCY_KEY, "string_pattern_mismatch",
            "Idempotency-Key must be 1 to 255 printable ASCII characters without spaces", value,
        )
    return value


async def create(request: web.Request) -> web.Response:
    user_id = await current_user(request)
    body = await parse_body(request, GenerateBody)
    settings = request.app[keys.SETTINGS]
    limits = generations.CreateLimits(
        rate_limit=settings.generate_rate_limit, max_active=settings.max_active_generations,
        daily_token_budget=settings.daily_token_budget,
    )
    result = await generations.create(
        request.app[keys.DB], user_id, body, limits, idempotency_key(request.headers.get(IDEMPOTENCY_KEY))
    )
    # committed: wake the workers (the create function does not NOTIFY, see sql/functions/generations.sql)
    request.app[keys.BUS].announce_queued()
    return json_response(result, status=201)


async def get(request: web.Request) -> web.Response:
    user_id = await current_user(request)
    generation_id = path_uuid(request, "generation_id")
    return json_response(await generations.get(request.app[keys.DB], user_id, generation_id))


async def list_all(request: web.Request) -> web.Response:
    user_id = await current_user(request)
    query = parse_query(request, ListGenerationsQuery)
    return json_response(await generations.list_for_user(request.app[keys.DB], user_id, query))


async def cancel(request: web.Request) -> web.Response:
    user_id = await current_user(request)
    generation_id = path_uuid(request, "generation_id")
    return json_response(await generations.cancel(request.app[keys.DB], user_id, generation_id))


async def files(request: web.Request) -> web.Response:
    user_id = await current_user(request)
    generation_id = path_uuid(request, "generation_id")
    return json_response(await generations.files(request.app[keys.DB], user_id, generation_id))


async def download(request: web.Request) -> web.Response:
    user_id = await current_user(request)
    generation_id = path_uuid(request, "generation_id")
    filename, archive = await generations.download(request.app[keys.DB], user_id, generation_id)
    return web.Response(
        body=archive, content_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


async def diff(request: web.Request) -> web.Response:
    user_id = await current_user(request)
    generation_id = path_uuid(request, "generation_id")
    query = parse_query(request, DiffQuery)
    text = await generations.diff(request.app[keys.DB], user_id, generation_id, query.against)
    return web.Response(text=text, content_type="text/x-diff", charset="utf-8")
