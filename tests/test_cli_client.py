"""The command-line client against real servers on loopback: accounts, generate with live progress
and download, the stream rules (a stream cut mid-way, 429, a finished generation), `event: file`,
list/show/diff, --json and the exit codes."""

from __future__ import annotations

import asyncio
import io
import stat
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import orjson
import pytest
from aiohttp import web

from codegen.cli import _parser
from codegen.client.commands import Context, Exit, Io, ProgressView, run_args
from codegen.client.stream import LiveFiles, backoff_delay
from codegen.generators.base import GenerationError
from tests.conftest import Server, ServerFactory
from tests.helpers import ApiClient, FailingGenerator, GatedGenerator

PASSWORD = "correct horse"
PROMPT = "Create a REST API for a library"


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def json(self) -> Any:
        return orjson.loads(self.out)


Cli = Callable[..., Awaitable[Result]]


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def cli(tmp_path: Path, home: Path) -> Cli:
    """``await cli("generate", "...", stdin="...")``: one client command, in this test's own HOME."""
    env = {"HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config")}

    async def run(*argv: str, stdin: str = "") -> Result:
        args = _parser().parse_args(list(argv))
        out, err = io.StringIO(), io.StringIO()
        code = await run_args(args, Io(env, out, err, io.StringIO(stdin), cwd=tmp_path))
        return Result(code, out.getvalue(), err.getvalue())

    return run


@pytest.fixture
async def working(make_server: ServerFactory) -> Server:
    """A server that runs generations, slowly enough that a stream sees every stage."""
    return await make_server(stage_delay=0.05, generate_rate_limit=0)


def new_email() -> str:
    # the tests share one database: an account of each test's own
    return f"ada-{uuid.uuid4().hex[:10]}@example.com"


async def signed_in(cli: Cli, server: Server | str, email: str | None = None) -> str:
    email = email or new_email()
    url = server if isinstance(server, str) else server.url
    result = await cli("register", "--server", url, email, stdin=PASSWORD + "\n")
    assert result.code == Exit.OK, result
    return email


# ---------------------------------------------------------------- accounts


async def test_register_and_login_keep_a_private_token(
    cli: Cli, working: Server, home: Path, http: aiohttp.ClientSession
) -> None:
    ada = new_email()
    registered = await cli("register", "--server", working.url, ada, stdin=PASSWORD + "\n")
    assert registered.code == Exit.OK, registered
    assert f"Registered and signed in as {ada}" in registered.out
    credentials = home / ".config" / "codegen" / "credentials.json"
    assert stat.S_IMODE(credentials.stat().st_mode) == 0o600
    assert stat.S_IMODE(credentials.parent.stat().st_mode) == 0o700
    saved = orjson.loads(credentials.read_bytes())
    assert saved["default_server"] == working.url
    token = saved["servers"][working.url]["token"]
    me = await ApiClient(http, working.url, token=token).call("GET", "/api/auth/me")
    assert (me.status, me.body["email"]) == (200, ada)

    again = await cli("register", "--server", working.url, ada, stdin=PASSWORD + "\n")
    assert again.code == Exit.REFUSED
    assert f"Email already registered; sign in with `codegen login {ada}`" in again.err
    wrong = await cli("login", ada, stdin="not the password\n")
    assert (wrong.code, wrong.err.strip()) == (Exit.REFUSED, "codegen: Invalid email or password")
    login = await cli("login", "--json", ada, stdin=PASSWORD + "\n")
    assert login.code == Exit.OK
    assert login.json == {"email": ada, "server": working.url, "credentials": str(credentials)}
    assert stat.S_IMODE(credentials.stat().st_mode) == 0o600


async def test_without_a_token_the_client_says_how_to_sign_in(cli: Cli, working: Server, home: Path) -> None:
    result = await cli("list", "--server", working.url)
    assert result.code == Exit.REFUSED
    assert f"Not signed in to {working.url}: run `codegen login EMAIL`" in result.err
    # a token the server no longer takes (expired, another secret): the same advice
    config = home / ".config" / "codegen"
    config.mkdir(parents=True)
    (config / "credentials.json").write_bytes(orjson.dumps(
        {"default_server": working.url, "servers": {working.url: {"email": "a@example.com", "token": "expired"}}}))
    expired = await cli("list")
    assert (expired.code, expired.err.strip()) == (
        Exit.REFUSED, "codegen: Not authenticated: your session has ended; run `codegen login EMAIL`")


async def test_an_unreachable_server_is_an_error_not_a_refusal(cli: Cli, working: Server) -> None:
    await signed_in(cli, working)
    await working.stop()
    result = await cli("list")
    assert result.code == Exit.ERROR
    assert f"cannot reach {working.url}" in result.err


# ---------------------------------------------------------------- generate


async def test_generate_shows_progress_and_leaves_the_project_in_a_folder(
    cli: Cli, working: Server, tmp_path: Path, http: aiohttp.ClientSession
) -> None:
    email = await signed_in(cli, working)
    result = await cli("generate", PROMPT, "--out", "library")
    assert result.code == Exit.OK, result
    folder = tmp_path / "library"
    assert "Completed: " in result.out and str(folder) in result.out
    # the stages and their messages, in order, then the end
    shown = [line.split()[0] for line in result.err.splitlines() if line.strip()]
    for stage in ("Planning", "Architecture", "Generating", "Reviewing", "Finalizing", "Complete"):
        assert stage in shown, (stage, result.err)
    assert shown.index("Planning") < shown.index("Generating") < shown.index("Complete")
    assert "100%" in result.err

    listed = await cli("list", "--json")
    generation_id = listed.json["items"][0]["id"]
    api = await as_user(http, working, email)
    files = (await api.call("GET", f"/api/generations/{generation_id}/files")).body["files"]
    on_disk = {str(p.relative_to(folder)): p.read_text() for p in folder.rglob("*") if p.is_file()}
    assert on_disk == {f["path"]: f["content"] for f in files}
    assert "app/main.py" in on_disk and "tests/conftest.py" in on_disk


async def test_generate_json_is_one_document_for_scripts(cli: Cli, working: Server, tmp_path: Path) -> None:
    await signed_in(cli, working)
    result = await cli("generate", "--json", "--mode", "unified", PROMPT, "--out", "out")
    assert result.code == Exit.OK, result
    assert result.err == ""
    document = result.json
    assert document["generation"]["status"] == "completed"
    assert document["generation"]["generation_mode"] == "unified"
    assert document["output_dir"] == str(tmp_path / "out")
    assert sorted(p.name for p in (tmp_path / "out").iterdir())


async def test_a_failed_generation_exits_3(cli: Cli, make_server: ServerFactory) -> None:
    failing = await make_server(generator=FailingGenerator(GenerationError("The model endpoint answered 401")))
    await signed_in(cli, failing)
    failed = await cli("generate", PROMPT, "--no-download")
    assert failed.code == Exit.FAILED
    assert "Failed: The model endpoint answered 401" in failed.err


# (one working server per test: servers of one test share the database, and any of their workers
# may claim a generation)
async def test_a_cancelled_generation_exits_4(
    cli: Cli, make_server: ServerFactory, http: aiohttp.ClientSession
) -> None:
    gated = GatedGenerator()
    held = await make_server(generator=gated)
    grace = await signed_in(cli, held)
    running = asyncio.create_task(cli("generate", "--json", PROMPT))
    await gated.started.wait()
    listed = await cli("list", "--json", "--status", "processing")
    [generation] = listed.json["items"]
    api = await as_user(http, held, grace)
    assert (await api.call("POST", f"/api/generations/{generation['id']}/cancel")).status == 200
    cancelled = await running
    assert cancelled.code == Exit.CANCELLED
    assert cancelled.json["generation"]["status"] == "cancelled"


async def test_watching_a_finished_generation_reads_it_with_get(cli: Cli, working: Server, tmp_path: Path) -> None:
    await signed_in(cli, working)
    done = await cli("generate", "--json", PROMPT, "--no-download")
    generation_id = done.json["generation"]["id"]
    # the token request answers 400 (already completed): not an error, the result is read with GET
    watched = await cli("watch", generation_id, "--out", "again")
    assert watched.code == Exit.OK, watched
    assert (tmp_path / "again" / "app" / "main.py").is_file()


async def as_user(http: aiohttp.ClientSession, server: Server, email: str) -> ApiClient:
    """The same account, through the API directly (to set up what the client then meets)."""
    answer = await ApiClient(http, server.url).call("POST", "/api/auth/login", {"email": email, "password": PASSWORD})
    assert answer.status == 200, answer.body
    return ApiClient(http, server.url, token=answer.body["access_token"], email=email)


async def test_a_rate_limited_stream_stops_with_the_servers_message(
    cli: Cli, make_server: ServerFactory, http: aiohttp.ClientSession
) -> None:
    idle = await make_server(worker=False, stream_token_rate_limit=1)
    api = await as_user(http, idle, await signed_in(cli, idle))
    pending = await api.generate(PROMPT)
    assert (await api.stream_token(pending["id"])).status == 200  # the minute's one token
    watched = await cli("watch", pending["id"])
    assert watched.code == Exit.REFUSED
    assert "Too many token requests. Maximum 1 requests per minute." in watched.err
    assert f"`codegen watch {pending['id']}`" in watched.err


# ---------------------------------------------------------------- a stream cut mid-way


@dataclass
class CuttingProxy:
    """A real HTTP proxy in front of a server: it forwards everything, and drops the first stream
    connections after a number of progress events each, as a flaky network would."""

    upstream: str
    cuts: list[int]
    url: str = ""
    token_requests: int = 0
    last_event_ids: list[str | None] = field(default_factory=list)
    sent_ids: list[list[int]] = field(default_factory=list)
    refuse_streams: bool = False

    async def handle(self, request: web.Request) -> web.StreamResponse:
        headers = {k: v for k, v in request.headers.items()
                   if k in ("Authorization", "Content-Type", "Last-Event-ID")}
        if request.path.endswith("/stream-token"):
            self.token_requests += 1
        if request.path.endswith("/stream") and self.refuse_streams:
            return web.json_response({"detail": "Bad Gateway"}, status=502)
        async with aiohttp.ClientSession() as session, session.request(
            request.method, self.upstream + request.path_qs, headers=headers, data=await request.read()
        ) as upstream:
            if not request.path.endswith("/stream") or upstream.status != 200:
                body = await upstream.read()
                return web.Response(body=body, status=upstream.status,
                                    headers={"Content-Type": upstream.headers.get("Content-Type", "text/plain")})
            self.last_event_ids.append(request.headers.get("Last-Event-ID"))
            ids: list[int] = []
            self.sent_ids.append(ids)
            limit = self.cuts.pop(0) if self.cuts else None
            response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
            await response.prepare(request)
            buffer = b""
            async for chunk in upstream.content.iter_any():
                buffer += chunk
                *frames, buffer = buffer.split(b"\n\n")
                for frame in frames:
                    await response.write(frame + b"\n\n")
                    if frame.startswith(b"id: ") and b'"stage":"connected"' not in frame:
                        ids.append(int(frame.split(b"\n")[0][4:]))
                        if limit is not None and len(ids) >= limit:
                            assert request.transport is not None
                            request.transport.close()  # mid-stream: no terminal event, no clean end
                            return response
            return response


@pytest.fixture
async def proxy_factory() -> AsyncIterator[Callable[[str, list[int]], Awaitable[CuttingProxy]]]:
    runners: list[web.AppRunner] = []

    async def start(upstream: str, cuts: list[int]) -> CuttingProxy:
        proxy = CuttingProxy(upstream, cuts)
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", proxy.handle)
        runner = web.AppRunner(app, shutdown_timeout=1)
        await runner.setup()
        runners.append(runner)
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        proxy.url = f"http://127.0.0.1:{runner.addresses[0][1]}"
        return proxy

    yield start
    for runner in runners:
        await runner.cleanup()


async def test_a_stream_cut_mid_way_resumes_with_a_new_token_and_last_event_id(
    cli: Cli, make_server: ServerFactory, proxy_factory: Any, tmp_path: Path
) -> None:
    server = await make_server(stage_delay=0.15, generate_rate_limit=0)
    proxy = await proxy_factory(server.url, [2, 2])
    await signed_in(cli, proxy.url)
    result = await cli("generate", PROMPT, "--retry-delay", "0.05", "--out", "cut")
    assert result.code == Exit.OK, result
    assert result.err.count("Reconnecting in") == 2, result.err
    # one token per connection; each resume asks for what came after the last event it got
    assert proxy.token_requests == len(proxy.sent_ids) == 3
    assert proxy.last_event_ids[0] is None
    for before, asked in zip(proxy.sent_ids, proxy.last_event_ids[1:]):
        assert asked == str(before[-1])
    # every event once, in order, across the three connections
    seen = [i for ids in proxy.sent_ids for i in ids]
    assert seen == list(range(seen[0], seen[0] + len(seen)))
    assert result.err.count("Generation complete") == 1
    assert (tmp_path / "cut" / "app" / "main.py").is_file()


async def test_the_client_gives_up_after_five_retries(
    cli: Cli, make_server: ServerFactory, proxy_factory: Any, http: aiohttp.ClientSession
) -> None:
    idle = await make_server(worker=False, stream_token_rate_limit=0)
    proxy = await proxy_factory(idle.url, [])
    proxy.refuse_streams = True
    pending = await (await as_user(http, idle, await signed_in(cli, proxy.url))).generate(PROMPT)
    result = await cli("watch", pending["id"], "--retry-delay", "0.01")
    assert result.code == Exit.ERROR
    assert "The server refused the stream (502). Gave up after 5 attempts to reconnect." in result.err
    assert proxy.token_requests == 6  # the first connection and five retries, a new token each


# ---------------------------------------------------------------- event: file


async def test_file_events_are_assembled_and_shown(cli: Cli, tmp_path: Path, home: Path) -> None:
    """The server does not send `event: file` yet (shared/API.md "Live file content"); a small real
    server that does shows the client's side: deltas, a resume that resends from offset 0, done."""
    gid = "0c9055c8-4f2c-4c1e-9d3a-5b8f9a2e1d77"
    content = "from aiohttp import web\n\napp = web.Application()\n"

    def frame(data: dict[str, Any], *, event: str | None = None, event_id: int | None = None) -> bytes:
        head = (f"event: {event}\n" if event else "") + (f"id: {event_id}\n" if event_id is not None else "")
        return (head + "data: " + orjson.dumps(data).decode() + "\n\n").encode()

    def progress(seq: int, status: str, stage: str, value: float, message: str) -> bytes:
        return frame({"generation_id": gid, "status": status, "stage": stage, "progress": value,
                      "message": message, "timestamp": 1.0}, event_id=seq)

    connections: list[str | None] = []

    async def token(_request: web.Request) -> web.Response:
        return web.json_response({"sse_token": "t", "expires_in": 60, "generation_id": gid,
                                  "stream_url": f"/api/generations/generate/{gid}/stream"})

    async def stream(request: web.Request) -> web.StreamResponse:
        connections.append(request.headers.get("Last-Event-ID"))
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        await response.write(progress(0, "processing", "connected", 0.3, "Stream connected"))
        if len(connections) == 1:
            await response.write(progress(1, "processing", "generating", 0.3, "Writing app/main.py"))
            await response.write(frame({"path": "app/main.py", "offset": 0, "text": content[:10], "done": False},
                                       event="file"))
            await response.write(frame({"path": "app/main.py", "offset": 10, "text": content[10:30], "done": False},
                                       event="file"))
            assert request.transport is not None
            request.transport.close()  # cut mid-file
            return response
        # the resume: the file so far from offset 0 (partly known already), then the rest and done
        await response.write(frame({"path": "app/main.py", "offset": 0, "text": content[:30], "done": False},
                                   event="file"))
        await response.write(frame({"path": "app/main.py", "offset": 20, "text": content[20:], "done": True},
                                   event="file"))
        await response.write(frame({"path": "README.md", "offset": 0, "text": "# hi\n", "done": True}, event="file"))
        await response.write(progress(2, "completed", "complete", 1.0, "Generation complete"))
        return response

    async def generation(_request: web.Request) -> web.Response:
        return web.json_response({"id": gid, "status": "completed", "files": [
            {"path": "README.md", "language": "markdown", "size": 5},
            {"path": "app/main.py", "language": "python", "size": len(content)}]})

    app = web.Application()
    app.router.add_post(f"/api/generations/generate/{gid}/stream-token", token)
    app.router.add_get(f"/api/generations/generate/{gid}/stream", stream)
    app.router.add_get(f"/api/generations/{gid}", generation)
    runner = web.AppRunner(app, shutdown_timeout=1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        config = home / ".config" / "codegen"
        config.mkdir(parents=True)
        (config / "credentials.json").write_bytes(orjson.dumps(
            {"default_server": url, "servers": {url: {"email": "a@example.com", "token": "x"}}}))
        result = await cli("watch", gid, "--retry-delay", "0.01")
        as_json = await cli("watch", gid, "--json", "--retry-delay", "0.01")
    finally:
        await runner.cleanup()
    assert result.code == Exit.OK, result
    assert connections[:2] == [None, "1"]
    wrote = [line.split(None, 1)[1] for line in result.err.splitlines() if line.strip().startswith("wrote")]
    assert wrote == [f"app/main.py ({content.count(chr(10))} lines)", "README.md (1 lines)"]
    assert as_json.json["streamed_files"] == ["README.md", "app/main.py"]


def test_live_files_follow_the_offset_rules() -> None:
    files = LiveFiles()
    assert not files.apply({"path": "a.py", "offset": 0, "text": "abc", "done": False})
    assert not files.apply({"path": "a.py", "offset": 3, "text": "def", "done": False})
    assert not files.apply({"path": "a.py", "offset": 2, "text": "cdefg", "done": False})  # overlap: the new part
    assert not files.apply({"path": "a.py", "offset": 1, "text": "bc", "done": False})  # all known: skipped
    assert not files.apply({"path": "a.py", "offset": 99, "text": "gap", "done": False})  # a gap: ignored
    assert files.texts["a.py"] == "abcdefg"
    assert files.apply({"path": "a.py", "offset": 7, "text": "\n", "done": True})
    assert not files.apply({"path": "a.py", "offset": 8, "text": "", "done": True})  # done once
    assert files.apply({"path": "a.py", "offset": 0, "text": "new\n", "done": True})  # offset 0 replaces
    assert files.texts == {"a.py": "new\n"}


def test_backoff_grows_like_the_browser_clients() -> None:
    low = [backoff_delay(n, 1.0, lambda: 0.0) for n in range(1, 6)]
    high = [backoff_delay(n, 1.0, lambda: 0.999999) for n in range(1, 6)]
    assert low == [0.8, 1.6, 3.2, 6.4, 12.8]
    assert [round(h, 3) for h in high] == [1.2, 2.4, 4.8, 9.6, 19.2]


# ---------------------------------------------------------------- reading


async def test_iterate_list_show_and_diff(cli: Cli, working: Server, tmp_path: Path) -> None:
    await signed_in(cli, working)
    parent = (await cli("generate", "--json", PROMPT, "--no-download")).json["generation"]
    child = await cli("iterate", "--json", parent["id"], "Add a search endpoint to the API", "--no-download")
    assert child.code == Exit.OK, child
    iteration = child.json["generation"]
    assert iteration["parent_generation_id"] == parent["id"]

    listed = await cli("list")
    assert listed.code == Exit.OK
    assert parent["id"] in listed.out and iteration["id"] in listed.out
    assert listed.out.index(iteration["id"]) < listed.out.index(parent["id"])  # newest first

    shown = await cli("show", iteration["id"])
    assert "completed" in shown.out and "app/main.py (python" in shown.out
    assert (await cli("show", "--json", iteration["id"])).json["id"] == iteration["id"]

    diff = await cli("diff", iteration["id"])
    assert diff.code == Exit.OK
    assert diff.out.startswith("--- a/") and "+++ b/" in diff.out
    assert (await cli("diff", "--json", iteration["id"])).json == {"diff": diff.out}
    # no parent: the server's 400, as a refusal
    refused = await cli("diff", parent["id"])
    assert refused.code == Exit.REFUSED
    assert "Generation has no parent" in refused.err
    missing = await cli("show", "--json", "0c9055c8-4f2c-4c1e-9d3a-5b8f9a2e1d77")
    assert missing.code == Exit.REFUSED
    assert missing.json == {"error": "Generation not found", "status": 404, "exit_code": 5}


def test_progress_never_goes_down_after_connected(tmp_path: Path) -> None:
    """`connected` carries the current progress; the replay after it starts lower."""
    args = _parser().parse_args(["watch", "--json", "0c9055c8-4f2c-4c1e-9d3a-5b8f9a2e1d77"])
    ctx = Context(args, Io({"HOME": str(tmp_path)}, io.StringIO(), io.StringIO(), io.StringIO(), cwd=tmp_path))
    shown = []
    with ProgressView(ctx) as view:
        for stage, value in (("connected", 0.3), ("planning", 0.0), ("planning", 0.1), ("architecture", 0.3),
                             ("generating", 0.5)):
            view.event({"status": "processing", "stage": stage, "progress": value, "message": stage})
            shown.append((view.stage, view.value))
    assert shown == [("queued", 0.3), ("planning", 0.3), ("planning", 0.3), ("architecture", 0.3),
                     ("generating", 0.5)]
