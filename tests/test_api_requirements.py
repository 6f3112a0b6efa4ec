"""The requirements checklist through the API (issue 13): stored on completion, listed as counts, described."""

from __future__ import annotations

import pytest

from tests.conftest import Server, ServerFactory, UserFactory
from tests.helpers import ApiClient


@pytest.fixture
async def working(make_server: ServerFactory) -> Server:
    """A server that runs generations (the template generator)."""
    return await make_server(generate_rate_limit=0)


@pytest.fixture
async def carol(working: Server, make_user: UserFactory) -> ApiClient:
    return await make_user(working)


PROMPT = (
    "Create a Flask REST API for books with title, author and price. Use PostgreSQL. "
    "GET /summary returns totals per author"
)


async def test_completed_generation_carries_its_checklist(carol: ApiClient) -> None:
    created = await carol.call("POST", "/api/generations/generate", {"prompt": PROMPT})
    assert created.status == 201
    pending = await carol.generation(created.body["id"])
    assert pending["requirements"] == [] or pending["status"] == "completed"

    done = await carol.wait_for(created.body["id"])
    assert done["status"] == "completed"
    by_text = {item["text"]: item for item in done["requirements"]}
    assert by_text["use Flask"]["status"] == "met"
    assert by_text["books with title, author and price"]["status"] == "met"
    assert "app/models.py" in by_text["books with title, author and price"]["where"]
    assert by_text["store data in postgresql"]["status"] == "substituted"
    assert "SQLite" in by_text["store data in postgresql"]["detail"]
    assert by_text["GET /summary"]["status"] == "unmet"
    assert by_text["GET /summary"]["detail"]
    for item in done["requirements"]:
        assert set(item) == {"text", "status", "where", "detail"}

    listed = await carol.call("GET", "/api/generations")
    counts = next(i for i in listed.body["items"] if i["id"] == created.body["id"])["requirement_counts"]
    assert counts == {
        status: sum(1 for item in done["requirements"] if item["status"] == status)
        for status in ("met", "substituted", "unmet")
    }
    assert counts["unmet"] >= 1

    files = await carol.call("GET", f"/api/generations/{created.body['id']}/files")
    readme = next(f["content"] for f in files.body["files"] if f["path"] == "README.md")
    assert "## What was asked" in readme
    assert "**NOT DONE**: GET /summary" in readme
    assert "**substituted**: store data in postgresql" in readme


async def test_a_prompt_it_cannot_serve_fails_saying_what_it_can_do(carol: ApiClient) -> None:
    created = await carol.call("POST", "/api/generations/generate", {"prompt": "A Java command line tool to rename photos"})
    done = await carol.wait_for(created.body["id"])
    assert done["status"] == "failed"
    assert "Java" in done["error_message"] and "REST APIs" in done["error_message"]
    assert done["requirements"] == []


async def test_generator_description_needs_no_sign_in(server: Server, http) -> None:
    async with http.get(server.url + "/api/generator") as response:
        assert response.status == 200
        body = await response.json()
    assert body["provider"] == "template"
    assert body["examples"] and body["follow_up_examples"] and "python" in body["languages"]
    assert any("REST API" in line for line in body["writes"])


async def test_openapi_documents_the_checklist_and_the_generator(server: Server, http) -> None:
    async with http.get(server.url + "/api/openapi.json") as response:
        document = await response.json()
    assert "/api/generator" in document["paths"]
    schemas = document["components"]["schemas"]
    assert "requirements" in schemas["GenerationOut"]["properties"]
    assert schemas["Requirement"]["properties"]["status"]["enum"] == ["met", "substituted", "unmet"]
    assert "requirement_counts" in schemas["GenerationListItem"]["properties"]
