"""The numbers a scenario reports: percentiles, latency summaries and ratios to a baseline.

Standard library only: the load generator's processes import it too.
"""

from __future__ import annotations

import math
from typing import Any


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile of sorted ``values`` (q in 0..100)."""
    if not values:
        return None
    rank = max(1, math.ceil(q / 100 * len(values)))
    return values[min(rank, len(values)) - 1]


def summary_ms(values: list[float]) -> dict[str, Any]:
    """p50/p90/p99/max in milliseconds, plus 101 quantiles for charts."""
    values = sorted(values)
    if not values:
        return {"n": 0, "p50": None, "p90": None, "p99": None, "max": None, "mean": None, "quantiles": []}
    ms = 1000.0
    return {
        "n": len(values),
        "p50": round(percentile(values, 50) * ms, 3),  # type: ignore[operator]
        "p90": round(percentile(values, 90) * ms, 3),  # type: ignore[operator]
        "p99": round(percentile(values, 99) * ms, 3),  # type: ignore[operator]
        "max": round(values[-1] * ms, 3),
        "mean": round(sum(values) / len(values) * ms, 3),
        "quantiles": [round(values[min(len(values) - 1, int(i / 100 * (len(values) - 1)))] * ms, 3) for i in range(101)],
    }


def ratio(value: float | None, baseline: float | None) -> float | None:
    if value is None or not baseline:
        return None
    return round(value / baseline, 3)
