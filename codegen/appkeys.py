"""Typed keys of the application's state (everything mutable lives on the app object)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    from codegen.auth import HashingGate, TokenService
    from codegen.config import Settings
    from codegen.db import Database
    from codegen.engine.bus import EventBus
    from codegen.engine.live import LiveFiles
    from codegen.engine.worker import Worker
    from codegen.logs import RequestIds
    from codegen.services.stream_tokens import OpenStreams
    from codegen.services.users import Throttle
    from codegen.store.stream_reads import StreamReads

SETTINGS: web.AppKey[Settings] = web.AppKey("settings")
DB: web.AppKey[Database] = web.AppKey("db")
TOKENS: web.AppKey[TokenService] = web.AppKey("tokens")
PREVIEW_KEY: web.AppKey[bytes] = web.AppKey("preview_key")  # signs web-page preview links
BUS: web.AppKey[EventBus] = web.AppKey("bus")
LIVE: web.AppKey[LiveFiles] = web.AppKey("live")
WORKER: web.AppKey[Worker | None] = web.AppKey("worker")
REQUEST_IDS: web.AppKey[RequestIds] = web.AppKey("request_ids")
HASHING: web.AppKey[HashingGate] = web.AppKey("hashing")
THROTTLE: web.AppKey[Throttle] = web.AppKey("throttle")
STREAMS: web.AppKey[OpenStreams] = web.AppKey("streams")
STREAM_READS: web.AppKey[StreamReads] = web.AppKey("stream_reads")

REQUEST_ID: web.RequestKey[str] = web.RequestKey("request_id")
