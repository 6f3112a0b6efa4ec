"""pgbench running the service's own SQL: the database's best for the same statements."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from yarl import URL

from bench.stats import summary_ms


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
