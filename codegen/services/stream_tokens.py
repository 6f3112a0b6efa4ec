"""Single-use stream tokens: 32 random bytes, only their hash stored, bound to user and generation."""

from __future__ import annotations

import contextlib
import hashlib
import secrets
from collections.abc import Iterator
from uuid import UUID

from codegen import errors
from codegen.db import Database
from codegen.errors import InvalidInput, NotFound, RateLimited, Unauthenticated
from codegen.records import StreamToken
from codegen.store import stream_tokens as store

STREAMS_RETRY_AFTER = 5


class OpenStreams:
    """Open streams per user in this process, at most ``limit`` each (0: no limit)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._by_user: dict[UUID, int] = {}

    @contextlib.contextmanager
    def hold(self, user_id: UUID) -> Iterator[None]:
        held = self._by_user.get(user_id, 0)
        if self.limit and held >= self.limit:
            raise RateLimited(errors.TOO_MANY_STREAMS.format(limit=self.limit), STREAMS_RETRY_AFTER)
        self._by_user[user_id] = held + 1
        try:
            yield
        finally:
            left = self._by_user[user_id] - 1
            if left:
                self._by_user[user_id] = left
            else:
                del self._by_user[user_id]


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


async def issue(
    db: Database, user_id: UUID, generation_id: UUID, *, ttl_seconds: int, rate_limit: int, stream_url: str
) -> StreamToken:
    token = secrets.token_urlsafe(32)  # URL-safe base64 of 32 random bytes, no padding
    issued = await store.issue(db, user_id, generation_id, _digest(token), ttl_seconds, rate_limit)
    outcome = issued.outcome
    if outcome == "rate_limited":
        raise RateLimited(errors.TOKEN_RATE_LIMITED.format(limit=rate_limit), issued.retry_after or 0)
    if outcome == "not_found":
        raise NotFound(errors.GENERATION_NOT_FOUND)
    if outcome == "failed":
        raise InvalidInput(errors.STREAM_FAILED.format(error=issued.error_message))
    if outcome == "cancelled":
        raise InvalidInput(errors.STREAM_CANCELLED)
    if outcome == "completed":
        raise InvalidInput(errors.STREAM_COMPLETED)
    return StreamToken(token, ttl_seconds, stream_url, generation_id)


async def consume(db: Database, generation_id: UUID, token: str) -> UUID:
    """Spend a token on its generation; Unauthenticated when unknown, expired, used or for another generation."""
    user_id = await store.consume(db, _digest(token), generation_id)
    if user_id is None:
        raise Unauthenticated(errors.INVALID_STREAM_TOKEN)
    return user_id
