"""Every shell block of the README, run as written against a fresh server.

What is substituted, and why: the server listens on a free port instead of 8000 (other test
runs share this machine), and `.venv/bin/…` is this test run's interpreter (the README's
`.venv` is the one its first line creates; making one here would mean a network install).
The "Test it" line cannot run pytest inside pytest: .ci/run runs it, exactly, and a test
checks that.
"""

from __future__ import annotations

import ast
import asyncio
import os
import re
import signal
import stat
import sys
import uuid
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp
import orjson
import pytest

from tests.hardening import ROOT, ServeProcess, free_port

pytestmark = pytest.mark.slow

README = ROOT / "README.md"
RUN_IT = "python3 -m venv .venv && .venv/bin/pip install -e . && .venv/bin/python run.py"


def shell_blocks() -> dict[str, str]:
    """Each ```sh block of the README, by the heading it stands under."""
    blocks: dict[str, str] = {}
    heading = ""
    lines = README.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        if lines[i].startswith("## "):
            heading = lines[i][3:].strip()
        if lines[i].strip() == "```sh":
            end = lines.index("```", i + 1)
            assert heading not in blocks, f"two shell blocks under {heading!r}"
            blocks[heading] = "\n".join(lines[i + 1 : end]) + "\n"
            i = end
        i += 1
    return blocks


def clean_env(**extra: str) -> dict[str, str]:
    """This machine's environment without the service's settings: as a new user's shell."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("CODEGEN_") and k not in ("DATABASE_URL", "XDG_RUNTIME_DIR", "XDG_CONFIG_HOME")}
    env.update(extra)
    return env


def test_every_shell_block_is_run_by_these_tests() -> None:
    assert set(shell_blocks()) == {"Run it", "Test it", "A session with curl", "The command-line client"}


def test_ci_runs_the_readme_test_command_exactly_as_written() -> None:
    [line] = shell_blocks()["Test it"].splitlines()
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert line in ci, ".ci/run must run the README's test command as written"
    before = ci[: ci.index(line)]
    # with no DATABASE_URL, so the embedded server, as a new user's machine has it
    assert "unset DATABASE_URL" in [b.strip() for b in before]
    assert not [b for b in before if re.match(r"\s*(export\s+)?DATABASE_URL=", b)]
    assert os.access(ROOT / ".ci" / "run", os.X_OK)


async def test_run_it_serves_with_an_embedded_database_and_says_where(tmp_path: Path,
                                                                   http: aiohttp.ClientSession) -> None:
    [line] = shell_blocks()["Run it"].splitlines()
    assert line == RUN_IT
    port = free_port()
    command = line.rsplit("&& ", 1)[1].replace(".venv/bin/python", sys.executable).split() + ["--port", str(port)]
    data = tmp_path / "data"
    process = await asyncio.create_subprocess_exec(
        *command, cwd=ROOT, env=clean_env(CODEGEN_DATA_DIR=str(data)),
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    assert process.stderr is not None
    lines: list[str] = []
    running = f"codegen is running at http://127.0.0.1:{port}"
    try:
        async with asyncio.timeout(90):
            while not any(running in entry for entry in lines):
                raw = await process.stderr.readline()
                assert raw, f"run.py exited:\n{''.join(lines)}"
                lines.append(raw.decode())
        async with http.get(f"http://127.0.0.1:{port}/api/health") as health:
            assert health.status == 200
        async with http.get(f"http://127.0.0.1:{port}/api/docs") as docs:
            assert docs.status == 200
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        rest, _ = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0
    stderr = [orjson.loads(entry) for entry in lines]  # not a terminal: JSON lines
    # one clear line, near the top, and nothing unreadable before it
    assert [e["msg"] for e in stderr].count(running) == 1
    assert len(stderr) <= 10, lines
    assert max(len(entry) for entry in lines) < 400, max(lines, key=len)
    assert stderr[0]["msg"] == "embedded PostgreSQL 18 ready"
    assert not [e for e in stderr if e["level"] not in ("info", "warning")]
    # the one warning is the development JWT secret; no stray library warnings
    assert [e["msg"].split(":")[0] for e in stderr if e["level"] == "warning"] == ["CODEGEN_JWT_SECRET is not set"]
    assert "XDG_RUNTIME_DIR" not in "".join(lines)
    # the embedded server's own output is in the data folder
    assert "initdb" in (data / "embedded-postgres.log").read_text() or (data / "pgdata" / "log").exists()
    assert (data / "pgdata" / "log").exists()
    assert rest == b""


@pytest.fixture
async def readme_server(fresh_database_url: str, tmp_path: Path, http: aiohttp.ClientSession):
    # a stage delay, as the README suggests, so the stream has stages to show while it runs
    server = ServeProcess.start(fresh_database_url, tmp_path, "readme", stage_delay=0.3,
                                jwt_secret="readme-" + uuid.uuid4().hex)
    try:
        await server.wait_ready(http)
        yield server
    finally:
        server.stop()


async def run_block(block: str, server: ServeProcess, cwd: Path, env: dict[str, str],
                    stdin: bytes = b"") -> tuple[str, str]:
    script = block.replace("127.0.0.1:8000", urlsplit(server.url).netloc)
    cwd.mkdir(parents=True, exist_ok=True)
    process = await asyncio.create_subprocess_exec(
        "bash", "-e", "-c", script, cwd=cwd, env=env,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(stdin), 120)
    assert process.returncode == 0, f"exit {process.returncode}\n{out.decode()}\n{err.decode()}\n{server.tail()}"
    return out.decode(), err.decode()


def numbered_and_file_events(out: str) -> tuple[list[dict], list[dict]]:
    """The stream's unnamed (progress) events and its named `event: file` ones, from curl's output."""
    numbered: list[dict] = []
    named: list[dict] = []
    name = None
    for line in out.splitlines():
        if line.startswith("event: "):
            name = line[len("event: "):]
        elif line.startswith("data: "):
            (named if name == "file" else numbered).append(orjson.loads(line[len("data: "):]))
        elif not line:
            name = None
    return numbered, named


async def test_the_curl_session_runs_as_written_and_again(readme_server: ServeProcess, tmp_path: Path) -> None:
    block = shell_blocks()["A session with curl"]
    work = tmp_path / "curl"
    for run in (1, 2):
        out, err = await run_block(block, readme_server, work, clean_env())
        # sign up the first time; the second time the account exists, and signing in still works
        assert ('"email":"ada@example.com"' in out) == (run == 1), out[:300]
        assert ('{"detail":"Email already registered"}' in out) == (run == 2), out[:300]
        # the stream while it runs: connected, every stage, then the end
        events, files = numbered_and_file_events(out)
        assert files, "the stream carries the files as they are written (event: file)"
        stages = [e["stage"] for e in events]
        assert stages[0] == "connected"
        assert [s for s in ("planning", "architecture", "generating", "reviewing", "finalizing") if s in stages] == [
            "planning", "architecture", "generating", "reviewing", "finalizing"], stages
        assert stages[-1] == "complete"
        progress = [e["progress"] for e in events[1:]]
        assert progress == sorted(progress)
        # then GET, files, download and the OpenAPI pointer
        assert '"status":"completed"' in out
        with zipfile.ZipFile(work / "project.zip") as archive:
            names = archive.namelist()
        assert any(n.endswith("app/main.py") for n in names), names
        assert re.search(r"^\d+ paths in the OpenAPI document$", out, re.MULTILINE)
        assert "Cannot stream" not in err


async def test_the_cli_session_runs_as_written(readme_server: ServeProcess, tmp_path: Path) -> None:
    block = shell_blocks()["The command-line client"]
    assert ".venv/bin/codegen" in block
    block = block.replace(".venv/bin/codegen", f"{sys.executable} -m codegen")
    home = tmp_path / "home"
    work = tmp_path / "cli"
    env = clean_env(HOME=str(home), PYTHONPATH=str(ROOT))
    out, err = await run_block(block, readme_server, work, env, stdin=b"correct horse\n")
    assert "Registered and signed in as grace@example.com" in out
    credentials = home / ".config" / "codegen" / "credentials.json"
    assert stat.S_IMODE(credentials.stat().st_mode) == 0o600
    # progress: the stages, the percent, the files as they were written (when the server streams them)
    for stage in ("Planning", "Generating", "Finalizing", "Complete"):
        assert stage in err, err
    assert "100%" in err
    project = work / "library-api"
    assert "Completed: " in out and str(project) in out
    python_files = list(project.rglob("*.py"))
    assert project / "app" / "main.py" in python_files
    for path in python_files:  # parsed, never run (generated code runs only in the sandbox)
        ast.parse(path.read_text(), str(path))
    assert re.search(r"^ ?[0-9a-f-]{36} +completed +100%", out, re.MULTILINE), out
