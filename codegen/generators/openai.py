"""The ``openai`` provider: any OpenAI-compatible Chat Completions endpoint.

OpenAI, Ollama, vLLM, llama.cpp server, LM Studio and OpenRouter all answer
``POST {CODEGEN_LLM_BASE_URL}/chat/completions`` with ``stream: true``; only
standard fields are sent. See docs/llm-provider.md for configuration and the
rules (output formats, repair, retries, budget, timeout, error messages).

Phased mode asks for a JSON plan, then writes one file per request: each
answer is a single file, which parses far more reliably than one long answer
holding a whole project, and a cut-off or placeholder file costs one small
repair. Unified mode asks for every file in one streamed answer and reports
each file as its block starts. Both end in a full snapshot of the project.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import posixpath
import random
import re
import time
from collections.abc import AsyncIterator, Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import aiohttp
import orjson

from codegen.config import Settings
from codegen.generators import llm_checklist
from codegen.generators.base import (
    FileSink,
    GeneratedFile,
    GenerationError,
    GenerationRequest,
    GenerationResult,
    Reporter,
)
from codegen.generators.llm_output import (
    FileStreamParser,
    ParsedFile,
    ParsedOutput,
    Plan,
    PlannedFile,
    language_for,
    parse_files,
    parse_plan,
)
from codegen.generators.review import find_placeholder
from codegen.lifecycle import Mode, Stage

logger = logging.getLogger(__name__)

CHARS_PER_TOKEN = 4
# this provider's share of the generation's progress; the engine reports the rest
PROGRESS_FIRST, PROGRESS_LAST = 0.05, 0.80
_PLANNED, _WRITING_FROM = 0.15, 0.20
# files that may legitimately be empty
_EMPTY_OK = frozenset({"__init__.py", ".gitkeep", "py.typed", ".keep"})


# --------------------------------------------------------------------------- prompts

_FORMAT_RULES = """\
Write every file like this: a line `### <path>`, then a fenced code block whose \
info string is the language and `path=<path>`, holding the COMPLETE file:

### app/main.py
```python path=app/main.py
<the complete content of app/main.py>
```

Rules:
- Write every file in full. Never abbreviate and never write placeholders such as \
"...", "rest of code unchanged", "existing code here" or "TODO: implement".
- Paths are relative to the project root, with forward slashes; never absolute, never with "..".
- If a file itself contains ``` lines (a README with examples), fence it with four backticks ````.
- Keep any explanation short and before the first file."""

_WRITER_SYSTEM = "You are a senior software engineer who writes complete, working, tested projects.\n\n" + _FORMAT_RULES

_ITERATION_RULES = """
You are changing an existing project whose files are shown below. Write only the \
files you add or change, each one complete. To delete a file, write a line \
`DELETE: <path>` outside any code block. Files you do not mention stay as they are."""

_PLANNER_SYSTEM = """\
You are a senior software architect. Plan the files of the project the user asks for: \
a small, complete, runnable project with its source, its tests, its dependency list \
and a README. Order the files so that each comes after the files it uses.
Reply with only a JSON object, no prose and no code:
{"summary": "<one sentence>", "files": [{"path": "<relative path>", "purpose": "<what it holds>"}], \
"requirements": [...]}
""" + llm_checklist.PLANNER_RULES

_ITERATION_PLANNER_SYSTEM = """\
You are a senior software architect. The user asks for a change to the existing \
project whose files are shown below. List only the files to create, modify or delete.
Reply with only a JSON object, no prose and no code:
{"summary": "<one sentence>", "files": [{"path": "<relative path>", "purpose": "<the change>", \
"action": "create" | "modify" | "delete"}], "requirements": [...]}
""" + llm_checklist.PLANNER_RULES


def _request_text(request: GenerationRequest) -> str:
    label = "Follow-up request" if request.is_iteration else "Request"
    parts = [f"{label}:\n{request.prompt.strip()}"]
    if request.additional_requirements:
        parts.append("Additional requirements:\n" + "\n".join(f"- {r}" for r in request.additional_requirements))
    return "\n\n".join(parts)


def _fence_for(content: str) -> str:
    longest = max((len(m) for m in re.findall(r"^ {0,3}(`{3,})", content, re.M)), default=2)
    return "`" * (longest + 1)


def _render_file(path: str, content: str) -> str:
    fence = _fence_for(content)
    language = language_for(path)
    body = content if content.endswith("\n") or not content else content + "\n"
    return f"### {path}\n{fence}{language} path={path}\n{body}{fence}"


def _render_files(files: dict[str, str], char_limit: int, *, first: Collection[str] = ()) -> str:
    """Files as the model should write them, ``first`` first, within ``char_limit``; omitted ones are named."""
    order = sorted(files, key=lambda p: (p not in first, p))
    shown: list[str] = []
    omitted: list[str] = []
    used = 0
    for path in order:
        block = _render_file(path, files[path])
        if used + len(block) > char_limit:
            omitted.append(path)
            continue
        shown.append(block)
        used += len(block)
    if omitted:
        shown.append("Not shown here, to stay within the token budget: " + ", ".join(omitted))
    return "\n\n".join(shown)


def _tests_repair_request(request: GenerationRequest, files: dict[str, str], failure: str, char_limit: int) -> str:
    """Ask for the files that make the project's failing tests pass: the failure, then the files it names."""
    involved = {path for path in files if path in failure or posixpath.basename(path) in failure}
    return "\n\n".join([
        _request_text(request),
        "The project's files (those the failure names first):\n\n" + _render_files(files, char_limit, first=involved),
        "Its own tests fail. The end of the test run's output:\n\n" + _render_file("test-output.txt", failure),
        "Fix the cause. Change the code, or a test only where the test itself is wrong. Write only the files you "
        "change, each complete, in the required format.",
    ])


def _plan_text(plan: Plan) -> str:
    lines = []
    for item in plan.files:
        action = " (delete)" if item.action == "delete" else ""
        lines.append(f"- {item.path}{action}: {item.purpose}" if item.purpose else f"- {item.path}{action}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- checking files


@dataclass(frozen=True)
class FileProblem:
    # None: the problem is with the answer as a whole (no files, broken JSON)
    path: str | None
    kind: str  # truncated | placeholder | empty | unsafe | missing | format
    detail: str

    def describe(self) -> str:
        return f"{self.path}: {self.detail}" if self.path else self.detail


_PROBLEM_WORDS = {
    "truncated": "truncated content in",
    "placeholder": "placeholder content in",
    "empty": "an empty file for",
    "missing": "no content for",
    "unsafe": "paths outside the project:",
}


def check_file(path: str, file: ParsedFile, previous: str | None) -> FileProblem | None:
    """Why ``file`` must not be accepted (cut off, placeholder, empty), or None."""
    if not file.closed:
        return FileProblem(path, "truncated", "it was cut off before its end")
    marker = find_placeholder(file.content, path)
    if marker:
        detail = f"it contains placeholder text ({marker.strip()[:80]!r}) instead of code"
        return FileProblem(path, "placeholder", detail)
    if not file.content.strip() and (previous or posixpath.basename(path) not in _EMPTY_OK):
        return FileProblem(path, "empty", "it is empty")
    return None


def check_answer(parsed: ParsedOutput, finish_reason: str | None, base: dict[str, str]) -> list[FileProblem]:
    problems = [p for path, f in parsed.files.items() if (p := check_file(path, f, base.get(path)))]
    problems += [FileProblem(raw, "unsafe", "the path is outside the project") for raw in parsed.unsafe_paths]
    if parsed.broken_json:
        cut = finish_reason == "length"
        detail = "the JSON answer was cut off" if cut else "the JSON answer is not valid JSON"
        if parsed.broken_json_paths:
            detail += f" (it held {', '.join(parsed.broken_json_paths)})"
        problems.append(FileProblem(None, "truncated" if cut else "format", detail))
    elif parsed.empty and not parsed.unsafe_paths:
        problems.append(FileProblem(None, "format", "the answer holds no files in the required format"))
    return problems


def _repair_failed_message(problems: list[FileProblem]) -> str:
    parts = []
    for kind, words in _PROBLEM_WORDS.items():
        paths = [p.path for p in problems if p.kind == kind and p.path]
        if paths:
            parts.append(f"{words} {', '.join(dict.fromkeys(paths))}")
    general = [p.detail for p in problems if p.path is None]
    if general:
        parts.append("an unusable answer (" + "; ".join(general) + ")")
    hint = "try again, simplify the request or use a stronger model"
    if any(p.kind == "truncated" for p in problems):
        hint = "ask for a smaller change or use a model with a larger output limit"
    named = "them" if len({p.path for p in problems}) > 1 else "it"
    return f"The model produced {' and '.join(parts)} twice, even after a repair request naming {named}; {hint}."


def _repair_request(problems: list[FileProblem], *, continue_after: bool) -> str:
    lines = ["Your answer cannot be used as it is:"]
    lines += [f"- {p.describe()}" for p in problems]
    lines.append(
        "Send again every file named above, each complete from its first to its last line, "
        "in the required format (### path, then a fenced block with path=...). "
        "No placeholders and no abbreviations."
    )
    if continue_after:
        lines.append("Then continue with any files the project still needs.")
    return "\n".join(lines)


# --------------------------------------------------------------------------- HTTP


@dataclass
class Completion:
    text: str
    finish_reason: str | None
    prompt_tokens: int
    completion_tokens: int
    usage_estimated: bool


class _Retryable(Exception):
    """A failure worth another attempt (429, 5xx, connection trouble)."""

    def __init__(self, give_up: str, *, status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(give_up)
        # what the user reads once the retries are spent; {attempts} is filled in
        self.give_up = give_up
        self.status = status
        self.retry_after = retry_after


class _Adaptable(Exception):
    """A 400 that names an optional request field the endpoint does not accept."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def parse_retry_after(headers: Any, now: datetime | None = None) -> float | None:
    """Seconds to wait from ``Retry-After`` (seconds or an HTTP date) or ``retry-after-ms``."""
    millis = headers.get("retry-after-ms")
    if millis:
        with contextlib.suppress(ValueError):
            return max(0.0, float(millis) / 1000)
    value = (headers.get("Retry-After") or "").strip()
    if not value:
        return None
    if re.fullmatch(r"\d+(?:\.\d+)?", value):
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # HTTP dates are GMT; "-0000" parses as naive
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _error_fields(body: str) -> tuple[str, str]:
    """(message, code) from an error body in the OpenAI, Ollama, vLLM or OpenRouter shape."""
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        return body.strip()[:300] or "no details", ""
    error = data.get("error", data) if isinstance(data, dict) else data
    if isinstance(error, str):
        return error[:300], ""
    if not isinstance(error, dict):
        return str(error)[:300], ""
    message = str(error.get("message") or error.get("detail") or body.strip())[:300]
    codes = [str(error.get(key)) for key in ("code", "type") if error.get(key)]
    code = next((c for c in codes if c == "insufficient_quota"), codes[0] if codes else "")
    return message, code


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


def _estimate_tokens(chars: int) -> int:
    return math.ceil(chars / CHARS_PER_TOKEN)


def _prompt_tokens_estimate(messages: list[dict[str, str]]) -> int:
    # a few tokens of framing per message
    return sum(_estimate_tokens(len(m["content"])) + 4 for m in messages)


@dataclass
class _Budget:
    limit: int
    min_completion: int
    prompt_tokens: int = 0
    completion_tokens: int = 0
    calls: int = 0
    estimated_calls: int = 0

    @property
    def used(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.used)

    def usage(self) -> dict[str, int]:
        return {"prompt_tokens": self.prompt_tokens, "completion_tokens": self.completion_tokens}

    def allowance(self, prompt_estimate: int) -> int:
        """Completion tokens the next request may use; GenerationError when it cannot be afforded."""
        allowed = self.limit - self.used - prompt_estimate
        if allowed < self.min_completion:
            raise GenerationError(
                f"The token budget of this generation is exhausted: {self.used} of {self.limit} tokens "
                f"used (CODEGEN_LLM_MAX_TOKENS), and the next request needs about {prompt_estimate} "
                f"tokens of prompt plus at least {self.min_completion} for the answer. "
                "Raise CODEGEN_LLM_MAX_TOKENS or ask for a smaller project or change."
            )
        return allowed

    def overrun(self) -> GenerationError:
        return GenerationError(
            f"The token budget of this generation ({self.limit} tokens, CODEGEN_LLM_MAX_TOKENS) ran out "
            "while the model was answering. Raise CODEGEN_LLM_MAX_TOKENS or ask for a smaller project or change."
        )

    def record(self, completion: Completion) -> None:
        self.calls += 1
        self.prompt_tokens += completion.prompt_tokens
        self.completion_tokens += completion.completion_tokens
        self.estimated_calls += completion.usage_estimated


class _Endpoint:
    """What is known about the configured endpoint: where it is, how to call it, how it fails."""

    def __init__(self, settings: Settings, *, read_timeout: float | None) -> None:
        self.base_url = (settings.llm_base_url or "").rstrip("/")
        self.url = f"{self.base_url}/chat/completions"
        self.model = settings.llm_model or ""
        self.api_key = settings.llm_api_key
        self.call_timeout = settings.llm_timeout_seconds
        self.read_timeout = read_timeout or settings.llm_timeout_seconds
        # learned from 400 answers: optional fields this endpoint refuses, and its output limit
        self.dropped_fields: set[str] = set()
        self.completion_cap: int | None = None

    def check(self) -> None:
        if not self.base_url:
            raise GenerationError(
                "The openai provider needs the endpoint: set CODEGEN_LLM_BASE_URL "
                "(e.g. https://api.openai.com/v1 or http://127.0.0.1:11434/v1 for Ollama)."
            )
        if not self.base_url.startswith(("http://", "https://")):
            raise GenerationError(
                f"CODEGEN_LLM_BASE_URL must start with http:// or https:// (it is {self.base_url!r})."
            )
        if not self.model:
            raise GenerationError("The openai provider needs a model name: set CODEGEN_LLM_MODEL (e.g. gpt-4o-mini).")

    def timeout_error(self, *, whole_call: bool) -> GenerationError:
        if whole_call:
            what = f"did not finish answering within {self.call_timeout:g} s"
        else:
            what = f"sent nothing for {self.read_timeout:g} s"
        return GenerationError(
            f"The model endpoint at {self.base_url} {what} (CODEGEN_LLM_TIMEOUT_SECONDS); "
            "raise it for slow models or check that the server is not overloaded."
        )

    def headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "Accept": "text/event-stream"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        return headers

    def client_timeout(self) -> aiohttp.ClientTimeout:
        return aiohttp.ClientTimeout(total=None, sock_connect=self.call_timeout, sock_read=self.read_timeout)

    def payload(self, messages: list[dict[str, str]], allowance: int) -> dict[str, Any]:
        payload: dict[str, Any] = {"model": self.model, "messages": messages, "stream": True}
        if "stream_options" not in self.dropped_fields:
            payload["stream_options"] = {"include_usage": True}
        if "max_tokens" not in self.dropped_fields:
            payload["max_tokens"] = min(allowance, self.completion_cap or allowance)
        return payload

    def adapt(self, message: str, payload: dict[str, Any]) -> bool:
        """Adjust to a 400 about an optional field; False when there is nothing left to adjust."""
        lowered = message.lower()
        if "stream_options" in lowered and "stream_options" not in self.dropped_fields:
            self.dropped_fields.add("stream_options")
            return True
        if "max_tokens" not in payload:
            return False
        cap = re.search(r"at most (\d+)", lowered)
        if cap and int(cap.group(1)) < payload["max_tokens"]:
            self.completion_cap = int(cap.group(1))
        else:
            self.dropped_fields.add("max_tokens")
        return True

    def failure(self, status: int, headers: Any, body: str) -> Exception:
        """The exception for a non-200 answer: final, retryable, or adaptable."""
        message, code = _error_fields(body)
        if status in (401, 403):
            return GenerationError(f"The model endpoint answered {status}: check CODEGEN_LLM_API_KEY ({message}).")
        if status == 402 or code == "insufficient_quota":
            return GenerationError(
                f"The model endpoint's quota is exhausted ({code or status}): {message}. "
                "Add credit or raise the account's limit, then try again."
            )
        if status == 404:
            return GenerationError(
                f"The model endpoint answered 404 for {self.url}: check CODEGEN_LLM_BASE_URL (it usually "
                f"ends in /v1) and CODEGEN_LLM_MODEL ({self.model!r}) ({message})."
            )
        if status in (408, 409, 429) or status >= 500:
            return _Retryable(
                f"The model endpoint answered {status} {{attempts}} times in a row: {message}. "
                "It may be overloaded or down; try again later.",
                status=status,
                retry_after=parse_retry_after(headers),
            )
        if status in (400, 422) and _ADAPTABLE.search(message):
            return _Adaptable(status, message)
        return GenerationError(f"The model endpoint rejected the request ({status}): {message}")

    def stream_failure(self, error: Any) -> Exception:
        """An error sent inside a 200 answer (OpenRouter, some proxies), classified by its code."""
        body = orjson.dumps({"error": error}).decode()
        status = error.get("code") if isinstance(error, dict) else None
        return self.failure(status if isinstance(status, int) and status >= 400 else 502, {}, body)


_ADAPTABLE = re.compile(r"stream_options|max_tokens|max_completion_tokens|maximum context length", re.I)


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 3
    backoff_base: float = 1.0
    max_delay: float = 60.0

    def delay(self, exc: _Retryable, failures: int) -> float:
        """Seconds before the next attempt; GenerationError when no attempt is left or worth it."""
        if failures > self.max_retries:
            raise GenerationError(exc.give_up.format(attempts=failures)) from None
        if exc.retry_after is not None:
            if exc.retry_after > self.max_delay:
                raise GenerationError(
                    f"The model endpoint answered {exc.status} and asked to wait {exc.retry_after:.0f} s "
                    f"(Retry-After), longer than the {self.max_delay:g} s this service waits; try again later."
                ) from None
            return exc.retry_after
        backoff = self.backoff_base * 2 ** (failures - 1)
        return min(self.max_delay, backoff * random.uniform(1.0, 1.25))


class _ChatClient:
    """One generation's conversation with the endpoint: retries, timeouts, budget, usage."""

    def __init__(
        self,
        endpoint: _Endpoint,
        retry: RetryPolicy,
        http: aiohttp.ClientSession,
        budget: _Budget,
        generation_id: str,
    ) -> None:
        self._endpoint = endpoint
        self._retry = retry
        self._http = http
        self.budget = budget
        self._generation_id = generation_id

    async def complete(
        self, messages: list[dict[str, str]], *, purpose: str, watcher: _FileStartReporter | None = None
    ) -> Completion:
        endpoint = self._endpoint
        prompt_estimate = _prompt_tokens_estimate(messages)
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
            except _Adaptable as exc:
                if not endpoint.adapt(exc.message, payload):
                    raise GenerationError(
                        f"The model endpoint rejected the request ({exc.status}): {exc.message}"
                    ) from None
                continue
            except _Retryable as exc:
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
        self, payload: dict[str, Any], prompt_estimate: int, allowance: int, watcher: _FileStartReporter | None
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
            raise _Retryable(
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
                raise _Retryable(
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
        watcher: _FileStartReporter | None,
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
                        if client_limit is not None and _estimate_tokens(chars) > client_limit:
                            raise self.budget.overrun()
                        if watcher is not None:
                            await watcher.feed(piece)
                    finish_reason = choice.get("finish_reason") or finish_reason
        if not done and finish_reason is None:
            raise _Retryable(
                f"The model endpoint at {self._endpoint.base_url} ended its answer early "
                "({attempts} attempts); check the server's logs."
            )
        return _completion("".join(pieces), finish_reason, usage, prompt_estimate)

    async def _read_body(
        self, response: aiohttp.ClientResponse, prompt_estimate: int, watcher: _FileStartReporter | None
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
    return Completion(text, finish_reason, prompt_estimate, _estimate_tokens(len(text)), usage_estimated=True)


# --------------------------------------------------------------------------- progress


class _Progress:
    """Reports within this provider's share of the progress, never going down."""

    def __init__(self, report: Reporter) -> None:
        self._report = report
        self.value = 0.0

    async def __call__(self, stage: Stage, progress: float, message: str) -> None:
        self.value = max(self.value, min(PROGRESS_LAST, max(PROGRESS_FIRST, progress)))
        await self._report(stage, self.value, message)


class _FileStartReporter:
    """Reports "Writing <path>" as each file starts in a streamed answer, and streams its text to ``live``.

    ``only_path``: the answer holds that one file (phased mode), whatever path its block names. Without
    ``progress`` nothing is reported.
    """

    def __init__(
        self, progress: _Progress | None, start: float = 0.0, end: float = 0.0, *,
        live: FileSink | None = None, only_path: str | None = None,
    ) -> None:
        self._progress = progress
        self._start, self._end = start, end
        self._seen: set[str] = set()
        self._live = live
        self._only_path = only_path
        self._parser = FileStreamParser(self if live is not None else None)

    def restart(self) -> None:
        # a retried request streams from the beginning; files already reported stay reported
        self._parser = FileStreamParser(self if self._live is not None else None)

    async def feed(self, text: str) -> None:
        for path in self._parser.feed(text):
            if path in self._seen or self._progress is None:
                continue
            self._seen.add(path)
            # approaches the end without knowing how many files will come
            share = 1 - 0.8 ** len(self._seen)
            await self._progress(Stage.GENERATING, self._start + (self._end - self._start) * share, f"Writing {path}")

    # the parser's listener: block content goes to the live view (a retried answer starts its files over)

    def begin(self, path: str | None) -> None:
        target = self._only_path or path
        if target is not None and self._live is not None:
            self._live.begin(target)

    def append(self, path: str | None, text: str) -> None:
        target = self._only_path or path
        if target is not None and self._live is not None:
            self._live.append(target, text)

    def end(self, path: str | None) -> None:
        target = self._only_path or path
        if target is not None and self._live is not None:
            self._live.end(target)


# --------------------------------------------------------------------------- the generator


@dataclass
class _Outcome:
    """What a generation produced: files written, paths deleted, and facts for the notes."""

    written: dict[str, str] = field(default_factory=dict)
    deleted: list[str] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)
    notes: dict[str, Any] = field(default_factory=dict)
    # the planner's requirements checklist (llm_checklist.from_plan); None without one
    requirements: list[dict[str, Any]] | None = None


class OpenAIGenerator:
    name = "openai"
    # it waits on the model's tokens: a process holds CODEGEN_MODEL_CONCURRENCY of these at once
    io_bound = True

    def __init__(
        self,
        settings: Settings,
        *,
        session: aiohttp.ClientSession | None = None,
        max_retries: int = 3,
        backoff_base: float = 1.0,
        max_retry_delay: float = 60.0,
        min_completion_tokens: int = 256,
        context_chars: int = 60_000,
        read_timeout: float | None = None,
    ) -> None:
        self.settings = settings
        self._session = session
        self.endpoint = _Endpoint(settings, read_timeout=read_timeout)
        self.retry = RetryPolicy(max_retries=max_retries, backoff_base=backoff_base, max_delay=max_retry_delay)
        self.min_completion_tokens = min_completion_tokens
        # most characters of files (parent's, written so far) sent as context in one request
        self.context_chars = context_chars

    # ----------------------------------------------------------------- entry point

    async def generate(self, request: GenerationRequest, report: Reporter) -> GenerationResult:
        self.endpoint.check()
        progress = _Progress(report)
        budget = _Budget(self.settings.llm_max_tokens, self.min_completion_tokens)
        async with self._http_session() as http:
            client = _ChatClient(self.endpoint, self.retry, http, budget, request.generation_id)
            try:
                if request.mode == Mode.PHASED:
                    outcome = await self._phased(client, request, progress)
                else:
                    outcome = await self._unified(client, request, progress, start=PROGRESS_FIRST)
            except GenerationError as exc:
                # what the failed generation cost is still the user's to see
                if budget.calls and exc.usage is None:
                    exc.usage = budget.usage()
                raise
        files = self._snapshot(request, outcome)
        summary = f"Wrote {len(outcome.written)} file{'s' * (len(outcome.written) != 1)}"
        if outcome.deleted:
            summary += f", deleted {len(outcome.deleted)}"
        await progress(Stage.GENERATING, PROGRESS_LAST, summary)
        return GenerationResult(
            files=[GeneratedFile(path, files[path]) for path in sorted(files)],
            usage=budget.usage(),
            notes=self._notes(budget, outcome),
            requirements=llm_checklist.checked(
                outcome.requirements, files, request.prompt, request.additional_requirements
            ),
        )

    async def repair(
        self, request: GenerationRequest, files: list[GeneratedFile], failure: str, usage: dict[str, int] | None
    ) -> GenerationResult:
        """One request for the files that make the failing tests pass, inside what is left of the budget."""
        self.endpoint.check()
        spent = usage or {}
        budget = _Budget(self.settings.llm_max_tokens, self.min_completion_tokens,
                         prompt_tokens=spent.get("prompt_tokens", 0), completion_tokens=spent.get("completion_tokens", 0))
        current = {f.path: f.content for f in files}
        async with self._http_session() as http:
            client = _ChatClient(self.endpoint, self.retry, http, budget, request.generation_id)
            try:
                user = _tests_repair_request(request, current, failure, self._context_limit(client))
                messages = [{"role": "system", "content": _WRITER_SYSTEM + _ITERATION_RULES},
                            {"role": "user", "content": user}]
                answer = await client.complete(messages, purpose="repair failing tests")
                parsed = parse_files(answer.text)
                problems = check_answer(parsed, answer.finish_reason, current)
                if problems:
                    raise GenerationError(
                        "the model's repair could not be used: " + "; ".join(p.describe() for p in problems[:5])
                    )
            except GenerationError as exc:
                exc.usage = exc.usage or budget.usage()
                raise
        for path in parsed.deleted:
            if path not in parsed.files:
                current.pop(path, None)
        current.update({path: f.content for path, f in parsed.files.items()})
        return GenerationResult(files=[GeneratedFile(p, current[p]) for p in sorted(current)], usage=budget.usage())

    @contextlib.asynccontextmanager
    async def _http_session(self) -> AsyncIterator[aiohttp.ClientSession]:
        if self._session is not None:
            yield self._session
            return
        async with aiohttp.ClientSession() as session:
            yield session

    def _snapshot(self, request: GenerationRequest, outcome: _Outcome) -> dict[str, str]:
        files = dict(request.parent_files or {})
        for path in outcome.deleted:
            files.pop(path, None)
        files.update(outcome.written)
        return files

    def _notes(self, budget: _Budget, outcome: _Outcome) -> dict[str, Any]:
        notes: dict[str, Any] = {"model": self.endpoint.model, "llm_requests": budget.calls, **outcome.notes}
        if outcome.repaired:
            notes["repaired"] = outcome.repaired
        if budget.estimated_calls:
            notes["usage_estimated"] = (
                f"The endpoint did not report token usage for {budget.estimated_calls} of {budget.calls} "
                f"requests; those were estimated at about {CHARS_PER_TOKEN} characters per token."
            )
        return notes

    # ----------------------------------------------------------------- modes

    async def _phased(self, client: _ChatClient, request: GenerationRequest, progress: _Progress) -> _Outcome:
        await progress(Stage.PLANNING, PROGRESS_FIRST, f"Planning the project with {self.endpoint.model}")
        parent = request.parent_files or {}
        system = _ITERATION_PLANNER_SYSTEM if request.is_iteration else _PLANNER_SYSTEM
        user = _request_text(request)
        if request.is_iteration:
            user += "\n\nThe project's current files:\n\n" + _render_files(parent, self._context_limit(client))
        answer = await client.complete(
            [{"role": "system", "content": system}, {"role": "user", "content": user}], purpose="plan"
        )
        plan = parse_plan(answer.text)
        # an iteration may only delete files; a new project needs something to write
        if plan is None or not (plan.files if request.is_iteration else plan.to_write):
            if plan is not None and request.is_iteration:
                raise GenerationError(
                    "The model planned no change for this follow-up; rephrase it to say what should change."
                )
            await progress(
                Stage.ARCHITECTURE, _PLANNED, "The model's plan could not be read; writing the project in one pass"
            )
            outcome = await self._unified(client, request, progress, start=_WRITING_FROM)
            outcome.notes["plan"] = "unreadable; written in one pass"
            return outcome
        outcome = _Outcome(requirements=llm_checklist.from_plan(answer.text))
        if plan.unsafe_paths:
            outcome.notes["ignored_plan_paths"] = plan.unsafe_paths
        await progress(Stage.ARCHITECTURE, _PLANNED, self._plan_message(plan))
        self._take_deletions(plan.to_delete, parent, outcome)
        files = {p: c for p, c in parent.items() if p not in outcome.deleted}
        to_write = plan.to_write
        for index, item in enumerate(to_write):
            share = (PROGRESS_LAST - _WRITING_FROM) * index / len(to_write)
            message = f"Writing {item.path} ({index + 1}/{len(to_write)})"
            await progress(Stage.GENERATING, _WRITING_FROM + share, message)
            content = await self._write_one(client, request, plan, item, files, progress, outcome)
            files[item.path] = content
            outcome.written[item.path] = content
        return outcome

    @staticmethod
    def _plan_message(plan: Plan) -> str:
        paths = [f.path for f in plan.to_write]
        shown = ", ".join(paths[:8]) + (f" and {len(paths) - 8} more" if len(paths) > 8 else "")
        message = f"Planned {len(paths)} file{'s' * (len(paths) != 1)}: {shown}" if paths else "Planned no new files"
        if plan.to_delete:
            message += f"; deleting {', '.join(plan.to_delete)}"
        if plan.summary:
            message = f"{plan.summary.strip()[:200]} ({message})"
        return message

    @staticmethod
    def _take_deletions(paths: list[str], parent: dict[str, str], outcome: _Outcome) -> None:
        ignored = [p for p in paths if p not in parent]
        outcome.deleted += [p for p in paths if p in parent and p not in outcome.deleted]
        if ignored:
            outcome.notes["ignored_deletions"] = ignored

    async def _write_one(
        self,
        client: _ChatClient,
        request: GenerationRequest,
        plan: Plan,
        item: PlannedFile,
        files: dict[str, str],
        progress: _Progress,
        outcome: _Outcome,
    ) -> str:
        """One file of a phased generation, repaired once if it comes back unusable."""
        system = _WRITER_SYSTEM + (_ITERATION_RULES if request.is_iteration else "")
        context_label = "The project's current files" if request.is_iteration else "Files written so far"
        parts = [_request_text(request), "Plan of the whole project:\n" + _plan_text(plan)]
        if files:
            parts.append(f"{context_label}:\n\n" + _render_files(files, self._context_limit(client), first={item.path}))
        ask = f"Write the complete content of `{item.path}`"
        ask += f" ({item.purpose})." if item.purpose else "."
        if item.path in files:
            ask += " Its current content is shown above: keep everything the change does not touch."
        parts.append(ask + " Reply with only this one file, in the required format.")
        messages = [{"role": "system", "content": system}, {"role": "user", "content": "\n\n".join(parts)}]

        watcher = _FileStartReporter(None, live=request.live, only_path=item.path) if request.live else None
        answer = await client.complete(messages, purpose=f"write {item.path}", watcher=watcher)
        file, problem = self._single_file(answer, item.path, files.get(item.path))
        if problem is None:
            if request.live is not None:
                request.live.finish(item.path, file.content)
            return file.content
        await progress(Stage.GENERATING, progress.value, f"Asking the model to repair {item.path} ({problem.kind})")
        outcome.repaired.append(item.path)
        messages += [
            {"role": "assistant", "content": answer.text},
            {"role": "user", "content": _repair_request([problem], continue_after=False)},
        ]
        answer = await client.complete(messages, purpose=f"repair {item.path}", watcher=watcher)
        file, problem = self._single_file(answer, item.path, files.get(item.path))
        if problem is not None:
            raise GenerationError(_repair_failed_message([problem]))
        if request.live is not None:
            request.live.finish(item.path, file.content)
        return file.content

    @staticmethod
    def _single_file(answer: Completion, path: str, previous: str | None) -> tuple[ParsedFile, FileProblem | None]:
        """The file in an answer that was asked for exactly one file, and what is wrong with it."""
        parsed = parse_files(answer.text)
        cut = answer.finish_reason == "length"
        candidates = list(parsed.files.values())
        chosen = parsed.files.get(path) or next(
            (f for f in candidates if posixpath.basename(f.path) == posixpath.basename(path)),
            candidates[0] if candidates else None,
        )
        if chosen is not None:
            file = ParsedFile(path, chosen.content, chosen.closed)
        elif parsed.anonymous_blocks:
            content, closed = parsed.anonymous_blocks[0]
            file = ParsedFile(path, content, closed)
        elif answer.text.strip() and "```" not in answer.text:
            # a bare file without a fence: complete unless the answer hit its length limit
            file = ParsedFile(path, answer.text.strip() + "\n", closed=not cut)
        else:
            missing = FileProblem(path, "missing", "the answer holds no file content")
            return ParsedFile(path, "", closed=not cut), missing
        return file, check_file(path, file, previous)

    async def _unified(
        self, client: _ChatClient, request: GenerationRequest, progress: _Progress, *, start: float
    ) -> _Outcome:
        """Every file in one streamed answer, repaired once if some come back unusable."""
        parent = request.parent_files or {}
        await progress(Stage.GENERATING, start, f"Asking {self.endpoint.model} to write the project")
        system = _WRITER_SYSTEM + (_ITERATION_RULES if request.is_iteration else "")
        user = _request_text(request)
        if request.is_iteration:
            user += "\n\nThe project's current files:\n\n" + _render_files(parent, self._context_limit(client))
        messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
        watcher = _FileStartReporter(progress, start, PROGRESS_LAST - 0.05, live=request.live)

        answer = await client.complete(messages, purpose="write files", watcher=watcher)
        parsed = parse_files(answer.text)
        problems = check_answer(parsed, answer.finish_reason, parent)
        outcome = _Outcome()
        if problems:
            named = ", ".join(dict.fromkeys(p.path or "the answer" for p in problems))
            await progress(Stage.GENERATING, progress.value, f"Asking the model to repair {named}")
            outcome.repaired = [p.path or "the answer" for p in problems]
            messages += [
                {"role": "assistant", "content": answer.text},
                {"role": "user", "content": _repair_request(problems, continue_after=answer.finish_reason == "length")},
            ]
            repair = await client.complete(messages, purpose="repair files", watcher=watcher)
            repaired = parse_files(repair.text)
            still_bad = self._unresolved(problems, repaired, check_answer(repaired, repair.finish_reason, parent))
            if still_bad:
                raise GenerationError(_repair_failed_message(still_bad))
            parsed = self._merge(parsed, repaired, problems)
        elif answer.finish_reason == "length":
            outcome.notes["output_limit"] = "the answer reached the model's output limit after its last complete file"
        outcome.written = {path: f.content for path, f in parsed.files.items()}
        self._take_deletions([p for p in parsed.deleted if p not in outcome.written], parent, outcome)
        return outcome

    @staticmethod
    def _unresolved(
        original: list[FileProblem], repaired: ParsedOutput, repair_problems: list[FileProblem]
    ) -> list[FileProblem]:
        """The problems a repair answer left: files it did not resend, and its own faults."""
        missing = [p for p in original if p.path is not None and p.kind != "unsafe" and p.path not in repaired.files]
        if missing:
            # an empty repair is reported by the files it failed to resend
            repair_problems = [p for p in repair_problems if p.path is not None]
        return missing + repair_problems

    @staticmethod
    def _merge(first: ParsedOutput, repair: ParsedOutput, problems: list[FileProblem]) -> ParsedOutput:
        bad = {p.path for p in problems}
        merged = ParsedOutput(
            files={path: f for path, f in first.files.items() if path not in bad},
            deleted=list(dict.fromkeys(first.deleted + repair.deleted)),
        )
        merged.files.update(repair.files)
        return merged

    # ----------------------------------------------------------------- request details

    def _context_limit(self, client: _ChatClient) -> int:
        # at most half of what the budget has left goes to context
        return min(self.context_chars, client.budget.remaining * CHARS_PER_TOKEN // 2)
