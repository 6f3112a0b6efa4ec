"""Supply chain: advisory floors, the hashed lock the Docker image installs, the base image's digest."""

from __future__ import annotations

import re
from pathlib import Path

from packaging.version import Version

from tools import update_lock

ROOT = Path(__file__).resolve().parent.parent
# (last affected, first fixed) by a known advisory (docs/security.md, "Supply chain")
FLOORS = {
    "aiohttp": ("3.12.13", "3.12.14"),  # GHSA-9548-qrrj-x5pj, request smuggling
    "pyjwt": ("2.10.0", "2.10.1"),  # CVE-2024-53861, partial match of the iss claim
}


def test_setup_cfg_allows_no_version_below_an_advisory():
    named = {update_lock.canonical(r.name): r for r in update_lock.runtime_requirements()}
    for name, (affected, fixed) in FLOORS.items():
        assert not named[name].specifier.contains(affected), named[name]
        assert named[name].specifier.contains(fixed), named[name]


def test_the_lock_pins_every_runtime_dependency_with_hashes():
    lock = update_lock.read_lock()
    assert update_lock.problems(update_lock.closure(), lock) == []
    for name, (version, hashes) in lock.items():
        assert re.fullmatch(r"[0-9][0-9A-Za-z.+!-]*", version), (name, version)
        assert hashes and all(re.fullmatch(r"[0-9a-f]{64}", h) for h in hashes), name
        if name in FLOORS:
            assert Version(version) >= Version(FLOORS[name][1]), (name, version)


def test_a_missing_or_unhashed_or_out_of_range_pin_is_reported(tmp_path):
    lock = update_lock.read_lock()
    pins = update_lock.closure()
    broken = dict(lock)
    del broken["aiohttp"]
    assert "aiohttp is a runtime dependency but not in requirements.lock" in update_lock.problems(pins, broken)
    broken = {**lock, "pyjwt": ("2.8.0", lock["pyjwt"][1]), "orjson": (lock["orjson"][0], [])}
    found = update_lock.problems(pins, broken)
    assert any(p.startswith("pyjwt==2.8.0 in the lock is outside") for p in found), found
    assert f"orjson=={lock['orjson'][0]} has no hash" in found


def test_the_image_installs_the_lock_and_pins_its_base_by_digest():
    dockerfile = (ROOT / "Dockerfile").read_text()
    froms = [line for line in dockerfile.splitlines() if line.startswith("FROM ")]
    assert froms and all(re.search(r"@sha256:[0-9a-f]{64}\b", line) for line in froms), froms
    assert "pip install --require-hashes --only-binary :all: -r requirements.lock" in dockerfile
    # the project itself adds nothing unlocked
    installs = [line for line in dockerfile.splitlines() if "pip install" in line]
    assert all("--require-hashes" in line or "--no-deps" in line for line in installs), installs
    assert "CODEGEN_ENV=production" in dockerfile
    assert "requirements.lock" not in (ROOT / ".dockerignore").read_text()
