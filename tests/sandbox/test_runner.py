"""ProjectTester and the sandbox, without the service: what a run sees and how its result reads."""

from __future__ import annotations

import pytest

from codegen.config import load_settings
from codegen.engine.dependencies import DependencyError, read_requirements
from codegen.engine.project_tests import ProjectTester
from codegen.engine.run_output import sanitize
from tests.sandbox_helpers import say_nothing

pytestmark = pytest.mark.slow

PYTEST_INI = {"pytest.ini": "[pytest]\npythonpath = .\n"}


def project(test_body: str, **files: str) -> dict[str, str]:
    return {**PYTEST_INI, "tests/test_it.py": test_body, **files}


async def test_what_the_sandbox_looks_like_from_inside(project_tester: ProjectTester) -> None:
    inside = project(
        "import os, socket\n\n\ndef test_inside():\n"
        "    assert sorted(k for k in os.environ if not k.startswith('PYTEST_')) == ['HOME', 'LANG', 'PATH']\n"
        "    assert os.getuid() == 65534 and os.getgid() == 65534\n"
        "    assert os.getcwd() == '/work'\n"
        "    assert socket.if_nameindex() == [(1, 'lo')]\n"
        "    pids = [p for p in os.listdir('/proc') if p.isdigit()]\n"
        "    assert '1' in pids and len(pids) < 10, pids  # the sandbox's own pid namespace\n"
        "    for path in ('/usr/x', '/venv/x', '/x'):\n"
        "        try:\n"
        "            open(path, 'w')\n"
        "        except OSError as exc:\n"
        "            assert exc.errno == 30, path  # read-only file system\n"
        "        else:\n"
        "            raise AssertionError(path)\n"
    )
    report = await project_tester.run(inside, say_nothing)
    assert report.status == "passed", report.output
    assert (report.passed, report.failed, report.errors) == (1, 0, 0)


async def test_statuses(project_tester: ProjectTester) -> None:
    failing = await project_tester.run(project("def test_a():\n    assert 1 + 1 == 3\n"), say_nothing)
    assert (failing.status, failing.failed) == ("failed", 1) and "assert (1 + 1) == 3" in failing.output
    broken = await project_tester.run(project("import nowhere_to_be_found\n"), say_nothing)
    assert broken.status == "error" and broken.errors == 1 and "nowhere_to_be_found" in broken.output
    empty = await project_tester.run(project("X = 1\n"), say_nothing)
    assert (empty.status, empty.reason) == ("not_run", "pytest collected no tests")
    untested = await project_tester.run({"app.py": "print(1)\n"}, say_nothing)
    assert (untested.status, untested.reason) == ("not_run", "the project has no Python tests (test_*.py) to run")


async def test_a_requirement_that_cannot_be_installed_is_named(project_tester: ProjectTester) -> None:
    files = project("def test_a():\n    pass\n", **{"requirements.txt": "pytest\nno-such-package-codegen-xyz==1.0\n"})
    report = await project_tester.run(files, say_nothing)
    assert report.status == "not_run"
    assert "no-such-package-codegen-xyz" in report.reason and "could not be installed" in report.reason


@pytest.mark.parametrize(
    ("line", "named"),
    [
        ("--index-url https://evil.example/simple", "not a plain requirement"),
        ("-e .", "not a plain requirement"),
        ("./local/path", "not a plain requirement"),
        ("pkg @ https://evil.example/pkg.whl", "comes from a URL"),
    ],
)
def test_requirements_that_would_choose_what_runs_are_refused(line: str, named: str) -> None:
    with pytest.raises(DependencyError, match=named):
        read_requirements({"requirements.txt": f"pytest\n{line}\n"})


def test_requirements_are_normalized_and_the_runner_added() -> None:
    files = {"requirements.txt": "Flask>=3.0  # web\n\n# comment\n", "requirements-dev.txt": "-r requirements.txt\n",
             "sub/requirements.txt": "ignored\n"}
    assert read_requirements(files) == ["Flask>=3.0", "pytest"]


def test_output_is_sanitized() -> None:
    raw = "\x1b[31mred\x1b[0m\r\nbell\x07 bidi\u202e end /srv/data/secret"
    assert sanitize(raw, [("/srv/data", "<data>")]) == "red\nbell bidi end <data>/secret"


async def test_bubblewrap_that_cannot_start_fails_closed(tmp_path) -> None:
    fake_bwrap = tmp_path / "bwrap"
    fake_bwrap.write_text("#!/bin/sh\necho 'bwrap: setting up uid map: Permission denied' >&2\nexit 1\n")
    fake_bwrap.chmod(0o755)
    settings = load_settings({}, data_dir=tmp_path / "data", sandbox_bwrap=str(fake_bwrap))
    tester = await ProjectTester.start(settings.validation)
    assert tester.sandbox is None
    assert tester.unavailable == ("no sandbox on this host: bubblewrap cannot create its namespaces on this host "
                                  "(bwrap: setting up uid map: Permission denied)")
    report = await tester.run(project("def test_a():\n    pass\n"), say_nothing)
    assert (report.status, report.reason) == ("not_run", tester.unavailable)
