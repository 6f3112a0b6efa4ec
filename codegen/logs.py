"""Structured logs: one JSON object a line, carrying request_id, user_id and generation_id."""

from __future__ import annotations

import contextvars
import itertools
import logging
import os
import sys
from datetime import UTC, datetime
from typing import Any

import orjson

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
user_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("user_id", default=None)
generation_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("generation_id", default=None)

_CONTEXT_VARS = {"request_id": request_id_var, "user_id": user_id_var, "generation_id": generation_id_var}
# attributes every LogRecord has; anything else came in through ``extra=``
_STANDARD_ATTRS = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime"}


class RequestIds:
    """Ids for requests that bring no usable X-Request-ID: 32 hex digits, a random half drawn once
    per process and a counter, so unique across processes without a random read per request."""

    def __init__(self) -> None:
        self._prefix = os.urandom(8).hex()
        self._counter = itertools.count(1)

    def next(self) -> str:
        return f"{self._prefix}{next(self._counter):016x}"


def _context(record: logging.LogRecord) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for name, var in _CONTEXT_VARS.items():
        value = record.__dict__.get(name) or var.get()
        if value is not None:
            fields[name] = str(value)
    for key, value in record.__dict__.items():
        if key not in _STANDARD_ATTRS and key not in fields:
            fields[key] = value
    return fields


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        entry.update(_context(record))
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        return orjson.dumps(entry, default=str).decode()


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        fields = " ".join(f"{k}={v}" for k, v in _context(record).items())
        line = f"{datetime.fromtimestamp(record.created, tz=UTC).isoformat()} {record.levelname:<7} {record.name}: {record.getMessage()}"
        if fields:
            line += " " + fields
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def resolve_format(fmt: str, stream: Any = None) -> str:
    """"auto": text for a person at a terminal, JSON for anything that collects logs."""
    if fmt != "auto":
        return fmt
    stream = sys.stderr if stream is None else stream
    return "text" if stream.isatty() else "json"


def setup_logging(level: str = "INFO", fmt: str = "auto") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if resolve_format(fmt) == "json" else TextFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # one line per request comes from our own middleware
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
