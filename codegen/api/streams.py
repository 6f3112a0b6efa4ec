"""Stream tokens and the SSE progress stream."""

from __future__ import annotations

import asyncio
import logging
import time
from uuid import UUID

import orjson
from aiohttp import web
from aiohttp_sse import EventSourceResponse, sse_response

from codegen import appkeys
from codegen.api.common import api_prefix, current_user, json_response, parse_query, path_uuid
from codegen.db import DatabaseUnavailable
from codegen.engine.bus import CLOSE, FILES, RESYNC, StreamEvent, Subscription, make_event
from codegen.engine.live import LiveFiles
from codegen.engine.live_generation import FileDelta, LiveGeneration
from codegen.errors import GENERATION_NOT_FOUND, NotFound
from codegen.lifecycle import Stage, Status
from codegen.schemas import StreamQuery
from codegen.services import stream_tokens
from codegen.store.stream_reads import Snapshot, StreamReads

log = logging.getLogger(__name__)

# a client that stops reading is cut off after this long, freeing what it held
SEND_TIMEOUT_SECONDS = 30.0
# a live event is written straight to the socket only while less than this waits unsent for the client;
# beyond it the event is queued and written by the stream's task, which waits (SEND_TIMEOUT_SECONDS at most)
DIRECT_WRITE_MAX_BUFFER = 64 * 1024


async def stream_token(request: web.Request) -> web.Response:
    user_id = await current_user(request)
    generation_id = path_uuid(request, "generation_id")
    settings = request.app[appkeys.SETTINGS]
    result = await stream_tokens.issue(
        request.app[appkeys.DB], user_id, generation_id,
        ttl_seconds=settings.stream_token_ttl_seconds,
        rate_limit=settings.stream_token_rate_limit,
        stream_url=f"{api_prefix(request)}/generations/generate/{generation_id}/stream",
    )
    return json_response(result)


def _last_event_id(request: web.Request, query: StreamQuery) -> int:
    if query.last_event_id is not None:
        return query.last_event_id
    header = request.headers.get("Last-Event-ID", "").strip()
    return int(header) if header.isdigit() else 0


async def stream(request: web.Request) -> web.StreamResponse:
    generation_id = path_uuid(request, "generation_id")
    token, last_seq = _token_and_last_seq(request)
    # the token is spent and one of the user's open-stream slots taken (across processes) until the stream ends
    async with request.app[appkeys.STREAMS].open(generation_id, token):
        return await _serve(request, generation_id, last_seq)


def _token_and_last_seq(request: web.Request) -> tuple[str, int]:
    # the parsed query is not kept in the frame of a stream that may stay open for hours
    query = parse_query(request, StreamQuery)
    return query.token, _last_event_id(request, query)


async def _serve(request: web.Request, generation_id: UUID, last_seq: int) -> web.StreamResponse:
    reads = request.app[appkeys.STREAM_READS]
    settings = request.app[appkeys.SETTINGS]
    live = request.app[appkeys.LIVE]
    # subscribe before reading the table, so no event falls between the two
    with (
        request.app[appkeys.BUS].subscribe(str(generation_id)) as subscription,
        live.follow(str(generation_id), subscription) as files,
    ):
        snapshot = await reads.snapshot(generation_id)
        if snapshot is None:
            raise NotFound(GENERATION_NOT_FOUND)
        async with sse_response(
            request, ping_interval=settings.sse_ping_seconds, send_timeout=SEND_TIMEOUT_SECONDS
        ) as response:
            # aiohttp-sse's ping task ends when a write fails (a client that stopped reading): wake the reader
            # so the stream is freed. A callback on that task rather than a task of ours awaiting it: an idle
            # stream holds ~0.9 KB less (measured with tracemalloc, 2,000 streams).
            pinger: asyncio.Task[None] = response._ping_task  # type: ignore[assignment]
            pinger.add_done_callback(subscription.close_callback)
            sender = _Sender(request, response, reads, generation_id, last_seq, subscription, live, files)
            sender.status = snapshot.status
            try:
                await sender.write(_connected_frame(generation_id, snapshot, last_seq))
                try:
                    # (the file snapshot reads too: a database lost here also ends with `reconnect`, not silence)
                    await sender.send_file_snapshot()
                    # the headers are out: live events may now be written as raw chunks (HTTP/1.1, no compression)
                    encoding = response.headers.get("Transfer-Encoding", "").lower()
                    sender.chunked = encoding == "chunked" and not response.compression
                    # ... and nothing reads them again: a stream that stays open for hours need not hold them
                    response.headers.clear()
                    await sender.follow(subscription)
                    why = "The server is shutting down" if request.app[appkeys.BUS].closing and not sender.finished else ""
                except DatabaseUnavailable:
                    why = "The database is unavailable"
                if why:
                    # the stream ends before its terminal event: say so, so the client reconnects (elsewhere)
                    await sender.write(_reconnect_frame(generation_id, sender, why))
            except ConnectionResetError:
                log.info("stream client went away", extra={"generation_id": str(generation_id)})
            finally:
                pinger.remove_done_callback(subscription.close_callback)
    return response


class _Sender:
    """Writes one client's stream: replay after ``last_seq``, then live events, until the terminal one."""

    def __init__(
        self, request: web.Request, response: EventSourceResponse, reads: StreamReads, generation_id: UUID,
        last_seq: int, subscription: Subscription, live: LiveFiles, files: LiveGeneration,
    ) -> None:
        self.subscription = subscription
        self.live = live
        self.files = files
        # path -> (epoch, length, done) of what this client holds of each live file
        self.sent: dict[str, tuple[int, int, bool]] = {}
        self.request = request
        self.response = response
        self.reads = reads
        self.generation_id = generation_id
        self.last_seq = last_seq
        self.finished = False
        self.status: str | None = None
        self.chunked = False

    async def follow(self, subscription: Subscription) -> None:
        await self.catch_up()
        while not self.finished:
            # while this task waits with nothing queued, the bus may write live events itself (see _direct)
            subscription.direct = self._direct if self.chunked else None
            try:
                item = await subscription.get()
            finally:
                subscription.direct = None
            if item is CLOSE:
                return
            if item is FILES:
                await self.send_files()
            elif isinstance(item, StreamEvent) and item.seq == self.last_seq + 1:
                await self.send(item)
            elif item is RESYNC or (isinstance(item, StreamEvent) and item.seq > self.last_seq + 1):
                await self.send_files()
                await self.catch_up()
                if isinstance(item, StreamEvent) and item.terminal and item.seq > self.last_seq and not self.finished:
                    # the table no longer holds what came before it (the project was deleted with its
                    # generations): end with the terminal event in hand rather than wait for ever
                    await self.send(item)
            # an event at or before last_seq was already sent (by a replay): skip it

    async def catch_up(self) -> None:
        for seq, payload in await self.reads.after(self.generation_id, self.last_seq):
            await self.send(make_event(seq, payload))
            if self.finished:
                return

    def _direct(self, event: StreamEvent) -> bool:
        """Write the next live event now, from the bus's callback; False leaves it to this stream's task.

        Called only while the task waits in ``follow`` with an empty queue, so nothing of this
        stream is in flight and the bytes go out in order. The chunk is framed once per event and
        shared by every stream. After the terminal event the task still wakes (the bus queues the
        event too), finds it sent, and ends the stream.
        """
        if event.seq != self.last_seq + 1 or (event.terminal and not self._files_settled()):
            return False
        transport = self.request.transport
        if transport is None or transport.is_closing() or transport.get_write_buffer_size() > DIRECT_WRITE_MAX_BUFFER:
            return False
        try:
            transport.write(event.chunk)
        except (OSError, RuntimeError):
            return False  # the task's own write meets the same error and ends the stream
        self.last_seq = event.seq
        self.status = event.status
        self.finished = event.terminal
        return True

    async def send_file_snapshot(self) -> None:
        """Every file of the current attempt from offset 0 (a completed generation's: the stored files)."""
        if self.status == Status.COMPLETED:
            stored = await self.reads.contents(self.generation_id)
            self.subscription.take_dirty_files()
            # nothing more will come: later changes (none) go to a detached, empty view
            self.files = LiveGeneration(self.live, str(self.generation_id), 0)
            self.files.loaded = self.files.final = True
            frames = [FileDelta(path, 0, content, True).frame() for path, content in stored.items()]
        else:
            await self.live.ready(self.files)
            self.subscription.take_dirty_files()
            frames = []
            for path in sorted(self.files.files):
                file = self.files.files[path]
                self.sent[path] = (file.epoch, len(file.text), file.done)
                frames.append(FileDelta(path, 0, file.text, file.done).frame())
        if frames:
            await self.write(b"".join(frames))

    async def send_files(self) -> None:
        """What changed in the live files since this client last got them: tails, or whole texts that were replaced."""
        frames = []
        for path in sorted(self.subscription.take_dirty_files()):
            file = self.files.files.get(path)
            if file is None:
                continue
            epoch, length, done = self.sent.get(path, (-1, 0, False))
            if epoch != file.epoch:
                delta = FileDelta(path, 0, file.text, file.done)
            elif len(file.text) > length or file.done != done:
                delta = FileDelta(path, length, file.text[length:], file.done)
            # live.py marks a path changed only when its text grows, done flips or its epoch moves
            else:  # pragma: no cover
                continue
            self.sent[path] = (file.epoch, len(file.text), file.done)
            frames.append(delta.frame())
        if frames:
            await self.write(b"".join(frames))

    def _files_settled(self) -> bool:
        return self.files.loading is None and not self.files.behind and self.files.final

    async def send(self, event: StreamEvent) -> None:
        if event.terminal:
            # the files' last text goes before the event that ends the stream: on completion, the stored files
            await self.live.ready(self.files)
            if event.status == Status.COMPLETED:
                await self.live.settle_stored(self.files)
        if self.subscription.dirty_files:
            await self.send_files()
        await self.write(event.frame)
        self.last_seq = event.seq
        self.status = event.status
        self.finished = event.terminal

    async def write(self, frame: bytes) -> None:
        try:
            async with asyncio.timeout(SEND_TIMEOUT_SECONDS):
                await self.response.write(frame)
        except TimeoutError:
            # a client that stopped reading: drop it rather than hold its buffers
            if self.request.transport is not None:
                self.request.transport.abort()
            raise ConnectionResetError("stream client stopped reading") from None


def _connected_frame(generation_id: UUID, snapshot: Snapshot, last_seq: int) -> bytes:
    data = orjson.dumps({
        "generation_id": str(generation_id),
        "status": snapshot.status,
        "stage": Stage.CONNECTED.value,
        "progress": snapshot.progress,
        "message": "Stream connected",
        "timestamp": time.time(),
    })
    return b"id: %d\ndata: %s\n\n" % (last_seq, data)


# the client's EventSource waits this long before it reconnects on its own (ours reconnect themselves)
RECONNECT_RETRY_MS = 1000


def _reconnect_frame(generation_id: UUID, sender: _Sender, why: str) -> bytes:
    """The last frame of a stream that ends early: a named event (no ``id:``, so Last-Event-ID stays)."""
    data = orjson.dumps({
        "generation_id": str(generation_id),
        "status": sender.status,
        "stage": "reconnect",
        "message": f"{why}; reconnect with a new token and Last-Event-ID {sender.last_seq}",
        "last_event_id": sender.last_seq,
        "timestamp": time.time(),
    })
    return b"event: reconnect\nretry: %d\ndata: %s\n\n" % (RECONNECT_RETRY_MS, data)
