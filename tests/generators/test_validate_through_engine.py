"""Tests through the whole service: the project's own tests run in the sandbox and their result is kept."""

from __future__ import annotations

import pytest

from tests.helpers import ApiClient
from tests.sandbox_helpers import event_messages

pytestmark = pytest.mark.slow


async def test_test_result_is_stored_on_the_generation(make_server, http, sandbox_cache_dir, db_conn):
    server = await make_server(validate_mode="tests", sandbox_cache_dir=sandbox_cache_dir)
    api = ApiClient(http, server.url)
    await api.sign_up()
    generation = await api.generate(prompt="Create a REST API for a library with books and authors")
    final = await api.wait_for(generation["id"], timeout=150)
    assert final["status"] == "completed", final["error_message"]
    tests = final["tests"]
    assert tests["status"] == "passed", tests
    assert tests["passed"] >= 5 and tests["failed"] == 0 and tests["errors"] == 0
    assert tests["repair_rounds"] == 0 and tests["reason"] is None
    assert f"{tests['passed']} passed" in tests["output"]
    messages = await event_messages(db_conn, generation["id"])
    assert "Running the project's tests" in messages
    assert f"Tests: {tests['passed']} passed" in messages


async def test_tests_turned_off_say_so(make_server, http):
    server = await make_server(validate_mode="syntax")
    api = ApiClient(http, server.url)
    await api.sign_up()
    generation = await api.generate(prompt="A command-line tool that counts words")
    final = await api.wait_for(generation["id"], timeout=60)
    assert final["status"] == "completed"
    assert final["tests"]["status"] == "not_run"
    assert "CODEGEN_VALIDATE=syntax" in final["tests"]["reason"]


async def test_no_sandbox_fails_closed(make_server, http):
    """Where bubblewrap is missing nothing runs, and every generation says why."""
    server = await make_server(validate_mode="tests", sandbox_bwrap="/nonexistent/bwrap")
    api = ApiClient(http, server.url)
    await api.sign_up()
    generation = await api.generate(prompt="A command-line tool that counts words")
    final = await api.wait_for(generation["id"], timeout=60)
    assert final["status"] == "completed"
    assert final["tests"] == {
        "status": "not_run", "passed": 0, "failed": 0, "errors": 0, "duration_s": 0.0, "repair_rounds": 0,
        "output": "", "reason": "no sandbox on this host: bubblewrap (/nonexistent/bwrap) is not installed on this host",
    }
