"""What every scenario shares: databases, server processes, load generators, pgbench, numbers."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
from yarl import URL

from bench.loadgen import percentile, raise_nofile, summary_ms  # noqa: F401 - re-exported
from codegen.auth import TokenService, hash_password
from codegen.db import Database, EmbeddedPostgres
from codegen.migrations import migrate

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
JWT_SECRET = "bench-secret-" + uuid.uuid4().hex
PROMPTS = [
    "Create a REST API with authentication",
    "Build an online store with a shopping cart and checkout",
    "Make a clinic appointment booking system for patients",
    "Write a budget tracker with expense categories",
    "Create a quiz app for students with a leaderboard",
    "Build a chat forum for a small community",
    "Make a chess tournament API with players and matches",
    "Create a todo list API with due dates",
]
# every benchmark user's password; the benchmark never logs in, it signs tokens with the server's secret
USER_PASSWORD = "bench-password"


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def ratio(value: float | None, baseline: float | None) -> float | None:
    if value is None or not baseline:
        return None
    return round(value / baseline, 3)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def with_database(dsn: str, name: str) -> str:
    url = URL(dsn)
    # with_path drops the query, which holds the socket directory of an embedded server (?host=/tmp/…)
    return str(url.with_path("/" + name).with_query(url.query))


def user_id(i: int) -> uuid.UUID:
    """The id the benchmark gives its i-th user (pgbench computes the same in SQL)."""
    import hashlib

    return uuid.UUID(hashlib.md5(f"bench-user-{i}".encode()).hexdigest())


def tokens_for(n: int) -> list[str]:
    service = TokenService(JWT_SECRET, 24 * 3600)
    return [service.issue(user_id(i)) for i in range(n)]


# -- databases --------------------------------------------------------------------------


class Databases:
    """A database server (DATABASE_URL or embedded), a migrated template, and copies of it."""

    def __init__(self, admin_dsn: str, embedded: EmbeddedPostgres | None, users: int) -> None:
        self.admin_dsn = admin_dsn
        self.embedded = embedded
        self.users = users
        self.prefix = f"codegen_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        self.template = self.prefix + "_tpl"
        self.created: list[str] = []
        self.max_connections = 100

    @classmethod
    @contextlib.asynccontextmanager
    async def open(cls, users: int, keep: bool = False) -> AsyncIterator[Databases]:
        configured = os.environ.get("DATABASE_URL")
        embedded = None
        if configured:
            admin = with_database(configured, "postgres")
        else:
            embedded = EmbeddedPostgres(Path(tempfile.mkdtemp(prefix="codegen-bench-pg-")))
            log("DATABASE_URL is unset: starting an embedded PostgreSQL")
            admin = await asyncio.to_thread(embedded.start)
        dbs = cls(admin, embedded, users)
        try:
            await dbs._make_template()
            yield dbs
        finally:
            if not keep:
                for name in [*dbs.created, dbs.template]:
                    with contextlib.suppress(Exception):
                        await dbs.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            if embedded is not None:
                await asyncio.to_thread(embedded.stop)
                if not keep:
                    shutil.rmtree(embedded.data_dir, ignore_errors=True)

    async def admin(self, sql: str, *args: Any) -> Any:
        conn = await asyncpg.connect(self.admin_dsn)
        try:
            return await conn.fetch(sql, *args)
        finally:
            await conn.close()

    async def admin_on(self, dsn: str, sql: str, *args: Any) -> Any:
        conn = await asyncpg.connect(dsn)
        try:
            return await conn.fetch(sql, *args)
        finally:
            await conn.close()

    def dsn(self, name: str) -> str:
        return with_database(self.admin_dsn, name)

    async def _make_template(self) -> None:
        from bench.bare import TABLE_SQL

        await self.admin(f'CREATE DATABASE "{self.template}"')
        dsn = self.dsn(self.template)
        await migrate(dsn)
        conn = await asyncpg.connect(dsn)
        try:
            await conn.execute(TABLE_SQL)
            await conn.execute(
                """INSERT INTO users (id, email, password_hash)
                   SELECT md5('bench-user-' || i)::uuid, 'bench-' || i || '@example.com', $1
                   FROM generate_series(0, $2 - 1) AS i""",
                await hash_password(USER_PASSWORD), self.users,
            )
            self.max_connections = int(await conn.fetchval("SHOW max_connections"))
        finally:
            await conn.close()

    async def fresh(self) -> str:
        """A new database, a copy of the migrated template with the users; returns its DSN."""
        name = f"{self.prefix}_{len(self.created)}"
        await self.admin(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        self.created.append(name)
        return self.dsn(name)

    async def drop(self, dsn: str) -> None:
        name = URL(dsn).path.lstrip("/")
        await self.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if name in self.created:
            self.created.remove(name)

    async def connections_in_use(self) -> int:
        rows = await self.admin("SELECT count(*) AS n FROM pg_stat_activity WHERE backend_type = 'client backend'")
        return int(rows[0]["n"])


# -- processes ----------------------------------------------------------------------------


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
        env = {
            **os.environ,
            "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""),
            "DATABASE_URL": dsn,
            "CODEGEN_JWT_SECRET": JWT_SECRET,
            "CODEGEN_DATA_DIR": str(self.workdir / "data"),
            "CODEGEN_GENERATE_RATE_LIMIT": "0",
            "CODEGEN_STREAM_TOKEN_RATE_LIMIT": "0",
            # the load comes from a few users and one address: quotas and per-address limits off
            "CODEGEN_MAX_ACTIVE_GENERATIONS": "0",
            "CODEGEN_MAX_STREAMS_PER_USER": "0",
            "CODEGEN_REGISTER_RATE_LIMIT": "0",
            "CODEGEN_LOGIN_ADDRESS_FREE_ATTEMPTS": "0",
            "CODEGEN_LOG_LEVEL": "WARNING",
            "CODEGEN_LOG_FORMAT": "text",
            # the scenarios measure the service's own path; the sandbox scenario turns tests on
            "CODEGEN_VALIDATE": "syntax",
        }
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


class LoadGen:
    """``python -m bench.loadgen`` in its own process: feed a spec, read READY and RESULT."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.ready: dict[str, Any] | None = None

    @classmethod
    async def start(cls, spec: dict[str, Any]) -> LoadGen:
        env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
        process = await asyncio.create_subprocess_exec(
            PYTHON, "-m", "bench.loadgen", cwd=str(REPO), env=env,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, limit=64 * 1024 * 1024,
        )
        assert process.stdin is not None
        process.stdin.write(json.dumps(spec).encode())
        await process.stdin.drain()
        process.stdin.close()
        return cls(process)

    async def _line(self, kind: str, timeout: float) -> dict[str, Any]:
        assert self.process.stdout is not None
        async with asyncio.timeout(timeout):
            while True:
                raw = await self.process.stdout.readline()
                if not raw:
                    await self.process.wait()
                    raise RuntimeError(f"the load generator exited ({self.process.returncode}) before {kind}")
                text = raw.decode()
                if text.startswith(kind + " "):
                    return json.loads(text[len(kind) + 1 :])

    async def wait_ready(self, timeout: float) -> dict[str, Any]:
        self.ready = await self._line("READY", timeout)
        return self.ready

    async def result(self, timeout: float) -> dict[str, Any]:
        try:
            result = await self._line("RESULT", timeout)
        except BaseException:
            self.kill()
            raise
        await self.process.wait()
        return result

    def kill(self) -> None:
        if self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.kill()


class SseGroup:
    """Streams split over several load-generator processes (2,000 streams outrun one Python process)."""

    def __init__(self, gens: list[LoadGen]) -> None:
        self.gens = gens

    @classmethod
    async def start(cls, spec: dict[str, Any], processes: int | None = None) -> SseGroup:
        entries = spec["streams"]
        if processes is None:
            processes = 2 if len(entries) >= 500 else 1
        processes = max(1, min(processes, len(entries)))
        gens = []
        for i in range(processes):
            part = {**spec, "streams": entries[i::processes], "raw": True}
            gens.append(await LoadGen.start(part))
        return cls(gens)

    async def wait_ready(self, timeout: float) -> dict[str, Any]:
        readies = await asyncio.gather(*(g.wait_ready(timeout) for g in self.gens))
        return {
            "opened": sum(r["opened"] for r in readies), "failed": sum(r["failed"] for r in readies),
            "open_seconds": max(r["open_seconds"] for r in readies), "processes": len(self.gens),
        }

    async def result(self, timeout: float) -> dict[str, Any]:
        results = await asyncio.gather(*(g.result(timeout) for g in self.gens))
        delays = [d for r in results for d in r.pop("delays", [])]
        merged: dict[str, Any] = {
            "streams": sum(r["streams"] for r in results), "opened": sum(r["opened"] for r in results),
            "open_failures": sum(r["open_failures"] for r in results),
            "failure_samples": [f for r in results for f in r["failure_samples"]][:3],
            "open_seconds": max(r["open_seconds"] for r in results),
            "unfinished": sum(r["unfinished"] for r in results),
            "dropped_samples": sum(r["dropped_samples"] for r in results),
            "delay_ms": summary_ms(delays), "per_stream": [s for r in results for s in r["per_stream"]],
            "load_processes": len(results),
        }
        worst: dict[str, float] = {}
        for r in results:
            for seq, value in r.get("worst_by_event_ms", {}).items():
                worst[seq] = max(worst.get(seq, 0.0), value)
        merged["worst_by_event_ms"] = dict(sorted(worst.items(), key=lambda kv: int(kv[0])))
        if "listen_delay_ms" in results[0]:
            merged["listen_delay_ms"] = summary_ms([d for r in results for d in r.pop("listen_delays", [])])
            merged["serve_delay_ms"] = summary_ms([d for r in results for d in r.pop("serve_delays", [])])
        return merged

    def kill(self) -> None:
        for gen in self.gens:
            gen.kill()


async def run_load(spec: dict[str, Any], timeout: float) -> dict[str, Any]:
    gen = await LoadGen.start(spec)
    return await gen.result(timeout)


def machine_cpu_seconds() -> float:
    """Busy CPU time of the whole machine (user, nice, system, irq, softirq), all cores."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq = (int(f) for f in fields[:7])
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def postgres_cpu_seconds() -> dict[int, float]:
    """CPU time of every PostgreSQL process on this machine (the benchmark's server is the only busy one)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if (entry / "comm").read_text().strip() == "postgres":
                    found[int(entry.name)] = cpu_seconds(int(entry.name))
    return found


async def run_load_on(pid: int, spec: dict[str, Any], timeout: float) -> dict[str, Any]:
    """run_load, plus the CPU time per answered request (warm-up included on both sides) of the
    server and of PostgreSQL: figures that the machine's other load moves much less than
    requests per second. A database process that ended during the run is not counted."""
    server_before, db_before, machine_before = cpu_seconds(pid), postgres_cpu_seconds(), machine_cpu_seconds()
    result = await run_load(spec, timeout)
    server_after, db_after, machine_after = cpu_seconds(pid), postgres_cpu_seconds(), machine_cpu_seconds()
    answered = result.get("answered_all") or 0
    if answered:
        db_used = sum(cpu - db_before.get(p, 0.0) for p, cpu in db_after.items())
        result["server_cpu_us_per_request"] = round((server_after - server_before) / answered * 1e6, 1)
        result["database_cpu_us_per_request"] = round(db_used / answered * 1e6, 1)
        # load generator and kernel included: on a saturated machine, throughput is its inverse
        result["machine_cpu_us_per_request"] = round((machine_after - machine_before) / answered * 1e6, 1)
    return result


@contextlib.asynccontextmanager
async def profiled(pid: int, name: str, workdir: Path) -> AsyncIterator[None]:
    """With BENCH_PYSPY=1: py-spy samples ``pid`` for the duration of the block (raw folded stacks)."""
    exe = shutil.which("py-spy") or str(Path(PYTHON).parent / "py-spy")
    if not os.environ.get("BENCH_PYSPY") or not Path(exe).exists():
        yield
        return
    out = workdir / f"profile-{name}.txt"
    process = await asyncio.create_subprocess_exec(
        exe, "record", "-p", str(pid), "-r", "250", "-f", "raw", "-o", str(out),
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


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


# -- the service's own SQL, from the bench process ------------------------------------------


async def open_db(dsn: str, size: int = 4) -> Database:
    return await Database.connect(dsn, min_size=1, max_size=size)


async def create_pending(dsn: str, count: int, users: int, concurrency: int = 8) -> list[tuple[str, int]]:
    """``count`` pending generations made by the service's own create function; [(id, user index)]."""
    from codegen.services.generations import SIMILAR_NAME_THRESHOLD, derive_domain, derive_name

    db = await open_db(dsn, size=concurrency)
    made: list[tuple[str, int]] = []
    try:
        async def one(i: int) -> None:
            prompt = PROMPTS[i % len(PROMPTS)]
            row = await db.fetchrow(
                db.q.create_generation, user_id(i % users), prompt, None,
                derive_name(prompt), derive_domain(prompt), {}, "phased", False, None, 0, SIMILAR_NAME_THRESHOLD, 0, 0,
            )
            made.append((str(row["id"]), i % users))

        limit = asyncio.Semaphore(concurrency)

        async def bounded(i: int) -> None:
            async with limit:
                await one(i)

        await asyncio.gather(*(bounded(i) for i in range(count)))
    finally:
        await db.close()
    return made


# -- pgbench -------------------------------------------------------------------------------------


def pgbench_path() -> str | None:
    found = shutil.which("pgbench")
    if found:
        return found
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin/pgbench"), reverse=True):
        return str(candidate)
    return None


def sql_with_params(sql: str, params: dict[int, str]) -> str:
    """A named query with its $n replaced by SQL text (pgbench variables or literals), on one line."""
    lines = [line for line in sql.splitlines() if not line.strip().startswith("--")]
    text = " ".join(" ".join(lines).split())
    return re.sub(r"\$(\d+)", lambda m: params[int(m.group(1))], text)


async def run_pgbench(
    dsn: str, script: str, *, clients: int, duration: float | None = None, transactions: int | None = None,
    workdir: Path, threads: int = 2,
) -> dict[str, Any]:
    """pgbench -f script: transactions per second and per-transaction latency percentiles."""
    exe = pgbench_path()
    if exe is None:
        return {"skipped": "pgbench not found (apt-get install postgresql-contrib)"}
    run_dir = Path(tempfile.mkdtemp(prefix="pgbench-", dir=workdir))
    script_path = run_dir / "custom.sql"
    script_path.write_text(script)
    url = URL(dsn)
    argv = [
        exe, "-n", "-M", "prepared", "-f", str(script_path), "-c", str(clients), "-j", str(min(threads, clients)),
        "-l", "--log-prefix", str(run_dir / "log"),
        "-h", url.query.get("host") or url.host or "127.0.0.1", "-p", str(url.query.get("port") or url.port or 5432),
        "-U", url.user or "postgres",
    ]
    argv += ["-T", str(max(1, round(duration)))] if duration else ["-t", str(transactions)]
    argv.append(url.path.lstrip("/"))
    env = {**os.environ}
    if url.password:
        env["PGPASSWORD"] = url.password
    started = time.perf_counter()
    process = await asyncio.create_subprocess_exec(
        *argv, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env, cwd=str(run_dir)
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=(duration or 120) + 120)
    elapsed = time.perf_counter() - started
    text = out.decode() + err.decode()
    tps = re.search(r"tps = ([\d.]+) \(without initial connection time\)", text)
    failed = re.search(r"number of failed transactions: (\d+)", text)
    latencies: list[float] = []
    for path in run_dir.glob("log*"):
        for line in path.read_text().splitlines():
            parts = line.split()
            if len(parts) >= 3:
                latencies.append(int(parts[2]) / 1e6)
    shutil.rmtree(run_dir, ignore_errors=True)
    if process.returncode != 0 or tps is None:
        return {"error": text[-800:], "clients": clients}
    return {
        "clients": clients, "tps": round(float(tps.group(1)), 1), "transactions": len(latencies),
        "failed": int(failed.group(1)) if failed else 0, "latency_ms": summary_ms(latencies),
        "elapsed": round(elapsed, 2),
    }


@contextlib.contextmanager
def timer() -> Iterator[dict[str, float]]:
    box: dict[str, float] = {}
    started = time.perf_counter()
    try:
        yield box
    finally:
        box["seconds"] = time.perf_counter() - started


@dataclass
class Context:
    """What a scenario gets: the databases, a launcher, and the run's sizes."""

    dbs: Databases
    launcher: Launcher
    workdir: Path
    quick: bool
    duration: float
    sizes: dict[str, Any] = field(default_factory=dict)

    def size(self, name: str, full: Any, quick: Any) -> Any:
        return self.sizes.get(name, quick if self.quick else full)
