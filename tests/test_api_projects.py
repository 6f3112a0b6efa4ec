"""Project routes, health, and the routing errors every route shares (404, 405, 500, 503)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import aiohttp
import asyncpg
import pytest

from tests.conftest import RestrictedServer, Server, ServerFactory, stop_or_explain
from tests.faults import blocked_backend, table_locked
from tests.hardening import OwnCluster
from tests.helpers import (
    Answer,
    ApiClient,
    assert_utc_timestamp,
    item_at,
    read_events,
    wait_until,
)

PROJECT_KEYS = {"id", "name", "domain", "description", "created_at", "updated_at", "generation_count"}

UserFactory = Callable[[], Awaitable[ApiClient]]


# -- helpers ------------------------------------------------------------------------------------


async def create_project(client: ApiClient, **body: Any) -> dict[str, Any]:
    answer = await client.call("POST", "/api/projects", body)
    assert answer.status == 201, answer.body
    return answer.body


def assert_project_not_found(answer: Answer) -> None:
    assert answer.status == 404, answer.body
    assert answer.body == {"detail": "Project not found"}


# -- POST /api/projects -------------------------------------------------------------------------


async def test_create_project(alice: ApiClient) -> None:
    answer = await alice.call("POST", "/api/projects", {"name": "Clinic Portal", "domain": "healthcare",
                                                        "description": "Appointments for a dental clinic"})
    assert answer.status == 201
    body = answer.body
    assert set(body) == PROJECT_KEYS
    uuid.UUID(body["id"])
    assert body["name"] == "Clinic Portal"
    assert body["domain"] == "healthcare"
    assert body["description"] == "Appointments for a dental clinic"
    assert body["generation_count"] == 0
    assert assert_utc_timestamp(body["created_at"]) == assert_utc_timestamp(body["updated_at"])
    # read back: the same
    read = await alice.call("GET", f"/api/projects/{body['id']}")
    assert read.status == 200
    assert {k: read.body[k] for k in PROJECT_KEYS} == body


async def test_create_project_defaults(alice: ApiClient) -> None:
    body = await create_project(alice, name="  Side Project ", unknown_field=True)
    assert body["name"] == "Side Project"
    assert body["domain"] == "general"
    assert body["description"] is None
    assert "unknown_field" not in body
    # stored trimmed: read back and listed so
    assert (await alice.call("GET", f"/api/projects/{body['id']}")).body["name"] == "Side Project"
    assert [p["name"] for p in (await alice.call("GET", "/api/projects")).body["items"]] == ["Side Project"]


@pytest.mark.parametrize(
    ("body", "loc", "type_"),
    [
        ({}, ["body", "name"], "missing"),
        ({"domain": "gaming"}, ["body", "name"], "missing"),
        ({"name": ""}, ["body", "name"], "string_too_short"),
        ({"name": "   \t\n"}, ["body", "name"], "string_too_short"),
        ({"name": "ok", "domain": "  "}, ["body", "domain"], "string_too_short"),
        ({"name": "n" * 201}, ["body", "name"], "string_too_long"),
        ({"name": 7}, ["body", "name"], "string_type"),
        ({"name": None}, ["body", "name"], "string_type"),
        ({"name": "ok", "domain": ""}, ["body", "domain"], "string_too_short"),
        ({"name": "ok", "domain": "d" * 51}, ["body", "domain"], "string_too_long"),
        ({"name": "ok", "description": "d" * 5001}, ["body", "description"], "string_too_long"),
        ({"name": "a\x00b"}, ["body", "name"], "value_error"),
        ({"name": "ok", "domain": "x\x00"}, ["body", "domain"], "value_error"),
        ({"name": "ok", "description": "\x00"}, ["body", "description"], "value_error"),
    ],
)
async def test_create_project_validation(alice: ApiClient, body: dict, loc: list, type_: str) -> None:
    answer = await alice.call("POST", "/api/projects", body)
    assert item_at(answer, loc)["type"] == type_
    assert (await alice.call("GET", "/api/projects")).body["items"] == []


async def test_create_project_missing_name_is_the_fastapi_item(alice: ApiClient) -> None:
    answer = await alice.call("POST", "/api/projects", {"domain": "gaming"})
    assert answer.body == {
        "detail": [{"type": "missing", "loc": ["body", "name"], "msg": "Field required", "input": {"domain": "gaming"}}]
    }


@pytest.mark.parametrize(("raw", "type_"), [(b"", "json_invalid"), (b"{'name': 1}", "json_invalid"),
                                            (b"[]", "model_type"), (b'"name"', "model_type")])
async def test_create_project_body_not_a_json_object(alice: ApiClient, raw: bytes, type_: str) -> None:
    answer = await alice.call("POST", "/api/projects", data=raw, headers={"Content-Type": "application/json"})
    item = item_at(answer, ["body"])
    assert item["type"] == type_


# -- GET /api/projects --------------------------------------------------------------------------


async def test_list_projects_with_generation_counts(alice: ApiClient, bob: ApiClient) -> None:
    empty = await alice.call("GET", "/api/projects")
    assert empty.status == 200
    assert empty.body == {"items": [], "next_cursor": None}
    made = await create_project(alice, name="Manual")
    generated = [await alice.generate("Create a REST API with authentication") for _ in range(3)]
    await alice.generate("Create a chess game", project_id=made["id"])
    await bob.generate("Create a REST API with authentication")

    answer = await alice.call("GET", "/api/projects")
    assert answer.status == 200
    assert set(answer.body) == {"items", "next_cursor"}
    items = {p["id"]: p for p in answer.body["items"]}
    assert len(answer.body["items"]) == 2
    for item in answer.body["items"]:
        assert set(item) == PROJECT_KEYS
        assert_utc_timestamp(item["created_at"])
        assert_utc_timestamp(item["updated_at"])
    assert items[made["id"]]["generation_count"] == 1
    assert items[generated[0]["project_id"]]["generation_count"] == 3
    assert items[generated[0]["project_id"]]["name"] == "Rest Api"
    assert items[generated[0]["project_id"]]["description"] == "Create a REST API with authentication"


async def test_projects_are_listed_by_last_activity(alice: ApiClient) -> None:
    older = await create_project(alice, name="Older", domain="finance")
    newer = await create_project(alice, name="Newer", domain="gaming")
    listed = (await alice.call("GET", "/api/projects")).body["items"]
    assert [p["id"] for p in listed] == [newer["id"], older["id"]]

    generation = await alice.generate("Write a budget tracker", project_id=older["id"])
    listed = (await alice.call("GET", "/api/projects")).body["items"]
    # a new generation makes its project the most recently active one
    assert [p["id"] for p in listed] == [older["id"], newer["id"]]
    assert assert_utc_timestamp(listed[0]["updated_at"]) == assert_utc_timestamp(generation["created_at"])
    assert assert_utc_timestamp(listed[0]["created_at"]) == assert_utc_timestamp(older["created_at"])
    read = (await alice.call("GET", f"/api/projects/{older['id']}")).body
    assert read["updated_at"] == listed[0]["updated_at"]


async def test_list_projects_answers_without_the_prefix(alice: ApiClient) -> None:
    made = await create_project(alice, name="Bare")
    answer = await alice.call("GET", "/projects")
    assert answer.status == 200
    assert [p["id"] for p in answer.body["items"]] == [made["id"]]
    created = await alice.call("POST", "/projects", {"name": "Also bare"})
    assert created.status == 201
    assert set(created.body) == PROJECT_KEYS


# -- GET /api/projects/{project_id} -------------------------------------------------------------


async def test_get_project_with_generations_newest_first(alice: ApiClient, bob: ApiClient) -> None:
    project = await create_project(alice, name="Shop", domain="ecommerce")
    created = [await alice.generate(f"Create an online shop, step {i}", project_id=project["id"]) for i in range(4)]
    await alice.generate("Something else entirely for the test")

    answer = await alice.call("GET", f"/api/projects/{project['id']}")
    assert answer.status == 200
    assert PROJECT_KEYS | {"generations"} == set(answer.body)
    assert answer.body["generation_count"] == 4
    generations = answer.body["generations"]
    assert [g["id"] for g in generations] == [g["id"] for g in reversed(created)]
    times = [datetime.fromisoformat(g["created_at"]) for g in generations]
    assert times == sorted(times, reverse=True)
    for g in generations:
        assert {"id", "status", "prompt", "generation_mode", "created_at"} <= set(g)
        assert g["status"] == "pending"
    # bob sees nothing of it
    assert_project_not_found(await bob.call("GET", f"/api/projects/{project['id']}"))
    same = await alice.call("GET", f"/projects/{project['id']}")
    assert same.status == 200 and same.body["id"] == project["id"]


async def test_get_unknown_project_is_404(alice: ApiClient) -> None:
    assert_project_not_found(await alice.call("GET", f"/api/projects/{uuid.uuid4()}"))


@pytest.mark.parametrize("method", ["GET", "DELETE"])
@pytest.mark.parametrize("bad_id", ["nope", "1", "0c9055c8-zzzz-0000-0000-000000000000"])
async def test_malformed_project_id_is_422(alice: ApiClient, method: str, bad_id: str) -> None:
    answer = await alice.call(method, f"/api/projects/{bad_id}")
    assert answer.status == 422
    assert len(answer.body["detail"]) == 1
    item = item_at(answer, ["path", "project_id"])
    assert item["type"] == "uuid_parsing"
    assert item["input"] == bad_id
    assert item["msg"].startswith("Input should be a valid UUID")


# -- DELETE /api/projects/{project_id} ----------------------------------------------------------


async def test_delete_project(alice: ApiClient, db_conn: asyncpg.Connection) -> None:
    project = await create_project(alice, name="Doomed")
    generations = [await alice.generate("Build a doomed app please", project_id=project["id"]) for _ in range(2)]
    keep = await alice.generate("Build an online shop with a cart")

    answer = await alice.call("DELETE", f"/api/projects/{project['id']}")
    assert answer.status == 204
    assert answer.body in (b"", "")

    assert_project_not_found(await alice.call("GET", f"/api/projects/{project['id']}"))
    assert_project_not_found(await alice.call("DELETE", f"/api/projects/{project['id']}"))
    for g in generations:
        gone = await alice.call("GET", f"/api/generations/{g['id']}")
        assert gone.status == 404
        assert gone.body == {"detail": "Generation not found"}
    remaining = await alice.call("GET", "/api/generations")
    assert [g["id"] for g in remaining.body["items"]] == [keep["id"]]
    assert [p["id"] for p in (await alice.call("GET", "/api/projects")).body["items"]] == [keep["project_id"]]
    left = await db_conn.fetchval(
        "SELECT count(*) FROM generations WHERE id = ANY($1::uuid[])", [uuid.UUID(g["id"]) for g in generations]
    )
    assert left == 0
    # a generation for the deleted project is refused
    assert_project_not_found(await alice.call("POST", "/api/generations/generate",
                                              {"prompt": "Build a doomed app please", "project_id": project["id"]}))


async def test_deleting_a_project_cancels_its_running_generation_and_its_stream_says_so(alice: ApiClient) -> None:
    generation = await alice.generate("Build a doomed app please")
    events = read_events(await alice.open_stream(generation["id"]))
    assert (await anext(events)).data["stage"] == "connected"
    # the stream has replayed what is stored (the queued event) before the rows go
    assert (await anext(events)).data["status"] == "pending"
    assert (await alice.call("DELETE", f"/api/projects/{generation['project_id']}")).status == 204
    # the cancellation is recorded before the rows go, so the stream ends with it instead of falling silent
    try:
        async with asyncio.timeout(15):
            seen = [event.data async for event in events]  # until the stream ends
    except TimeoutError:
        raise AssertionError("the stream of a deleted project's generation did not end") from None
    assert [(e["status"], e["message"]) for e in seen] == [("cancelled", "The project was deleted")]


async def test_delete_without_the_prefix(alice: ApiClient) -> None:
    project = await create_project(alice, name="Bare delete")
    assert (await alice.call("DELETE", f"/projects/{project['id']}")).status == 204
    assert_project_not_found(await alice.call("DELETE", f"/projects/{project['id']}"))


async def test_another_users_project_is_404_everywhere(alice: ApiClient, bob: ApiClient) -> None:
    bobs = await create_project(bob, name="Bob's Shop", domain="ecommerce")
    bob_generation = await bob.generate("Create an online shop with a cart", project_id=bobs["id"])
    alice_generation = await alice.generate("Create an online shop with a cart")

    assert_project_not_found(await alice.call("GET", f"/api/projects/{bobs['id']}"))
    assert_project_not_found(await alice.call("DELETE", f"/api/projects/{bobs['id']}"))
    assert_project_not_found(await alice.call("POST", "/api/generations/generate",
                                              {"prompt": "Create an online shop", "project_id": bobs["id"]}))
    listed = await alice.call("GET", "/api/generations", params={"project_id": bobs["id"]})
    assert listed.status == 200
    assert listed.body == {"items": [], "next_cursor": None}
    assert bobs["id"] not in {p["id"] for p in (await alice.call("GET", "/api/projects")).body["items"]}
    # alice's similar prompt did not land in bob's project
    assert alice_generation["project_id"] != bobs["id"]

    # bob's project survived alice's delete, untouched
    still = await bob.call("GET", f"/api/projects/{bobs['id']}")
    assert still.status == 200
    assert [g["id"] for g in still.body["generations"]] == [bob_generation["id"]]
    assert still.body["generations"][0]["status"] == "pending"


# -- health and routing errors ------------------------------------------------------------------


async def test_health(server: Server, http: aiohttp.ClientSession) -> None:
    async with http.get(server.url + "/api/health") as response:
        assert response.status == 200
        assert response.content_type == "application/json"
        assert await response.json() == {"status": "ok", "database": "ok"}


async def test_health_while_the_database_is_down(make_server: ServerFactory, http: aiohttp.ClientSession) -> None:
    """A PostgreSQL cluster of the test's own, stopped and started again (never the shared server)."""
    cluster = await asyncio.to_thread(OwnCluster)
    try:
        admin = await asyncpg.connect(cluster.dsn())
        try:
            await admin.execute("CREATE DATABASE codegen")
        finally:
            await admin.close()
        server = await make_server(worker=False, database_url=cluster.dsn("codegen"))
        async with http.get(server.url + "/api/health") as response:
            assert response.status == 200
        await asyncio.to_thread(cluster.stop)
        async with http.get(server.url + "/api/health") as response:
            assert response.status == 503
            assert await response.json() == {"status": "degraded", "database": "unreachable"}
            assert int(response.headers["Retry-After"]) > 0
        await asyncio.to_thread(cluster.start)

        async def healthy() -> bool:
            async with http.get(server.url + "/api/health") as response:
                return response.status == 200

        await wait_until(healthy)
        await stop_or_explain(server)
    finally:
        await asyncio.to_thread(cluster.cleanup)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/nope"),
        ("GET", "/nope"),
        ("POST", "/api/generations/generate/extra/segments/here"),
        ("GET", "/api/projects/a/b"),
        ("GET", "/api/auth"),
        ("GET", "/api/"),
    ],
)
async def test_unknown_route_is_404_json(server: Server, http: aiohttp.ClientSession, method: str, path: str) -> None:
    client = ApiClient(http, server.url)
    answer = await client.call(method, path)
    assert answer.status == 404
    assert answer.headers["Content-Type"].startswith("application/json")
    assert answer.body == {"detail": "Not Found"}


# a fixed id, not uuid4() here: a parameter is part of the test's id, which must be the same in
# every collection (mutmut runs a mutant's tests by the ids an earlier collection listed)
_NO_SUCH_ID = "6d7f3f0e-1b1a-4c55-9d6e-0c0de0000017"


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("GET", "/api/auth/register", "POST"),
        ("DELETE", "/api/auth/me", "GET"),
        ("GET", f"/api/generations/{_NO_SUCH_ID}/cancel", "POST"),
        ("PUT", "/api/projects", "GET"),
        ("PATCH", f"/api/projects/{_NO_SUCH_ID}", "DELETE"),
        ("POST", "/api/health", "GET"),
        ("PUT", "/generations/generate", "POST"),
        # not taken for GET /generations/{generation_id} with the id "generate"
        ("GET", "/api/generations/generate", "POST"),
        ("DELETE", "/generations/generate", "POST"),
        ("DELETE", "/projects", "POST"),
    ],
)
async def test_wrong_method_is_405_json(server: Server, http: aiohttp.ClientSession, method: str, path: str,
                                        allowed: str) -> None:
    client = ApiClient(http, server.url)
    answer = await client.call(method, path)
    assert answer.status == 405
    assert answer.headers["Content-Type"].startswith("application/json")
    assert answer.body == {"detail": "Method Not Allowed"}
    assert allowed in answer.headers.get("Allow", "")


async def test_unexpected_failure_is_500_without_a_traceback(restricted_server: RestrictedServer,
                                                             make_user: Any) -> None:
    """A query PostgreSQL refuses (a revoked grant: a bug to the service, not an outage) is a bare 500."""
    server, role = restricted_server.server, restricted_server.role
    alice = await make_user(server, role.admin)
    assert (await alice.call("GET", "/api/projects")).status == 200
    await role.revoke("SELECT", "projects")
    answer = await alice.call("GET", "/api/projects")
    assert answer.status == 500
    assert answer.headers["Content-Type"].startswith("application/json")
    assert answer.body == {"detail": "Internal Server Error"}


async def test_database_unavailable_is_503(alice: ApiClient, server: Server, database_url: str) -> None:
    """The connection under a request is cut (pg_terminate_backend) while it waits in its query."""
    async with table_locked(database_url, "projects") as admin:
        request = asyncio.create_task(alice.call("GET", "/api/projects"))
        pid = await blocked_backend(admin, "FROM projects p")
        assert await admin.fetchval("SELECT pg_terminate_backend($1)", pid)
        answer = await request
    assert answer.status == 503
    assert answer.body == {"detail": "Service temporarily unavailable"}
    assert int(answer.headers["Retry-After"]) > 0
    # the pool replaces the connection: the next request is served
    assert (await alice.call("GET", "/api/projects")).status == 200


async def test_project_lists_are_paginated(alice) -> None:
    made = [(await alice.call("POST", "/api/projects", {"name": f"Project {i}"})).body["id"] for i in range(5)]
    pages, cursor = [], None
    while True:
        answer = await alice.call("GET", "/api/projects", params={"limit": 2, **({"cursor": cursor} if cursor else {})})
        assert answer.status == 200, answer.body
        assert len(answer.body["items"]) <= 2
        pages.append([p["id"] for p in answer.body["items"]])
        cursor = answer.body["next_cursor"]
        if cursor is None:
            break
    assert [len(page) for page in pages] == [2, 2, 1]
    # most recently active first, each project once
    assert [pid for page in pages for pid in page] == list(reversed(made))
    for bad in ({"limit": 0}, {"limit": 101}, {"cursor": "not-a-cursor"}):
        assert (await alice.call("GET", "/api/projects", params=bad)).status == 422, bad
