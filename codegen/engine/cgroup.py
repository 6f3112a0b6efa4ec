"""A per-run cgroup for the sandbox: caps its processes (and memory), and kills what is left of a run.

v2 where the pids controller is delegated to us, v1 controllers otherwise; where neither is
writable the sandbox falls back to ``RLIMIT_NPROC`` (codegen/engine/sandbox.py says when that is refused).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from pathlib import Path

from codegen.config import SandboxLimits

log = logging.getLogger(__name__)

_CGROUP_PARENT = "codegen-sandbox"


class RunCgroup:
    """A per-run pids (and memory) cgroup: v2 where delegated, v1 controllers otherwise."""

    def __init__(self, dirs: list[Path]) -> None:
        self.dirs = dirs

    @staticmethod
    def parents() -> list[Path] | None:
        """Writable parent directories holding this service's runs, or None."""
        root = Path("/sys/fs/cgroup")
        v2 = root / "cgroup.subtree_control"
        candidates: list[Path] = []
        if v2.exists():
            with contextlib.suppress(OSError):
                if "pids" in v2.read_text().split():
                    candidates = [root / _CGROUP_PARENT]
        elif (root / "pids" / "cgroup.procs").exists():
            candidates = [root / "pids" / _CGROUP_PARENT]
            if (root / "memory" / "cgroup.procs").exists():
                candidates.append(root / "memory" / _CGROUP_PARENT)
        if not candidates:
            return None
        try:
            for parent in candidates:
                parent.mkdir(exist_ok=True)
                if not os.access(parent, os.W_OK):
                    return None
        except OSError:
            return None
        return candidates

    @classmethod
    def create(cls, parents: list[Path], run_id: str, limits: SandboxLimits) -> RunCgroup:
        dirs: list[Path] = []
        for parent in parents:
            path = parent / run_id
            path.mkdir()
            dirs.append(path)
            if (path / "pids.max").exists():
                (path / "pids.max").write_text(str(limits.max_processes))
            memory = (limits.memory_mb + limits.workdir_mb * 2) * 1024 * 1024
            for name in ("memory.max", "memory.limit_in_bytes"):
                if (path / name).exists():
                    with contextlib.suppress(OSError):
                        (path / name).write_text(str(memory))
        return cls(dirs)

    @property
    def procs_files(self) -> list[str]:
        return [str(d / "cgroup.procs") for d in self.dirs]

    async def remove(self) -> None:
        """Kill whatever is left in the cgroup, then remove it (a moment after the namespace dies)."""
        for _ in range(100):
            pids = self._pids()
            for pid in pids:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
            if not pids:
                try:
                    for d in self.dirs:
                        d.rmdir()
                    return
                except OSError:
                    pass
            await asyncio.sleep(0.02)
        log.warning("a sandbox cgroup could not be removed", extra={"cgroup": self.dirs[0].name})

    def _pids(self) -> list[int]:
        pids: set[int] = set()
        for d in self.dirs:
            with contextlib.suppress(OSError, ValueError):
                if d.exists():
                    pids.update(int(p) for p in (d / "cgroup.procs").read_text().split())
        return sorted(pids)
