"""Single-use stream tokens: 32 random bytes, only their hash stored, bound to user and generation."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import secrets
from collections.abc import AsyncIterator
from uuid import UUID, uuid4

import asyncpg

from codegen import errors
from codegen.db import Database, DatabaseUnavailable
from codegen.errors import InvalidInput, NotFound, RateLimited, Unauthenticated
from codegen.records import StreamToken
from codegen.store import stream_tokens as store
from codegen.store.batch import Batcher

log = logging.getLogger(__name__)

STREAMS_RETRY_AFTER = 5
# what a slot's statements may meet when the database is away; a stream never fails over its slot
UNREACHABLE = (DatabaseUnavailable, asyncpg.PostgresError, asyncpg.InterfaceError, OSError)
# a slot of a process that stops renewing (it died) stops counting this long after its last renewal
STREAM_LEASE_SECONDS = 30


class OpenStreams:
    """Open streams per user, at most ``limit`` each across every process (0: no limit).

    Each open stream is a row of ``open_streams`` (a slot), taken by the statement that spends
    its token and deleted when the stream ends, so no database connection is held per stream.
    Streams that connect or end at about the same time share one statement (a reconnect storm's
    thousands included: store/batch.py). ``heartbeat`` renews all of this process's slots in one
    statement; the slots of a process that died lapse after ``lease_seconds``.
    """

    def __init__(self, db: Database, limit: int, *, lease_seconds: int = STREAM_LEASE_SECONDS) -> None:
        self.db = db
        self.limit = limit
        self.lease_seconds = lease_seconds
        self.process = uuid4()
        # slots whose stream ended but whose delete did not get through (cancelled, database away):
        # the next heartbeat deletes them, so they are not renewed for ever
        self._unclosed: set[int] = set()
        self._heartbeat: asyncio.Task[None] | None = None
        self._open: Batcher[tuple[bytes, UUID], store.Opened] = Batcher(self._open_many, dropped=self._give_back)
        self._close_slots: Batcher[int, None] = Batcher(self._close_many)

    @contextlib.asynccontextmanager
    async def open(self, generation_id: UUID, token: str) -> AsyncIterator[UUID]:
        """Spend ``token`` on its generation and hold a slot while the block runs; yields the user.

        Unauthenticated when the token is unknown, expired, used or for another generation;
        RateLimited when the user has ``limit`` streams open (the token is spent all the same).
        """
        opened = await self._open((_digest(token), generation_id))
        if opened.outcome == "invalid_token" or opened.user_id is None:
            raise Unauthenticated(errors.INVALID_STREAM_TOKEN)
        if opened.outcome == "too_many":
            raise RateLimited(errors.TOO_MANY_STREAMS.format(limit=self.limit), STREAMS_RETRY_AFTER)
        try:
            yield opened.user_id
        finally:
            if opened.stream_id is not None:
                await self._close(opened.stream_id)

    async def _open_many(self, asked: list[tuple[bytes, UUID]]) -> list[store.Opened]:
        return await store.open_streams(self.db, asked, self.process, self.lease_seconds, self.limit)

    def _give_back(self, opened: store.Opened) -> None:
        """A slot taken for a stream whose request was cancelled meanwhile: the next heartbeat deletes it."""
        if opened.stream_id is not None:
            self._unclosed.add(opened.stream_id)

    async def _close_many(self, stream_ids: list[int]) -> list[None]:
        await store.close_streams(self.db, stream_ids)
        return [None] * len(stream_ids)

    async def _close(self, stream_id: int) -> None:
        self._unclosed.add(stream_id)
        try:
            await self._close_slots(stream_id)
        except UNREACHABLE as exc:
            log.warning("closing a stream's slot failed; the next heartbeat retries", extra={"error": str(exc)})
            return
        self._unclosed.discard(stream_id)

    async def heartbeat(self) -> None:
        """Renew this process's slots, delete the unclosed ones and those of dead processes: one statement."""
        unclosed = list(self._unclosed)
        await store.renew_streams(self.db, self.process, self.lease_seconds, unclosed)
        self._unclosed.difference_update(unclosed)

    def start(self) -> None:
        self._heartbeat = asyncio.create_task(self._heartbeat_loop(), name="open-streams-heartbeat")

    async def stop(self) -> None:
        """Stop renewing and give back every slot this process still holds."""
        if self._heartbeat is not None:
            self._heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._heartbeat
        try:
            await store.close_process_streams(self.db, self.process)
        except UNREACHABLE as exc:
            log.warning("giving back the open streams' slots failed; they lapse", extra={"error": str(exc)})

    async def _heartbeat_loop(self) -> None:
        while True:
            await asyncio.sleep(self.lease_seconds / 3)
            try:
                await self.heartbeat()
            except UNREACHABLE as exc:
                # the slots outlive a missed beat by two more (the lease is three beats)
                log.warning("renewing the open streams' slots failed", extra={"error": str(exc)})


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
