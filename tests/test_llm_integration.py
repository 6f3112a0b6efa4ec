"""The openai provider through the whole service: usage on the generation, errors, cancel."""

from __future__ import annotations

import asyncio

from codegen import keys
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
    await wait_until(lambda: _true(not server.app[keys.WORKER].running), timeout=1.0)


async def _true(value: bool) -> bool:
    return value
