"""The openai provider through the whole service: usage on the generation, errors, cancel."""

from __future__ import annotations

import asyncio

import orjson

from codegen import appkeys
from tests.generators.fake_llm import (  # noqa: F401 - fake_llm is a fixture
    API_KEY,
    MODEL,
    FakeLLM,
    error,
    fake_llm,
    fenced,
    hang,
    stream,
)
from tests.helpers import ApiClient, read_events, wait_until


async def llm_server(make_server, fake: FakeLLM, **overrides):
    return await make_server(
        provider="openai", llm_base_url=fake.url, llm_api_key=API_KEY, llm_model=MODEL,
        llm_timeout_seconds=10, **overrides,
    )


async def generated(make_server, http, fake: FakeLLM, mode: str) -> dict:
    """A new user's generation through the service with ``fake`` as the model, once it has ended."""
    server = await llm_server(make_server, fake)
    api = ApiClient(http, server.url)
    await api.sign_up()
    generation = await api.generate(prompt="Write a hello world script", generation_mode=mode)
    return await api.wait_for(generation["id"])


async def test_usage_is_stored_and_shown(make_server, http, fake_llm):
    fake_llm.add(stream(fenced("app.py", "print('hello')\n"), usage=(120, 45)))
    final = await generated(make_server, http, fake_llm, "unified")
    assert final["status"] == "completed", final["error_message"]
    assert final["provider"] == "openai"
    assert final["usage"] == {"prompt_tokens": 120, "completion_tokens": 45}
    assert [f["path"] for f in final["files"]] == ["app.py"]


async def test_a_failed_generation_keeps_the_usage_it_was_billed(make_server, http, fake_llm):
    # the plan is answered (and billed), the first file's request fails for good
    fake_llm.add(stream('{"files": [{"path": "app.py"}]}', usage=(200, 30)), error(404, "model 'nope' not found"))
    final = await generated(make_server, http, fake_llm, "phased")
    assert final["status"] == "failed"
    assert "404" in final["error_message"]
    assert final["usage"] == {"prompt_tokens": 200, "completion_tokens": 30}
    assert len(fake_llm.requests) == 2


async def test_an_auth_error_fails_with_an_actionable_message(make_server, http, fake_llm):
    fake_llm.add(error(401, "Incorrect API key provided", code="invalid_api_key"))
    final = await generated(make_server, http, fake_llm, "unified")
    assert final["status"] == "failed"
    assert "401" in final["error_message"] and "CODEGEN_LLM_API_KEY" in final["error_message"]
    assert len(fake_llm.requests) == 1


async def test_cancel_aborts_the_model_request_in_flight(make_server, http, fake_llm):
    fake_llm.add(hang())
    server = await llm_server(make_server, fake_llm)
    api = ApiClient(http, server.url)
    await api.sign_up()
    generation = await api.generate(prompt="Write a hello world script", generation_mode="unified")
    await wait_until(lambda: _true(len(fake_llm.requests) == 1))
    stream_response = await api.open_stream(generation["id"])
    answer = await api.call("POST", f"/api/generations/{generation['id']}/cancel")
    assert answer.status == 200
    await asyncio.wait_for(fake_llm.disconnected.wait(), timeout=1.0)
    events = [e async for e in read_events(stream_response)]
    assert events[-1].data["status"] == "cancelled"
    await wait_until(lambda: _true(not server.app[appkeys.WORKER].running), timeout=1.0)


async def _true(value: bool) -> bool:
    return value


async def test_a_process_holds_many_model_generations_at_once_and_hands_them_back(make_server, http, fake_llm, db_conn):
    """Model-backed generations wait on tokens: CODEGEN_MODEL_CONCURRENCY, not the CPU cap, bounds them."""
    count = 60
    fake_llm.add(*[hang() for _ in range(count)])
    server = await llm_server(make_server, fake_llm, worker_concurrency=2, generate_rate_limit=0, lease_seconds=3.0)
    worker = server.app[appkeys.WORKER]
    assert worker.capacity == server.settings.model_concurrency == 200
    api = ApiClient(http, server.url)
    await api.sign_up()
    ids = [(await api.generate(prompt=f"Write hello world number {i}", generation_mode="unified"))["id"]
           for i in range(count)]
    await wait_until(lambda: _true(len(fake_llm.requests) == count), timeout=30)
    assert len(worker.running) == count

    # leases are renewed together (one statement a beat), so none is lost past the lease time
    await asyncio.sleep(server.settings.lease_seconds * 1.5)  # the lease running out is what is under test
    statuses = await db_conn.fetch("SELECT status, attempts FROM generations WHERE id = ANY($1::uuid[])", ids)
    assert {(r["status"], r["attempts"]) for r in statuses} == {("processing", 1)}

    answer = await api.call("POST", f"/api/generations/{ids[0]}/cancel")
    assert answer.status == 200
    await asyncio.wait_for(fake_llm.disconnected.wait(), timeout=1.0)
    await wait_until(lambda: _true(len(worker.running) == count - 1), timeout=1.0)

    started = asyncio.get_running_loop().time()
    await server.stop()
    assert asyncio.get_running_loop().time() - started < 10
    rows = await db_conn.fetch("SELECT status FROM generations WHERE id = ANY($1::uuid[])", ids[1:])
    assert {r["status"] for r in rows} == {"pending"}


async def test_phased_checklist_claims_say_the_tests_did_not_verify_them(make_server, http, fake_llm):
    """The planner's checklist through the engine: with the tests turned off (CODEGEN_VALIDATE=syntax) a request
    the model met stays met and says it was not verified by tests, and why; the template generator's is untouched."""
    plan = orjson.dumps({
        "summary": "hello", "files": [{"path": "app.py", "purpose": "the script"}],
        "requirements": [
            {"text": "prints hello world", "status": "met", "files": ["app.py"], "detail": None},
            {"text": "a GUI", "status": "unmet", "files": [], "detail": "a script was asked for"},
        ],
    }).decode()
    fake_llm.add(stream(plan), stream(fenced("app.py", "print('hello world')\n")))
    final = await generated(make_server, http, fake_llm, "phased")
    assert final["status"] == "completed", final["error_message"]
    reason = final["tests"]["reason"]
    assert final["tests"]["status"] == "not_run" and "CODEGEN_VALIDATE=syntax" in reason
    assert final["requirements"] == [
        {"text": "prints hello world", "status": "met", "where": ["app.py"],
         "detail": f"not verified by tests: {reason}"},
        {"text": "a GUI", "status": "unmet", "where": [], "detail": "a script was asked for"},
    ]
