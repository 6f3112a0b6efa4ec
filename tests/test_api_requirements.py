"""The requirements checklist through the API (issue 13): stored on completion, listed as counts, described."""

from __future__ import annotations

import time

import jwt
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
    # the template generator's checklist is what it knows it wrote: its tests not running changes none of it
    assert done["tests"]["status"] == "not_run"
    assert not any("not verified by tests" in (item["detail"] or "") for item in done["requirements"])

    listed = await carol.call("GET", "/api/generations")
    counts = next(i for i in listed.body["items"] if i["id"] == created.body["id"])["requirement_counts"]
    assert counts == {
        status: sum(1 for item in done["requirements"] if item["status"] == status)
        for status in ("met", "substituted", "unmet")
    }
    assert counts["unmet"] >= 1
    project = await carol.call("GET", f"/api/projects/{done['project_id']}")
    in_project = next(g for g in project.body["generations"] if g["id"] == done["id"])
    assert in_project["requirement_counts"] == counts

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


# -- web-page previews ---------------------------------------------------------------------------


async def test_a_web_page_is_previewed_sandboxed_by_a_short_lived_link(carol: ApiClient, http) -> None:
    created = await carol.call("POST", "/api/generations/generate", {"prompt": "A calculator web page"})
    done = await carol.wait_for(created.body["id"])
    assert done["status"] == "completed"
    link = await carol.call("POST", f"/api/generations/{done['id']}/preview-token")
    assert link.status == 200
    assert link.body["expires_in"] == 300 and link.body["preview_url"].endswith("/index.html")
    assert link.body["generation_id"] == done["id"]
    token = link.body["preview_url"].split("/")[2]
    claims = jwt.decode(token, options={"verify_signature": False})  # what the link says, read as any holder can
    assert claims["aud"] == "preview" and claims["gen"] == done["id"] and claims["sub"] == carol.user_id
    assert 0 < claims["exp"] - time.time() <= 300

    async with http.get(carol.base_url + link.body["preview_url"]) as response:
        assert response.status == 200
        assert response.content_type == "text/html"
        page = await response.text()
        policy = response.headers["Content-Security-Policy"]
    files = await carol.call("GET", f"/api/generations/{done['id']}/files")
    assert page == next(f["content"] for f in files.body["files"] if f["path"] == "index.html")
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["connect-src"] == "'none'" and directives["default-src"] == "'none'"
    assert directives["frame-ancestors"] == "'self'" and directives["sandbox"] == "allow-scripts"
    assert directives["form-action"] == "'none'" and directives["base-uri"] == "'none'"
    own = f"{carol.base_url.split('://', 1)[1]}/preview/{token}/"  # its own files, by host and path
    assert directives["script-src"] == f"{own} 'unsafe-inline'" and directives["img-src"] == f"{own} data:"
    assert response.headers["X-Content-Type-Options"] == "nosniff"

    script = link.body["preview_url"].replace("index.html", "app.js")
    async with http.get(carol.base_url + script) as response:
        assert response.status == 200 and response.content_type == "text/javascript"
    async with http.get(carol.base_url + link.body["preview_url"].replace("index.html", "nope.js")) as response:
        assert response.status == 404 and (await response.json())["detail"] == "Not Found"
    # a file of a type the page does not name is sent as plain text, never sniffed
    async with http.get(carol.base_url + link.body["preview_url"].replace("index.html", "README.md")) as response:
        assert response.status == 200 and response.content_type == "text/plain"
    forged = link.body["preview_url"].split("/")
    forged[2] = forged[2][:-4] + ("AAAA" if not forged[2].endswith("AAAA") else "BBBB")
    async with http.get(carol.base_url + "/".join(forged)) as response:
        assert response.status == 401
        assert (await response.json())["detail"] == "Invalid or expired preview link"


async def test_a_page_still_being_written_cannot_be_previewed(make_server: ServerFactory, make_user: UserFactory) -> None:
    idle = await make_server(worker=False)
    erin = await make_user(idle)
    pending = await erin.call("POST", "/api/generations/generate", {"prompt": "A calculator web page"})
    early = await erin.call("POST", f"/api/generations/{pending.body['id']}/preview-token")
    assert (early.status, early.body["detail"]) == (
        409, "Generation is not completed (status: pending); only its finished page can be previewed")


async def test_only_a_completed_web_page_of_ones_own_can_be_previewed(
    working: Server, carol: ApiClient, make_user: UserFactory
) -> None:
    api = await carol.call("POST", "/api/generations/generate", {"prompt": "A todo list API with tasks"})
    await carol.wait_for(api.body["id"])
    no_page = await carol.call("POST", f"/api/generations/{api.body['id']}/preview-token")
    assert (no_page.status, no_page.body["detail"]) == (400, "This generation has no index.html to preview")
    dave = await make_user(working)
    other = await dave.call("POST", f"/api/generations/{api.body['id']}/preview-token")
    assert (other.status, other.body["detail"]) == (404, "Generation not found")


async def test_an_expired_or_foreign_preview_link_is_refused(working: Server, carol: ApiClient, http) -> None:
    from codegen import appkeys

    created = await carol.call("POST", "/api/generations/generate", {"prompt": "A calculator web page"})
    await carol.wait_for(created.body["id"])
    claims = {"sub": carol.user_id, "gen": created.body["id"], "aud": "preview"}
    expired = jwt.encode({**claims, "exp": int(time.time()) - 5}, working.app[appkeys.PREVIEW_KEY], algorithm="HS256")
    # an access token is not a preview link, even for the same user
    for token in (expired, carol.token):
        async with http.get(f"{carol.base_url}/preview/{token}/index.html") as response:
            assert response.status == 401
