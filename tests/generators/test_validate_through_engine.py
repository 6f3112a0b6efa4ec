"""CODEGEN_VALIDATE=tests through the whole service: the project's own tests run and their result is kept."""

from __future__ import annotations

import pytest

from tests.helpers import ApiClient

pytestmark = pytest.mark.slow


async def test_validation_result_is_stored_on_the_generation(make_server, http, project_python):
    server = await make_server(validate_mode="tests", validate_python=project_python, validate_timeout_seconds=120)
    api = ApiClient(http, server.url)
    await api.sign_up()
    generation = await api.generate(prompt="Create a REST API for a library with books and authors")
    final = await api.wait_for(generation["id"], timeout=150)
    assert final["status"] == "completed", final["error_message"]
    tests = final["notes"]["tests"]
    assert tests["passed"] is True, tests["output"]
    assert "passed" in tests["summary"]
