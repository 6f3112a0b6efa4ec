"""One generation's conversation with the endpoint: a request, its retries and timeouts, the streamed answer."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import orjson

from codegen.generators.base import GenerationError
from codegen.generators.openai.budget import Budget, estimate_tokens, prompt_tokens_estimate
from codegen.generators.openai.endpoint import Adaptable, Endpoint, Retryable, RetryPolicy
from codegen.generators.openai.progress import FileStartReporter

logger = logging.getLogger(__name__)


@dataclass
class Completion:
    """A model's answer, and the tokens it cost (estimated when the endpoint reported none)."""

    text: str
    finish_reason: str | None
    prompt_tokens: int
    completion_tokens: int
    usage_estimated: bool


async def _sse_data(content: aiohttp.StreamReader) -> AsyncIterator[str]:
    """The data of each server-sent event, in order (comments and other fields skipped)."""
    buffer = b""
    data: list[str] = []
    async for chunk in content.iter_any():
        buffer += chunk
        *lines, buffer = buffer.split(b"\n")
        for raw in lines:
            line = raw.rstrip(b"\r").decode("utf-8", errors="replace")
            if not line:
                if data:
                    yield "\n".join(data)
                    data = []
            elif line.startswith("data:"):
                data.append(line[5:].removeprefix(" "))
    tail = buffer.rstrip(b"\r").decode("utf-8", errors="replace")
    if tail.startswith("data:"):
        data.append(tail[5:].removeprefix(" "))
    if data:
        yield "\n".join(data)


class ChatClient:
    """One generation's conversation with the endpoint: retries, timeouts, budget, usage."""

    def __init__(
        self,
        endpoint: Endpoint,
        retry: RetryPolicy,
        http: aiohttp.ClientSession,
        budget: Budget,
        generation_id: str,
    ) -> None:
        self._endpoint = endpoint
        self._retry = retry
        self._http = http
        self.budget = budget
        self._generation_id = generation_id

    async def complete(
        self, messages: list[dict[str, str]], *, purpose: str, watcher: FileStartReporter | None = None
    ) -> Completion:
        endpoint = self._endpoint
        prompt_estimate = prompt_tokens_estimate(messages)
        allowance = self.budget.allowance(prompt_estimate)
        failures = 0
        while True:
            started = time.monotonic()
            payload = endpoint.payload(messages, allowance)
            if watcher is not None:
                watcher.restart()
            try:
                async with asyncio.timeout(endpoint.call_timeout) as deadline:
                    completion = await self._attempt(payload, prompt_estimate, allowance, watcher)
            except TimeoutError:
                raise endpoint.timeout_error(whole_call=deadline.expired()) from None
            except Adaptable as exc:
                if not endpoint.adapt(exc.message, payload):
                    raise exc.final() from None
                continue
            except Retryable as exc:
                failures += 1
                delay = self._retry.delay(exc, failures)
                logger.warning(
                    "model request failed, retrying",
                    extra={
                        "generation_id": self._generation_id,
                        "purpose": purpose,
                        "status": exc.status,
                        "attempt": failures,
                        "retry_in_seconds": delay,
                        "error": exc.give_up.format(attempts=failures),
                    },
                )
                await asyncio.sleep(delay)
                continue
            self.budget.record(completion)
            logger.info(
                "model request finished",
                extra={
                    "generation_id": self._generation_id,
                    "purpose": purpose,
                    "model": endpoint.model,
                    "prompt_tokens": completion.prompt_tokens,
                    "completion_tokens": completion.completion_tokens,
                    "usage_estimated": completion.usage_estimated,
                    "finish_reason": completion.finish_reason,
                    "duration_ms": round((time.monotonic() - started) * 1000),
                },
            )
            if completion.finish_reason == "content_filter":
                raise GenerationError(
                    "The model endpoint's content filter stopped the answer (finish_reason=content_filter); "
                    "rephrase the request."
                )
            return completion

    async def _attempt(
        self, payload: dict[str, Any], prompt_estimate: int, allowance: int, watcher: FileStartReporter | None
    ) -> Completion:
        endpoint = self._endpoint
        try:
            response = await self._http.post(
                endpoint.url,
                data=orjson.dumps(payload),
                headers=endpoint.headers(),
                timeout=endpoint.client_timeout(),
            )
        except TimeoutError:
            raise
        except aiohttp.ClientConnectionError as exc:
            raise Retryable(
                f"The model endpoint at {endpoint.base_url} could not be reached ({{attempts}} attempts): "
                f"{exc or type(exc).__name__}; check CODEGEN_LLM_BASE_URL and that the server is running."
            ) from exc
        except aiohttp.ClientError as exc:
            raise GenerationError(f"The model endpoint at {endpoint.base_url} could not be called: {exc}") from exc
        try:
            if response.status != 200:
                raise endpoint.failure(response.status, response.headers, await response.text(errors="replace"))
            if response.content_type == "application/json":  # an endpoint that ignores stream: true
                return await self._read_body(response, prompt_estimate, watcher)
            # when the endpoint refused max_tokens, the client enforces the budget itself
            client_limit = None if "max_tokens" in payload else allowance
            return await self._read_stream(response, prompt_estimate, client_limit, watcher)
        except BaseException as exc:
            # closing (not releasing) the connection tells the server to stop generating
            response.close()
            dropped = isinstance(exc, aiohttp.ClientPayloadError | aiohttp.ClientConnectionError)
            if dropped and not isinstance(exc, TimeoutError):
                raise Retryable(
                    f"The connection to the model endpoint at {endpoint.base_url} dropped mid-answer "
                    f"({{attempts}} attempts): {exc or type(exc).__name__}; check the server's logs."
                ) from exc
            raise
        finally:
            response.release()

    async def _read_stream(
        self,
        response: aiohttp.ClientResponse,
        prompt_estimate: int,
        client_limit: int | None,
        watcher: FileStartReporter | None,
    ) -> Completion:
        pieces: list[str] = []
        chars = 0
        finish_reason: str | None = None
        usage: dict[str, Any] | None = None
        done = False
        async with contextlib.aclosing(_sse_data(response.content)) as events:
            async for data in events:
                if data.strip() == "[DONE]":
                    done = True
                    break
                try:
                    chunk = orjson.loads(data)
                except orjson.JSONDecodeError:
                    logger.warning(
                        "skipping a stream event that is not JSON",
                        extra={"generation_id": self._generation_id, "event": data[:200]},
                    )
                    continue
                if not isinstance(chunk, dict):
                    continue
                if chunk.get("error"):
                    raise self._endpoint.stream_failure(chunk["error"])
                if isinstance(chunk.get("usage"), dict):
                    usage = chunk["usage"]
                for choice in chunk.get("choices") or []:
                    if not isinstance(choice, dict) or choice.get("index", 0) != 0:
                        continue
                    piece = (choice.get("delta") or {}).get("content")
                    if isinstance(piece, str) and piece:
                        pieces.append(piece)
                        chars += len(piece)
                        if client_limit is not None and estimate_tokens(chars) > client_limit:
                            raise self.budget.overrun()
                        if watcher is not None:
                            await watcher.feed(piece)
                    finish_reason = choice.get("finish_reason") or finish_reason
        if not done and finish_reason is None:
            raise Retryable(
                f"The model endpoint at {self._endpoint.base_url} ended its answer early "
                "({attempts} attempts); check the server's logs."
            )
        return _completion("".join(pieces), finish_reason, usage, prompt_estimate)

    async def _read_body(
        self, response: aiohttp.ClientResponse, prompt_estimate: int, watcher: FileStartReporter | None
    ) -> Completion:
        try:
            data = orjson.loads(await response.read())
            if data.get("error"):
                raise self._endpoint.stream_failure(data["error"])
            choice = data["choices"][0]
            text = choice["message"]["content"] or ""
        except (orjson.JSONDecodeError, AttributeError, KeyError, IndexError, TypeError) as exc:
            raise GenerationError(
                f"The model endpoint at {self._endpoint.base_url} answered with JSON that is not a chat "
                "completion; check CODEGEN_LLM_BASE_URL."
            ) from exc
        if watcher is not None:
            await watcher.feed(text)
        usage = data.get("usage") if isinstance(data.get("usage"), dict) else None
        return _completion(text, choice.get("finish_reason"), usage, prompt_estimate)


def _completion(text: str, finish_reason: str | None, usage: dict[str, Any] | None, prompt_estimate: int) -> Completion:
    """A completion with the endpoint's token counts, or estimates when it reported none."""
    prompt, completion = (usage or {}).get("prompt_tokens"), (usage or {}).get("completion_tokens")
    if isinstance(prompt, int) and isinstance(completion, int):
        return Completion(text, finish_reason, prompt, completion, usage_estimated=False)
    return Completion(text, finish_reason, prompt_estimate, estimate_tokens(len(text)), usage_estimated=True)
