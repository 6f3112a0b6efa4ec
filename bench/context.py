"""What a scenario gets from the orchestrator."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.databases import Databases
from bench.processes import Launcher


@dataclass
class Context:
    """What a scenario gets: the databases, a launcher, and the run's sizes."""

    dbs: Databases
    launcher: Launcher
    workdir: Path
    quick: bool
    duration: float
    sizes: dict[str, Any] = field(default_factory=dict)

    def size(self, name: str, full: Any, quick: Any) -> Any:
        return self.sizes.get(name, quick if self.quick else full)
