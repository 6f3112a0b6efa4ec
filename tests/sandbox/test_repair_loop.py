"""The repair loop: failing tests go back to the model, the corrected files are tested again."""

from __future__ import annotations

import asyncio

import orjson
import pytest

from tests.generators.fake_llm import API_KEY, MODEL, FakeLLM, fake_llm, fenced, stream  # noqa: F401 - fixture
from tests.helpers import ApiClient
from tests.sandbox_helpers import event_messages, processes_with

pytestmark = pytest.mark.slow

CALC_TEST = "from calc import add\n\n\ndef test_add():\n    assert add(2, 3) == 5\n"
PYTEST_INI = "[pytest]\npythonpath = .\n"


def project(calc: str) -> str:
    return fenced("calc.py", calc) + fenced("tests/test_calc.py", CALC_TEST) + fenced("pytest.ini", PYTEST_INI, language="ini")


BUGGY = project("def add(a, b):\n    return a - b\n")
FIXED = fenced("calc.py", "def add(a, b):\n    return a + b\n")
STILL_BUGGY = fenced("calc.py", "def add(a, b):\n    return a * b\n")


async def generation_through(make_server, http, fake: FakeLLM, sandbox_cache_dir, **overrides) -> tuple[ApiClient, str]:
    server = await make_server(
        provider="openai", llm_base_url=fake.url, llm_api_key=API_KEY, llm_model=MODEL, llm_timeout_seconds=10,
        validate_mode="tests", sandbox_cache_dir=sandbox_cache_dir, **overrides,
    )
    api = ApiClient(http, server.url)
    await api.sign_up()
    generation = await api.generate(prompt="A calculator module with an add function", generation_mode="unified")
    return api, generation["id"]


async def test_a_bug_the_repair_fixes_passes_after_one_round(make_server, http, fake_llm, sandbox_cache_dir, db_conn):
    fake_llm.add(stream(BUGGY, usage=(100, 200)), stream(FIXED, usage=(300, 50)))
    api, generation_id = await generation_through(make_server, http, fake_llm, sandbox_cache_dir)
    final = await api.wait_for(generation_id, timeout=120)
    assert final["status"] == "completed", final["error_message"]
    tests = final["tests"]
    assert (tests["status"], tests["passed"], tests["failed"], tests["repair_rounds"]) == ("passed", 1, 0, 1), tests
    assert final["usage"] == {"prompt_tokens": 400, "completion_tokens": 250}
    files = {f["path"]: f["content"] for f in (await api.call("GET", f"/api/generations/{generation_id}/files")).body["files"]}
    assert "return a + b" in files["calc.py"]
    # the repair request carried the failure and the failing code
    repair_request = fake_llm.requests[1].user_text
    assert "assert -1 == 5" in repair_request and "return a - b" in repair_request
    messages = await event_messages(db_conn, generation_id)
    assert "0 passed, 1 failed; repairing (round 1 of 2)" in messages
    assert "Tests: 1 passed" in messages


async def test_a_model_that_never_fixes_stops_after_the_rounds(make_server, http, fake_llm, sandbox_cache_dir):
    fake_llm.add(stream(BUGGY), stream(STILL_BUGGY), stream(STILL_BUGGY))
    api, generation_id = await generation_through(make_server, http, fake_llm, sandbox_cache_dir)
    final = await api.wait_for(generation_id, timeout=120)
    assert final["status"] == "completed", final["error_message"]
    assert (final["tests"]["status"], final["tests"]["failed"], final["tests"]["repair_rounds"]) == ("failed", 1, 2)
    assert len(fake_llm.requests) == 3
    assert final["files"], "the files are kept even though their tests fail"


async def test_repairs_stay_inside_the_token_budget(make_server, http, fake_llm, sandbox_cache_dir, db_conn):
    # after the first repair, what is left of 3,000 tokens cannot pay for another request
    fake_llm.add(stream(BUGGY, usage=(100, 200)), stream(STILL_BUGGY, usage=(2500, 100)), stream(FIXED))
    api, generation_id = await generation_through(make_server, http, fake_llm, sandbox_cache_dir, llm_max_tokens=3000)
    final = await api.wait_for(generation_id, timeout=120)
    assert final["status"] == "completed", final["error_message"]
    assert (final["tests"]["status"], final["tests"]["repair_rounds"]) == ("failed", 1)
    assert len(fake_llm.requests) == 2
    used = final["usage"]["prompt_tokens"] + final["usage"]["completion_tokens"]
    assert used == 2900 and used <= 3000
    messages = await event_messages(db_conn, generation_id)
    assert any(m.startswith("Repair round 2 could not be made: The token budget") for m in messages), messages


async def test_cancel_during_a_test_run_kills_the_sandbox(make_server, http, fake_llm, sandbox_cache_dir):
    marker = "codegen-cancel-marker-7f3a"
    sleeper = (
        "import subprocess, sys, time\n\n\ndef test_sleeps():\n"
        f"    subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)', '{marker}'])\n"
        "    time.sleep(600)\n"
    )
    fake_llm.add(stream(fenced("tests/test_sleep.py", sleeper)))
    api, generation_id = await generation_through(make_server, http, fake_llm, sandbox_cache_dir)
    async with asyncio.timeout(60):
        while not processes_with(marker):
            await asyncio.sleep(0.05)
    cancelled = await api.call("POST", f"/api/generations/{generation_id}/cancel")
    assert cancelled.status == 200, cancelled.body
    loop = asyncio.get_running_loop()
    started = loop.time()
    while processes_with(marker) and loop.time() - started < 5:
        await asyncio.sleep(0.02)
    assert not processes_with(marker), "the sandboxed processes outlived the cancel by 5 s"
    final = await api.wait_for(generation_id)
    assert final["status"] == "cancelled" and final["tests"] is None


def checklist_block(*items: dict) -> str:
    return "```json checklist\n" + orjson.dumps({"requirements": list(items)}).decode() + "\n```\n"


async def test_a_checklist_claim_whose_tests_still_fail_is_not_met(make_server, http, fake_llm, sandbox_cache_dir):
    """Unified mode: the model's checklist comes with its files; after the sandboxed run, a request claimed met
    whose file the failing output names becomes unmet, naming the failing test; the others keep their word."""
    claims = checklist_block(
        {"text": "an add function", "status": "met", "where": ["calc.py", "tests/test_calc.py"], "detail": None},
        {"text": "pytest configured", "status": "met", "where": ["pytest.ini"], "detail": None},
        {"text": "a GUI", "status": "unmet", "where": [], "detail": "a module was asked for"},
    )
    fake_llm.add(stream(BUGGY + claims))
    api, generation_id = await generation_through(make_server, http, fake_llm, sandbox_cache_dir, repair_rounds=0)
    final = await api.wait_for(generation_id, timeout=120)
    assert final["status"] == "completed", final["error_message"]
    assert final["tests"]["status"] == "failed", final["tests"]
    assert "calc.py" in final["tests"]["output"] and "pytest.ini" not in final["tests"]["output"]
    assert final["requirements"] == [
        {"text": "an add function", "status": "unmet", "where": ["calc.py", "tests/test_calc.py"],
         "detail": "its tests failed: tests/test_calc.py::test_add"},
        {"text": "pytest configured", "status": "met", "where": ["pytest.ini"], "detail": None},
        {"text": "a GUI", "status": "unmet", "where": [], "detail": "a module was asked for"},
    ]
