"""``python -m bench``: every scenario, its baselines, and the report.

    python -m bench                      # the full run (about 15 minutes on 2 cores)
    python -m bench --quick              # seconds, tiny sizes (what the smoke test runs)
    python -m bench --only create,fanout --duration 5

The database server is ``DATABASE_URL`` (a fresh database is made on it for
each run and dropped afterwards) or, when unset, an embedded PostgreSQL.
Results: ``bench/results/<date>.json`` and ``.md`` (``-quick`` and ``--only``
runs get a suffix), charts under ``docs/perf/`` for full runs.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import platform
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

from bench.charts import charts as make_charts
from bench.context import Context
from bench.databases import Databases
from bench.machine import load_average, raise_nofile
from bench.processes import REPO, Launcher
from bench.progress import log

SCENARIOS = {
    "create": "bench.create",
    "fanout": "bench.fanout",
    "crossproc": "bench.crossproc",
    "drain": "bench.drain",
    "connect": "bench.connect",
    "sandbox": "bench.sandbox",
    "claim": "bench.claim",
    "model": "bench.model",
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, seconds in all (a smoke run)")
    parser.add_argument("--only", help=f"comma-separated scenarios: {', '.join(SCENARIOS)}")
    parser.add_argument("--duration", type=float, help="seconds per throughput run (default 10, quick 1)")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results", help="where the JSON and markdown go")
    parser.add_argument("--charts", type=Path, help="where the PNG charts go (default docs/perf, quick: --out)")
    parser.add_argument("--no-charts", action="store_true")
    parser.add_argument("--keep-db", action="store_true", help="keep the benchmark databases and the servers' logs")
    parser.add_argument("--sizes", type=json.loads, default={}, help='override sizes, e.g. \'{"fanout_streams": [500]}\'')
    return parser


async def _server_version(dbs: Databases) -> str:
    rows = await dbs.admin("SHOW server_version")
    return str(rows[0][0])


def _environment() -> dict[str, Any]:
    import os

    import aiohttp
    import asyncpg

    return {
        "python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count(),
        "aiohttp": aiohttp.__version__, "asyncpg": asyncpg.__version__,
    }


async def main(args: argparse.Namespace) -> Path:
    chosen = list(SCENARIOS) if not args.only else [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = [s for s in chosen if s not in SCENARIOS]
    if unknown:
        raise SystemExit(f"unknown scenario(s): {', '.join(unknown)}; choose from {', '.join(SCENARIOS)}")
    nofile = raise_nofile()
    duration = args.duration or (1.0 if args.quick else 10.0)
    stamp = time.strftime("%Y-%m-%d")
    suffix = ("-quick" if args.quick else "") + (f"-{'-'.join(chosen)}" if args.only else "")
    args.out.mkdir(parents=True, exist_ok=True)
    json_path = args.out / f"{stamp}{suffix}.json"
    charts_dir = args.charts or (args.out if (args.quick or args.only) else REPO / "docs" / "perf")
    workdir = Path(tempfile.mkdtemp(prefix="codegen-bench-"))
    results: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "quick": args.quick, "duration": duration,
        "environment": _environment(), "nofile": nofile, "scenarios": {},
    }
    from bench import report

    users = max(args.sizes.get("create_clients", [4] if args.quick else [16, 64, 256])) + 16
    log(f"writing {json_path}; logs of the servers under {workdir}")
    async with Databases.open(users=users, keep=args.keep_db) as dbs:
        results["environment"]["postgres"] = await _server_version(dbs)
        results["environment"]["embedded_postgres"] = dbs.embedded is not None
        launcher = Launcher(workdir)
        ctx = Context(dbs, launcher, workdir, args.quick, duration, args.sizes)
        for name in chosen:
            started = time.perf_counter()
            load_before = load_average()
            log(f"== {name} (load average {load_before})")
            try:
                module = importlib.import_module(SCENARIOS[name])
                outcome = await module.run(ctx)
            except Exception as exc:  # noqa: BLE001 - one scenario's failure must not lose the others
                traceback.print_exc()
                outcome = {"error": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc()[-4000:]}
            finally:
                await launcher.stop_all()
            outcome["seconds"] = round(time.perf_counter() - started, 1)
            outcome["load_average"] = {"before": load_before, "after": load_average()}
            results["scenarios"][name] = outcome
            report.write(results, json_path)  # partial results are worth having
    if not args.no_charts:
        charts = make_charts(results, charts_dir)
        results["charts"] = [str(p) for p in charts]
    report.write(results, json_path)
    failed = [name for name, outcome in results["scenarios"].items() if "error" in outcome]
    if failed or args.keep_db:
        log(f"the servers' logs are kept under {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    log(f"wrote {json_path} and {json_path.with_suffix('.md')}")
    print(json_path.with_suffix(".md").read_text())
    return json_path


if __name__ == "__main__":
    arguments = _parser().parse_args(sys.argv[1:])
    try:
        import uvloop

        uvloop.run(main(arguments))
    except ImportError:
        asyncio.run(main(arguments))
