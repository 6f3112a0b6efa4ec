"""A fake OpenAI-compatible model that streams at a realistic pace, for the model scenario.

Every answer is one file (``main.py``) in the provider's unified-mode format, streamed as small
chunks: the first after ``first_token`` seconds, then ``rate`` a second on a fixed schedule (a
late chunk goes out at once, it does not push the rest back). The prompt carries a tag
(``[bench-<n>]``); for each tag the model keeps when each chunk was written to the socket, so a
viewer can tell, for any prefix of the file it received, when the model sent its last character.
"""

from __future__ import annotations

import asyncio
import bisect
import re
import time
from dataclasses import dataclass, field
from typing import Any

import orjson
from aiohttp import web

PATH = "main.py"
HEADER = f"### {PATH}\n```python path={PATH}\n"
FOOTER = "```\n"
_TAG = re.compile(r"\[bench-(\d+)\]")


def content(tag: str, chars: int) -> str:
    """About ``chars`` characters of valid Python, different for every tag."""
    lines = [f'"""Generated for {tag}."""\n']
    n = 0
    while sum(map(len, lines)) < chars:
        lines.append(f"value_{n} = {n} * 3  # the {n}th value of {tag}\n")
        n += 1
    return "".join(lines)


@dataclass
class Sent:
    """When the model wrote each chunk of one answer: answer offsets after each chunk, and the times."""

    ends: list[int] = field(default_factory=list)
    times: list[float] = field(default_factory=list)

    def time_of(self, file_end: int) -> float | None:
        """When the character before ``file_end`` of the file (not the answer) went out."""
        index = bisect.bisect_left(self.ends, len(HEADER) + file_end)
        return self.times[index] if index < len(self.times) else None


@dataclass
class PacedModel:
    first_token: float = 0.5
    rate: float = 60.0
    chars: int = 2400
    chunk_chars: int = 4
    sent: dict[str, Sent] = field(default_factory=dict)
    lateness: list[float] = field(default_factory=list)  # how far behind its schedule each chunk went out
    _runner: web.AppRunner | None = None
    url: str = ""

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._complete)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}/v1"

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _complete(self, request: web.Request) -> web.StreamResponse:
        try:
            return await self._answer(request)
        except ConnectionResetError:
            # the service went away mid-answer (stopped, or it gave the generation up): nothing to send to
            return web.Response(status=499)

    async def _answer(self, request: web.Request) -> web.StreamResponse:
        started = time.monotonic()
        body = await request.json()
        match = _TAG.search(orjson.dumps(body["messages"]).decode())
        tag = f"bench-{match.group(1)}" if match else "bench-untagged"
        answer = HEADER + content(tag, self.chars) + FOOTER
        sent = self.sent.setdefault(tag, Sent())
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        for index in range(0, len(answer), self.chunk_chars):
            due = started + self.first_token + index / self.chunk_chars / self.rate
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            self.lateness.append(max(0.0, -delay))
            await response.write(_event(body, {"content": answer[index : index + self.chunk_chars]}))
            sent.ends.append(min(index + self.chunk_chars, len(answer)))
            sent.times.append(time.monotonic())
        await response.write(_event(body, {}, finish_reason="stop"))
        usage = {"prompt_tokens": 200, "completion_tokens": len(answer) // 4, "total_tokens": 200 + len(answer) // 4}
        await response.write(b"data: " + orjson.dumps({"id": "bench", "object": "chat.completion.chunk",
                                                       "choices": [], "usage": usage}) + b"\n\n")
        await response.write(b"data: [DONE]\n\n")
        await response.write_eof()
        return response


def _event(body: dict[str, Any], delta: dict[str, Any], finish_reason: str | None = None) -> bytes:
    chunk = {"id": "bench", "object": "chat.completion.chunk", "model": body.get("model"),
             "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}]}
    return b"data: " + orjson.dumps(chunk) + b"\n\n"
