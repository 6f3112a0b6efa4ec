"""Project handlers.

Every handler has the same three steps on purpose (parse the request, call one service, answer):
a shared helper would hide which service a route calls, which is what a reader looks for here.
"""

from __future__ import annotations

from aiohttp import web

from codegen import appkeys
from codegen.api.common import current_user, json_response, parse_body, parse_query, path_uuid
from codegen.schemas import ListProjectsQuery, ProjectBody, page_answer
from codegen.services import projects


async def list_all(request: web.Request) -> web.Response:
    user_id = await current_user(request)
    query = parse_query(request, ListProjectsQuery)
    return json_response(page_answer(await projects.list_projects(request.app[appkeys.DB], user_id, query.page())))


async def create(request: web.Request) -> web.Response:
    user_id = await current_user(request)
    body = await parse_body(request, ProjectBody)
    project = await projects.create_project(request.app[appkeys.DB], user_id, body.name, body.domain, body.description)
    return json_response(project, status=201)


async def get(request: web.Request) -> web.Response:
    user_id = await current_user(request)
    project_id = path_uuid(request, "project_id")
    return json_response(await projects.get_project(request.app[appkeys.DB], user_id, project_id))


async def delete(request: web.Request) -> web.Response:
    user_id = await current_user(request)
    project_id = path_uuid(request, "project_id")
    await projects.delete_project(request.app[appkeys.DB], user_id, project_id)
    return web.Response(status=204)
