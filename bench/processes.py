"""The processes a scenario starts: the service and the bare baseline on free ports, ready when
healthy, stopped at the end; and py-spy on one of them when asked."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from bench.progress import log
from bench.workload import JWT_SECRET

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def child_env(**extra: str) -> dict[str, str]:
    """This process's environment for a child that imports from this checkout (``python -m ...``)."""
    return {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""), **extra}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Proc:
    name: str
    process: asyncio.subprocess.Process
    log_path: Path
    port: int | None = None

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def stop(self, timeout: float = 15.0, graceful: bool = False) -> None:
        """SIGKILL by default: the benchmark's databases are thrown away, and a graceful stop costs seconds."""
        if self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(signal.SIGTERM if graceful else signal.SIGKILL)
            try:
                await asyncio.wait_for(self.process.wait(), timeout)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    self.process.kill()
                await self.process.wait()

    def tail(self, lines: int = 20) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        return ""


@dataclass
class Launcher:
    """Starts servers and load generators; stops whatever is still running at the end."""

    workdir: Path
    running: list[Proc] = field(default_factory=list)

    def server_env(self, dsn: str, **settings: Any) -> dict[str, str]:
        env = child_env(
            DATABASE_URL=dsn,
            CODEGEN_JWT_SECRET=JWT_SECRET,
            CODEGEN_DATA_DIR=str(self.workdir / "data"),
            # a server's temporary files (its CPU pool's forkserver socket folder, left behind when the
            # server is killed) go in the run's folder, which the run removes
            TMPDIR=str(self.workdir),
            CODEGEN_GENERATE_RATE_LIMIT="0",
            CODEGEN_STREAM_TOKEN_RATE_LIMIT="0",
            # the load comes from a few users and one address: quotas and per-address limits off, except
            # the open-stream limit, set above any scenario's streams so each stream pays for its slot
            CODEGEN_MAX_ACTIVE_GENERATIONS="0",
            CODEGEN_MAX_STREAMS_PER_USER="1000000",
            CODEGEN_REGISTER_RATE_LIMIT="0",
            CODEGEN_LOGIN_ADDRESS_FREE_ATTEMPTS="0",
            CODEGEN_LOG_LEVEL="WARNING",
            CODEGEN_LOG_FORMAT="text",
            # the scenarios measure the service's own path; the sandbox scenario turns tests on
            CODEGEN_VALIDATE="syntax",
        )
        for key, value in settings.items():
            env["CODEGEN_" + key.upper()] = str(value)
        return env

    async def _spawn(self, name: str, argv: list[str], env: dict[str, str], port: int | None) -> Proc:
        log_path = self.workdir / f"{name}-{len(self.running)}.log"
        out = open(log_path, "wb")  # noqa: SIM115, ASYNC230 - handed to the child
        process = await asyncio.create_subprocess_exec(
            *argv, cwd=str(REPO), env=env, stdout=out, stderr=asyncio.subprocess.STDOUT, stdin=asyncio.subprocess.DEVNULL
        )
        out.close()
        proc = Proc(name, process, log_path, port)
        self.running.append(proc)
        return proc

    async def codegen(self, dsn: str, *, worker: bool, name: str = "codegen", **settings: Any) -> Proc:
        """``python -m codegen serve`` on a free port, ready when /api/health answers."""
        port = free_port()
        argv = [PYTHON, "-m", "codegen", "serve", "--host", "127.0.0.1", "--port", str(port)]
        if not worker:
            argv.append("--no-worker")
        proc = await self._spawn(name, argv, self.server_env(dsn, **settings), port)
        await wait_healthy(proc)
        return proc

    async def bare(self, dsn: str) -> Proc:
        port = free_port()
        argv = [PYTHON, "-m", "bench.bare", "--port", str(port)]
        proc = await self._spawn("bare", argv, self.server_env(dsn), port)
        await wait_healthy(proc)
        return proc

    async def stop(self, proc: Proc) -> None:
        await proc.stop()
        if proc in self.running:
            self.running.remove(proc)

    async def stop_all(self) -> None:
        for proc in reversed(list(self.running)):
            await self.stop(proc)


async def wait_healthy(proc: Proc, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as http:
        while time.monotonic() < deadline:
            if proc.process.returncode is not None:
                raise RuntimeError(f"{proc.name} exited with {proc.process.returncode}:\n{proc.tail()}")
            with contextlib.suppress(aiohttp.ClientError, TimeoutError):
                async with http.get(proc.url + "/api/health") as response:
                    if response.status == 200:
                        return
            await asyncio.sleep(0.1)
    raise RuntimeError(f"{proc.name} did not become healthy in {timeout} s:\n{proc.tail()}")


@contextlib.asynccontextmanager
async def profiled(pid: int, name: str, workdir: Path) -> AsyncIterator[None]:
    """With BENCH_PYSPY=1: py-spy samples ``pid`` for the duration of the block.

    Raw folded stacks, or another py-spy format named by BENCH_PYSPY_FORMAT (``speedscope`` keeps the
    samples in time order, which shows what the process did during one stall).
    """
    exe = shutil.which("py-spy") or str(Path(PYTHON).parent / "py-spy")
    if not os.environ.get("BENCH_PYSPY") or not Path(exe).exists():
        yield
        return
    out = workdir / f"profile-{name}.txt"
    process = await asyncio.create_subprocess_exec(
        exe, "record", "-p", str(pid), "-r", "250", "-f", os.environ.get("BENCH_PYSPY_FORMAT", "raw"), "-o", str(out),
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        await asyncio.sleep(0.5)
        yield
    finally:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGINT)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(process.wait(), 20)
        log(f"  profile of {name}: {out}")
