"""Fixtures of the end-to-end tests.

- ``browser``: one headless Chromium for the whole session (Debian's
  /usr/bin/chromium, or CODEGEN_E2E_CHROMIUM), driven by Playwright's async API
  on the same event loop as the app.
- ``page``: a fresh browser context per test (its own sessionStorage), with the
  streaming client's backoff base shortened to 100 ms; an uncaught script error
  or a dialog (a sign that markup from the server ran) fails the test.
- ``e2e_server``: the real app (``codegen.app.create_app``) on loopback, built
  from the ``settings`` fixture of tests/conftest.py with a stage delay so a
  generation stays in progress long enough to watch. Its generator is the
  configured one (``create_app(settings, generator=…)``), steered by markers in the prompt: ``[fail]`` fails the
  generation, ``[hold]`` keeps it processing until it is cancelled. Every
  request is recorded server-side, and a stream connection can be cut after a
  number of events (``cut_streams``), as a flaky network would. ``[failing tests]``
  writes a project whose one test fails printing markup (for ``e2e_tested_server``,
  which runs the projects' tests in the sandbox).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from playwright import async_api as playwright_async

from codegen.app import create_app
from codegen.generators import build_generator
from codegen.generators.base import (
    GeneratedFile,
    GenerationError,
    GenerationRequest,
    GenerationResult,
    Reporter,
)
from codegen.lifecycle import STAGES_BY_MODE

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
DOCS_SCREENSHOT = ROOT / "docs" / "screenshot-live.png"
CHROMIUM = os.environ.get("CODEGEN_E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# a test whose output holds markup: the page must show it as text
FAILING_TEST = 'def test_markup():\n    print("<img src=x onerror=alert(1)><b>bold</b>")\n    assert 1 + 1 == 3\n'
STAGE_DELAY = 0.35  # seconds per stage: a phased generation takes about 2 s
BASE_DELAY_MS = 100  # the streaming client's backoff base in the tests
PASSWORD = "correct horse battery"


# ---------------------------------------------------------------- the browser


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Any]:
    if not Path(CHROMIUM).exists():
        message = f"no Chromium at {CHROMIUM} (apt-get install chromium, or set CODEGEN_E2E_CHROMIUM)"
        # in CI a missing browser is a broken install, not a reason to skip
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    async with playwright_async.async_playwright() as pw:
        chromium = await pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            await chromium.close()


@dataclass
class BrowserRequest:
    at: float
    method: str
    url: str

    @property
    def path(self) -> str:
        return re.sub(r"^https?://[^/]+", "", self.url).split("?")[0]


@dataclass
class Tab:
    """A page plus what it asked the network for (seen from the browser)."""

    page: Any
    requests: list[BrowserRequest] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    # what the Content-Security-Policy refused: the client must never need anything it refuses
    csp_violations: list[str] = field(default_factory=list)
    expect_csp_violations: bool = False

    def api_requests(self, since: float = 0.0) -> list[BrowserRequest]:
        return [r for r in self.requests if r.at >= since and "/api/" in r.url]

    def token_requests(self, since: float = 0.0) -> list[BrowserRequest]:
        return [r for r in self.api_requests(since) if r.path.endswith("/stream-token")]

    def stream_requests(self, since: float = 0.0) -> list[BrowserRequest]:
        return [r for r in self.api_requests(since) if r.path.endswith("/stream")]

    async def sign_in(self, server: E2EServer, account: Account) -> None:
        """Put the account's JWT in this tab's sessionStorage, as the sign-in screen does."""
        await self.page.goto(server.url + "/#/login")
        await self.page.evaluate(
            "([token, email]) => { sessionStorage.setItem('codegen.token', token);"
            " sessionStorage.setItem('codegen.email', email); }",
            [account.token, account.email],
        )

    async def open(self, server: E2EServer, route: str) -> None:
        await self.page.goto(server.url + "/" + route)

    async def stale_first_read(self, generation_id: str, **as_it_was: Any) -> None:
        """The page's first GET of the generation answers as it was a moment earlier (``as_it_was``), as a
        slow network would show it; later reads are the server's own."""
        reads = 0

        async def answer(route: Any) -> None:
            nonlocal reads
            reads += 1
            response = await route.fetch()
            body = await response.json()
            if reads == 1:
                body.update(as_it_was)
            await route.fulfill(response=response, json=body)

        await self.page.route(f"**/api/generations/{generation_id}", answer)

    async def screenshot(self, name: str, *, full_page: bool = True) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        await self.page.screenshot(path=str(path), full_page=full_page)
        return path


@pytest.fixture
async def tab(browser: Any) -> AsyncIterator[Tab]:
    context = await browser.new_context(
        viewport={"width": 1280, "height": 900}, accept_downloads=True, locale="en-US", timezone_id="UTC"
    )
    await context.add_init_script(f"window.CODEGEN_STREAM_BASE_DELAY_MS = {BASE_DELAY_MS};")
    page = await context.new_page()
    page.set_default_timeout(15_000)
    t = Tab(page)
    page.on("request", lambda r: t.requests.append(BrowserRequest(time.monotonic(), r.method, r.url)))
    page.on("pageerror", lambda e: t.errors.append(str(e)))
    page.on(
        "console",
        lambda m: t.csp_violations.append(m.text) if "Content Security Policy" in m.text else None,
    )

    async def on_dialog(dialog: Any) -> None:
        t.dialogs.append(dialog.message)
        await dialog.dismiss()

    page.on("dialog", on_dialog)
    try:
        yield t
    finally:
        await context.close()
    assert not t.errors, f"uncaught errors in the page: {t.errors}"
    assert not t.dialogs, f"a dialog opened (did markup from the server run?): {t.dialogs}"
    if not t.expect_csp_violations:
        assert not t.csp_violations, f"the page needed what its Content-Security-Policy refuses: {t.csp_violations}"


# ---------------------------------------------------------------- the app


class ScriptedGenerator:
    """The configured generator, steered by markers in the prompt (see the module docstring)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.name = inner.name

    async def generate(self, request: GenerationRequest, report: Reporter) -> GenerationResult:
        first_stage = STAGES_BY_MODE[request.mode][0]
        if "[hold]" in request.prompt:
            await report(first_stage, 0.05, "Holding for the test")
            await asyncio.sleep(3600)
        if "[fail]" in request.prompt:
            await report(first_stage, 0.1, "About to fail, as asked")
            raise GenerationError("Simulated failure <img src=x onerror=alert(1)>")
        if "[failing tests]" in request.prompt:
            await report(first_stage, 0.1, "Writing a project whose test fails")
            return GenerationResult(files=[GeneratedFile("tests/test_markup.py", FAILING_TEST)])
        return await self.inner.generate(request, report)


@dataclass
class ServedRequest:
    at: float
    method: str
    path: str
    query: str
    status: int


@dataclass
class Account:
    email: str
    token: str


@dataclass
class E2EServer:
    url: str
    app: web.Application
    settings: Any
    requests: list[ServedRequest] = field(default_factory=list)
    # for each coming stream connection: cut it after this many progress events (or, for a negative
    # number, after that many writes of live file content)
    cut_streams: list[int] = field(default_factory=list)
    cuts_done: int = 0

    def served(self, suffix: str, since: float = 0.0) -> list[ServedRequest]:
        return [r for r in self.requests if r.at >= since and r.path.endswith(suffix)]

    async def call(self, method: str, path: str, token: str | None = None, json: Any = None) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        async with (
            aiohttp.ClientSession() as session,
            session.request(method, self.url + path, json=json, headers=headers) as response,
        ):
            if response.content_type == "application/json":
                return response.status, await response.json()
            return response.status, await response.read()

    async def register(self) -> Account:
        email = f"e2e-{uuid.uuid4().hex[:10]}@example.com"
        status, body = await self.call("POST", "/api/auth/register", json={"email": email, "password": PASSWORD})
        assert status == 201, body
        return Account(email, body["access_token"])

    async def generate(self, account: Account, prompt: str, **extra: Any) -> dict[str, Any]:
        status, body = await self.call(
            "POST", "/api/generations/generate", account.token, json={"prompt": prompt, **extra}
        )
        assert status == 201, body
        return body

    async def generation(self, account: Account, generation_id: str) -> dict[str, Any]:
        status, body = await self.call("GET", f"/api/generations/{generation_id}", account.token)
        assert status == 200, body
        return body

    async def wait_for(
        self,
        account: Account,
        generation_id: str,
        statuses: set[str],
        timeout: float = 20.0,
        stage: str | None = None,
    ) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            generation = await self.generation(account, generation_id)
            if generation["status"] in statuses and (stage is None or generation["stage"] == stage):
                return generation
            assert time.monotonic() < deadline, f"still {generation['status']}/{generation['stage']}"
            await asyncio.sleep(0.05)


def _recorder(server: E2EServer) -> Any:
    async def on_prepare(request: web.Request, response: web.StreamResponse) -> None:
        server.requests.append(
            ServedRequest(time.monotonic(), request.method, request.path, request.query_string, response.status)
        )
        if request.path.endswith("/stream") and response.status == 200 and server.cut_streams:
            _cut_after(server, request, response, server.cut_streams.pop(0))

    return on_prepare


def _cut_after(server: E2EServer, request: web.Request, response: web.StreamResponse, events: int) -> None:
    """Drop this stream's connection once `events` progress events went out, as a flaky network would.

    Nothing more is written after the last of them, and the connection closes a moment later
    in the middle of the response (closing in the same instant as the write can make the
    browser discard the bytes it just got; ending the response cleanly would let the browser
    reuse the connection).
    """
    original = response.write
    sent = 0
    transport = request.transport
    cut: asyncio.TimerHandle | None = None

    def close() -> None:
        if transport is not None and not transport.is_closing():
            transport.close()

    async def write(data: bytes) -> None:
        nonlocal sent, cut
        if cut is not None:
            await asyncio.sleep(0.1)
            close()
            raise ConnectionResetError("the test cut this stream")
        await original(data)
        file_content = data.startswith(b"event: file")
        if b"data:" in data and b'"stage":"connected"' not in data.replace(b" ", b"") and file_content == (events < 0):
            sent += 1 if events > 0 else -1
            if sent == events:
                server.cuts_done += 1
                cut = asyncio.get_running_loop().call_later(0.1, close)

    response.write = write  # type: ignore[method-assign]


@contextlib.asynccontextmanager
async def serving(settings: Any) -> AsyncIterator[E2EServer]:
    app = create_app(settings, generator=ScriptedGenerator(build_generator(settings)))
    server = E2EServer(url="", app=app, settings=settings)
    app.on_response_prepare.append(_recorder(server))
    runner = web.AppRunner(app, shutdown_timeout=1.0)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    server.url = f"http://{host}:{port}"
    try:
        yield server
    finally:
        await runner.cleanup()


def e2e_settings(settings: Any, **overrides: Any) -> Any:
    return settings.model_copy(
        update={"stage_delay": STAGE_DELAY, "worker_poll_seconds": 0.5, "log_level": "WARNING", **overrides}
    )


@pytest.fixture
async def e2e_server(settings: Any) -> AsyncIterator[E2EServer]:
    async with serving(e2e_settings(settings)) as server:
        yield server


@pytest.fixture
async def e2e_tested_server(settings: Any, sandbox_cache_dir: Path) -> AsyncIterator[E2EServer]:
    """``e2e_server`` that also runs each generated project's tests in the sandbox."""
    async with serving(e2e_settings(settings, validate_mode="tests", sandbox_cache_dir=sandbox_cache_dir)) as server:
        yield server


def keep_docs_screenshot(path: Path) -> None:
    """docs/screenshot-live.png: written when missing, or refreshed with CODEGEN_UPDATE_SCREENSHOT=1."""
    if not DOCS_SCREENSHOT.exists() or os.environ.get("CODEGEN_UPDATE_SCREENSHOT") == "1":
        DOCS_SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, DOCS_SCREENSHOT)
