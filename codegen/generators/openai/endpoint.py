"""The model endpoint: where it is, what a request to it holds, and how its failures are classified.

Failures are final (``GenerationError``, with what to change), ``Retryable`` (429, 5xx, connection
trouble; ``RetryPolicy`` says how long to wait) or ``Adaptable`` (a 400 about an optional field).
"""

from __future__ import annotations

import contextlib
import random
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import aiohttp
import orjson

from codegen.config import LLMSettings
from codegen.generators.base import GenerationError


class Retryable(Exception):
    """A failure worth another attempt (429, 5xx, connection trouble)."""

    def __init__(self, give_up: str, *, status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(give_up)
        # what the user reads once the retries are spent; {attempts} is filled in
        self.give_up = give_up
        self.status = status
        self.retry_after = retry_after


def rejected(status: int, message: str) -> GenerationError:
    return GenerationError(f"The model endpoint rejected the request ({status}): {message}")


class Adaptable(Exception):
    """A 400 that names an optional request field the endpoint does not accept."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message

    def final(self) -> GenerationError:
        """The error once nothing is left to adapt."""
        return rejected(self.status, self.message)


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


class Endpoint:
    """What is known about the configured endpoint: where it is, how to call it, how it fails."""

    def __init__(self, settings: LLMSettings, *, read_timeout: float | None) -> None:
        self.base_url = (settings.base_url or "").rstrip("/")
        self.url = f"{self.base_url}/chat/completions"
        self.model = settings.model or ""
        self.api_key = settings.api_key
        self.call_timeout = settings.timeout_seconds
        self.read_timeout = read_timeout or settings.timeout_seconds
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
            return Retryable(
                f"The model endpoint answered {status} {{attempts}} times in a row: {message}. "
                "It may be overloaded or down; try again later.",
                status=status,
                retry_after=parse_retry_after(headers),
            )
        if status in (400, 422) and _ADAPTABLE.search(message):
            return Adaptable(status, message)
        return rejected(status, message)

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

    def delay(self, exc: Retryable, failures: int) -> float:
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
