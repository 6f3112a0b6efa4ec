"""Fuzzing: the OpenAPI 3.1 document, a schemathesis run against it, and hostile bodies.

- ``GET /api/openapi.json`` lists every route of API.md, with request schemas taken from the
  very pydantic models that validate requests, response schemas, the bearer scheme and the
  error shapes.
- schemathesis (authenticated, against a live `codegen serve` on loopback) runs at least
  1,000 cases: no 5xx, and every answer conforms to the document.
- Bodies over the size cap get 413; deeply nested JSON, invalid UTF-8, NUL bytes and
  100 KB prompts get a clean 4xx.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from codegen import schemas
from tests.conftest import stop_or_explain
from tests.hardening import ServeProcess, bearer, parse_metrics, register
from tests.helpers import ApiClient

pytestmark = [pytest.mark.slow, pytest.mark.fuzz]

# API.md's routes (the /api form), and the operations routes
CONTRACT_ROUTES = {
    ("post", "/api/auth/register"), ("post", "/api/auth/login"), ("get", "/api/auth/me"),
    ("post", "/api/generations/generate"), ("get", "/api/generations"),
    ("get", "/api/generations/{generation_id}"), ("post", "/api/generations/{generation_id}/cancel"),
    ("get", "/api/generations/{generation_id}/files"), ("get", "/api/generations/{generation_id}/download"),
    ("get", "/api/generations/{generation_id}/diff"),
    ("post", "/api/generations/generate/{generation_id}/stream-token"),
    ("post", "/api/generations/{generation_id}/stream-token"),
    ("get", "/api/generations/generate/{generation_id}/stream"),
    ("get", "/api/projects"), ("post", "/api/projects"), ("get", "/api/projects/{project_id}"),
    ("delete", "/api/projects/{project_id}"),
    ("get", "/api/health"), ("get", "/api/openapi.json"), ("get", "/metrics"),
    ("get", "/api/generator"), ("post", "/api/generations/{generation_id}/preview-token"),
}
PUBLIC = {("post", "/api/auth/register"), ("post", "/api/auth/login"), ("get", "/api/health"), ("get", "/api/generator"),
          ("get", "/api/openapi.json"), ("get", "/metrics"), ("get", "/api/generations/generate/{generation_id}/stream")}

# The schemathesis configuration. Every check runs, with two exceptions (docs/reliability.md
# repeats them):
# - positive_data_acceptance: some schema-valid requests are refused by rules a JSON Schema cannot
#   state and API.md requires: an iteration's parent must exist and be completed (400), a cursor
#   must be one this API issued (422), no string may hold NUL (422)
# - on `/api/generations/generate` only, unsupported_method and allow_header_conformance:
#   `GET /api/generations/{generation_id}` also matches that path, so a GET there is a malformed
#   id (422, as API.md says) and a 405 truthfully allows GET and POST; and negative_data_rejection:
#   bodies are parsed like FastAPI's (pydantic's lax mode, which API.md's error shapes follow), so
#   `"is_iteration": 0` or `"true"` is read as a boolean rather than refused
# argon2 makes register and login slow by design: fewer examples there, more everywhere else.
SCHEMATHESIS_TOML = """
[checks]
positive_data_acceptance.enabled = false

[[operations]]
include-path = "/api/generations/generate"
checks.unsupported_method.enabled = false
checks.allow_header_conformance.enabled = false
checks.negative_data_rejection.enabled = false

[[operations]]
include-path-regex = "^/api/auth/(register|login)$"
generation.max-examples = 6
"""
MAX_EXAMPLES = 45
FUZZ_SEED = int(os.environ.get("CODEGEN_FUZZ_SEED", "20261129"))
MIN_CASES = 1000


async def _document(api: ApiClient) -> dict[str, Any]:
    answer = await api.call("GET", "/api/openapi.json")
    assert answer.status == 200
    return answer.body


def _validator(document: dict[str, Any], name: str) -> Any:
    import jsonschema_rs

    return jsonschema_rs.Draft202012Validator(
        {"$ref": f"#/components/schemas/{name}", "components": document["components"]}, validate_formats=True
    )


def _conforms(document: dict[str, Any], name: str, body: Any) -> None:
    errors = [str(e) for e in _validator(document, name).iter_errors(body)]
    assert not errors, (name, errors[:5])


async def test_openapi_document_describes_the_contract(api):
    doc = await _document(api)
    assert doc["openapi"] == "3.1.0"
    routes = {(m, p) for p, ops in doc["paths"].items() for m in ops}
    assert routes == CONTRACT_ROUTES
    assert doc["components"]["securitySchemes"]["bearerAuth"] == {
        **doc["components"]["securitySchemes"]["bearerAuth"], "type": "http", "scheme": "bearer",
    }
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            secured = op["security"] == [{"bearerAuth": []}]
            assert secured == ((method, path) not in PUBLIC), (method, path)
            if secured:
                assert op["responses"]["401"]["headers"]["WWW-Authenticate"]["required"] is True
            if "{" in path or "requestBody" in op or any(p["in"] == "query" for p in op.get("parameters", [])):
                assert op["responses"]["422"]["content"]["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/ValidationErrorOut"}
            if "requestBody" in op:
                assert "413" in op["responses"]
            for status, response in op["responses"].items():
                if status.startswith(("4", "5")):
                    schema = response["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
                    assert schema in {"ErrorOut", "ValidationErrorOut", "HealthOut"}
            if (method, path) not in {("get", "/api/openapi.json"), ("get", "/metrics")}:
                assert op["responses"]["503"]["headers"]["Retry-After"]["required"] is True

    # the request schemas are the validating models' own
    components = doc["components"]["schemas"]
    for model in (schemas.Credentials, schemas.GenerateBody, schemas.ProjectBody):
        own = model.model_json_schema(ref_template="#/components/schemas/{model}")
        own.pop("$defs", None)
        assert components[model.__name__] == own
    generate = doc["paths"]["/api/generations/generate"]["post"]
    assert generate["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/GenerateBody"}
    listing = {p["name"]: p for p in doc["paths"]["/api/generations"]["get"]["parameters"]}
    assert set(listing) == set(schemas.ListGenerationsQuery.model_fields)
    assert listing["limit"]["schema"]["maximum"] == 100
    stream = {p["name"]: p for p in doc["paths"]["/api/generations/generate/{generation_id}/stream"]["get"]["parameters"]}
    assert stream["token"]["required"] is True and stream["token"]["in"] == "query"
    # the error shapes
    _conforms(doc, "ValidationErrorOut", {"detail": [
        {"type": "missing", "loc": ["query", "token"], "msg": "Field required", "input": None}]})
    _conforms(doc, "ErrorOut", {"detail": "Not authenticated"})


async def test_real_answers_conform_to_the_document(make_server, http):
    server = await make_server()
    api = ApiClient(http, server.url)
    await api.sign_up()
    doc = await _document(api)
    me = await api.call("GET", "/api/auth/me")
    _conforms(doc, "UserOut", me.body)
    login = await api.call("POST", "/api/auth/login", {"email": api.email, "password": "correct horse"})
    _conforms(doc, "TokenOut", login.body)
    created = await api.generate()
    _conforms(doc, "GenerationCreated", created)
    done = await api.wait_for(created["id"], timeout=60)
    iteration = await api.generate("Add a search endpoint to the API", is_iteration=True,
                                   parent_generation_id=created["id"])
    await api.wait_for(iteration["id"], timeout=60)
    for gid in (created["id"], iteration["id"]):
        _conforms(doc, "GenerationOut", (await api.call("GET", f"/api/generations/{gid}")).body)
        _conforms(doc, "FilesOut", (await api.call("GET", f"/api/generations/{gid}/files")).body)
    _conforms(doc, "GenerationList", (await api.call("GET", "/api/generations?limit=1")).body)
    _conforms(doc, "ProjectList", (await api.call("GET", "/api/projects")).body)
    _conforms(doc, "ProjectDetail", (await api.call("GET", f"/api/projects/{done['project_id']}")).body)
    project = await api.call("POST", "/api/projects", {"name": "Conformance", "description": None})
    _conforms(doc, "ProjectOut", project.body)
    # the answers of a generation that stays pending: from a server without a worker, once the one
    # with a worker is gone (it shares the database, and would take the generation)
    await stop_or_explain(server)
    api = api.for_server((await make_server(worker=False)).url)
    pending = await api.generate("Create a todo list with due dates", project_id=project.body["id"])
    token = await api.stream_token(pending["id"])
    assert token.status == 200, token.body
    _conforms(doc, "StreamTokenOut", token.body)
    cancelled = await api.call("POST", f"/api/generations/{pending['id']}/cancel")
    assert cancelled.status == 200, cancelled.body
    _conforms(doc, "GenerationOut", cancelled.body)
    diff = await api.call("GET", f"/api/generations/{iteration['id']}/diff")
    assert diff.status == 200 and diff.headers["Content-Type"].startswith("text/x-diff")
    health = await api.call("GET", "/api/health")
    _conforms(doc, "HealthOut", health.body)


@pytest.mark.timeout(300)
async def test_schemathesis_finds_no_5xx_and_no_nonconforming_answer(fresh_database_url, tmp_path, http):
    # rate limits off, so the fuzzer reaches the logic behind them (tests/test_hardening_abuse.py tests them)
    server = ServeProcess.start(
        fresh_database_url, tmp_path, "fuzz", jwt_secret="fuzz-" + uuid.uuid4().hex,
        generate_rate_limit=0, stream_token_rate_limit=0, worker_concurrency=2,
    )
    try:
        await server.wait_ready(http)
        token, _ = await register(http, server.url)
        config = tmp_path / "schemathesis.toml"
        config.write_text(SCHEMATHESIS_TOML)
        started = time.monotonic()
        reports = [await asyncio.to_thread(_schemathesis, server.url, token, config, tmp_path / "st.json")]
        elapsed = time.monotonic() - started

        cases = sum(r["test_cases"]["generated"] for r in reports)
        for report in reports:
            assert report["complete"] and report["stop_reason"] == "completed", report
            assert report["failures"] == [] and report["errors"] == [], (report["failures"], report["errors"])
            assert report["exit_code"] == 0
        assert cases >= MIN_CASES, cases

        # the server's own count agrees: no 5xx at all
        async with http.get(server.url + "/metrics") as answer:
            samples = parse_metrics(await answer.text())
        requests = {k: v for k, v in samples.items() if k.startswith("codegen_http_requests_total")}
        server_errors = {k: v for k, v in requests.items() if 'status="5' in k}
        assert not server_errors, server_errors
        assert server.alive()
        print("\nFIGURES fuzz", {
            "cases": cases, "requests_seen_by_server": int(sum(requests.values())),
            "operations": sum(r["operations"]["tested"] for r in reports), "seconds": round(elapsed, 1),
            "seed": FUZZ_SEED, "5xx": 0,
            "statuses": _statuses(requests),
        })
    finally:
        server.stop()


def _statuses(requests: dict[str, float]) -> dict[str, int]:
    totals: dict[str, int] = {}
    for key, value in requests.items():
        status = key.split('status="', 1)[1].split('"', 1)[0]
        totals[status] = totals.get(status, 0) + int(value)
    return dict(sorted(totals.items()))


def _schemathesis(url: str, token: str, config: Path, report: Path) -> dict[str, Any]:
    command = [
        str(Path(sys.executable).with_name("st")), "--config-file", str(config), "--no-color",
        "run", f"{url}/api/openapi.json",
        "--header", f"Authorization: Bearer {token}",
        "--max-examples", str(MAX_EXAMPLES), "--workers", "1", "--seed", str(FUZZ_SEED),
        "--request-timeout", "15", "--suppress-health-check", "all",
        "--report", "json", "--report-json-path", str(report),
    ]
    # run in the test's own folder: schemathesis and hypothesis keep state in the working directory
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False, cwd=report.parent,
                          env={**os.environ, "NO_COLOR": "1"})
    assert report.exists(), done.stdout[-4000:] + done.stderr[-2000:]
    result = json.loads(report.read_text())
    if result["exit_code"] != 0:
        print(done.stdout[-8000:])
    return result


# -- hostile bodies ------------------------------------------------------------------------


async def _raw(http: aiohttp.ClientSession, method: str, url: str, body: bytes, headers: dict[str, str]) -> tuple[int, Any]:
    async with http.request(method, url, data=io.BytesIO(body) if len(body) > 512 * 1024 else body,
                            headers={"Content-Type": "application/json", **headers}) as answer:
        raw = await answer.read()
        return answer.status, json.loads(raw) if answer.content_type == "application/json" else raw


async def test_hostile_bodies_get_clean_4xx(user, http):
    url = user.base_url
    auth = bearer(user.token)  # type: ignore[arg-type]
    generate = f"{url}/api/generations/generate"
    cap = 1024 * 1024  # CODEGEN_MAX_BODY_BYTES's default
    seen: dict[str, int] = {}

    async def check(name: str, method: str, target: str, body: bytes, expected: set[int], headers=auth) -> Any:
        status, answer = await _raw(http, method, target, body, headers)
        assert status in expected, (name, status, str(answer)[:300])
        assert isinstance(answer, dict) and "detail" in answer, (name, answer)
        seen[name] = status
        return answer

    # over the size cap: 413, whether or not the client is signed in
    big = b'{"prompt": "' + b"x" * (cap + 10) + b'"}'
    answer = await check("over the cap (signed in)", "POST", generate, big, {413})
    assert answer["detail"] == f"Request body is too large (the limit is {cap} bytes)"
    await check("over the cap (register)", "POST", f"{url}/api/auth/register", big, {413}, headers={})
    await check("over the cap (project)", "POST", f"{url}/api/projects", big, {413})

    # deeply nested JSON, as the body and inside `context`
    deep = 100_000
    await check("nested arrays", "POST", generate, b"[" * deep + b"]" * deep, {422})
    nested = b'{"prompt": "Create a REST API with authentication", "context": ' + b'{"a": ' * deep + b"1" + b"}" * deep + b"}"
    answer = await check("nested objects", "POST", generate, nested, {422})
    assert answer["detail"][0]["type"] == "json_invalid"

    # invalid UTF-8, raw and in a string
    await check("invalid utf-8", "POST", generate, b'{"prompt": "Create \xff\xfe a REST API \xc3\x28 now"}', {422})
    await check("lone surrogate", "POST", generate, b'{"prompt": "Create a REST API \\ud800 with auth"}', {422})
    await check("binary", "POST", generate, os.urandom(4096), {422})

    # NUL bytes: escaped in JSON, raw in JSON, in names, in context keys, in the query and the path
    for name, body in {
        "escaped NUL in prompt": b'{"prompt": "Create a REST API\\u0000 with authentication"}',
        "raw NUL in prompt": b'{"prompt": "Create a REST API\x00 with authentication"}',
        "NUL in context key": b'{"prompt": "Create a REST API with auth", "context": {"k\\u0000": 1}}',
        "NUL in requirement": b'{"prompt": "Create a REST API with auth", "context": {"additional_requirements": ["a\\u0000"]}}',
    }.items():
        await check(name, "POST", generate, body, {422})
    await check("NUL in project name", "POST", f"{url}/api/projects", b'{"name": "a\\u0000b"}', {422})
    await check("NUL in email", "POST", f"{url}/api/auth/register",
                b'{"email": "a\\u0000@example.com", "password": "correct horse"}', {422}, headers={})
    async with http.get(f"{url}/api/generations", params={"status": "pending\x00"}, headers=auth) as answer:
        assert answer.status == 422
    async with http.get(f"{url}/api/generations/%00", headers=auth) as answer:
        assert answer.status == 422
    async with http.get(f"{url}/api/generations/%FF%FE", headers=auth) as answer:
        assert answer.status in (404, 422)
    async with http.get(f"{url}/api/generations/generate/{uuid.uuid4()}/stream",
                        params={"token": "a\x00b"}) as answer:
        assert answer.status in (401, 422)

    # 100 KB prompts and names
    huge = "Create a REST API " + "with many features " * 5400
    assert len(huge.encode()) > 100_000
    answer = await check("100 KB prompt", "POST", generate, json.dumps({"prompt": huge}).encode(), {422})
    assert answer["detail"][0]["type"] == "string_too_long"
    await check("100 KB project name", "POST", f"{url}/api/projects", json.dumps({"name": huge}).encode(), {422})
    await check("100 KB password", "POST", f"{url}/api/auth/login",
                json.dumps({"email": "a@example.com", "password": huge}).encode(), {422}, headers={})

    # not an object, not JSON, wrong types
    for name, body in {"null": b"null", "list": b"[]", "number": b"1e999999", "empty": b"",
                       "truncated": b'{"prompt": "Create', "prompt as object": b'{"prompt": {"a": 1}}'}.items():
        await check(name, "POST", generate, body, {422})

    # the service is still fine
    assert (await user.call("GET", "/api/health")).status == 200
    print("\nFIGURES hostile", seen)
