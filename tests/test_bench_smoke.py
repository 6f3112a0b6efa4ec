"""The benchmark still works: every scenario at tiny sizes, checked for correctness, never for speed.

Runs ``python -m bench --quick`` as the user would (servers, baselines and load
generators in their own processes, on DATABASE_URL or an embedded PostgreSQL)
and reads the JSON it writes: every request answered, no event lost or
duplicated, every stream ended by its terminal event, every queued generation
completed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SIZES = {"drain_generations": 20, "connect_samples": 10, "fanout_streams": [12], "crossproc_streams": [6],
         "sandbox_overhead_runs": 2, "sandbox_runs": 2, "sandbox_generations": 2, "model_generations": [1, 3]}

pytestmark = [pytest.mark.slow, pytest.mark.timeout(450)]


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("bench")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CODEGEN_")}
    completed = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--no-charts", "--out", str(out), "--sizes", json.dumps(SIZES)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=400, check=False,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    written = sorted(out.glob("*-quick.json"))
    assert written, completed.stdout[-2000:]
    assert written[0].with_suffix(".md").read_text().startswith("# Benchmark results")
    results = json.loads(written[0].read_text())
    for name, outcome in results["scenarios"].items():
        assert "error" not in outcome, f"{name}: {outcome.get('traceback', outcome['error'])}"
    return results


def _all_answered(load: dict, expect: str) -> None:
    assert load["requests"] > 0
    assert load["errors"] == 0, load
    assert set(load["statuses"]) == {expect}, load


def test_create_answers_every_request(quick_run: dict) -> None:
    rows = quick_run["scenarios"]["create"]["rows"]
    assert rows
    for row in rows:
        _all_answered(row["bare"], "201")
        _all_answered(row["worker_off"], "201")
        _all_answered(row["worker_on"], "201")
        pgbench = row["pgbench"]
        if "skipped" not in pgbench:
            assert pgbench.get("failed") == 0 and pgbench.get("transactions", 0) > 0, pgbench


def _no_event_lost(result: dict, streams: int) -> None:
    assert result["opened"] == streams and result["open_failures"] == 0, result.get("failure_samples")
    assert (result["lost"], result["duplicates"], result["unterminated"]) == (0, 0, 0), result
    assert result["delay_ms"]["n"] > 0


def test_fanout_loses_no_event(quick_run: dict) -> None:
    rows = quick_run["scenarios"]["fanout"]["rows"]
    assert [r["streams"] for r in rows] == SIZES["fanout_streams"]
    for row in rows:
        for mode in ("bare", "one", "many"):
            _no_event_lost(row[mode], row["streams"])
        assert row["one"]["kb_per_stream"] is not None


def test_cross_process_delivery_loses_no_event(quick_run: dict) -> None:
    rows = quick_run["scenarios"]["crossproc"]["rows"]
    assert rows
    for row in rows:
        _no_event_lost(row["cross"], row["streams"])
        # the worker ran the generation through every stage: queued, claimed, 5 stages, completed
        assert row["cross"]["events_per_stream"] >= 8


def test_drain_completes_every_generation(quick_run: dict) -> None:
    rows = quick_run["scenarios"]["drain"]["rows"]
    assert [r["processes"] for r in rows] == [1, 2]
    for row in rows:
        assert row["completed"] == row["generations"] == SIZES["drain_generations"], row
        assert row["failed"] == 0 and row["rate"] > 0


def test_token_to_connected_answers(quick_run: dict) -> None:
    connect = quick_run["scenarios"]["connect"]
    for key in ("bare", "service"):
        assert connect[key]["errors"] == 0, connect[key]["error_samples"]
        assert connect[key]["samples"] == SIZES["connect_samples"]


def test_report_and_charts(quick_run: dict, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    from bench import report
    from bench.charts import charts as make_charts

    charts = make_charts(quick_run, tmp_path)
    assert {p.name for p in charts} == {"create.png", "fanout.png"}
    assert all(p.stat().st_size > 1000 for p in charts)
    assert "## Targets" in report.markdown(quick_run)


def test_sandbox_runs_are_measured(quick_run: dict) -> None:
    sandbox = quick_run["scenarios"]["sandbox"]
    for row in sandbox["overhead"].values():
        assert row["plain_ms"]["n"] == row["sandbox_ms"]["n"] == SIZES["sandbox_overhead_runs"]
    assert sandbox["throughput"]["passed"] == sandbox["throughput"]["runs"] == SIZES["sandbox_runs"]
    assert sandbox["cancel"]["cancel_to_gone_ms"] > 0
    assert sandbox["api"]["by_tests"] == {"completed/passed": SIZES["sandbox_generations"]}


def test_model_backed_generations_stream_what_is_stored(quick_run: dict) -> None:
    rows = quick_run["scenarios"]["model"]["rows"]
    assert [r["generations"] for r in rows] == SIZES["model_generations"]
    for row in rows:
        assert row["completed"] == row["identical"] == row["generations"], row
        assert row["delta_delay_ms"]["n"] > 0 and row["api_ms"]["n"] > 0
        # (a quick run does not wait for PostgreSQL's statistics: its transaction count is not checked)
        assert "transactions_per_generation" in row and row["rss_mb"] > 0
