"""The client's commands, their output (rich on a terminal, JSON with --json) and exit codes."""

from __future__ import annotations

import argparse
import asyncio
import enum
import getpass
import io
import os
import sys
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any, Self

import aiohttp
import orjson
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TaskProgressColumn, TextColumn
from rich.table import Table
from rich.text import Text

from codegen.client.api import Api, ApiError
from codegen.client.credentials import Credentials
from codegen.client.stream import BASE_DELAY_SECONDS, MAX_RETRIES, Follower, LiveFiles, StreamStopped


class Exit(enum.IntEnum):
    OK = 0
    ERROR = 1  # the server could not be reached, failed (5xx), or the stream gave up reconnecting
    USAGE = 2  # argparse's own
    FAILED = 3  # the generation failed
    CANCELLED = 4  # the generation was cancelled
    REFUSED = 5  # the server refused the request (4xx): not signed in, bad input, not found, rate limited, conflict


COMMANDS = ("register", "login", "generate", "iterate", "watch", "list", "show", "diff")


def add_commands(commands: Any) -> None:
    """The client's subcommands, on the ``codegen`` command's subparsers."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--server", help="the codegen server (default: the one last signed in to, "
                                         "else http://127.0.0.1:8000)")
    common.add_argument("--json", action="store_true", help="print JSON for scripts instead of text")
    follow = argparse.ArgumentParser(add_help=False)
    follow.add_argument("--out", help="unpack the project here (default: a folder named after the project)")
    follow.add_argument("--retry-delay", type=float, default=BASE_DELAY_SECONDS, metavar="SECONDS",
                        help=f"first reconnect delay, doubled each time (at most {MAX_RETRIES} in a row)")

    for name, what in (("register", "create an account and keep its token"),
                       ("login", "sign in and keep the token")):
        sub = commands.add_parser(name, parents=[common], help=what,
                                  description=f"{what.capitalize()} (in ~/.config/codegen/, mode 0600). "
                                              "The password is asked for, or read from stdin when piped.")
        sub.add_argument("email")
    sub = commands.add_parser("generate", parents=[common, follow], help="generate a project, show its progress, "
                              "download it", description="Generate a project: live progress (stage, percent, "
                              "messages, files as they are written), then download and unpack it.")
    sub.add_argument("prompt")
    sub.add_argument("--mode", choices=("phased", "unified"), default="phased")
    sub.add_argument("--project", help="the project's id (default: a similar recent project, or a new one)")
    sub.add_argument("--no-download", action="store_true", help="do not download the files")
    sub = commands.add_parser("iterate", parents=[common, follow], help="change a completed generation")
    sub.add_argument("generation_id")
    sub.add_argument("prompt")
    sub.add_argument("--mode", choices=("phased", "unified"), default="phased")
    sub.add_argument("--no-download", action="store_true", help="do not download the files")
    sub = commands.add_parser("watch", parents=[common, follow], help="follow a generation until it ends")
    sub.add_argument("generation_id")
    sub = commands.add_parser("list", parents=[common], help="your generations, newest first")
    sub.add_argument("--project", help="only this project's")
    sub.add_argument("--status", choices=("pending", "processing", "completed", "failed", "cancelled"))
    sub.add_argument("--limit", type=int, default=20)
    sub = commands.add_parser("show", parents=[common], help="one generation and its files")
    sub.add_argument("generation_id")
    sub = commands.add_parser("diff", parents=[common], help="a generation's unified diff against its parent")
    sub.add_argument("generation_id")
    sub.add_argument("--against", help="compare with this generation instead")


@dataclass
class Io:
    """Where the client reads and writes: the process's streams, or a test's."""

    env: Mapping[str, str]
    stdout: IO[str]
    stderr: IO[str]
    stdin: IO[str]
    cwd: Path = field(default_factory=Path.cwd)


class Context:
    def __init__(self, args: argparse.Namespace, io_: Io) -> None:
        self.args = args
        self.io = io_
        self.json = bool(getattr(args, "json", False))
        # a pipe or a file gets whole lines (rich would otherwise assume 80 columns and cut tables)
        wide = None if io_.stdout.isatty() else 200
        self.out = Console(file=io_.stdout, highlight=False, soft_wrap=True, width=wide)
        self.err = Console(file=io_.stderr, highlight=False, soft_wrap=True)
        self.credentials = Credentials.load(io_.env)
        self.server = (args.server or self.credentials.default_server).rstrip("/")

    def say(self, text: str) -> None:
        """A line for the person at the terminal (stderr, so stdout stays the result)."""
        if not self.json:
            self.err.print(text, markup=False)

    def result(self, data: Any, text: str | Table | None = None) -> None:
        """The command's answer on stdout: ``data`` as JSON with --json, else ``text``."""
        if self.json:
            self.io.stdout.write(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode() + "\n")
        elif isinstance(text, str):
            self.out.print(text, markup=False)  # server-provided text is never rich markup
        elif text is not None:
            self.out.print(text)

    def api(self, session: aiohttp.ClientSession, *, signed_in: bool = True) -> Api:
        token = self.credentials.token(self.server)
        if signed_in and not token:
            raise NotSignedIn(401, f"Not signed in to {self.server}: run `codegen login EMAIL` "
                                   "(or `codegen register EMAIL`)")
        return Api(session, self.server, token)


class NotSignedIn(ApiError):
    """No token for this server (the server was not asked)."""


def main(args: argparse.Namespace, io_: Io | None = None) -> int:
    """Run one parsed client command; its exit code."""
    return asyncio.run(run_args(args, io_ or Io(os.environ, sys.stdout, sys.stderr, sys.stdin)))


async def run_args(args: argparse.Namespace, io_: Io) -> int:
    ctx = Context(args, io_)
    handler = _HANDLERS[args.command]
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=None, sock_connect=10, sock_read=60)) as session:
            return int(await handler(ctx, session))
    except ApiError as exc:
        code = Exit.ERROR if exc.status == 0 or exc.status >= 500 else Exit.REFUSED
        if exc.status == 401 and not isinstance(exc, NotSignedIn) and args.command not in ("login", "register"):
            message = f"{exc.detail}: your session has ended; run `codegen login EMAIL`"
        else:
            message = exc.detail
        _report_error(ctx, message, exc.status, code)
        return int(code)


def _report_error(ctx: Context, message: str, status: int, code: Exit) -> None:
    if ctx.json:
        ctx.result({"error": message, "status": status, "exit_code": int(code)})
    else:
        ctx.err.print(Text("codegen: ", style="bold red") + Text(message))


# ---------------------------------------------------------------- account


def _password(ctx: Context, confirm: bool) -> str:
    if ctx.io.stdin.isatty():
        password = getpass.getpass("Password: ")
        if confirm and getpass.getpass("Again: ") != password:
            raise ApiError(422, "the two passwords differ")
        return password
    return ctx.io.stdin.readline().rstrip("\r\n")


async def _register(ctx: Context, session: aiohttp.ClientSession) -> Exit:
    return await _sign_in(ctx, session, "/api/auth/register")


async def _login(ctx: Context, session: aiohttp.ClientSession) -> Exit:
    return await _sign_in(ctx, session, "/api/auth/login")


async def _sign_in(ctx: Context, session: aiohttp.ClientSession, path: str) -> Exit:
    email = ctx.args.email
    password = _password(ctx, confirm=path.endswith("register"))
    try:
        answer = await ctx.api(session, signed_in=False).request("POST", path, json={"email": email, "password": password})
    except ApiError as exc:
        if exc.status == 409:
            exc.detail += f"; sign in with `codegen login {email}`"
        raise
    ctx.credentials.save(ctx.server, email, answer["access_token"])
    verb = "Registered and signed in" if path.endswith("register") else "Signed in"
    ctx.result(
        {"email": email, "server": ctx.server, "credentials": str(ctx.credentials.path)},
        f"{verb} as {email} on {ctx.server} (token kept in {ctx.credentials.path})",
    )
    return Exit.OK


# ---------------------------------------------------------------- generations


async def _generate(ctx: Context, session: aiohttp.ClientSession) -> Exit:
    api = ctx.api(session)
    body = {"prompt": ctx.args.prompt, "generation_mode": ctx.args.mode, "project_id": ctx.args.project}
    created = await api.request("POST", "/api/generations/generate", json=body)
    ctx.say(f"Generation {created['id']} in project {created['project_name']!r}")
    return await _follow(ctx, api, created["id"], download=not ctx.args.no_download)


async def _iterate(ctx: Context, session: aiohttp.ClientSession) -> Exit:
    api = ctx.api(session)
    body = {"prompt": ctx.args.prompt, "generation_mode": ctx.args.mode, "is_iteration": True,
            "parent_generation_id": ctx.args.generation_id}
    created = await api.request("POST", "/api/generations/generate", json=body)
    ctx.say(f"Iteration {created['id']} of {ctx.args.generation_id}")
    return await _follow(ctx, api, created["id"], download=not ctx.args.no_download)


async def _watch(ctx: Context, session: aiohttp.ClientSession) -> Exit:
    api = ctx.api(session)
    return await _follow(ctx, api, ctx.args.generation_id, download=ctx.args.out is not None)


STAGE_LABELS = {"queued": "Queued", "planning": "Planning", "architecture": "Architecture",
                "generating": "Generating", "reviewing": "Reviewing", "finalizing": "Finalizing",
                "complete": "Complete", "failed": "Failed", "cancelled": "Cancelled"}


class ProgressView:
    """The live display: a bar with the stage and percent (never going down), each message
    above it, each file as it is finished, each reconnect."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.value = 0.0
        self.stage = "queued"
        self.progress: Progress | None = None
        self.files = LiveFiles()

    def __enter__(self) -> Self:
        if not self.ctx.json:
            self.progress = Progress(
                SpinnerColumn(), TextColumn("[bold]{task.fields[stage]:<12}"), BarColumn(), TaskProgressColumn(),
                console=self.ctx.err, transient=False,
            )
            self.task = self.progress.add_task("generation", total=100, stage=STAGE_LABELS[self.stage])
            self.progress.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        if self.progress is not None:
            self.progress.stop()

    def event(self, data: dict[str, Any]) -> None:
        progress = data.get("progress")
        if isinstance(progress, (int, float)):
            self.value = max(self.value, min(float(progress), 1.0))
        connected = data.get("stage") == "connected"
        if not connected and isinstance(data.get("stage"), str):
            self.stage = data["stage"]
        if self.progress is None:
            return
        self.progress.update(self.task, completed=round(self.value * 100, 1),
                             stage=STAGE_LABELS.get(self.stage, self.stage))
        if not connected and data.get("message"):
            line = Text(f"{STAGE_LABELS.get(self.stage, self.stage):>12} ", style="dim") + Text(str(data["message"]))
            self.progress.console.print(line)

    def file(self, event: dict[str, Any]) -> None:
        if self.files.apply(event) and self.progress is not None:
            path = event["path"]
            lines = self.files.texts[path].count("\n")
            self.progress.console.print(Text(f"{'wrote':>12} ", style="green") + Text(f"{path} ({lines} lines)"))

    def waiting(self, attempt: int, delay: float, reason: str) -> None:
        if self.progress is not None:
            self.progress.console.print(
                Text(f"{'':>12} {reason} Reconnecting in {delay:.1f} s (attempt {attempt} of {MAX_RETRIES}).",
                     style="yellow"))


async def _follow(ctx: Context, api: Api, generation_id: str, *, download: bool) -> Exit:
    with ProgressView(ctx) as view:
        follower = Follower(api, generation_id, on_event=view.event, on_file=view.file, on_wait=view.waiting,
                            base_delay=ctx.args.retry_delay)
        try:
            await follower.run()
        except StreamStopped as exc:
            code = Exit.REFUSED if exc.status else Exit.ERROR
            _report_error(ctx, f"{exc} The generation goes on: `codegen watch {generation_id}` follows it again.",
                          exc.status, code)
            return code
    generation = await api.request("GET", f"/api/generations/{generation_id}")
    status = generation["status"]
    result: dict[str, Any] = {"generation": generation, "output_dir": None,
                              "streamed_files": sorted(view.files.done)}
    if status == "completed":
        summary = f"Completed: {len(generation['files'])} files."
        if download:
            folder = await _download(ctx, api, generation_id)
            result["output_dir"] = str(folder)
            summary = f"Completed: {len(generation['files'])} files in {folder}"
        ctx.result(result, summary)
        return Exit.OK
    if status == "failed":
        ctx.result(result)
        ctx.err.print(Text("Failed: ", style="bold red") + Text(str(generation.get("error_message") or "")))
        return Exit.FAILED
    if status == "cancelled":
        ctx.result(result)
        ctx.err.print(Text("Cancelled.", style="yellow"))
        return Exit.CANCELLED
    _report_error(ctx, f"the stream ended but the generation is {status}", 0, Exit.ERROR)
    return Exit.ERROR


async def _download(ctx: Context, api: Api, generation_id: str) -> Path:
    archive_bytes = await api.request("GET", f"/api/generations/{generation_id}/download")
    with zipfile.ZipFile(io.BytesIO(archive_bytes)) as archive:
        names = [n for n in archive.namelist() if not n.endswith("/")]
        top = {PurePosixPath(n).parts[0] for n in names}
        strip = top.pop() if len(top) == 1 and all("/" in n for n in names) else ""
        target = (ctx.io.cwd / (ctx.args.out or strip or f"generation-{generation_id[:8]}")).resolve()
        for name in names:
            relative = PurePosixPath(name).relative_to(strip) if strip else PurePosixPath(name)
            destination = (target / relative).resolve()
            if not destination.is_relative_to(target):
                raise ApiError(0, f"the archive holds a path outside its folder: {name}")
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_bytes(archive.read(name))
    return target


# ---------------------------------------------------------------- reading


async def _list(ctx: Context, session: aiohttp.ClientSession) -> Exit:
    params = {"limit": str(ctx.args.limit)}
    if ctx.args.project:
        params["project_id"] = ctx.args.project
    if ctx.args.status:
        params["status"] = ctx.args.status
    page = await ctx.api(session).request("GET", "/api/generations", params=params)
    table = Table(box=None)
    # the id whole (scripts and the other commands take it); the prompt shortened to fit
    table.add_column("id", no_wrap=True, min_width=36)
    table.add_column("status", no_wrap=True, min_width=10)
    table.add_column("progress", no_wrap=True, justify="right", min_width=8)
    table.add_column("project", no_wrap=True, overflow="ellipsis", max_width=20)
    table.add_column("prompt", no_wrap=True, overflow="ellipsis", ratio=1, min_width=12)
    table.add_column("created (UTC)", no_wrap=True, min_width=16)
    for g in page["items"]:
        table.add_row(g["id"], g["status"], f"{round(g['progress'] * 100)}%", Text(g["project_name"]),
                      Text(g["prompt"]), g["created_at"][:16].replace("T", " "))
    ctx.result(page, table if page["items"] else "No generations yet.")
    return Exit.OK


async def _show(ctx: Context, session: aiohttp.ClientSession) -> Exit:
    g = await ctx.api(session).request("GET", f"/api/generations/{ctx.args.generation_id}")
    facts = Table.grid(padding=(0, 2))
    for key in ("id", "status", "stage", "progress", "message", "error_message", "project_name", "generation_mode",
                "prompt", "parent_generation_id", "created_at", "completed_at"):
        value = g.get(key)
        if value is None:
            continue
        facts.add_row(Text(key, style="bold"), Text(f"{round(value * 100)}%" if key == "progress" else str(value)))
    for f in g["files"]:
        facts.add_row(Text("file", style="bold"), Text(f"{f['path']} ({f['language']}, {f['size']} bytes)"))
    ctx.result(g, facts)
    return Exit.OK


async def _diff(ctx: Context, session: aiohttp.ClientSession) -> Exit:
    params = {"against": ctx.args.against} if ctx.args.against else None
    text = await ctx.api(session).request("GET", f"/api/generations/{ctx.args.generation_id}/diff", params=params)
    if ctx.json:
        ctx.result({"diff": text})
    else:
        ctx.io.stdout.write(text)  # as is: for a pager, a file or `git apply`
    return Exit.OK


_HANDLERS = {
    "register": _register, "login": _login, "generate": _generate, "iterate": _iterate, "watch": _watch,
    "list": _list, "show": _show, "diff": _diff,
}
