"""The virtualenvs of generated projects' requirements (DependencyCache): the limits that refuse an install.

Real virtualenvs and a real pip (its wheels from PIP_FIND_LINKS or the index, as the service's own runs);
nothing generated runs here, only pip and the venv module.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from codegen.config import DependencySettings, load_settings
from codegen.engine.dependencies import DependencyCache, DependencyError
from codegen.engine.sandbox import base_python

pytestmark = pytest.mark.slow


def cache(tmp_path: Path, **overrides: float) -> DependencyCache:
    settings = DependencySettings(
        cache_dir=tmp_path / "venvs", pip_timeout_seconds=overrides.get("pip_timeout_seconds", 300.0),
        venv_max_mb=int(overrides.get("venv_max_mb", 1024)), cache_max_mb=int(overrides.get("cache_max_mb", 4096)),
    )
    return DependencyCache(settings, base_python(load_settings({}, data_dir=tmp_path).validation.sandbox))


def leftovers(tmp_path: Path) -> list[str]:
    return sorted(p.name for p in (tmp_path / "venvs").iterdir())


async def test_an_install_over_its_time_limit_is_refused_and_leaves_nothing(tmp_path) -> None:
    # over its limit in either step: creating the virtualenv usually, installing when the machine made it quick
    venvs = cache(tmp_path, pip_timeout_seconds=0.05)
    with pytest.raises(DependencyError, match=r"could not (?:create a virtualenv|install the requirements) within 0.05 s"):
        async with venvs.environment(["pytest"]):
            raise AssertionError("no environment is handed out")
    assert leftovers(tmp_path) == []


async def test_an_environment_over_its_size_limit_is_refused_and_removed(tmp_path) -> None:
    venvs = cache(tmp_path, venv_max_mb=0)
    with pytest.raises(DependencyError, match=r"the requirements take \d+ MB installed, over the 0 MB limit"):
        async with venvs.environment(["pytest"]):
            raise AssertionError("no environment is handed out")
    assert leftovers(tmp_path) == []


async def test_cancelling_an_install_stops_it_and_leaves_nothing(tmp_path) -> None:
    venvs = cache(tmp_path)

    async def use() -> None:
        async with venvs.environment(["pytest"]):
            raise AssertionError("cancelled before the environment was ready")

    task = asyncio.create_task(use())
    # the install is under way once its half-built directory exists (not the finished one: a quick install
    # could have been renamed into place before the first look)
    async with asyncio.timeout(30):
        while not (tmp_path / "venvs").exists() or not any(n.startswith(".building-") for n in leftovers(tmp_path)):
            await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert leftovers(tmp_path) == []


async def test_an_environment_just_installed_is_handed_out_even_over_the_cache_limit(tmp_path) -> None:
    """A cache limit below one environment: the older environment is evicted, never the one just installed
    (evicted before it was held, it was handed out deleted)."""
    venvs = cache(tmp_path, cache_max_mb=0)
    async with venvs.environment([]) as first:
        assert (first / "bin" / "python").exists()
    async with venvs.environment(["pytest"]) as second:
        assert (second / "bin" / "python").exists(), "the environment handed out was evicted"
        assert leftovers(tmp_path) == [second.name]
