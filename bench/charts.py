"""The benchmark's PNG charts (docs/perf/): create throughput and p99, fan-out delay, memory per stream."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench.report import TARGETS, USUAL_STACK, latencies


def charts(results: dict[str, Any], directory: Path) -> list[Path]:
    """Small PNGs: create throughput, create p99, fan-out delay, memory per stream."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed (pip install -e .[bench]): no charts")
        return []
    directory.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    scenarios = results.get("scenarios", {})
    plt.rcParams.update({"font.size": 8, "figure.dpi": 100})

    rows = scenarios.get("create", {}).get("rows", [])
    if rows:
        fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(8, 3))
        labels = [str(r["clients"]) for r in rows]
        series = [
            ("bare aiohttp + INSERT", [r.get("bare", {}).get("rps") for r in rows], [latencies(r.get("bare")).get("p99") for r in rows]),
            ("pgbench, same SQL", [r.get("pgbench", {}).get("tps") for r in rows], [latencies(r.get("pgbench")).get("p99") for r in rows]),
            ("codegen, worker off", [r.get("worker_off", {}).get("rps") for r in rows], [latencies(r.get("worker_off")).get("p99") for r in rows]),
            ("codegen, worker on", [r.get("worker_on", {}).get("rps") for r in rows], [latencies(r.get("worker_on")).get("p99") for r in rows]),
        ]
        width = 0.8 / len(series)
        for k, (name, rates, p99s) in enumerate(series):
            xs = [i + (k - (len(series) - 1) / 2) * width for i in range(len(rows))]
            ax1.bar(xs, [v or 0 for v in rates], width, label=name)
            ax2.bar(xs, [v or 0 for v in p99s], width, label=name)
        ax1.axhline(USUAL_STACK["create_rps_64"], color="grey", linestyle="--", linewidth=0.8)
        ax1.text(-0.4, USUAL_STACK["create_rps_64"], "usual stack", fontsize=6, va="bottom", color="grey")
        for ax, title in ((ax1, "creates per second"), (ax2, "p99 latency (ms)")):
            ax.set_xticks(range(len(rows)), labels)
            ax.set_xlabel("concurrent clients")
            ax.set_title(title)
        ax2.set_yscale("log")
        # below the plots, where no bar can hide under it
        fig.legend(*ax1.get_legend_handles_labels(), loc="lower center", ncol=len(series), fontsize=7, frameon=False)
        fig.tight_layout(rect=(0, 0.08, 1, 1))
        written.append(_save(fig, directory / "create.png"))
        plt.close(fig)

    frows = scenarios.get("fanout", {}).get("rows", [])
    if frows:
        fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(8, 3))
        ns = [r["streams"] for r in frows]
        for key, name in (("bare", "bare aiohttp"), ("one", "codegen, one generation"), ("many", "codegen, one each")):
            p99 = [latencies(r.get(key), "delay_ms").get("p99") for r in frows]
            p50 = [latencies(r.get(key), "delay_ms").get("p50") for r in frows]
            if any(v is not None for v in p99):
                line = ax1.plot(ns, p99, marker="o", label=f"{name} p99")[0]
                ax1.plot(ns, p50, marker=".", linestyle=":", color=line.get_color(), label=f"{name} p50")
            kb = [(r.get(key) or {}).get("kb_per_stream") for r in frows]
            if any(v is not None for v in kb):
                ax2.plot(ns, kb, marker="o", label=name)
        ax1.axhline(TARGETS["fanout_2000_p99_ms"], color="red", linestyle="--", linewidth=0.8, label="target p99")
        ax1.set_title("delay from commit to arrival (ms)")
        ax1.set_xlabel("open streams")
        ax1.legend(fontsize=6)
        ax2.axhline(TARGETS["kb_per_stream"], color="red", linestyle="--", linewidth=0.8, label="target")
        ax2.axhline(USUAL_STACK["kb_per_stream"], color="grey", linestyle="--", linewidth=0.8, label="usual stack")
        ax2.set_title("server memory per open stream (KB)")
        ax2.set_xlabel("open streams")
        ax2.set_ylim(bottom=0)
        ax2.legend(fontsize=6)
        fig.tight_layout()
        written.append(_save(fig, directory / "fanout.png"))
        plt.close(fig)
    return written


def _save(fig: Any, path: Path) -> Path:
    fig.savefig(path, dpi=90)
    return path
