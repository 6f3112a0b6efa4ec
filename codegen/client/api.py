"""HTTP calls of the contract, and the errors a person (or a script) can act on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import aiohttp
import orjson


class ApiError(Exception):
    """The server answered with an error (``status``), or could not be reached (``status`` 0)."""

    def __init__(self, status: int, detail: str, retry_after: str | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.retry_after = retry_after


def detail_text(body: Any, status: int) -> str:
    """The contract's ``detail``, as words: a string, or the validation items joined."""
    detail = body.get("detail") if isinstance(body, dict) else None
    if isinstance(detail, str):
        return detail
    if isinstance(detail, list):
        parts = []
        for item in detail:
            if isinstance(item, dict):
                loc = [str(p) for p in item.get("loc", []) if p not in ("body", "query", "path")]
                parts.append(f"{'.'.join(loc)}: {item.get('msg')}" if loc else str(item.get("msg")))
        if parts:
            return "; ".join(parts)
    return f"the server answered {status}"


@dataclass
class Api:
    session: aiohttp.ClientSession
    server: str
    token: str | None = None

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def url(self, path: str) -> str:
        return self.server.rstrip("/") + path

    async def request(self, method: str, path: str, *, json: Any = None, params: Any = None) -> Any:
        """The JSON answer (or the text, or the bytes, by content type); ApiError otherwise."""
        try:
            async with self.session.request(
                method, self.url(path), json=json, params=params, headers=self.headers
            ) as response:
                raw = await response.read()
                content_type = response.content_type
                if response.status >= 400:
                    try:
                        body = orjson.loads(raw) if content_type == "application/json" else None
                    except orjson.JSONDecodeError:
                        body = None
                    raise ApiError(response.status, detail_text(body, response.status),
                                   response.headers.get("Retry-After"))
        except (aiohttp.ClientConnectionError, TimeoutError) as exc:
            raise ApiError(0, f"cannot reach {self.server}: {exc or type(exc).__name__}") from None
        if content_type == "application/json":
            return orjson.loads(raw)
        if content_type.startswith("text/"):
            return raw.decode("utf-8")
        return raw
