"""A small client of the HTTP contract, used by the tests (real HTTP, no shortcuts)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import aiohttp
import jwt
import orjson

from codegen.auth import TokenService

TERMINAL = {"completed", "failed", "cancelled"}
VALIDATION_ITEM_KEYS = {"type", "loc", "msg", "input"}


def sign_token(secret: str, **claims: Any) -> str:
    """An HS256 token as the server signs them (its issuer and audience), with ``claims`` on top."""
    return jwt.encode({"iss": TokenService.issuer, "aud": TokenService.audience, **claims}, secret, algorithm="HS256")


@dataclass
class Answer:
    status: int
    body: Any
    headers: Any


@dataclass
class SseEvent:
    id: int | None
    data: dict[str, Any]
    event: str | None = None
    retry: int | None = None


@dataclass
class ApiClient:
    http: aiohttp.ClientSession
    base_url: str
    token: str | None = None
    email: str | None = None
    user_id: str | None = None
    extra_headers: dict[str, str] = field(default_factory=dict)

    def for_server(self, base_url: str) -> ApiClient:
        """The same user, talking to another server process."""
        return ApiClient(self.http, base_url, self.token, self.email, self.user_id)

    @property
    def headers(self) -> dict[str, str]:
        headers = dict(self.extra_headers)
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers

    async def call(self, method: str, path: str, json: Any = None, *, data: Any = None, **kwargs: Any) -> Answer:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        async with self.http.request(
            method, self.base_url + path, json=json, data=data, headers=headers, **kwargs
        ) as response:
            raw = await response.read()
            body: Any = raw
            if response.content_type == "application/json":
                body = orjson.loads(raw)
            elif response.content_type.startswith("text/"):
                body = raw.decode()
            return Answer(response.status, body, response.headers)

    async def sign_up(self, email: str | None = None, password: str = "correct horse") -> Answer:
        self.email = email or f"user-{uuid.uuid4().hex[:10]}@example.com"
        answer = await self.call("POST", "/api/auth/register", {"email": self.email, "password": password})
        assert answer.status == 201, answer.body
        self.token = answer.body["access_token"]
        self.user_id = answer.body["id"]
        return answer

    async def generate(self, prompt: str = "Create a REST API with authentication", **fields: Any) -> dict[str, Any]:
        answer = await self.call("POST", "/api/generations/generate", {"prompt": prompt, **fields})
        assert answer.status == 201, answer.body
        return answer.body

    async def generation(self, generation_id: str) -> dict[str, Any]:
        answer = await self.call("GET", f"/api/generations/{generation_id}")
        assert answer.status == 200, answer.body
        return answer.body

    async def wait_for(self, generation_id: str, statuses: set[str] = TERMINAL, timeout: float = 30) -> dict[str, Any]:
        async with asyncio.timeout(timeout):
            while True:
                generation = await self.generation(generation_id)
                if generation["status"] in statuses:
                    return generation
                await asyncio.sleep(0.05)

    async def stream_token(self, generation_id: str) -> Answer:
        return await self.call("POST", f"/api/generations/generate/{generation_id}/stream-token")

    async def open_stream(self, generation_id: str, last_event_id: int | None = None) -> aiohttp.ClientResponse:
        token = await self.stream_token(generation_id)
        assert token.status == 200, token.body
        params = {"token": token.body["sse_token"]}
        if last_event_id is not None:
            params["last_event_id"] = str(last_event_id)
        response = await self.http.get(self.base_url + token.body["stream_url"], params=params)
        assert response.status == 200, await response.text()
        return response

    async def try_stream(self, stream_url: str, token: str) -> Answer:
        """Open a stream and close it at once: its status comes with the headers, so a token that is
        wrongly accepted fails the caller's assertion now, not through a client timeout."""
        async with self.http.get(self.base_url + stream_url, params={"token": token}) as response:
            body = await response.json() if response.status != 200 else None
            return Answer(response.status, body, response.headers)

    async def stream(self, generation_id: str, last_event_id: int | None = None, timeout: float = 30) -> list[SseEvent]:
        """Every event of one stream, until the server closes it."""
        response = await self.open_stream(generation_id, last_event_id)
        async with asyncio.timeout(timeout):
            return [event async for event in read_events(response)]


async def read_events(response: aiohttp.ClientResponse, *, files: bool = False) -> AsyncIterator[SseEvent]:
    """Parse an SSE body into events (comments such as ``: ping`` are skipped).

    Named ``file`` events (live file content) are skipped unless ``files``, as ``EventSource.onmessage`` would.
    """
    try:
        event_id: int | None = None
        name: str | None = None
        retry: int | None = None
        data: list[str] = []
        async for raw in response.content:
            line = raw.decode().rstrip("\r\n")
            if not line:
                if data and (files or name != "file"):
                    yield SseEvent(event_id, orjson.loads("\n".join(data)), name, retry)
                event_id, name, retry, data = None, None, None, []
            elif line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("id:"):
                event_id = int(line[3:].strip())
            elif line.startswith("retry:"):
                retry = int(line[6:].strip())
            elif line.startswith("data:"):
                data.append(line[5:].lstrip())
    finally:
        response.release()


async def expire_lease(conn: Any, generation_id: Any) -> None:
    """Time travel: the generation's lease ran out a second ago (a str or UUID id)."""
    await conn.execute(
        "UPDATE generations SET lease_expires_at = now() - interval '1 second' WHERE id = $1",
        generation_id if isinstance(generation_id, uuid.UUID) else uuid.UUID(generation_id),
    )


async def wait_until(predicate: Callable[[], Awaitable[bool]], timeout: float = 15.0, interval: float = 0.05) -> None:
    """Poll ``predicate`` until it holds (for states only observable by reading)."""
    async with asyncio.timeout(timeout):
        while not await predicate():
            await asyncio.sleep(interval)


def logged(log_lines: Callable[[], list[dict[str, Any]]], message: str) -> list[dict[str, Any]]:
    """The lines of the ``log_lines`` fixture (parsed JSON, as production writes them) with this message."""
    return [line for line in log_lines() if line["msg"] == message]


class GatedGenerator:
    """A generator the test drives: it reports planning, then waits for ``release``
    (after which it raises ``error`` at once, when one is given)."""

    name = "gated"

    def __init__(self, error: Exception | None = None) -> None:
        self.started = asyncio.Event()
        self.release = asyncio.Event()
        self.calls = 0
        self.error = error

    async def generate(self, request: Any, report: Any) -> Any:
        from codegen.generators.base import GeneratedFile, GenerationResult
        from codegen.lifecycle import Mode, Stage

        self.calls += 1
        first = Stage.PLANNING if request.mode == Mode.PHASED else Stage.GENERATING
        await report(first, 0.1, "Started")
        self.started.set()
        await self.release.wait()
        if self.error is not None:
            raise self.error
        await report(Stage.GENERATING, 0.5, "Writing app.py")
        return GenerationResult(files=[GeneratedFile("app.py", "print('hi')\n"), GeneratedFile("README.md", "# hi\n")])


class FailingGenerator:
    name = "failing"

    def __init__(self, error: Exception) -> None:
        self.error = error

    async def generate(self, request: Any, report: Any) -> Any:
        from codegen.lifecycle import Mode, Stage

        await report(Stage.PLANNING if request.mode == Mode.PHASED else Stage.GENERATING, 0.1, "Started")
        raise self.error


@dataclass
class Running:
    """A signed-in user whose generation is held by a GatedGenerator on ``server``."""

    server: Any
    api: ApiClient
    generation: dict[str, Any]
    generator: GatedGenerator


async def start_gated(make_server: Any, http: aiohttp.ClientSession, **overrides: Any) -> Running:
    generator = GatedGenerator()
    server = await make_server(generator=generator, **overrides)
    api = ApiClient(http, server.url)
    await api.sign_up()
    generation = await api.generate()
    await generator.started.wait()
    return Running(server, api, generation, generator)


def assert_utc_timestamp(value: str) -> datetime:
    assert isinstance(value, str) and value.endswith(("Z", "+00:00")), value
    parsed = datetime.fromisoformat(value)
    assert parsed.utcoffset() is not None and parsed.utcoffset().total_seconds() == 0
    return parsed


def validation_items(answer: Answer) -> list[dict]:
    """The items of a 422 in the pydantic/FastAPI shape (asserting that shape)."""
    assert answer.status == 422, answer.body
    assert set(answer.body) == {"detail"}
    items = answer.body["detail"]
    assert isinstance(items, list) and items
    for item in items:
        assert VALIDATION_ITEM_KEYS <= set(item) <= VALIDATION_ITEM_KEYS | {"ctx"}, item
        assert item["loc"][0] in ("body", "query", "path")
    return items


def item_at(answer: Answer, loc: list) -> dict:
    items = validation_items(answer)
    matching = [i for i in items if i["loc"] == loc]
    assert matching, items
    return matching[0]
