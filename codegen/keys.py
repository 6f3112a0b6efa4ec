"""Typed keys of the application's state (everything mutable lives on the app object)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    from codegen.auth import TokenService
    from codegen.config import Settings
    from codegen.db import Database
    from codegen.engine.bus import EventBus
    from codegen.engine.worker import Worker
    from codegen.logs import RequestIds

SETTINGS: web.AppKey[Settings] = web.AppKey("settings")
DB: web.AppKey[Database] = web.AppKey("db")
TOKENS: web.AppKey[TokenService] = web.AppKey("tokens")
PREVIEW_KEY: web.AppKey[bytes] = web.AppKey("preview_key")  # signs web-page preview links
BUS: web.AppKey[EventBus] = web.AppKey("bus")
WORKER: web.AppKey[Worker | None] = web.AppKey("worker")
REQUEST_IDS: web.AppKey[RequestIds] = web.AppKey("request_ids")

REQUEST_ID: web.RequestKey[str] = web.RequestKey("request_id")
