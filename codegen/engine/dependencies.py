"""Virtualenvs for generated projects' requirements, installed without running their code.

A project's ``requirements*.txt`` is read as plain PEP 508 requirements (no
options, no URLs, no local paths) and installed outside the sandbox with
``pip install --only-binary :all:``: wheels only, so no build script runs.
Each set of requirements gets one virtualenv, named by its hash and shared by
every run (and every process using the same data folder); the sandbox mounts
it read-only. Installs have a time and a size limit; the cache is evicted,
least recently used first, when it grows past its size.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import re
import shutil
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from codegen.config import DependencySettings
from codegen.engine.run_output import sanitize

log = logging.getLogger(__name__)

# always present: the runner itself
RUNNER_REQUIREMENTS = ("pytest",)
_READY = ".ready"
_LAST_USED = ".last-used"
# environment variables pip may see: its own configuration and proxies, never the service's secrets
_PIP_ENV_PREFIXES = ("PIP_",)
_PIP_ENV_NAMES = ("PATH", "HOME", "LANG", "LC_ALL", "http_proxy", "https_proxy", "no_proxy", "HTTP_PROXY",
                  "HTTPS_PROXY", "NO_PROXY", "SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE")
_NO_MATCH_RE = re.compile(r"(?:No matching distribution found for|satisfies the requirement) ([^\s(]+)")


class DependencyError(Exception):
    """The requirements cannot be installed; the text names what and why, safe to show."""


def read_requirements(files: dict[str, str]) -> list[str]:
    """The project's requirements (every top-level ``requirements*.txt``), normalized, plus the runner's.

    Raises DependencyError for anything but a plain requirement: options (``-e``, ``--index-url``,
    ``-r`` of a file outside those read), URLs and local paths would let a project choose what runs.
    """
    names = sorted(p for p in files if "/" not in p and re.fullmatch(r"requirements[\w.-]*\.txt", p))
    found: dict[str, str] = {}
    for name in names:
        for number, raw in enumerate(files[name].splitlines(), start=1):
            line = raw.split(" #", 1)[0].strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith(("-r ", "--requirement ")) and line.split(None, 1)[1].strip() in names:
                continue
            try:
                requirement = Requirement(line)
            except InvalidRequirement:
                raise DependencyError(f"{name} line {number}: {line[:100]!r} is not a plain requirement "
                                      "(options, URLs and paths are not installed)") from None
            if requirement.url:
                raise DependencyError(f"{name} line {number}: {requirement.name} comes from a URL, which is "
                                      "not installed; name a released version instead")
            found[str(requirement)] = str(requirement)
    present = {canonicalize_name(Requirement(r).name) for r in found}
    for runner in RUNNER_REQUIREMENTS:
        if canonicalize_name(runner) not in present:
            found[runner] = runner
    return sorted(found, key=str.lower)


class DependencyCache:
    def __init__(self, settings: DependencySettings, python: str) -> None:
        self.settings = settings
        # the interpreter each virtualenv is made from (part of its key)
        self.python = python
        self._locks: dict[str, asyncio.Lock] = {}
        self._in_use: dict[str, int] = {}

    @contextlib.asynccontextmanager
    async def environment(
        self, requirements: list[str], on_install: Callable[[], Awaitable[None]] | None = None
    ) -> AsyncIterator[Path]:
        """The virtualenv for ``requirements``, installed when missing; kept from eviction while held."""
        key = self._key(requirements)
        path = self.settings.cache_dir / key
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            installed = not (path / _READY).exists()
            if installed:
                if on_install is not None:
                    await on_install()
                await self._install(path, requirements)
        self._in_use[key] = self._in_use.get(key, 0) + 1
        if installed:
            # only once it is held: evicted before, the environment just installed could be the one removed
            self._evict()
        with contextlib.suppress(OSError):
            (path / _LAST_USED).touch()
        try:
            yield path
        finally:
            self._in_use[key] -= 1
            if not self._in_use[key]:
                del self._in_use[key]

    def _key(self, requirements: list[str]) -> str:
        text = "\n".join([f"python={self.python}", *requirements])
        return hashlib.sha256(text.encode()).hexdigest()[:24]

    async def _install(self, path: Path, requirements: list[str]) -> None:
        self.settings.cache_dir.mkdir(parents=True, exist_ok=True)
        building = self.settings.cache_dir / f".building-{uuid.uuid4().hex}"
        started = time.monotonic()
        try:
            await self._run([self.python, "-m", "venv", "--without-pip", str(building)], "create a virtualenv")
            requirement_file = building / "requirements.txt"
            requirement_file.write_text("\n".join(requirements) + "\n")
            await self._run(
                [sys.executable, "-m", "pip", "--python", str(building / "bin" / "python"), "install",
                 "--only-binary", ":all:", "--no-input", "--disable-pip-version-check", "--no-warn-script-location",
                 "--quiet", "-r", str(requirement_file)],
                "install the requirements",
            )
            size_mb = _size(building) / 1024 / 1024
            if size_mb > self.settings.venv_max_mb:
                raise DependencyError(f"the requirements take {size_mb:.0f} MB installed, over the "
                                      f"{self.settings.venv_max_mb} MB limit (CODEGEN_SANDBOX_VENV_MAX_MB)")
            (building / _READY).write_text(f"{time.monotonic() - started:.1f}\n")
            try:
                building.rename(path)
            except OSError:
                # another process installed the same set meanwhile: use theirs
                if not (path / _READY).exists():
                    raise
            log.info("sandbox requirements installed",
                     extra={"venv": path.name, "requirements": requirements, "size_mb": round(size_mb, 1),
                            "seconds": round(time.monotonic() - started, 1)})
        finally:
            shutil.rmtree(building, ignore_errors=True)

    async def _run(self, argv: list[str], what: str) -> None:
        env = {k: v for k, v in os.environ.items() if k.startswith(_PIP_ENV_PREFIXES) or k in _PIP_ENV_NAMES}
        proc = await asyncio.create_subprocess_exec(
            *argv, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT, env=env, start_new_session=True,
        )
        try:
            output, _ = await asyncio.wait_for(proc.communicate(), self.settings.pip_timeout_seconds)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            await proc.wait()
            raise DependencyError(f"could not {what} within {self.settings.pip_timeout_seconds:g} s "
                                  "(CODEGEN_SANDBOX_PIP_TIMEOUT_SECONDS)") from None
        except asyncio.CancelledError:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            await asyncio.shield(proc.wait())
            raise
        if proc.returncode != 0:
            text = output.decode("utf-8", "replace")
            missing = _NO_MATCH_RE.search(text)
            if missing:
                raise DependencyError(f"requirement {missing.group(1)!r} could not be installed: no released "
                                      "wheel matches it on this platform (only wheels are installed)")
            errors = [line for line in text.splitlines() if line.startswith("ERROR")] or text.splitlines()[-1:]
            detail = sanitize(errors[-1] if errors else f"exit status {proc.returncode}",
                              [(str(self.settings.cache_dir), "<cache>")])
            raise DependencyError(f"could not {what}: {detail[:300]}")

    def _evict(self) -> None:
        """Remove least recently used environments until the cache fits its size (never one in use)."""
        entries = []
        for path in self.settings.cache_dir.iterdir():
            if path.name.startswith(".") or not (path / _READY).exists():
                continue
            marker = path / _LAST_USED
            used = marker.stat().st_mtime if marker.exists() else path.stat().st_mtime
            entries.append((used, path, _size(path)))
        total = sum(size for _, _, size in entries)
        limit = self.settings.cache_max_mb * 1024 * 1024
        for _, path, size in sorted(entries):
            if total <= limit:
                break
            if path.name in self._in_use:
                continue
            shutil.rmtree(path, ignore_errors=True)
            total -= size
            log.info("sandbox requirements evicted", extra={"venv": path.name, "size_mb": round(size / 2**20, 1)})


def _size(path: Path) -> int:
    total = 0
    for root, _, names in os.walk(path):
        for name in names:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(root, name)).st_size
    return total
