"""No Python module outside tests/ is over 400 lines (issue 14): a module that grows past it does
more than one job and is split by role (docs/architecture.md)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_LINES = 400
CHECKED = ("codegen", "bench", "tools", "mutation")


def test_no_module_outside_tests_is_over_400_lines() -> None:
    modules = [path for top in CHECKED for path in (ROOT / top).rglob("*.py")] + [ROOT / "run.py"]
    assert len(modules) > 100, "the walk found the package's modules"
    too_long = {
        str(path.relative_to(ROOT)): lines
        for path in modules
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert too_long == {}, f"split these by role: {too_long}"
