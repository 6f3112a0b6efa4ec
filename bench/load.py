"""The orchestrator's side of the load generators: ``python -m bench.loadgen`` processes fed a
spec, read for READY and RESULT, and, for many streams, several of them merged into one result."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

from bench.machine import cpu_seconds, machine_cpu_seconds, postgres_cpu_seconds
from bench.processes import PYTHON, REPO, child_env
from bench.stats import summary_ms


class LoadGen:
    """``python -m bench.loadgen`` in its own process: feed a spec, read READY and RESULT."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.ready: dict[str, Any] | None = None

    @classmethod
    async def start(cls, spec: dict[str, Any]) -> LoadGen:
        process = await asyncio.create_subprocess_exec(
            PYTHON, "-m", "bench.loadgen", cwd=str(REPO), env=child_env(),
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
            "unavailable": sum(r.get("unavailable", 0) for r in results),
            "told_to_reconnect": sum(r.get("told_to_reconnect", 0) for r in results),
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
