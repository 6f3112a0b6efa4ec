"""``python -m mutation [sql|python|all] [--only ID ...]``: run the mutants, write docs/testing.md.

SQL: each mutant of mutation/sql_mutants.py is applied to a private copy of the project (the
work tree is never touched); the tests it names run there against a fresh database
(DATABASE_URL's server when set, else an embedded one per mutant, which is much slower), at
the lowest CPU priority. A test failure kills the mutant.

Python: mutmut 3 (its configuration is [mutmut] in setup.cfg), also at the lowest priority;
its own counts are read back from mutants/mutmut-cicd-stats.json and its survivors from
``mutmut results``.

The results go between the mutation markers of docs/testing.md, with the date and exactly
what ran: the score is measured, never estimated.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from mutation.sql_mutants import EQUIVALENT, MUTANTS, SqlMutant

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "testing.md"
RESULTS = ROOT / "mutation" / "results"
BEGIN, END = "<!-- mutation:begin -->", "<!-- mutation:end -->"
COPIED = ("codegen", "sql", "tests", "setup.cfg", "pyproject.toml")
MUTANT_TIMEOUT_SECONDS = 900
NICE = ["nice", "-n", "19"]


@dataclass
class Outcome:
    id: str
    verdict: str  # killed | survived | error | timeout
    seconds: float
    detail: str = ""


def _pytest(cwd: Path, tests: tuple[str, ...] | list[str]) -> subprocess.CompletedProcess[str]:
    command = [*NICE, sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "-p", "no:cov", *tests]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=MUTANT_TIMEOUT_SECONDS,
                          check=False)


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else ""


def run_sql(only: list[str] | None = None) -> list[Outcome]:
    chosen = [m for m in MUTANTS if not only or m.id in only]
    with tempfile.TemporaryDirectory(prefix="codegen-sql-mutants-") as scratch:
        copy = Path(scratch)
        for name in COPIED:
            source = ROOT / name
            if source.is_dir():
                shutil.copytree(source, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy2(source, copy / name)
        baseline = _pytest(copy, sorted({t for m in chosen for t in m.tests}))
        if baseline.returncode != 0:
            raise SystemExit(f"the unmutated tests fail; fix that first:\n{baseline.stdout[-3000:]}")
        outcomes = [_run_sql_mutant(copy, mutant) for mutant in chosen]
    return outcomes


def _run_sql_mutant(copy: Path, mutant: SqlMutant) -> Outcome:
    target = copy / mutant.path
    original = target.read_text(encoding="utf-8")
    if original.count(mutant.original) != 1:
        return Outcome(mutant.id, "error", 0.0, "its original text is not in the file exactly once")
    target.write_text(original.replace(mutant.original, mutant.mutated), encoding="utf-8")
    started = time.monotonic()
    try:
        result = _pytest(copy, mutant.tests)
    except subprocess.TimeoutExpired:
        return Outcome(mutant.id, "timeout", time.monotonic() - started)
    finally:
        target.write_text(original, encoding="utf-8")
    seconds = time.monotonic() - started
    verdict = {0: "survived", 1: "killed"}.get(result.returncode, "error")
    failed = [line for line in result.stdout.splitlines() if line.startswith("FAILED")]
    detail = failed[0] if failed else _last_line(result.stdout)
    print(f"{mutant.id}: {verdict} ({seconds:.0f} s) {detail}", flush=True)
    return Outcome(mutant.id, verdict, seconds, detail)


def run_python(names: list[str] | None = None) -> dict[str, object]:
    """mutmut over [mutmut] source_paths; returns its counts and survivors."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    started = time.monotonic()
    # one mutant at a time: the machine is shared, and each mutant's tests use the database
    subprocess.run([*NICE, sys.executable, "-m", "mutmut", "run", "--max-children", "1", *(names or [])],
                   cwd=ROOT, env=env, check=False)
    subprocess.run([sys.executable, "-m", "mutmut", "export-cicd-stats"], cwd=ROOT, env=env, check=True)
    stats = json.loads((ROOT / "mutants" / "mutmut-cicd-stats.json").read_text())
    listed = subprocess.run([sys.executable, "-m", "mutmut", "results"], cwd=ROOT, env=env, capture_output=True,
                            text=True, check=True).stdout
    survivors = [line.split(":")[0].strip() for line in listed.splitlines() if line.strip().endswith("survived")]
    return {"stats": stats, "survivors": survivors, "seconds": round(time.monotonic() - started),
            "names": names or ["(all of [mutmut] source_paths)"]}


def _sql_section(outcomes: list[Outcome]) -> list[str]:
    killed = sum(o.verdict in ("killed", "timeout") for o in outcomes)
    equivalent = sum(o.verdict == "survived" and o.id in EQUIVALENT for o in outcomes)
    scored = len(outcomes) - equivalent
    score = 100.0 * killed / scored if scored else 0.0
    lines = [
        f"SQL mutants: **{killed} of {scored} killed ({score:.1f} %)**"
        f"{f', {equivalent} equivalent' if equivalent else ''}, {len(outcomes)} run "
        f"(`python -m mutation sql`, {sum(o.seconds for o in outcomes) / 60:.0f} min at nice 19).",
        "",
        "| mutant | file | verdict | the test that noticed, or why not |",
        "|---|---|---|---|",
    ]
    by_id = {m.id: m for m in MUTANTS}
    for o in outcomes:
        note = EQUIVALENT.get(o.id, "") if o.verdict == "survived" else o.detail
        note = note.replace("|", "\\|")
        lines.append(f"| `{o.id}` | `{by_id[o.id].path}` | {o.verdict} | {note} |")
    return lines


def _python_section(report: dict[str, object]) -> list[str]:
    stats = report["stats"]
    assert isinstance(stats, dict)
    tested = int(stats.get("total", 0)) - int(stats.get("skipped", 0)) - int(stats.get("not_checked", 0))
    killed = int(stats.get("killed", 0)) + int(stats.get("timeout", 0))
    score = 100.0 * killed / tested if tested else 0.0
    survivors = report["survivors"]
    assert isinstance(survivors, list)
    lines = [
        f"Python mutants (mutmut): **{killed} of {tested} killed ({score:.1f} %)** over "
        f"{', '.join(f'`{n}`' for n in report['names'])} ({report['seconds']} s at nice 19); "
        f"counts as mutmut reports them: `{json.dumps(stats, sort_keys=True)}`.",
        "",
    ]
    if survivors:
        lines += ["Survivors (each to be killed by a test or explained below):", ""]
        lines += [f"- `{name}`" for name in survivors]
    return lines


def write_doc(sql: list[Outcome] | None, python: dict[str, object] | None) -> None:
    text = DOC.read_text(encoding="utf-8")
    start, stop = text.index(BEGIN) + len(BEGIN), text.index(END)
    old = text[start:stop]
    parts: dict[str, list[str]] = {"sql": [], "python": []}
    # keep the other half when only one half ran
    for key, pattern in (("sql", r"(?s)<!-- sql -->(.*?)<!-- /sql -->"), ("python", r"(?s)<!-- python -->(.*?)<!-- /python -->")):
        found = re.search(pattern, old)
        parts[key] = found.group(1).strip("\n").splitlines() if found else []
    if sql is not None:
        parts["sql"] = _sql_section(sql)
    if python is not None:
        parts["python"] = _python_section(python)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    body = [f"Last run: {stamp}.", "", "<!-- sql -->", *parts["sql"], "<!-- /sql -->", "",
            "<!-- python -->", *parts["python"], "<!-- /python -->"]
    DOC.write_text(text[:start] + "\n" + "\n".join(body) + "\n" + text[stop:], encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m mutation", description=__doc__.splitlines()[0])
    parser.add_argument("what", nargs="?", choices=("sql", "python", "all"), default="all")
    parser.add_argument("--only", nargs="*", help="SQL mutant ids, or mutmut mutant names/globs")
    args = parser.parse_args(argv)
    sql = run_sql(args.only if args.what == "sql" else None) if args.what in ("sql", "all") else None
    python = run_python(args.only if args.what == "python" else None) if args.what in ("python", "all") else None
    RESULTS.mkdir(exist_ok=True)
    if sql is not None:
        (RESULTS / "sql.json").write_text(json.dumps([o.__dict__ for o in sql], indent=1) + "\n")
    if python is not None:
        (RESULTS / "python.json").write_text(json.dumps(python, indent=1, sort_keys=True) + "\n")
    write_doc(sql, python)
    print(f"wrote {DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
