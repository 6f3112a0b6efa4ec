"""``python -m mutation [sql|python|all] [--only ID ...]``: run the mutants, write docs/testing.md.

SQL: each mutant of mutation/sql_mutants.py is applied to a private copy of the project (the
work tree is never touched); the tests it names run there against a fresh database
(DATABASE_URL's server when set, else an embedded one per mutant, which is much slower), at
the lowest CPU priority. A test failure kills the mutant.

Python: mutmut 3 over SCOPES (modules and the tests that judge them), each in a private copy
whose [mutmut] section names the scope, also at the lowest priority; its own counts are read
back from mutants/mutmut-cicd-stats.json and its survivors from ``mutmut results``.

The results go between the mutation markers of docs/testing.md, with the date and exactly
what ran: the score is measured, never estimated.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import fcntl
import fnmatch
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from mutation.report import DOC, Outcome, write_doc
from mutation.sql_mutants import MUTANTS, SqlMutant

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "mutation" / "results"
COPIED = ("codegen", "sql", "tests", "setup.cfg", "pyproject.toml")
MUTANT_TIMEOUT_SECONDS = 900
NICE = ["nice", "-n", "19"]


def _pytest(cwd: Path, tests: tuple[str, ...] | list[str]) -> subprocess.CompletedProcess[str]:
    command = [*NICE, sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "-p", "no:cov", *tests]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=MUTANT_TIMEOUT_SECONDS,
                          check=False)


def _last_lines(text: str, count: int) -> str:
    """The last ``count`` non-blank lines of a program's output (its progress redraws split at each ``\\r``)."""
    lines = [line for line in text.replace("\r", "\n").splitlines() if line.strip()]
    return "\n".join(lines[-count:])


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else ""


def run_sql(only: list[str] | None = None) -> list[Outcome]:
    chosen = [m for m in MUTANTS if not only or m.id in only]
    with tempfile.TemporaryDirectory(prefix="codegen-sql-mutants-") as scratch:
        copy = _private_copy(Path(scratch))
        baseline = _pytest(copy, sorted({t for m in chosen for t in m.tests}))
        if baseline.returncode != 0:
            raise SystemExit(f"the unmutated tests fail; fix that first:\n{baseline.stdout[-3000:]}")
        outcomes = [_run_sql_mutant(copy, mutant) for mutant in chosen]
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    for outcome in outcomes:
        outcome.at, outcome.only = stamp, bool(only)
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


_WORKER_TESTS = ("tests/test_fencing.py", "tests/test_engine_paths.py", "tests/test_windows.py", "tests/test_engine.py",
                 "tests/test_db_lanes.py")

# Python scopes: the modules mutated together and the tests that judge them. Tight on purpose:
# mutmut runs, for each mutant, every selected test that reaches the mutated function.
SCOPES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "lifecycle": (("codegen/lifecycle.py",), ("tests/test_lifecycle.py", "tests/test_fencing.py")),
    "auth": (("codegen/auth.py",), ("tests/test_tokens.py", "tests/test_api_auth.py")),
    # stream_tokens in two scopes (SPLIT), so each fits in a run of its own on a busy machine
    "stream_tokens.issue": (("codegen/services/stream_tokens.py",),
                            ("tests/test_windows.py", "tests/test_streaming.py", "tests/test_open_streams.py",
                             "tests/test_storm.py")),
    "stream_tokens.open_streams": (("codegen/services/stream_tokens.py",),
                                   ("tests/test_windows.py", "tests/test_streaming.py", "tests/test_open_streams.py",
                                    "tests/test_storm.py")),
    "batch": (("codegen/store/batch.py", "codegen/store/stream_reads.py"),
              ("tests/test_batch.py", "tests/test_storm.py", "tests/test_streaming.py")),
    # api/streams.py in two scopes (SPLIT, 373 mutants together): a scope's outcomes are saved when it ends
    # (test_api_edges: the stream's 404 for a generation deleted under it and the database-unavailable
    # `reconnect`, with real faults; its one test that opens no stream is not run per mutant)
    "streams.serve": (("codegen/api/streams.py",), ("tests/test_streaming.py", "tests/test_api_edges.py")),
    # the live files a stream sends are reached only by the live-file tests (a first run without them left 50
    # of send_files' and send_file_snapshot's mutants alive)
    # (test_stream_sender: the test plays the worker, announcing events out of order, to reach the order checks)
    "streams.sender": (("codegen/api/streams.py",),
                       ("tests/test_streaming.py", "tests/test_live_files.py", "tests/test_live_reassembly.py",
                        "tests/test_stream_sender.py")),
    # services in two scopes, so each fits in a run of its own
    "services.generations": (("codegen/services/generations.py",),
                             ("tests/test_api_files.py", "tests/test_api_generations.py", "tests/test_api_projects.py",
                              "tests/test_security.py", "tests/test_windows.py")),
    # projects.py and users.py were one scope (237 mutants): too long for one run here
    "services.projects": (("codegen/services/projects.py",),
                          ("tests/test_api_files.py", "tests/test_api_generations.py",
                           "tests/test_api_projects.py", "tests/test_api_auth.py", "tests/test_security.py")),
    "services.users": (("codegen/services/users.py",),
                       ("tests/test_api_files.py", "tests/test_api_generations.py",
                        "tests/test_api_projects.py", "tests/test_api_auth.py", "tests/test_security.py")),
    "services.naming": (("codegen/services/naming.py",), ("tests/test_naming.py", "tests/test_api_generations.py")),
    "services.previews": (("codegen/services/previews.py",), ("tests/test_api_requirements.py",)),
    "store": (("codegen/store/generations.py", "codegen/store/projects.py", "codegen/store/users.py"),
              ("tests/test_lifecycle.py", "tests/test_fencing.py", "tests/test_api_generations.py")),
    # the worker in two scopes (353 mutants at ~20 s each did not fit one run here): its leases and loops, and
    # the running of generations; the same tests judge both
    "engine.worker.leases": (("codegen/engine/worker.py",), _WORKER_TESTS),
    "engine.worker.runs": (("codegen/engine/worker.py",), _WORKER_TESTS),
    # the project tests, the repair loop and the endpoint kept out of error texts are reached only by the
    # sandbox and security tests (a first run without them left every mutant of _verify and _without_endpoint)
    "engine.pipeline": (("codegen/engine/pipeline.py",),
                        ("tests/test_fencing.py", "tests/test_engine_paths.py", "tests/test_windows.py",
                         "tests/test_engine.py", "tests/test_security.py", "tests/sandbox/test_repair_loop.py",
                         "tests/generators/test_validate_through_engine.py")),
}


# scopes that run only some of their modules' mutants: mutmut's mutant names (fnmatch patterns). Together
# the parts of one module cover all of its mutants.
SPLIT: dict[str, tuple[str, ...]] = {
    "stream_tokens.issue": ("codegen.services.stream_tokens.x_issue__mutmut_*",
                            "codegen.services.stream_tokens.x__digest__mutmut_*"),
    "stream_tokens.open_streams": ("codegen.services.stream_tokens.x\u01c1OpenStreams\u01c1*",),
    "streams.serve": ("codegen.api.streams.x_*",),
    "streams.sender": ("codegen.api.streams.x\u01c1_Sender\u01c1*",),
    "engine.worker.leases": tuple(f"codegen.engine.worker.x\u01c1Worker\u01c1{method}__mutmut_*" for method in (
        "_claim_loop", "capacity", "claim_available", "_release", "_heartbeat_loop", "renew", "_reaper_loop", "reap")),
    "engine.worker.runs": ("codegen.engine.worker.x\u01c1Running\u01c1*", *(
        f"codegen.engine.worker.x\u01c1Worker\u01c1{method}__mutmut_*"
        for method in ("__init__", "start", "stop", "_start", "_execute", "_on_event"))),
}


def _private_copy(scratch: Path) -> Path:
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, scratch / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, scratch / name)
    return scratch


PYTEST_ARGS = ("-p", "no:cacheprovider", "-p", "no:cov", "-q")


def _collected(copy: Path, tests: tuple[str, ...]) -> set[str]:
    result = subprocess.run([*NICE, sys.executable, "-m", "pytest", "--collect-only", *PYTEST_ARGS, *tests],
                            cwd=copy, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"collecting {' '.join(tests)} failed:\n{result.stdout[-3000:]}")
    return {line for line in result.stdout.splitlines() if "::" in line}


def _same_tests_twice(copy: Path, tests: tuple[str, ...]) -> None:
    """mutmut runs a mutant's tests by the ids its stats run collected, in a later collection. A test
    whose id changes between collections (a uuid4() in its parameters) is then "not found": pytest
    exits 4, mutmut's worker raises and exits 255, which mutmut calls "timeout", for every mutant
    that test reaches (all 55 of auth's ``TokenService.subject``, once). So the ids must be stable."""
    first, second = _collected(copy, tests), _collected(copy, tests)
    if first != second:
        raise SystemExit("test ids differ between two collections (fix their parameters):\n"
                         + "\n".join(sorted(first ^ second)))


@contextlib.contextmanager
def _migrated_template(env: dict[str, str]) -> Iterator[None]:
    """With DATABASE_URL: one migrated template database for every mutant's test session of a scope
    (tests/conftest.py takes it from CODEGEN_TEST_TEMPLATE_DATABASE), instead of one made and migrated
    per session, about 10 s of each mutant's run on this machine. The Python scopes mutate neither
    the migrations nor the SQL, so it is the schema every session would make."""
    configured = env.get("DATABASE_URL")
    if not configured:
        yield
        return
    from codegen.migrations import migrate
    from tests.databases import admin, with_database

    admin_dsn = with_database(configured, "postgres")
    name = f"codegen_mutation_template_{os.getpid()}"
    asyncio.run(admin(admin_dsn, f'CREATE DATABASE "{name}"'))
    try:
        asyncio.run(migrate(with_database(configured, name)))
        env["CODEGEN_TEST_TEMPLATE_DATABASE"] = name
        yield
    finally:
        env.pop("CODEGEN_TEST_TEMPLATE_DATABASE", None)
        asyncio.run(admin(admin_dsn, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def run_python(scopes: list[str], mutants: list[str] | None = None) -> dict[str, object]:
    """mutmut 3 over each scope, in a private copy whose [mutmut] names the scope's modules and tests.

    ``mutants``: only these (of the one scope given), their outcomes merged into the saved run's.
    """
    report: dict[str, object] = {}
    for scope in scopes:
        modules, tests = SCOPES[scope]
        with tempfile.TemporaryDirectory(prefix=f"codegen-mutmut-{scope}-") as scratch:
            copy = _private_copy(Path(scratch))
            _same_tests_twice(copy, tests)
            config = copy / "setup.cfg"
            text = config.read_text(encoding="utf-8")
            text = text[: text.index("[mutmut]")] if "[mutmut]" in text else text
            config.write_text(text + "[mutmut]\nsource_paths = codegen/\nonly_mutate =\n"
                              + "".join(f"    {m}\n" for m in modules)
                              # one argument a line: on one line mutmut passes them as a single argument,
                              # which pytest took for one (unknown) plugin name and so ignored all three
                              + "also_copy =\n    sql/\npytest_add_cli_args =\n"
                              + "".join(f"    {arg}\n" for arg in PYTEST_ARGS)
                              # workers forked from a clean fork server: forked from mutmut's own process (its
                              # default) they inherit the stats run's finished session (its shared database
                              # dropped, its child processes reaped), so a mutant's tests fail whatever it does
                              + "process_isolation = forkserver\nforkserver_warmup = collect\n"
                              + "pytest_add_cli_args_test_selection =\n" + "".join(f"    {t}\n" for t in tests),
                              encoding="utf-8")
            # mutmut's workers end with os._exit: what they would remove at exit stays (the CPU pool's
            # /tmp/pymp-* folders, one per mutant), so their temporary files go in the scratch folder
            (copy / "tmp").mkdir()
            env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "TMPDIR": str(copy / "tmp")}
            started = time.monotonic()
            with _migrated_template(env):
                # one mutant at a time: the machine is shared, and each mutant's tests use the database
                ran = subprocess.run([*NICE, sys.executable, "-m", "mutmut", "run", "--max-children", "1",
                                      *(mutants or SPLIT.get(scope, ()))], cwd=copy, env=env, check=False,
                                     capture_output=True, text=True)
            if ran.returncode != 0:  # e.g. "Failed to run clean test": its mutants stay "not checked"; say why
                print(f"{scope}: mutmut exited {ran.returncode}:\n{_last_lines(ran.stdout + ran.stderr, 40)}",
                      file=sys.stderr, flush=True)
            subprocess.run([sys.executable, "-m", "mutmut", "export-cicd-stats"], cwd=copy, env=env, check=True,
                           stdout=subprocess.DEVNULL)
            stats = json.loads((copy / "mutants" / "mutmut-cicd-stats.json").read_text())
            listed = subprocess.run([sys.executable, "-m", "mutmut", "results", "--all", "true"], cwd=copy, env=env,
                                    capture_output=True, text=True, check=True).stdout
            statuses = dict(line.strip().rsplit(": ", 1) for line in listed.splitlines() if ": " in line)
            if mutants:
                statuses = {name: statuses[name] for name in mutants}
            elif scope in SPLIT:
                # mutmut counts the module's other mutants too (not checked): only this part's count
                statuses = {name: status for name, status in statuses.items()
                            if any(fnmatch.fnmatchcase(name, pattern) for pattern in SPLIT[scope])}
                stats = _counted(statuses)
            survivors = {
                name: subprocess.run([sys.executable, "-m", "mutmut", "show", name], cwd=copy, env=env,
                                     capture_output=True, text=True, check=False).stdout
                for name, status in statuses.items() if status in UNKILLED
            }
            stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
            seconds = round(time.monotonic() - started)
            if mutants:
                report[scope] = _rechecked(scope, statuses, survivors, stamp, seconds, tests)
            else:
                report[scope] = {"modules": list(modules), "tests": list(tests), "stats": stats,
                                 "mutants": list(SPLIT.get(scope, ())),
                                 "statuses": statuses, "survivors": survivors, "seconds": seconds, "measured": stamp}
            print(f"{scope}: {report[scope]['stats']}", flush=True)
    return report


UNKILLED = ("survived", "no tests")


def _counted(statuses: dict[str, str]) -> dict[str, int]:
    counted = {"total": len(statuses)}
    for status in statuses.values():
        counted[status.replace(" ", "_")] = counted.get(status.replace(" ", "_"), 0) + 1
    return counted


def _rechecked(scope: str, statuses: dict[str, str], survivors: dict[str, str], stamp: str,
               seconds: int, tests: tuple[str, ...]) -> dict[str, object]:
    """The saved run of ``scope`` with these mutants' new outcomes (run again after a test was added); a
    recheck judged by other test files than the saved run's names them."""
    saved = json.loads((RESULTS / "python.json").read_text())[scope]
    saved["statuses"].update(statuses)
    for name, status in statuses.items():
        saved["survivors"].pop(name, None)
        if status in UNKILLED:
            saved["survivors"][name] = survivors[name]
    saved["stats"] = _counted(saved["statuses"])
    judged = "" if list(tests) == saved["tests"] else f", by {', '.join(f'`{t}`' for t in tests)}"
    saved.setdefault("rechecked", []).append(f"{len(statuses)} mutants at {stamp} ({seconds} s{judged})")
    return saved


def _merged(new: list[Outcome]) -> list[Outcome]:
    """A run of some mutants (--only) updates those, keeping the last outcome of the others."""
    saved = RESULTS / "sql.json"
    known = {o["id"]: Outcome(**o) for o in json.loads(saved.read_text())} if saved.exists() else {}
    known.update({o.id: o for o in new})
    return [known[m.id] for m in MUTANTS if m.id in known]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m mutation", description=__doc__.splitlines()[0])
    parser.add_argument("what", nargs="?", choices=("sql", "python", "all", "doc"), default="all",
                        help="doc: only write docs/testing.md again from the saved results")
    parser.add_argument("--only", nargs="*", help="SQL mutant ids (sql), or scopes (python): " + ", ".join(SCOPES))
    parser.add_argument("--mutants", nargs="*",
                        help="python, one scope in --only: run only these mutmut mutants again, "
                             "merged into its saved run")
    args = parser.parse_args(argv)
    if args.what == "doc":
        saved_sql, saved_python = RESULTS / "sql.json", RESULTS / "python.json"
        write_doc([Outcome(**o) for o in json.loads(saved_sql.read_text())] if saved_sql.exists() else None,
                  json.loads(saved_python.read_text()) if saved_python.exists() else {}, SCOPES)
        return
    sql = run_sql(args.only if args.what == "sql" else None) if args.what in ("sql", "all") else None
    scopes = args.only if args.what == "python" and args.only else list(SCOPES)
    if args.mutants and (args.what != "python" or len(scopes) != 1):
        parser.error("--mutants needs python and exactly one scope in --only")
    python = run_python(scopes, args.mutants) if args.what in ("python", "all") else None
    RESULTS.mkdir(exist_ok=True)
    # two runs of different scopes may end at once: each merges into what the other saved
    with open(RESULTS / ".lock", "w", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        _save_and_write(sql, python)


def _save_and_write(sql: list[Outcome] | None, python: dict[str, object] | None) -> None:
    if sql is not None:
        sql = _merged(sql)
        (RESULTS / "sql.json").write_text(json.dumps([o.__dict__ for o in sql], indent=1) + "\n")
    if python is not None:
        saved = RESULTS / "python.json"
        python = {**(json.loads(saved.read_text()) if saved.exists() else {}), **python}
        saved.write_text(json.dumps(python, indent=1, sort_keys=True) + "\n")
    write_doc(sql, python, SCOPES)
    print(f"wrote {DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
