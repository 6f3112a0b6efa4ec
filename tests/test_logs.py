"""Structured logs and request ids: X-Request-ID on every answer, request_id and user_id on every log line."""

from __future__ import annotations

import asyncio
import logging
import os
import re
import uuid
from typing import Any

import aiohttp
import orjson
import pytest

from codegen.config import load_settings
from codegen.logs import JsonFormatter, TextFormatter, request_id_var, resolve_format, user_id_var
from tests.conftest import LogLines, RestrictedServer, Server, ServerFactory, UserFactory
from tests.helpers import ApiClient


@pytest.fixture
async def server(make_server: ServerFactory) -> Server:
    return await make_server(worker=False, generate_rate_limit=0)


async def _user(server: Server, make_user: UserFactory) -> tuple[ApiClient, str]:
    client = await make_user(server)
    return client, client.user_id


@pytest.fixture
async def client(server: Server, make_user: UserFactory) -> tuple[ApiClient, str]:
    return await _user(server, make_user)


def request_lines(log_lines: LogLines, path: str) -> list[dict[str, Any]]:
    """The service's own one line per request (aiohttp's access log is another logger)."""
    return [line for line in log_lines()
            if line["logger"] == "codegen.http" and line.get("msg") == "request" and line.get("path") == path]


# -- X-Request-ID --------------------------------------------------------------------------------


async def test_every_answer_has_a_request_id(client: tuple[ApiClient, str], server: Server,
                                             http: aiohttp.ClientSession) -> None:
    api, _ = client
    created = await api.generate()
    anonymous = ApiClient(http, server.url)
    answers = [
        await api.call("GET", "/api/health"),
        await api.call("GET", "/api/auth/me"),
        await api.call("POST", "/api/generations/generate", {"prompt": "Create a REST API with auth"}),
        await api.call("GET", f"/api/generations/{created['id']}"),
        await api.call("GET", "/api/generations/not-a-uuid"),
        await api.call("GET", f"/api/generations/{uuid.uuid4()}"),
        await api.call("POST", "/api/generations/generate", data=b"{"),
        await api.call("DELETE", "/api/generations/generate"),
        await api.call("GET", "/api/nothing-here"),
        await anonymous.call("GET", "/api/projects"),
        await anonymous.call("POST", "/api/auth/login", {"email": "nobody@example.com", "password": "whatever1"}),
        await api.call("GET", "/"),
    ]
    assert [a.status for a in answers] == [200, 200, 201, 200, 422, 404, 422, 405, 404, 401, 401, 200]
    ids = [a.headers.get("X-Request-ID") for a in answers]
    assert all(ids), ids
    assert len(set(ids)) == len(ids)
    for request_id in ids:
        assert re.fullmatch(r"[0-9a-f]{32}", request_id), request_id


async def test_an_incoming_request_id_is_echoed(client: tuple[ApiClient, str]) -> None:
    api, _ = client
    for incoming in ("trace-abc-123", "0c9055c8-4f2c-4c1e-9d3a-5b8f9a2e1d77", "x" * 128):
        answer = await api.call("GET", "/api/auth/me", headers={"X-Request-ID": incoming})
        assert answer.headers["X-Request-ID"] == incoming
        failed = await api.call("GET", "/api/generations/bad-id", headers={"X-Request-ID": incoming})
        assert failed.status == 422
        assert failed.headers["X-Request-ID"] == incoming


async def test_an_unusable_request_id_is_replaced(client: tuple[ApiClient, str]) -> None:
    api, _ = client
    for incoming in ("x" * 129, "tab\there", ""):
        answer = await api.call("GET", "/api/health", headers={"X-Request-ID": incoming})
        assert answer.status == 200
        assert re.fullmatch(r"[0-9a-f]{32}", answer.headers["X-Request-ID"])


# -- what the log lines carry ---------------------------------------------------------------------


async def test_request_log_lines_carry_request_id_and_user_id(client: tuple[ApiClient, str], log_lines: LogLines) -> None:
    api, user_id = client
    answer = await api.call("GET", "/api/auth/me", headers={"X-Request-ID": "req-me-1"})
    assert answer.status == 200
    lines = request_lines(log_lines, "/api/auth/me")
    assert len(lines) == 1, lines
    line = lines[0]
    assert line["request_id"] == "req-me-1"
    assert line["user_id"] == user_id
    assert line["method"] == "GET"
    assert line["status"] == 200
    assert line["level"] == "info"
    assert isinstance(line["duration_ms"], (int, float))
    assert line["time"].endswith("+00:00")


async def test_a_user_id_does_not_leak_into_the_next_request(client: tuple[ApiClient, str], server: Server,
                                                             http: aiohttp.ClientSession, log_lines: LogLines) -> None:
    api, user_id = client
    # the same connection (keep-alive): an authenticated request, then anonymous ones
    assert (await api.call("GET", "/api/projects", headers={"X-Request-ID": "first"})).status == 200
    anonymous = ApiClient(http, server.url)
    assert (await anonymous.call("GET", "/api/projects", headers={"X-Request-ID": "second"})).status == 401
    assert (await anonymous.call("GET", "/api/health", headers={"X-Request-ID": "third"})).status == 200
    lines = {line["request_id"]: line for line in request_lines(log_lines, "/api/projects")}
    lines.update({line["request_id"]: line for line in request_lines(log_lines, "/api/health")})
    assert lines["first"]["user_id"] == user_id
    assert lines["first"]["status"] == 200
    assert "user_id" not in lines["second"]
    assert lines["second"]["status"] == 401
    assert "user_id" not in lines["third"]


async def test_each_user_is_logged_as_themselves(server: Server, make_user: UserFactory,
                                                 log_lines: LogLines) -> None:
    users = [await _user(server, make_user) for _ in range(3)]
    await asyncio.gather(*(
        api.call("GET", "/api/generations", headers={"X-Request-ID": f"concurrent-{i}-{j}"})
        for i, (api, _) in enumerate(users) for j in range(4)
    ))
    lines = [line for line in request_lines(log_lines, "/api/generations")
             if str(line.get("request_id", "")).startswith("concurrent-")]
    assert len(lines) == 12
    for line in lines:
        index = int(line["request_id"].split("-")[1])
        assert line["user_id"] == users[index][1], line


async def test_a_500_is_logged_with_its_traceback_and_request_id(restricted_server: RestrictedServer,
                                                                 make_user: Any, log_lines: LogLines) -> None:
    server, role = restricted_server.server, restricted_server.role
    api = await make_user(server, role.admin)
    await role.revoke("SELECT", "projects")  # PostgreSQL refuses the query: a bug, to the service
    answer = await api.call("GET", "/api/projects", headers={"X-Request-ID": "req-500"})
    assert answer.status == 500
    assert answer.body == {"detail": "Internal Server Error"}
    assert answer.headers["X-Request-ID"] == "req-500"
    errors = [line for line in log_lines() if line.get("request_id") == "req-500" and line["level"] == "error"]
    assert len(errors) == 1, errors
    assert "InsufficientPrivilegeError: permission denied for table projects" in errors[0]["traceback"]
    assert errors[0]["user_id"] == api.user_id
    [request] = request_lines(log_lines, "/api/projects")
    assert request["status"] == 500
    assert request["request_id"] == "req-500"


def test_formatters_read_the_context(caplog: pytest.LogCaptureFixture) -> None:
    record = logging.LogRecord("codegen.test", logging.WARNING, __file__, 1, "hello %s", ("world",), None)
    record.attempt = 2
    request_token = request_id_var.set("rid-1")
    user_token = user_id_var.set("uid-1")
    try:
        line = orjson.loads(JsonFormatter().format(record))
        text = TextFormatter().format(record)
    finally:
        request_id_var.reset(request_token)
        user_id_var.reset(user_token)
    assert line["msg"] == "hello world"
    assert line["level"] == "warning"
    assert line["request_id"] == "rid-1"
    assert line["user_id"] == "uid-1"
    assert line["attempt"] == 2
    assert "request_id=rid-1" in text and "user_id=uid-1" in text
    # outside a request nothing is invented
    bare = orjson.loads(JsonFormatter().format(record))
    assert "request_id" not in bare and "user_id" not in bare


async def test_static_files_are_logged_at_debug(server: Server, http: aiohttp.ClientSession,
                                                caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="codegen.http")
    for path in ("/", "/static/app.js", "/static/styles.css", "/api/health", "/api/nothing-here"):
        async with http.get(server.url + path) as answer:
            await answer.read()
    levels = {(r.__dict__["path"], r.__dict__["status"]): r.levelname
              for r in caplog.records if r.name == "codegen.http" and r.getMessage() == "request"}
    assert levels == {
        ("/", 200): "DEBUG", ("/static/app.js", 200): "DEBUG", ("/static/styles.css", 200): "DEBUG",
        ("/api/health", 200): "INFO", ("/api/nothing-here", 404): "INFO",
    }


def test_auto_format_is_text_at_a_terminal_and_json_otherwise() -> None:
    leader, follower = os.openpty()
    try:
        with os.fdopen(follower, "w", closefd=False) as terminal, open(os.devnull, "w") as pipe_like:
            assert resolve_format("auto", terminal) == "text"
            assert resolve_format("auto", pipe_like) == "json"
            # CODEGEN_LOG_FORMAT, when set, wins
            assert resolve_format("json", terminal) == "json"
            assert resolve_format("text", pipe_like) == "text"
    finally:
        os.close(leader)
        os.close(follower)
    assert load_settings({}).log_format == "auto"
    assert load_settings({"CODEGEN_LOG_FORMAT": "json"}).log_format == "json"
