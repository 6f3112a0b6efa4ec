"""The openai provider's HTTP behaviour: retries, errors, timeouts, budget and cancellation."""

from __future__ import annotations

import asyncio
import re
import socket
import time
from typing import Any

import pytest

from codegen.generators.base import GenerationError, GenerationRequest, GenerationResult
from codegen.generators.openai.budget import prompt_tokens_estimate
from codegen.lifecycle import Mode
from tests.generators.fake_llm import (
    FakeLLM,
    RecordingReporter,
    Reply,
    error,
    fake_llm,  # noqa: F401 - the fixture
    fenced,
    hang,
    json_body,
    make_generator,
    stream,
    stream_then_hang,
)

ANSWER = fenced("app/main.py", "print('hello')\n")


def unified(prompt: str = "Create a hello world script") -> GenerationRequest:
    return GenerationRequest(generation_id="gen-2", prompt=prompt, mode=Mode.UNIFIED)


async def generate(url: str | None, *, settings: dict[str, Any] | None = None, **kwargs: Any) -> GenerationResult:
    return await make_generator(url, settings=settings, **kwargs).generate(unified(), RecordingReporter())


# ------------------------------------------------------------------ retries


async def test_429_waits_for_retry_after_then_succeeds(fake_llm: FakeLLM) -> None:
    limited = error(429, "Rate limit reached", code="rate_limit_exceeded", headers={"Retry-After": "1"})
    fake_llm.add(limited, stream(ANSWER))

    result = await generate(fake_llm.url)

    assert [f.path for f in result.files] == ["app/main.py"]
    assert len(fake_llm.requests) == 2
    assert fake_llm.requests[1].at - fake_llm.requests[0].at >= 0.99


async def test_500_three_times_then_gives_up_after_four_requests(fake_llm: FakeLLM) -> None:
    fake_llm.add(*(error(500, "upstream exploded") for _ in range(5)))

    with pytest.raises(GenerationError) as failure:
        await generate(fake_llm.url, backoff_base=0.05)

    assert len(fake_llm.requests) == 4
    message = str(failure.value)
    assert "answered 500 4 times" in message and "upstream exploded" in message
    gaps = [b.at - a.at for a, b in zip(fake_llm.requests, fake_llm.requests[1:], strict=False)]
    # exponential backoff: 0.05, 0.1, 0.2 s at least
    assert all(gap >= 0.05 * 2**n - 0.01 for n, gap in enumerate(gaps)), gaps


async def test_5xx_recovers_within_the_retries(fake_llm: FakeLLM) -> None:
    fake_llm.add(error(502, "bad gateway"), error(503, "overloaded"), stream(ANSWER))

    result = await generate(fake_llm.url)

    assert len(fake_llm.requests) == 3
    assert result.notes["llm_requests"] == 1


@pytest.mark.parametrize("status", [401, 403])
async def test_auth_errors_are_not_retried(fake_llm: FakeLLM, status: int) -> None:
    fake_llm.add(error(status, "Incorrect API key provided", code="invalid_api_key"), stream(ANSWER))

    with pytest.raises(GenerationError) as failure:
        await generate(fake_llm.url)

    assert str(failure.value).startswith(f"The model endpoint answered {status}: check CODEGEN_LLM_API_KEY")
    assert len(fake_llm.requests) == 1


@pytest.mark.parametrize(
    "reply",
    [
        error(429, "You exceeded your current quota", code="insufficient_quota", headers={"Retry-After": "0"}),
        error(402, "Insufficient credits"),
    ],
    ids=["openai-429-insufficient_quota", "openrouter-402"],
)
async def test_quota_errors_are_not_retried(fake_llm: FakeLLM, reply: Reply) -> None:
    fake_llm.add(reply, stream(ANSWER))

    with pytest.raises(GenerationError, match="quota is exhausted"):
        await generate(fake_llm.url)
    assert len(fake_llm.requests) == 1


async def test_retry_after_longer_than_the_cap_fails_at_once(fake_llm: FakeLLM) -> None:
    fake_llm.add(error(429, "slow down", headers={"Retry-After": "3600"}), stream(ANSWER))

    with pytest.raises(GenerationError, match="asked to wait 3600 s"):
        await generate(fake_llm.url, max_retry_delay=10)
    assert len(fake_llm.requests) == 1


async def test_unreachable_endpoint_is_retried_then_named() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/v1"

    with pytest.raises(GenerationError) as failure:
        await generate(url)

    message = str(failure.value)
    assert message.startswith(f"The model endpoint at {url} could not be reached (4 attempts)")
    assert "CODEGEN_LLM_BASE_URL" in message


async def test_connection_dropped_mid_answer_is_retried(fake_llm: FakeLLM) -> None:
    dropped = stream(ANSWER)
    dropped.drop_after = 2
    fake_llm.add(dropped, stream(ANSWER))

    result = await generate(fake_llm.url)

    assert [f.content for f in result.files] == ["print('hello')\n"]
    assert len(fake_llm.requests) == 2


async def test_error_event_inside_the_stream_is_retried(fake_llm: FakeLLM) -> None:
    failing = stream(ANSWER)
    failing.events = [{"error": {"code": 502, "message": "Provider disconnected"}}]
    fake_llm.add(failing, stream(ANSWER))

    await generate(fake_llm.url)

    assert len(fake_llm.requests) == 2


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (404, "check CODEGEN_LLM_BASE_URL (it usually ends in /v1) and CODEGEN_LLM_MODEL"),
        (400, "rejected the request (400)"),
    ],
)
async def test_client_errors_are_final(fake_llm: FakeLLM, status: int, expected: str) -> None:
    fake_llm.add(error(status, "model 'nope' not found"), stream(ANSWER))

    with pytest.raises(GenerationError, match=re.escape(expected)):
        await generate(fake_llm.url)
    assert len(fake_llm.requests) == 1


async def test_max_tokens_too_large_adapts_to_the_model_limit(fake_llm: FakeLLM) -> None:
    fake_llm.add(
        error(400, "max_tokens is too large: 99900. This model supports at most 4096 completion tokens"),
        stream(ANSWER),
        stream(ANSWER),
    )
    generator = make_generator(fake_llm.url)

    await generator.generate(unified(), RecordingReporter())
    await generator.generate(unified(), RecordingReporter())

    assert [r.body["max_tokens"] for r in fake_llm.requests][1:] == [4096, 4096]
    assert fake_llm.requests[0].body["max_tokens"] > 4096


async def test_adapting_stops_when_nothing_is_left_to_drop(fake_llm: FakeLLM) -> None:
    fake_llm.add(*(error(400, "Unsupported parameter: 'max_tokens'") for _ in range(3)))

    with pytest.raises(GenerationError, match=r"rejected the request \(400\): Unsupported parameter"):
        await generate(fake_llm.url)

    assert len(fake_llm.requests) == 2
    assert "max_tokens" not in fake_llm.requests[1].body


async def test_unsupported_stream_options_are_dropped(fake_llm: FakeLLM) -> None:
    fake_llm.add(error(400, "Unrecognized request argument supplied: stream_options"), stream(ANSWER))

    result = await generate(fake_llm.url)

    assert "stream_options" in fake_llm.requests[0].body
    assert "stream_options" not in fake_llm.requests[1].body
    assert "usage_estimated" in result.notes


async def test_endpoint_that_ignores_stream_true(fake_llm: FakeLLM) -> None:
    fake_llm.add(json_body(ANSWER, usage=(11, 22)))

    result = await generate(fake_llm.url)

    assert [f.path for f in result.files] == ["app/main.py"]
    assert result.usage == {"prompt_tokens": 11, "completion_tokens": 22}


# ------------------------------------------------------------------ settings, budget, timeout


@pytest.mark.parametrize(
    ("overrides", "variable"),
    [({"llm_base_url": None}, "CODEGEN_LLM_BASE_URL"), ({"llm_model": None}, "CODEGEN_LLM_MODEL")],
)
async def test_missing_settings_name_the_variable(fake_llm: FakeLLM, overrides: dict[str, Any], variable: str) -> None:
    with pytest.raises(GenerationError, match=variable):
        await generate(fake_llm.url, settings=overrides)
    assert fake_llm.requests == []


async def test_budget_too_small_for_the_first_request(fake_llm: FakeLLM) -> None:
    with pytest.raises(GenerationError, match="token budget .* exhausted.*CODEGEN_LLM_MAX_TOKENS"):
        await generate(fake_llm.url, settings={"llm_max_tokens": 50})
    assert fake_llm.requests == []


async def test_budget_caps_max_tokens_and_stops_when_spent(fake_llm: FakeLLM) -> None:
    fake_llm.add(stream('{"files": [{"path": "app/main.py"}]}', usage=(2900, 90)), stream(ANSWER))
    generator = make_generator(fake_llm.url, settings={"llm_max_tokens": 3000})
    request = GenerationRequest(generation_id="gen-3", prompt="Create a hello world script", mode=Mode.PHASED)

    with pytest.raises(GenerationError, match="2990 of 3000 tokens used"):
        await generator.generate(request, RecordingReporter())

    assert len(fake_llm.requests) == 1
    sent = fake_llm.requests[0].body
    assert sent["max_tokens"] == 3000 - prompt_tokens_estimate(sent["messages"])


async def test_a_hang_times_out_within_the_configured_timeout(fake_llm: FakeLLM) -> None:
    fake_llm.add(hang(), stream(ANSWER))
    started = time.monotonic()

    with pytest.raises(GenerationError, match="did not finish answering within 0.5 s.*CODEGEN_LLM_TIMEOUT_SECONDS"):
        await generate(fake_llm.url, settings={"llm_timeout_seconds": 0.5})

    # it cannot give up before its timeout; how soon after it does is a load question, not bounded here
    assert time.monotonic() - started >= 0.45
    assert len(fake_llm.requests) == 1
    await asyncio.wait_for(fake_llm.disconnected.wait(), 5)


async def test_silence_between_chunks_hits_the_read_timeout(fake_llm: FakeLLM) -> None:
    fake_llm.add(stream_then_hang(ANSWER[:20]))
    started = time.monotonic()

    with pytest.raises(GenerationError, match="sent nothing for 0.3 s"):
        await generate(fake_llm.url, read_timeout=0.3)

    # the read timeout fired (the message says so), and not before its 0.3 s of silence
    assert time.monotonic() - started >= 0.25
    assert len(fake_llm.requests) == 1


# ------------------------------------------------------------------ cancellation


async def test_cancel_mid_stream_closes_the_connection(fake_llm: FakeLLM) -> None:
    fake_llm.add(stream_then_hang(ANSWER + "### app/more.py\n```python path=app/more.py\nx = 1\n"))
    reporter = RecordingReporter()
    task = asyncio.create_task(make_generator(fake_llm.url).generate(unified(), reporter))

    await asyncio.wait_for(fake_llm.streaming.wait(), 5)
    assert not fake_llm.disconnected.is_set()
    task.cancel()

    with pytest.raises(asyncio.CancelledError):
        await task
    await asyncio.wait_for(fake_llm.disconnected.wait(), 5)
    assert "Writing app/main.py" in reporter.messages
