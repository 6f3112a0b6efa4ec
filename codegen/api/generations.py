"""Generation handlers: create, read, list, cancel, files, download, diff.

Every handler has the same three steps on purpose (parse the request, call one service, answer):
a shared helper would hide which service a route calls, which is what a reader looks for here.
"""

from __future__ import annotations

import hashlib
import re

from aiohttp import web

from codegen import appkeys
from codegen.api.common import current_user, json_response, parse_body, parse_query, path_uuid
from codegen.api.http_errors import header_error
from codegen.lifecycle import Mode
from codegen.records import FileContent, GenerationFilter, IdempotencyKey, NewGeneration
from codegen.schemas import DiffQuery, GenerateBody, ListGenerationsQuery, page_answer
from codegen.services import generations


IDEMPOTENCY_KEY = "Idempotency-Key"
_KEY_PATTERN = re.compile(r"[\x21-\x7e]{1,255}")


def idempotency_key(value: str | None, body: GenerateBody) -> IdempotencyKey | None:
    """The request's Idempotency-Key, with the fingerprint that tells a retry from another request."""
    if value is None:
        return None
    if not _KEY_PATTERN.fullmatch(value):
        raise header_error(
            IDEMPOTENCY_KEY, "string_pattern_mismatch",
            "Idempotency-Key must be 1 to 255 printable ASCII characters without spaces", value,
        )
    return IdempotencyKey(value, hashlib.sha256(body.model_dump_json().encode()).digest())


async def create(request: web.Request) -> web.Response:
    user_id = await current_user(request)
    body = await parse_body(request, GenerateBody)
    settings = request.app[appkeys.SETTINGS]
    limits = generations.CreateLimits(
        rate_limit=settings.generate_rate_limit, max_active=settings.max_active_generations,
        daily_token_budget=settings.daily_token_budget,
    )
    new = NewGeneration(
        prompt=body.prompt, project_id=body.project_id, context=body.context.model_dump() if body.context else None,
        generation_mode=Mode(body.generation_mode), is_iteration=body.is_iteration,
        parent_generation_id=body.parent_generation_id,
    )
    result = await generations.create(
        request.app[appkeys.DB], user_id, new, limits, idempotency_key(request.headers.get(IDEMPOTENCY_KEY), body)
    )
    # committed: wake the workers (the create function does not NOTIFY, see sql/functions/generations.sql)
    request.app[appkeys.BUS].announce_queued()
    return json_response(result, status=201)


async def get(request: web.Request) -> web.Response:
    user_id = await current_user(request)
    generation_id = path_uuid(request, "generation_id")
    return json_response(await generations.get(request.app[appkeys.DB], user_id, generation_id))


async def list_all(request: web.Request) -> web.Response:
    user_id = await current_user(request)
    query = parse_query(request, ListGenerationsQuery)
    which = GenerationFilter(project_id=query.project_id, status=query.status)
    page = await generations.list_for_user(request.app[appkeys.DB], user_id, which, query.page())
    return json_response(page_answer(page))


async def cancel(request: web.Request) -> web.Response:
    user_id = await current_user(request)
    generation_id = path_uuid(request, "generation_id")
    return json_response(await generations.cancel(request.app[appkeys.DB], user_id, generation_id))


async def files(request: web.Request) -> web.Response:
    user_id = await current_user(request)
    generation_id = path_uuid(request, "generation_id")
    listed = await generations.files(request.app[appkeys.DB], user_id, generation_id)
    return json_response({"files": [_file_answer(file) for file in listed]})


def _file_answer(file: FileContent) -> dict[str, object]:
    answer: dict[str, object] = {
        "path": file.path, "language": file.language, "size": file.size, "content": file.content,
    }
    # the change mark only for an iteration (against its parent)
    if file.change is not None:
        answer["change"] = file.change
    return answer


async def download(request: web.Request) -> web.Response:
    user_id = await current_user(request)
    generation_id = path_uuid(request, "generation_id")
    download = await generations.download(request.app[appkeys.DB], user_id, generation_id)
    return web.Response(
        body=download.archive, content_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{download.filename}"'},
    )


async def diff(request: web.Request) -> web.Response:
    user_id = await current_user(request)
    generation_id = path_uuid(request, "generation_id")
    query = parse_query(request, DiffQuery)
    text = await generations.diff(request.app[appkeys.DB], user_id, generation_id, query.against)
    return web.Response(text=text, content_type="text/x-diff", charset="utf-8")
