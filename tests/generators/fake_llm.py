"""A fake OpenAI-compatible Chat Completions server on loopback, for the openai provider's tests.

Tests script its answers with ``FakeLLM.add(...)`` (one reply per request, in
order) and read back what it received in ``FakeLLM.requests``. Replies are
built with ``stream``, ``error``, ``hang``, ``stream_then_hang`` and
``json_body``. A handler that loses its client (the generator was cancelled
or timed out) sets ``FakeLLM.disconnected``.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import orjson
import pytest
from aiohttp import web

from codegen.config import Settings
from codegen.generators.openai import OpenAIGenerator
from codegen.lifecycle import Stage

MODEL = "fake-model"
API_KEY = "sk-test-key"


@dataclass
class Reply:
    status: int = 200
    # streamed content deltas (status 200)
    chunks: list[str] = field(default_factory=list)
    finish_reason: str | None = "stop"
    usage: tuple[int, int] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    # a JSON body: the error of a non-200 reply, or a non-streamed completion
    body: Any = None
    # stream this many chunks, then hang until the client goes away (None: no hang)
    hang_after: int | None = None
    # stream this many chunks, then drop the connection (None: no drop)
    drop_after: int | None = None
    # raw SSE events sent before the content (e.g. a mid-stream error)
    events: list[Any] = field(default_factory=list)
    # seconds between two chunks (a model's pace)
    delay: float = 0.0


def stream(
    text: str, *, chunk_size: int = 7, finish_reason: str | None = "stop", usage: tuple[int, int] | None = (50, 100)
) -> Reply:
    """A streamed completion of ``text`` in small chunks (so fences split across chunks)."""
    chunks = [text[i : i + chunk_size] for i in range(0, len(text), chunk_size)]
    return Reply(chunks=chunks, finish_reason=finish_reason, usage=usage)


def error(status: int, message: str, *, code: str | None = None, headers: dict[str, str] | None = None) -> Reply:
    body = {"error": {"message": message, "type": code or "server_error", "code": code}}
    return Reply(status=status, body=body, headers=headers or {})


def hang() -> Reply:
    """Never answers: the request hangs until the client gives up."""
    return Reply(hang_after=-1)


def stream_then_hang(text: str, *, chunk_size: int = 7) -> Reply:
    reply = stream(text, chunk_size=chunk_size)
    reply.hang_after = len(reply.chunks)
    return reply


def json_body(text: str, *, finish_reason: str = "stop", usage: tuple[int, int] = (30, 40)) -> Reply:
    """A non-streamed completion, as sent by an endpoint that ignores ``stream: true``."""
    return Reply(
        body={
            "id": "chatcmpl-fake",
            "object": "chat.completion",
            "choices": [
                {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": finish_reason}
            ],
            "usage": {"prompt_tokens": usage[0], "completion_tokens": usage[1], "total_tokens": sum(usage)},
        }
    )


@dataclass
class Received:
    body: dict[str, Any]
    headers: dict[str, str]
    at: float  # loop time

    @property
    def user_text(self) -> str:
        return "\n".join(m["content"] for m in self.body["messages"] if m["role"] == "user")


class FakeLLM:
    def __init__(self) -> None:
        self.replies: deque[Reply] = deque()
        self.requests: list[Received] = []
        # set once a reply that hangs has sent what it had
        self.streaming = asyncio.Event()
        # set when a handler saw its client go away mid-reply
        self.disconnected = asyncio.Event()
        self._release = asyncio.Event()
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._handle)
        # handler_cancellation: a client that disconnects cancels the handler, which records it
        self._runner = web.AppRunner(app, handler_cancellation=True, shutdown_timeout=0.5)
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def add(self, *replies: Reply) -> None:
        self.replies.extend(replies)

    async def start(self) -> None:
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    def release(self) -> None:
        """Let replies that hang finish."""
        self._release.set()

    async def close(self) -> None:
        self._release.set()
        await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        self.requests.append(Received(body, dict(request.headers), asyncio.get_running_loop().time()))
        reply = self.replies.popleft() if self.replies else error(500, "fake: no scripted reply left")
        try:
            if reply.hang_after == -1:
                self.streaming.set()
                await self._release.wait()
            if reply.status != 200 or (reply.body is not None and not reply.chunks):
                return web.json_response(reply.body, status=reply.status, headers=reply.headers)
            return await self._stream(request, body, reply)
        except (asyncio.CancelledError, ConnectionResetError):
            self.disconnected.set()
            raise

    async def _stream(self, request: web.Request, body: dict[str, Any], reply: Reply) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
        await response.prepare(request)

        async def send(event: Any) -> None:
            data = event if isinstance(event, str) else orjson.dumps(event).decode()
            await response.write(f"data: {data}\n\n".encode())

        for event in reply.events:
            await send(event)
        for index, piece in enumerate(reply.chunks):
            if index == reply.drop_after:
                assert request.transport is not None
                request.transport.close()
                return response
            if index == reply.hang_after:
                break
            if reply.delay and index:
                await asyncio.sleep(reply.delay)
            delta: dict[str, Any] = {"content": piece}
            if index == 0:
                delta["role"] = "assistant"
            await send(_chunk(body, [{"index": 0, "delta": delta, "finish_reason": None}]))
        if reply.hang_after is not None:
            self.streaming.set()
            await self._release.wait()
        await send(_chunk(body, [{"index": 0, "delta": {}, "finish_reason": reply.finish_reason}]))
        include_usage = (body.get("stream_options") or {}).get("include_usage")
        if reply.usage is not None and include_usage:
            prompt, completion = reply.usage
            usage = {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}
            await send({**_chunk(body, []), "usage": usage})
        await send("[DONE]")
        await response.write_eof()
        return response


def _chunk(body: dict[str, Any], choices: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": body.get("model"),
        "choices": choices,
    }


@pytest.fixture
async def fake_llm() -> AsyncIterator[FakeLLM]:
    server = FakeLLM()
    await server.start()
    try:
        yield server
    finally:
        await server.close()


def make_settings(url: str | None, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "provider": "openai",
        "llm_base_url": url,
        "llm_api_key": API_KEY,
        "llm_model": MODEL,
        "llm_max_tokens": 100_000,
        "llm_timeout_seconds": 5.0,
    }
    values.update(overrides)
    return Settings(**values)


def make_generator(url: str | None, *, settings: dict[str, Any] | None = None, **kwargs: Any) -> OpenAIGenerator:
    """A generator tuned for tests: instant backoff, small minimum answer."""
    kwargs.setdefault("backoff_base", 0.01)
    kwargs.setdefault("min_completion_tokens", 16)
    return OpenAIGenerator(make_settings(url, **(settings or {})).llm, **kwargs)


class RecordingReporter:
    """A Reporter that keeps every step and checks the rules the engine relies on."""

    def __init__(self) -> None:
        self.steps: list[tuple[Stage, float, str]] = []

    async def __call__(self, stage: Stage, progress: float, message: str) -> None:
        if self.steps:
            assert progress >= self.steps[-1][1], f"progress went down: {self.steps[-1]} -> {progress}"
        assert 0.05 <= progress <= 0.80, progress
        self.steps.append((stage, progress, message))

    @property
    def stages(self) -> list[Stage]:
        """Stages in order, consecutive repeats collapsed."""
        result: list[Stage] = []
        for stage, _, _ in self.steps:
            if not result or result[-1] != stage:
                result.append(stage)
        return result

    @property
    def messages(self) -> list[str]:
        return [message for _, _, message in self.steps]


def fenced(path: str, content: str, *, language: str = "python") -> str:
    """One file in the format the provider asks for."""
    return f"### {path}\n```{language} path={path}\n{content}```\n\n"
