"""Generation routes of issue 2: generate, read, list; their validation, limits and similar projects."""

from __future__ import annotations

import asyncio
import base64
import io
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from codegen.config import Settings
from tests.conftest import Server, ServerFactory
from tests.helpers import (
    Answer,
    ApiClient,
    assert_utc_timestamp,
    item_at,
    validation_items,
)

PROMPT = "Create a REST API with authentication"
CREATE_KEYS = {
    "id", "status", "user_id", "project_id", "project_name", "project_domain", "auto_created_project",
    "prompt", "generation_mode", "is_iteration", "parent_generation_id", "created_at",
}
DETAIL_KEYS = CREATE_KEYS | {
    "stage", "progress", "message", "error_message", "attempts", "provider",
    "started_at", "completed_at", "updated_at", "files", "usage",
}

UserFactory = Callable[[], Awaitable[ApiClient]]


# -- helpers ------------------------------------------------------------------------------------


async def post_generate(client: ApiClient, body: object, path: str = "/api/generations/generate") -> Answer:
    return await client.call("POST", path, body)


async def set_status(db_conn: asyncpg.Connection, generation_id: str, status: str) -> None:
    await db_conn.execute("UPDATE generations SET status = $2 WHERE id = $1", uuid.UUID(generation_id), status)


def b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


async def user_id_of(client: ApiClient) -> str:
    answer = await client.call("GET", "/api/auth/me")
    assert answer.status == 200
    return answer.body["id"]


# -- POST /api/generations/generate -------------------------------------------------------------


async def test_generate_answers_201_exactly_as_the_contract_shows(alice: ApiClient, db_conn: asyncpg.Connection) -> None:
    answer = await post_generate(alice, {"prompt": PROMPT})
    assert answer.status == 201, answer.body
    body = answer.body
    assert set(body) == CREATE_KEYS
    assert body["status"] == "pending"
    assert body["user_id"] == await user_id_of(alice)
    assert body["project_name"] == "Rest Api"
    assert body["project_domain"] == "general"
    assert body["auto_created_project"] is True
    assert body["prompt"] == PROMPT
    assert body["generation_mode"] == "phased"
    assert body["is_iteration"] is False
    assert body["parent_generation_id"] is None
    uuid.UUID(body["id"])
    uuid.UUID(body["project_id"])
    assert_utc_timestamp(body["created_at"])
    # committed before the answer: another connection sees it at once
    row = await db_conn.fetchrow("SELECT status, project_id FROM generations WHERE id = $1", uuid.UUID(body["id"]))
    assert row is not None
    assert row["status"] == "pending"
    assert str(row["project_id"]) == body["project_id"]


async def test_generate_keeps_mode_context_and_ignores_unknown_fields(alice: ApiClient) -> None:
    body = {
        "prompt": "Build a todo list app in unified mode",
        "generation_mode": "unified",
        "context": {"additional_requirements": ["use SQLite", "add tests"], "audience": "students"},
        "project_id": None,
        "is_iteration": False,
        "parent_generation_id": None,
        "temperature": 0.3,
        "unknown": {"nested": [1, 2]},
    }
    answer = await post_generate(alice, body)
    assert answer.status == 201, answer.body
    assert set(answer.body) == CREATE_KEYS
    assert answer.body["generation_mode"] == "unified"
    stored = await alice.generation(answer.body["id"])
    assert stored["generation_mode"] == "unified"
    assert stored["context"]["additional_requirements"] == ["use SQLite", "add tests"]
    assert "temperature" not in stored and "unknown" not in stored


async def test_prompt_length_limits_are_inclusive(alice: ApiClient) -> None:
    assert (await post_generate(alice, {"prompt": "x" * 10})).status == 201
    assert (await post_generate(alice, {"prompt": "y" * 20_000})).status == 201
    assert item_at(await post_generate(alice, {"prompt": "x" * 9}), ["body", "prompt"])["type"] == "string_too_short"
    too_long = item_at(await post_generate(alice, {"prompt": "x" * 20_001}), ["body", "prompt"])
    assert too_long["type"] == "string_too_long"
    assert too_long["msg"] == "String should have at most 20000 characters"
    assert too_long["ctx"] == {"max_length": 20000}


async def test_missing_prompt_is_the_fastapi_item(alice: ApiClient) -> None:
    answer = await post_generate(alice, {"generation_mode": "phased"})
    assert answer.body == {
        "detail": [{"type": "missing", "loc": ["body", "prompt"], "msg": "Field required",
                    "input": {"generation_mode": "phased"}}]
    }


async def test_short_prompt_is_the_fastapi_item(alice: ApiClient) -> None:
    answer = await post_generate(alice, {"prompt": "too short"})
    assert answer.status == 422
    assert answer.body == {
        "detail": [{"type": "string_too_short", "loc": ["body", "prompt"],
                    "msg": "String should have at least 10 characters", "input": "too short",
                    "ctx": {"min_length": 10}}]
    }


async def test_invalid_generation_mode_is_the_fastapi_item(alice: ApiClient) -> None:
    answer = await post_generate(alice, {"prompt": PROMPT, "generation_mode": "turbo"})
    assert answer.status == 422
    assert answer.body == {
        "detail": [{"type": "literal_error", "loc": ["body", "generation_mode"],
                    "msg": "Input should be 'phased' or 'unified'", "input": "turbo",
                    "ctx": {"expected": "'phased' or 'unified'"}}]
    }


@pytest.mark.parametrize(
    ("extra", "loc", "type_"),
    [
        ({"project_id": "not-a-uuid"}, ["body", "project_id"], "uuid_parsing"),
        ({"project_id": 12}, ["body", "project_id"], "uuid_type"),
        ({"parent_generation_id": "1234"}, ["body", "parent_generation_id"], "uuid_parsing"),
        ({"is_iteration": "perhaps"}, ["body", "is_iteration"], "bool_parsing"),
        ({"context": "be quick"}, ["body", "context"], "model_type"),
        ({"context": {"additional_requirements": "one string"}}, ["body", "context", "additional_requirements"],
         "list_type"),
        ({"context": {"additional_requirements": ["ok", 3]}}, ["body", "context", "additional_requirements", 1],
         "string_type"),
        ({"prompt": 1234567890123}, ["body", "prompt"], "string_type"),
        ({"prompt": None}, ["body", "prompt"], "string_type"),
    ],
)
async def test_generate_validation(alice: ApiClient, extra: dict, loc: list, type_: str) -> None:
    answer = await post_generate(alice, {"prompt": PROMPT, **extra})
    item = item_at(answer, loc)
    assert item["type"] == type_
    if len(loc) == 2:
        assert item["input"] == extra[loc[1]]


async def test_malformed_project_id_is_uuid_parsing(alice: ApiClient) -> None:
    answer = await post_generate(alice, {"prompt": PROMPT, "project_id": "abc"})
    item = item_at(answer, ["body", "project_id"])
    assert item["type"] == "uuid_parsing"
    assert item["input"] == "abc"
    assert item["msg"].startswith("Input should be a valid UUID")


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"prompt": "Create\x00 a REST API"}, ["body", "prompt"]),
        ({"prompt": PROMPT, "context": {"additional_requirements": ["a\x00b"]}},
         ["body", "context", "additional_requirements", 0]),
        ({"prompt": PROMPT, "context": {"notes": "a\x00b"}}, ["body", "context"]),
        ({"prompt": PROMPT, "context": {"k\x00ey": 1}}, ["body", "context"]),
        ({"prompt": PROMPT, "context": {"deep": [{"x": ["\x00"]}]}}, ["body", "context"]),
    ],
)
async def test_nul_bytes_are_422_not_500(alice: ApiClient, body: dict, loc: list) -> None:
    answer = await post_generate(alice, body)
    item = item_at(answer, loc)
    assert item["type"] == "value_error"
    assert "NUL" in item["msg"]


@pytest.mark.parametrize("raw", [b"", b"prompt=hello", b"{", b'{"prompt": "abc', b"\xff\xfe\x00", b'{"prompt": "\\ud800 lone"}'])
async def test_body_not_json(alice: ApiClient, raw: bytes) -> None:
    answer = await alice.call("POST", "/api/generations/generate", data=raw,
                              headers={"Content-Type": "application/json"})
    item = item_at(answer, ["body"])
    assert item["type"] == "json_invalid"


@pytest.mark.parametrize("raw", [b"[]", b'["Create a REST API"]', b'"Create a REST API with auth"', b"null", b"1", b"true"])
async def test_json_that_is_not_an_object(alice: ApiClient, raw: bytes) -> None:
    answer = await alice.call("POST", "/api/generations/generate", data=raw,
                              headers={"Content-Type": "application/json"})
    items = validation_items(answer)
    assert len(items) == 1
    assert items[0]["loc"] == ["body"]
    assert items[0]["type"] in ("model_type", "model_attributes_type", "dict_type")


async def test_body_over_the_size_limit_is_413_json(make_server: ServerFactory, new_user: UserFactory) -> None:
    small = await make_server(worker=False, max_body_bytes=2048)
    user = (await new_user()).for_server(small.url)
    answer = await post_generate(user, {"prompt": "p" * 5000})
    assert answer.status == 413
    assert answer.headers["Content-Type"].startswith("application/json")
    assert set(answer.body) == {"detail"}
    assert "2048" in answer.body["detail"]

    async def chunks():  # no Content-Length: the limit holds for a chunked body too
        yield b'{"prompt": "'
        for _ in range(10):
            yield b"q" * 1000
        yield b'"}'

    chunked = await user.call("POST", "/api/generations/generate", data=chunks(),
                              headers={"Content-Type": "application/json"})
    assert chunked.status == 413
    assert set(chunked.body) == {"detail"}
    # under the limit the same server answers normally
    assert (await post_generate(user, {"prompt": "p" * 1000})).status == 201


async def test_default_size_limit_allows_the_longest_prompt_with_context(alice: ApiClient, settings: Settings) -> None:
    body = {"prompt": "é" * 20_000, "context": {"additional_requirements": ["r" * 2000] * 50}}
    answer = await post_generate(alice, body)
    assert answer.status == 201, answer.body
    huge = await alice.call("POST", "/api/generations/generate",
                            data=io.BytesIO(b'{"prompt": "' + b"x" * (settings.max_body_bytes + 1) + b'"}'),
                            headers={"Content-Type": "application/json"})
    assert huge.status == 413
    assert set(huge.body) == {"detail"}


async def test_project_of_another_user_is_404(alice: ApiClient, bob: ApiClient) -> None:
    bobs = await bob.call("POST", "/api/projects", {"name": "Bob's Shop", "domain": "ecommerce"})
    assert bobs.status == 201
    answer = await post_generate(alice, {"prompt": PROMPT, "project_id": bobs.body["id"]})
    assert answer.status == 404
    assert answer.body == {"detail": "Project not found"}
    unknown = await post_generate(alice, {"prompt": PROMPT, "project_id": str(uuid.uuid4())})
    assert unknown.status == 404
    assert unknown.body == {"detail": "Project not found"}
    # nothing was written for anyone
    assert (await alice.call("GET", "/api/generations")).body["items"] == []
    assert (await bob.call("GET", f"/api/projects/{bobs.body['id']}")).body["generations"] == []


async def test_own_project_id_is_used(alice: ApiClient) -> None:
    project = await alice.call("POST", "/api/projects", {"name": "Clinic Portal", "domain": "healthcare"})
    answer = await post_generate(alice, {"prompt": PROMPT, "project_id": project.body["id"]})
    assert answer.status == 201
    assert answer.body["project_id"] == project.body["id"]
    assert answer.body["project_name"] == "Clinic Portal"
    assert answer.body["project_domain"] == "healthcare"
    assert answer.body["auto_created_project"] is False
    assert (await alice.generation(answer.body["id"]))["auto_created_project"] is False


async def test_iteration_without_parent_is_400(alice: ApiClient) -> None:
    for body in ({"prompt": PROMPT, "is_iteration": True}, {"prompt": PROMPT, "is_iteration": True,
                                                            "parent_generation_id": None}):
        answer = await post_generate(alice, body)
        assert answer.status == 400
        assert answer.body == {"detail": "parent_generation_id is required when is_iteration is true"}


async def test_iteration_on_another_users_generation_is_400(alice: ApiClient, bob: ApiClient,
                                                            db_conn: asyncpg.Connection) -> None:
    bobs = await bob.generate()
    await set_status(db_conn, bobs["id"], "completed")
    for parent in (bobs["id"], str(uuid.uuid4())):
        answer = await post_generate(alice, {"prompt": PROMPT, "is_iteration": True, "parent_generation_id": parent})
        assert answer.status == 400
        assert answer.body == {"detail": "Parent generation not found"}


@pytest.mark.parametrize("status", ["pending", "processing", "failed", "cancelled"])
async def test_iteration_on_a_parent_that_is_not_completed_is_400(
    alice: ApiClient, db_conn: asyncpg.Connection, status: str
) -> None:
    parent = await alice.generate()
    await set_status(db_conn, parent["id"], status)
    answer = await post_generate(alice, {"prompt": PROMPT, "is_iteration": True, "parent_generation_id": parent["id"]})
    assert answer.status == 400
    assert answer.body["detail"].startswith("Parent generation is not completed")
    assert f"status: {status}" in answer.body["detail"]


async def test_an_iteration_belongs_to_its_parents_project(alice: ApiClient, db_conn: asyncpg.Connection) -> None:
    parent = await alice.generate("Build an online shop with a cart and checkout")
    await set_status(db_conn, parent["id"], "completed")
    other = await alice.call("POST", "/api/projects", {"name": "Elsewhere"})
    for extra in ({}, {"project_id": other.body["id"]}):
        answer = await post_generate(alice, {
            "prompt": "Add a REST API for teachers and students to it", "is_iteration": True,
            "parent_generation_id": parent["id"], **extra,
        })
        assert answer.status == 201, answer.body
        assert answer.body["is_iteration"] is True
        assert answer.body["parent_generation_id"] == parent["id"]
        assert answer.body["project_id"] == parent["project_id"]
        assert answer.body["project_name"] == parent["project_name"]
        assert answer.body["auto_created_project"] is False


async def test_generate_rate_limit_is_429(make_server: ServerFactory, new_user: UserFactory) -> None:
    limited = await make_server(worker=False, generate_rate_limit=3)
    user, other = [(await new_user()).for_server(limited.url) for _ in range(2)]
    answers = await asyncio.gather(*(post_generate(user, {"prompt": PROMPT}) for _ in range(6)))
    assert sorted(a.status for a in answers) == [201, 201, 201, 429, 429, 429]
    refused = next(a for a in answers if a.status == 429)
    assert refused.body == {
        "detail": "Too many generation requests. Maximum 3 requests per minute. Please wait before retrying."
    }
    # the window is a minute; the SQL measures it from the first request's transaction start, so a request
    # whose transaction began a moment before that one (it waited on the counter's row lock) may read 61
    assert 1 <= int(refused.headers["Retry-After"]) <= 61
    # the limit is per user
    assert (await post_generate(other, {"prompt": PROMPT})).status == 201


async def test_generate_answers_without_the_prefix(alice: ApiClient) -> None:
    answer = await post_generate(alice, {"prompt": PROMPT}, path="/generations/generate")
    assert answer.status == 201
    assert set(answer.body) == CREATE_KEYS
    read = await alice.call("GET", f"/generations/{answer.body['id']}")
    assert read.status == 200
    assert read.body["id"] == answer.body["id"]
    listed = await alice.call("GET", "/generations")
    assert [g["id"] for g in listed.body["items"]] == [answer.body["id"]]
    bad = await post_generate(alice, {"prompt": "short"}, path="/generations/generate")
    assert item_at(bad, ["body", "prompt"])["type"] == "string_too_short"


# -- similar projects ---------------------------------------------------------------------------


async def test_a_prompt_whose_name_is_only_similar_reuses_the_project(alice: ApiClient) -> None:
    """ "Recipe Tracker" and "Recipes Tracker App" are not the same name, but close enough (trigram similarity 0.67,
    at least SIMILAR_NAME_THRESHOLD 0.6): the second lands in the first's project."""
    first = await alice.generate("Build a recipe tracker")
    second = await alice.generate("Build a recipes tracker app")
    assert (second["project_id"], second["auto_created_project"]) == (first["project_id"], False)


async def test_the_same_prompt_twice_reuses_the_project(alice: ApiClient) -> None:
    first = await alice.generate(PROMPT)
    second = await alice.generate(PROMPT)
    assert first["auto_created_project"] is True
    assert second["auto_created_project"] is False
    assert second["project_id"] == first["project_id"]
    # a differently worded prompt with the same derived name also lands there
    third = await alice.generate("Build a REST API for a todo list")
    assert third["project_id"] == first["project_id"]
    assert third["auto_created_project"] is False
    projects = (await alice.call("GET", "/api/projects")).body["items"]
    assert [(p["id"], p["generation_count"]) for p in projects] == [(first["project_id"], 3)]
    # reading them back tells the same
    for created in (first, second, third):
        assert (await alice.generation(created["id"]))["auto_created_project"] is created["auto_created_project"]


async def test_a_different_prompt_gets_a_new_project(alice: ApiClient) -> None:
    api = await alice.generate(PROMPT)
    shop = await alice.generate("Create an online shop with a shopping cart")
    game = await alice.generate("Create a REST API for a multiplayer game leaderboard")  # same name, other domain
    assert shop["auto_created_project"] is True
    assert shop["project_domain"] == "ecommerce"
    assert game["project_domain"] == "gaming"
    assert len({api["project_id"], shop["project_id"], game["project_id"]}) == 3


async def test_ten_simultaneous_requests_end_in_one_project(alice: ApiClient) -> None:
    prompt = f"Create a booking system for yoga studios {uuid.uuid4().hex[:6]}"
    answers = await asyncio.gather(*(post_generate(alice, {"prompt": prompt}) for _ in range(10)))
    assert [a.status for a in answers] == [201] * 10, [a.body for a in answers]
    assert len({a.body["project_id"] for a in answers}) == 1
    assert sum(a.body["auto_created_project"] for a in answers) == 1
    projects = (await alice.call("GET", "/api/projects")).body["items"]
    assert len(projects) == 1
    assert projects[0]["generation_count"] == 10


async def test_ten_simultaneous_requests_on_two_servers_end_in_one_project(
    make_server: ServerFactory, alice: ApiClient, server: Server
) -> None:
    second = await make_server(worker=False, generate_rate_limit=0)
    clients = [alice, alice.for_server(second.url)]
    prompt = "Write an expense tracker with budgets"
    answers = await asyncio.gather(*(post_generate(clients[i % 2], {"prompt": prompt}) for i in range(10)))
    assert [a.status for a in answers] == [201] * 10
    assert len({a.body["project_id"] for a in answers}) == 1
    assert len((await alice.call("GET", "/api/projects")).body["items"]) == 1


async def idle_project_for(db_conn: asyncpg.Connection, project_id: str, idle: timedelta) -> None:
    """Make a project look last active ``idle`` ago: the project row and its generations."""
    project = uuid.UUID(project_id)
    await db_conn.execute(
        "UPDATE projects SET created_at = now() - $2::interval, updated_at = now() - $2::interval WHERE id = $1",
        project, idle,
    )
    await db_conn.execute("UPDATE generations SET created_at = now() - $2::interval WHERE project_id = $1", project, idle)


async def test_a_project_idle_for_over_an_hour_is_not_reused(alice: ApiClient, db_conn: asyncpg.Connection) -> None:
    first = await alice.generate(PROMPT)
    await idle_project_for(db_conn, first["project_id"], timedelta(minutes=59))
    listed = (await alice.call("GET", f"/api/projects/{first['project_id']}")).body
    assert datetime.now(UTC) - assert_utc_timestamp(listed["updated_at"]) > timedelta(minutes=58)
    recent = await alice.generate(PROMPT)
    assert recent["project_id"] == first["project_id"]
    assert recent["auto_created_project"] is False
    # reusing it made it active again
    listed = (await alice.call("GET", f"/api/projects/{first['project_id']}")).body
    assert datetime.now(UTC) - assert_utc_timestamp(listed["updated_at"]) < timedelta(seconds=60)

    await idle_project_for(db_conn, first["project_id"], timedelta(minutes=61))
    later = await alice.generate(PROMPT)
    assert later["project_id"] != first["project_id"]
    assert later["auto_created_project"] is True
    assert later["project_name"] == "Rest Api"


async def test_different_users_never_share_projects(alice: ApiClient, bob: ApiClient) -> None:
    answers = await asyncio.gather(*(post_generate(u, {"prompt": PROMPT}) for u in (alice, bob, alice, bob)))
    assert [a.status for a in answers] == [201] * 4
    alices = {answers[0].body["project_id"], answers[2].body["project_id"]}
    bobs = {answers[1].body["project_id"], answers[3].body["project_id"]}
    assert len(alices) == 1 and len(bobs) == 1
    assert alices != bobs
    for client, own in ((alice, alices), (bob, bobs)):
        assert {p["id"] for p in (await client.call("GET", "/api/projects")).body["items"]} == own


# -- GET /api/generations/{generation_id} -------------------------------------------------------


async def test_get_generation_has_every_field(alice: ApiClient) -> None:
    created = await alice.generate(PROMPT, context={"additional_requirements": ["JWT"]})
    answer = await alice.call("GET", f"/api/generations/{created['id']}")
    assert answer.status == 200
    body = answer.body
    assert DETAIL_KEYS <= set(body), DETAIL_KEYS - set(body)
    assert {k: body[k] for k in CREATE_KEYS} == created
    assert body["status"] == "pending"
    assert body["stage"] == "queued"
    assert 0.0 <= body["progress"] <= 1.0
    assert isinstance(body["message"], str)
    assert body["error_message"] is None
    assert body["attempts"] == 0
    assert body["provider"] is None
    assert body["started_at"] is None and body["completed_at"] is None
    assert body["files"] == []
    assert body["usage"] is None
    assert_utc_timestamp(body["updated_at"])


async def test_get_a_completed_generation(make_server: ServerFactory, new_user: UserFactory) -> None:
    working = await make_server()
    user = (await new_user()).for_server(working.url)
    created = await user.generate(PROMPT)
    done = await user.wait_for(created["id"])
    assert done["status"] == "completed", done
    assert done["stage"] == "complete"
    assert done["progress"] == 1.0
    assert done["error_message"] is None
    assert done["attempts"] == 1
    assert isinstance(done["provider"], str) and done["provider"]
    started, completed = assert_utc_timestamp(done["started_at"]), assert_utc_timestamp(done["completed_at"])
    assert assert_utc_timestamp(done["created_at"]) <= started <= completed
    assert done["files"], done
    for f in done["files"]:
        assert set(f) == {"path", "language", "size"}
        assert isinstance(f["size"], int) and f["size"] >= 0
    assert [f["path"] for f in done["files"]] == sorted(f["path"] for f in done["files"])


async def test_diff_of_a_generation_that_is_not_completed_is_409(
    make_server: ServerFactory, new_user: UserFactory, db_conn: asyncpg.Connection
) -> None:
    working = await make_server()
    user = (await new_user()).for_server(working.url)
    done = await user.wait_for((await user.generate(PROMPT))["id"])
    iteration = await user.wait_for((await user.generate(
        "Add a search endpoint to the API", is_iteration=True, parent_generation_id=done["id"]))["id"])
    assert (done["status"], iteration["status"]) == ("completed", "completed")
    assert (await user.call("GET", f"/api/generations/{iteration['id']}/diff")).status == 200
    # the iteration failed (as a generator error leaves it): no diff, rather than every file deleted
    await db_conn.execute("UPDATE generations SET status = 'failed', stage = 'failed' WHERE id = $1",
                          uuid.UUID(iteration["id"]))
    failed = await user.call("GET", f"/api/generations/{iteration['id']}/diff")
    assert failed.status == 409
    assert failed.body == {"detail": "Generation is not completed (status: failed); "
                                     "its diff is available once it completes"}
    # nor against a generation that is not completed
    await db_conn.execute("UPDATE generations SET status = 'pending', stage = 'queued' WHERE id = $1",
                          uuid.UUID(iteration["id"]))
    against = await user.call("GET", f"/api/generations/{done['id']}/diff", params={"against": iteration["id"]})
    assert against.status == 409
    assert "not completed (status: pending)" in against.body["detail"]
    # no parent and no `against` is still the 400
    assert (await user.call("GET", f"/api/generations/{done['id']}/diff")).status == 400


async def test_the_lists_answer_with_a_trailing_slash(alice: ApiClient) -> None:
    created = await alice.generate(PROMPT)
    for path in ("/api/generations/", "/generations/"):
        answer = await alice.call("GET", path)
        assert answer.status == 200, path
        assert [g["id"] for g in answer.body["items"]] == [created["id"]]
    projects = await alice.call("GET", "/api/projects/")
    assert [p["id"] for p in projects.body["items"]] == [created["project_id"]]


async def test_get_another_users_generation_is_404(alice: ApiClient, bob: ApiClient) -> None:
    bobs = await bob.generate()
    for path in (f"/api/generations/{bobs['id']}", f"/api/generations/{uuid.uuid4()}", f"/generations/{bobs['id']}"):
        answer = await alice.call("GET", path)
        assert answer.status == 404
        assert answer.body == {"detail": "Generation not found"}
    assert (await bob.call("GET", f"/api/generations/{bobs['id']}")).status == 200


@pytest.mark.parametrize("bad_id", ["not-a-uuid", "123", "0c9055c8-0000-0000-0000", "%00"])
async def test_malformed_generation_id_is_422(alice: ApiClient, bad_id: str) -> None:
    answer = await alice.call("GET", f"/api/generations/{bad_id}")
    assert answer.status == 422
    assert len(answer.body["detail"]) == 1
    item = item_at(answer, ["path", "generation_id"])
    assert item["type"] == "uuid_parsing"
    assert item["msg"].startswith("Input should be a valid UUID")
    assert item["input"] == bad_id.replace("%00", "\x00")


# -- GET /api/generations -----------------------------------------------------------------------


async def test_list_newest_first_with_filters(alice: ApiClient, bob: ApiClient) -> None:
    shop = [await alice.generate("Create an online shop with a cart") for _ in range(2)]
    api = [await alice.generate(PROMPT) for _ in range(3)]
    await bob.generate(PROMPT)
    cancelled = await alice.call("POST", f"/api/generations/{api[1]['id']}/cancel")
    assert cancelled.status == 200

    everything = (await alice.call("GET", "/api/generations")).body
    assert set(everything) == {"items", "next_cursor"}
    assert everything["next_cursor"] is None
    created = [*shop, *api]
    assert [g["id"] for g in everything["items"]] == [g["id"] for g in reversed(created)]
    times = [datetime.fromisoformat(g["created_at"]) for g in everything["items"]]
    assert times == sorted(times, reverse=True)
    assert {g["user_id"] for g in everything["items"]} == {await user_id_of(alice)}

    by_project = (await alice.call("GET", "/api/generations", params={"project_id": shop[0]["project_id"]})).body
    assert [g["id"] for g in by_project["items"]] == [shop[1]["id"], shop[0]["id"]]

    by_status = (await alice.call("GET", "/api/generations", params={"status": "cancelled"})).body
    assert [g["id"] for g in by_status["items"]] == [api[1]["id"]]
    both = await alice.call("GET", "/api/generations",
                            params={"status": "pending", "project_id": api[0]["project_id"]})
    assert [g["id"] for g in both.body["items"]] == [api[2]["id"], api[0]["id"]]
    none = await alice.call("GET", "/api/generations", params={"status": "completed"})
    assert none.body == {"items": [], "next_cursor": None}


async def test_list_items_carry_the_fields_clients_render(alice: ApiClient) -> None:
    created = await alice.generate(PROMPT)
    item = (await alice.call("GET", "/api/generations")).body["items"][0]
    assert CREATE_KEYS <= set(item)
    assert item["auto_created_project"] is True
    assert {"stage", "progress", "message", "error_message", "updated_at"} <= set(item)
    assert item["id"] == created["id"]
    assert_utc_timestamp(item["created_at"])


async def test_cursor_pagination(alice: ApiClient, bob: ApiClient) -> None:
    prompts = ["Create a REST API with authentication", "Build an online shop with a cart",
               "A multiplayer chess game", "A banking app with loans", "A course platform for students"]
    created = await asyncio.gather(*(alice.generate(prompts[i % 5] + f" v{i}") for i in range(25)))
    await bob.generate()
    expected = sorted(created, key=lambda g: (datetime.fromisoformat(g["created_at"]), g["id"]), reverse=True)

    pages, cursor = [], None
    while True:
        params = {"limit": "10", **({"cursor": cursor} if cursor else {})}
        answer = await alice.call("GET", "/api/generations", params=params)
        assert answer.status == 200, answer.body
        pages.append([g["id"] for g in answer.body["items"]])
        cursor = answer.body["next_cursor"]
        if cursor is None:
            break
        assert isinstance(cursor, str) and cursor
        assert len(pages) < 5
    assert [len(p) for p in pages] == [10, 10, 5]
    flat = [i for p in pages for i in p]
    assert len(set(flat)) == 25
    assert flat == [g["id"] for g in expected]

    # the default limit is 20; limit=100 takes everything
    default = (await alice.call("GET", "/api/generations")).body
    assert len(default["items"]) == 20 and default["next_cursor"] is not None
    everything = (await alice.call("GET", "/api/generations", params={"limit": "100"})).body
    assert [g["id"] for g in everything["items"]] == flat and everything["next_cursor"] is None
    # a page ending exactly at the last item has no cursor
    exact = (await alice.call("GET", "/api/generations", params={"limit": "25"})).body
    assert len(exact["items"]) == 25 and exact["next_cursor"] is None
    # filters hold across pages
    first = (await alice.call("GET", "/api/generations",
                              params={"limit": "2", "project_id": created[0]["project_id"]})).body
    second = (await alice.call("GET", "/api/generations",
                               params={"limit": "2", "project_id": created[0]["project_id"],
                                       "cursor": first["next_cursor"]})).body
    ids = [g["id"] for g in first["items"] + second["items"]]
    assert {g["project_id"] for g in first["items"] + second["items"]} == {created[0]["project_id"]}
    assert len(ids) == len(set(ids)) == 4


async def test_another_users_generations_never_appear(alice: ApiClient, bob: ApiClient) -> None:
    bobs = [await bob.generate(PROMPT), await bob.generate("Build an online shop with a cart")]
    mine = await alice.generate(PROMPT)
    answer = await alice.call("GET", "/api/generations", params={"limit": "100"})
    assert [g["id"] for g in answer.body["items"]] == [mine["id"]]
    # not even when asked for by bob's project
    foreign = await alice.call("GET", "/api/generations", params={"project_id": bobs[0]["project_id"]})
    assert foreign.status == 200
    assert foreign.body == {"items": [], "next_cursor": None}
    # nor through a cursor made from bob's list
    bob_page = (await bob.call("GET", "/api/generations", params={"limit": "1"})).body
    through = await alice.call("GET", "/api/generations", params={"cursor": bob_page["next_cursor"]})
    assert through.status == 200
    assert {g["user_id"] for g in through.body["items"]} <= {await user_id_of(alice)}


@pytest.mark.parametrize(
    ("params", "loc", "type_"),
    [
        ({"limit": "0"}, ["query", "limit"], "greater_than_equal"),
        ({"limit": "101"}, ["query", "limit"], "less_than_equal"),
        ({"limit": "-1"}, ["query", "limit"], "greater_than_equal"),
        ({"limit": "ten"}, ["query", "limit"], "int_parsing"),
        ({"limit": "1.5"}, ["query", "limit"], "int_parsing"),
        ({"status": "done"}, ["query", "status"], "enum"),
        ({"status": "PENDING"}, ["query", "status"], "enum"),
        ({"status": "pending\x00"}, ["query", "status"], "enum"),
        ({"project_id": "nope"}, ["query", "project_id"], "uuid_parsing"),
        ({"project_id": "\x00"}, ["query", "project_id"], "uuid_parsing"),
        ({"cursor": "not-a-cursor"}, ["query", "cursor"], "value_error"),
        ({"cursor": "%%%"}, ["query", "cursor"], "value_error"),
        ({"cursor": b64("2025-01-01T00:00:00+00:00|not-a-uuid")}, ["query", "cursor"], "value_error"),
        ({"cursor": b64(f"yesterday|{uuid.uuid4()}")}, ["query", "cursor"], "value_error"),
        # a naive timestamp is never a cursor of ours
        ({"cursor": b64(f"2025-01-01T00:00:00|{uuid.uuid4()}")}, ["query", "cursor"], "value_error"),
    ],
)
async def test_list_query_validation(alice: ApiClient, params: dict, loc: list, type_: str) -> None:
    answer = await alice.call("GET", "/api/generations", params=params)
    item = item_at(answer, loc)
    assert item["type"] == type_
    assert item["input"] == next(iter(params.values()))


async def test_list_limit_items_are_the_fastapi_shape(alice: ApiClient) -> None:
    answer = await alice.call("GET", "/api/generations", params={"limit": "0"})
    assert answer.body == {
        "detail": [{"type": "greater_than_equal", "loc": ["query", "limit"],
                    "msg": "Input should be greater than or equal to 1", "input": "0", "ctx": {"ge": 1}}]
    }
    answer = await alice.call("GET", "/api/generations", params={"limit": "101"})
    assert answer.body == {
        "detail": [{"type": "less_than_equal", "loc": ["query", "limit"],
                    "msg": "Input should be less than or equal to 100", "input": "101", "ctx": {"le": 100}}]
    }


async def test_list_boundaries_and_unknown_parameters(alice: ApiClient) -> None:
    await alice.generate()
    for params in ({"limit": "1"}, {"limit": "100"}, {"unknown": "x"}, {"status": "pending"}):
        answer = await alice.call("GET", "/api/generations", params=params)
        assert answer.status == 200, (params, answer.body)
        assert len(answer.body["items"]) == 1
