"""The results as JSON, a markdown table and PNG charts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

# the usual stack (FastAPI + SQLAlchemy 2 async + sse-starlette, one uvicorn worker) on this machine, from issue 6
USUAL_STACK = {"create_rps_64": 70, "create_p99_ms_64": 6000, "fanout_1000_p99_ms": 63, "kb_per_stream": 55}
TARGETS = {
    "create_off_vs_bare": 0.60,  # worker off: at least 60 % of bare aiohttp + INSERT
    "create_on_rps": 5 * USUAL_STACK["create_rps_64"],  # worker on: 5x the usual stack ...
    "create_on_p99_ms": 1000,  # ... and p99 under 1 s
    "fanout_2000_p99_ms": 60,
    "kb_per_stream": 25,
    "connect_p50_ms": 10,
    "sandbox_overhead_p50_ms": 50,  # issue 11: what one sandboxed run adds to the same command
}


def _strip(value: Any) -> Any:
    """The JSON without the bulky parts (quantiles, per-stream rows) for the markdown."""
    return value


def write(results: dict[str, Any], json_path: Path) -> None:
    json_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = json_path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(results, indent=1, default=str))
    tmp.replace(json_path)
    json_path.with_suffix(".md").write_text(markdown(results))


def _fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def latencies(result: dict[str, Any] | None, key: str = "latency_ms") -> dict[str, Any]:
    return (result or {}).get(key) or {}


def _heading(title: str, outcome: dict[str, Any]) -> list[str]:
    """A scenario's section title, and the error that stopped it, if one did."""
    lines = [title, ""]
    if "error" in outcome:
        lines += [f"failed: `{outcome['error']}`", ""]
    return lines


def _verdict(ok: bool | None) -> str:
    return "–" if ok is None else ("met" if ok else "**missed**")


def targets(results: dict[str, Any]) -> list[tuple[str, str, str, bool | None]]:
    """(target, goal, measured, met?) for every target of issue 6 the run measured."""
    out: list[tuple[str, str, str, bool | None]] = []
    scenarios = results.get("scenarios", {})
    rows = scenarios.get("create", {}).get("rows", [])
    for row in rows:
        r = row.get("ratio_off_vs_bare")
        out.append((f"create, worker off, {row['clients']} clients", "≥ 0.60 × bare", _fmt(r, 2) + " × bare",
                    None if r is None else r >= TARGETS["create_off_vs_bare"]))
    for row in rows:
        on = row.get("worker_on", {})
        p99 = latencies(on).get("p99")
        ok = None if p99 is None else (on.get("rps", 0) >= TARGETS["create_on_rps"] and p99 < TARGETS["create_on_p99_ms"])
        out.append((f"create, worker on, {row['clients']} clients", "≥ 350/s, p99 < 1 s",
                    f"{_fmt(on.get('rps'))}/s, p99 {_fmt(p99)} ms", ok))
    for row in scenarios.get("fanout", {}).get("rows", []):
        one = row.get("one") or {}
        p99 = latencies(one, "delay_ms").get("p99")
        if row["streams"] >= 2000:
            bare_p99 = latencies(row.get("bare"), "delay_ms").get("p99")
            out.append((f"{row['streams']} streams on one generation", "p99 < 60 ms, 0 lost",
                        f"p99 {_fmt(p99)} ms (bare aiohttp, same events: {_fmt(bare_p99)} ms), {one.get('lost')} lost",
                        None if p99 is None else p99 < TARGETS["fanout_2000_p99_ms"] and one.get("lost") == 0))
        else:
            out.append((f"{row['streams']} streams on one generation", "0 lost", f"{one.get('lost')} lost, p99 {_fmt(p99)} ms",
                        None if one.get("lost") is None else one.get("lost") == 0))
        many = row.get("many") or {}
        if many:
            out.append((f"{row['streams']} streams, one per generation", "0 lost", f"{many.get('lost')} lost, p99 {_fmt(latencies(many, 'delay_ms').get('p99'))} ms",
                        None if many.get("lost") is None else many.get("lost") == 0))
    kb = [r["one"].get("kb_per_stream") for r in scenarios.get("fanout", {}).get("rows", []) if r.get("one") and r["streams"] >= 1000]
    if kb:
        out.append(("memory per open stream", "< 25 KB", f"{_fmt(max(kb))} KB", max(kb) < TARGETS["kb_per_stream"]))
    for row in scenarios.get("crossproc", {}).get("rows", []):
        c = row.get("cross") or {}
        out.append((f"cross-process, {row['streams']} streams", "0 lost", f"{c.get('lost')} lost, p99 {_fmt(latencies(c, 'delay_ms').get('p99'))} ms",
                    None if c.get("lost") is None else c.get("lost") == 0))
    for label, row in (scenarios.get("sandbox", {}).get("overhead") or {}).items():
        extra = row.get("overhead_p50_ms")
        out.append((f"sandbox overhead, {label}", "< 50 ms at p50", f"{_fmt(extra)} ms",
                    None if extra is None else extra < TARGETS["sandbox_overhead_p50_ms"]))
    connect = scenarios.get("connect", {}).get("service")
    if connect:
        p50 = latencies(connect, "total_ms").get("p50")
        out.append(("token → connected", "p50 < 10 ms", f"p50 {_fmt(p50, 2)} ms", None if p50 is None else p50 < TARGETS["connect_p50_ms"]))
    return out


def markdown(results: dict[str, Any]) -> str:
    env = results.get("environment", {})
    lines = [
        f"# Benchmark results {results.get('date', '')}{' (quick)' if results.get('quick') else ''}",
        "",
        (
            f"{env.get('cpus')} CPUs, Python {env.get('python')}, PostgreSQL {env.get('postgres')}"
            f"{' (embedded)' if env.get('embedded_postgres') else ''}, aiohttp {env.get('aiohttp')}, "
            f"asyncpg {env.get('asyncpg')}; load generator on the same machine. "
            f"{results.get('duration')} s per throughput run."
        ),
        "",
    ]
    scenarios = results.get("scenarios", {})
    loads = ", ".join(f"{k} {v['load_average']['before'][0]}–{v['load_average']['after'][0]}" for k, v in scenarios.items() if "load_average" in v)
    if loads:
        lines += [f"Load average (1 min) at the start and end of each scenario: {loads}.", ""]
    t = targets(results)
    if t:
        lines += ["## Targets (issue 6)", "", "| target | goal | measured | |", "|---|---|---|---|"]
        lines += [f"| {a} | {b} | {c} | {_verdict(d)} |" for a, b, c, d in t]
        lines.append("")

    create = scenarios.get("create")
    if create:
        lines += _heading("## 1. Create throughput (`POST /api/generations/generate`)", create)
        lines += [
            "CPU columns: microseconds of CPU per answered request, of the server process, of PostgreSQL's"
            " processes, and of the whole machine (load generator and kernel included). On a saturated machine"
            " throughput is the inverse of the last one, so `vs bare` follows the machine column.",
            "",
            "| clients | server | req/s | p50 ms | p99 ms | errors | vs bare | CPU µs: server | PostgreSQL | machine |",
            "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for row in create.get("rows", []):
            c = row["clients"]
            pg = row.get("pgbench", {})
            for label, r, vs in (
                ("bare aiohttp + 1 INSERT", row.get("bare"), 1.0),
                (f"pgbench, same SQL (-c {pg.get('clients', '?')})", pg, None),
                ("**codegen, worker off**", row.get("worker_off"), row.get("ratio_off_vs_bare")),
                ("**codegen, worker on**", row.get("worker_on"), row.get("ratio_on_vs_bare")),
            ):
                r = r or {}
                if "skipped" in r or "error" in r:
                    lines.append(f"| {c} | {label} | {r.get('skipped') or 'error'} | | | | | | | |")
                    continue
                rate = r.get("rps", r.get("tps"))
                if rate is not None and vs is None and r.get("tps"):
                    vs = None
                lat = latencies(r)
                lines.append(
                    f"| {c} | {label} | {_fmt(rate)} | {_fmt(lat.get('p50'), 2)} | {_fmt(lat.get('p99'), 2)} | "
                    f"{_fmt(r.get('errors', r.get('failed')))} | {_fmt(vs, 2) if vs is not None else ''} | "
                    f"{_fmt(r.get('server_cpu_us_per_request'))} | {_fmt(r.get('database_cpu_us_per_request'))} | "
                    f"{_fmt(r.get('machine_cpu_us_per_request'))} |"
                )
        lines += ["", f"Usual stack at 64 clients: {USUAL_STACK['create_rps_64']}/s, p99 6 s.", ""]

    fanout = scenarios.get("fanout")
    if fanout:
        lines += _heading("## 2. Stream fan-out (delay from commit to arrival)", fanout)
        first = (fanout.get("rows") or [{}])[0]
        lines += [
            (
                f"{first.get('events', '?')} events per generation, "
                f"{first.get('interval', 0) * 1000:g} ms apart; the NOTIFY floor is when "
                "the same notification reached a plain asyncpg LISTEN in the load generator."
            ),
            "",
            "| streams | server | samples | delay p50 ms | p99 ms | max ms | NOTIFY floor p99 ms | server's part p50 / p99 ms | lost | KB/stream | p99 vs bare |",
            "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for row in fanout.get("rows", []):
            for label, key in (("bare aiohttp, same events", "bare"), ("**codegen, one generation**", "one"),
                               ("codegen, one generation each", "many")):
                r = row.get(key)
                if not r:
                    continue
                d = latencies(r, "delay_ms")
                vs = row.get("ratio_one_vs_bare") if key == "one" else row.get("ratio_many_vs_bare") if key == "many" else None
                floor = latencies(r, "listen_delay_ms").get("p99")
                serve = latencies(r, "serve_delay_ms")
                runs = row.get(f"{key}_p99_runs")
                label_runs = f"{label} (p99 of {len(runs)} runs: {', '.join(_fmt(x, 0) for x in runs)})" if runs and len(runs) > 1 else label
                lines.append(
                    f"| {row['streams']} | {label_runs} | {_fmt(d.get('n'))} | {_fmt(d.get('p50'), 2)} | {_fmt(d.get('p99'), 2)} | "
                    f"{_fmt(d.get('max'), 2)} | {_fmt(floor, 2) if floor is not None else ''} | "
                    f"{_fmt(serve.get('p50'), 1)} / {_fmt(serve.get('p99'), 1)} | {_fmt(r.get('lost'))} | "
                    f"{_fmt(r.get('kb_per_stream'))} | {_fmt(vs, 2) if vs else ''} |"
                )
        lines += ["", "Usual stack: 1,000 streams on one generation p99 50–76 ms, 55 KB per stream.", ""]
        lines += storm_rows(fanout.get("storms", []))

    cross = scenarios.get("crossproc")
    if cross:
        lines += _heading("## 3. Cross-process delivery (worker in one process, streams on another)", cross)
        lines += ["| streams | events | p50 ms | p99 ms | max ms | lost | NOTIFY floor p99 ms | p99 vs floor |",
                  "|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for row in cross.get("rows", []):
            c = row.get("cross") or {}
            d = latencies(c, "delay_ms")
            f = latencies(c, "listen_delay_ms")
            lines.append(
                f"| {row['streams']} | {_fmt(d.get('n'))} | {_fmt(d.get('p50'), 2)} | {_fmt(d.get('p99'), 2)} | {_fmt(d.get('max'), 2)} | "
                f"{_fmt(c.get('lost'))} | {_fmt(f.get('p99'), 2)} | {_fmt(row.get('ratio_vs_floor'), 2)} |"
            )
        lines.append("")

    # each section renders its own table: the columns differ, the loop's shape is all they share
    drain = scenarios.get("drain")
    if drain:
        lines += _heading("## 4. Drain rate (template generator, no stage delay)", drain)
        lines += ["| processes | generations | completed/s | failed | pgbench, same SQL, completed/s | vs pgbench |",
                  "|---:|---:|---:|---:|---:|---:|"]
        for row in drain.get("rows", []):
            pg = row.get("pgbench") or {}
            lines.append(
                f"| {row['processes']} | {_fmt(row.get('generations'))} | {_fmt(row.get('rate'))} | {_fmt(row.get('failed'))} | "
                f"{_fmt(pg.get('tps')) if 'tps' in pg else pg.get('skipped', 'error')} (-c {pg.get('clients', '?')}) | {_fmt(row.get('ratio_vs_pgbench'), 2)} |"
            )
        lines.append("")

    connect = scenarios.get("connect")
    if connect:
        lines += _heading("## 5. Token to connected (one client, one after another)", connect)
        lines += ["| server | samples | p50 ms | p99 ms | first request p50 ms | errors |", "|---|---:|---:|---:|---:|---:|"]
        for label, key in (("bare aiohttp: POST (1 INSERT) + GET /sse", "bare"), ("**codegen: POST stream-token + GET stream**", "service")):
            r = connect.get(key) or {}
            lines.append(
                f"| {label} | {_fmt(r.get('samples'))} | {_fmt(latencies(r, 'total_ms').get('p50'), 2)} | {_fmt(latencies(r, 'total_ms').get('p99'), 2)} | "
                f"{_fmt(latencies(r, 'token_ms').get('p50'), 2)} | {_fmt(r.get('errors'))} |"
            )
        lines += ["", f"Ratio p50 codegen / bare: {_fmt(connect.get('ratio_p50'), 2)}.", ""]
    sandbox = scenarios.get("sandbox")
    if sandbox:
        lines += _heading("## 6. The sandbox (generated projects' tests)", sandbox)
        lines += ["| command | plain p50 ms | sandboxed p50 ms | sandboxed p95 ms | overhead p50 ms | ratio |",
                  "|---|---:|---:|---:|---:|---:|"]
        for label, row in (sandbox.get("overhead") or {}).items():
            lines.append(
                f"| {label} | {_fmt(row['plain_ms']['p50'])} | {_fmt(row['sandbox_ms']['p50'])} | "
                f"{_fmt(row['sandbox_ms']['p95'])} | {_fmt(row.get('overhead_p50_ms'))} | {_fmt(row.get('ratio_p50'), 2)} |"
            )
        t, c, a = sandbox.get("throughput") or {}, sandbox.get("cancel") or {}, sandbox.get("api") or {}
        lines += [
            "",
            f"At the cap ({t.get('cap')} at once): {_fmt(t.get('runs'))} runs in {_fmt(t.get('seconds'), 2)} s, "
            f"{_fmt(t.get('runs_per_second'), 2)} runs/s ({_fmt(t.get('passed'))} passed). "
            f"Cancel to no process left: {_fmt(c.get('cancel_to_gone_ms'))} ms.",
            "",
            f"GET /api/health while the worker drained {_fmt(a.get('generations'))} template generations with their "
            f"tests ({a.get('by_tests')}): p50 {_fmt(latencies(a, 'busy_ms').get('p50'), 2)} ms, "
            f"p99 {_fmt(latencies(a, 'busy_ms').get('p99'), 2)} ms; idle, same run: p99 {_fmt(latencies(a, 'idle_ms').get('p99'), 2)} ms "
            f"(ratio {_fmt(a.get('ratio_p99'), 2)}).",
            "",
        ]
    claim = scenarios.get("claim")
    if claim:
        lines += _heading("## 7. The fair claim as the queue grows", claim)
        lines += [f"{claim.get('limit')} generation(s) per claim, {claim.get('samples')} samples each, every one "
                  "rolled back (the queue stays the same).", "",
                  "| pending | users | fair p50 ms | fair p99 ms | FIFO p50 ms | FIFO p99 ms | fair / FIFO p50 |",
                  "|---|---|---|---|---|---|---|"]
        for r in claim.get("runs") or []:
            lines.append(f"| {r['pending']:,} | {r['users']:,} | {_fmt(r['fair']['p50'], 2)} | {_fmt(r['fair']['p99'], 2)} | "
                         f"{_fmt(r['fifo']['p50'], 2)} | {_fmt(r['fifo']['p99'], 2)} | {_fmt(r['ratio_p50'], 2)} |")
        lines.append("")

    model = scenarios.get("model")
    if model:
        lines += _heading("## 8. Model-backed generations against a paced fake model", model)
        lines += model_rows(model)
    return "\n".join(lines) + "\n"


def storm_rows(storms: list[dict[str, Any]]) -> list[str]:
    """The reconnect storm: every stream of one generation connecting at once, then the same events."""
    if not storms:
        return []
    lines = ["Reconnect storm: the stream tokens first, then every stream's GET at once, on one generation.", "",
             "| streams | connected | 503 | other failures | all connected in s | KB per idle stream "
             "| delay p50 / p99 ms | lost | told to reconnect |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in storms:
        d = latencies(r, "delay_ms")
        others = (r.get("open_failures") or 0) - (r.get("unavailable") or 0)
        lost = sum(r.get(k) or 0 for k in ("lost", "duplicates", "unterminated"))
        lines.append(
            f"| {_fmt(r.get('streams'))} | {_fmt(r.get('opened'))} | {_fmt(r.get('unavailable'))} | {_fmt(others)} | "
            f"{_fmt(r.get('open_seconds'), 1)} | {_fmt(r.get('kb_per_stream'))} | "
            f"{_fmt(d.get('p50'), 1)} / {_fmt(d.get('p99'), 1)} | {_fmt(lost)} | {_fmt(r.get('told_to_reconnect'))} |"
        )
    return lines + [""]


def model_rows(model: dict[str, Any]) -> list[str]:
    lines = ["| generations | completed (refused) | streamed = stored | failed / retried / silent ends | drain s "
             "| vs one alone | first code p50 / p99 s | delta p50 / p99 ms | API p50 / p99 ms | transactions / generation "
             "| RSS MB (+ CPU pool) |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for row in model.get("rows", []):
        d, a = row["delta_delay_ms"], row["api_ms"]
        first = row.get("first_code_ms") or {}
        first_s = [None if first.get(q) is None else first[q] / 1000 for q in ("p50", "p99")]
        refused = f" ({_fmt(row['refused'])})" if row.get("refused") else ""
        label = _fmt(row["generations"])
        if row.get("processes", 1) > 1:
            label += f" on {row['processes']} processes"
        if row.get("model_concurrency"):
            label += f" (cap {_fmt(row['model_concurrency'])})"
        lines.append(
            f"| {label} | {row['completed']}{refused} | {row['identical']} | "
            f"{_fmt(row.get('failed'))} / {_fmt(row.get('retried'))} / {_fmt(row.get('silent_ends'))} | "
            f"{_fmt(row['drain_seconds'], 2)} | "
            f"{_fmt(row.get('drain_vs_alone'), 2)} | {_fmt(first_s[0], 2)} / {_fmt(first_s[1], 2)} | "
            f"{_fmt(d['p50'])} / {_fmt(d['p99'])} | {_fmt(a['p50'])} / {_fmt(a['p99'])} | "
            f"{_fmt(row['transactions_per_generation'])} | {_fmt(row['rss_mb'])} (+{_fmt(row['cpu_pool_rss_mb'])}) |"
        )
    return lines + [""]
