"""How a sandboxed run's end reads as the contract's result: signals, memory, a project the sandbox refuses,
requirements refused before anything runs. Every project here runs inside bubblewrap (``project_tester``)."""

from __future__ import annotations

import dataclasses

import pytest


from codegen.engine.project_tests import ProjectTester, TestReport, not_run
from tests.sandbox_helpers import say_nothing

pytestmark = pytest.mark.slow

PYTEST_INI = {"pytest.ini": "[pytest]\npythonpath = .\n"}


def project(test_body: str, **files: str) -> dict[str, str]:
    return {**PYTEST_INI, "tests/test_it.py": test_body, **files}


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        # the kernel's answer to a file over RLIMIT_FSIZE (CODEGEN_SANDBOX_MAX_FILE_MB): Python ignores
        # SIGXFSZ (it raises OSError instead), so the test restores the default, as any other program has it
        ("import signal\n\n\ndef test_big():\n    signal.signal(signal.SIGXFSZ, signal.SIG_DFL)\n"
         "    with open('/tmp/big', 'wb') as f:\n        for _ in range(100):\n"
         "            f.write(b'x' * (1 << 20))\n",
         "the tests wrote a file over the sandbox's file size limit"),
        # the kernel's answer to RLIMIT_CPU, and the OOM killer's, raised here at once
        ("import signal\n\n\ndef test_cpu():\n    signal.raise_signal(signal.SIGXCPU)\n",
         "the tests used up their CPU time limit"),
        ("import os, signal\n\n\ndef test_killed():\n    os.kill(os.getpid(), signal.SIGKILL)\n",
         "the tests were killed (a memory or process limit of the sandbox)"),
        ("import signal\n\n\ndef test_other():\n    signal.raise_signal(signal.SIGUSR1)\n",
         "the tests were killed by signal 10"),
    ],
    ids=["file-size", "cpu", "kill", "other-signal"],
)
async def test_a_run_ended_by_a_signal_says_which_limit(project_tester: ProjectTester, body: str, reason: str) -> None:
    report = await project_tester.run(project(body), say_nothing)
    assert (report.status, report.reason) == ("error", reason), report.output
    assert report.summary() == f"tests could not finish: {reason}"


async def test_memory_used_up_while_collecting_is_named(project_tester: ProjectTester) -> None:
    # over the address-space limit at import: pytest stops collecting (exit status 2), a MemoryError in its output
    report = await project_tester.run(project("BIG = bytearray(1 << 40)\n\n\ndef test_a():\n    pass\n"), say_nothing)
    assert report.status == "error", report.output
    assert report.reason == "the tests ran out of memory (the sandbox's memory limit)"


async def test_failures_and_errors_are_both_counted(project_tester: ProjectTester) -> None:
    body = (
        "import pytest\n\n\n@pytest.fixture\ndef broken():\n    raise RuntimeError('fixture')\n\n\n"
        "def test_passes():\n    pass\n\n\ndef test_fails():\n    assert False\n\n\n"
        "def test_errors(broken):\n    pass\n"
    )
    report = await project_tester.run(project(body), say_nothing)
    assert (report.status, report.passed, report.failed, report.errors) == ("failed", 1, 1, 1), report.output
    assert report.summary() == "1 passed, 1 failed, 1 error"


async def test_a_file_that_clashes_with_a_directory_is_refused_before_the_run(project_tester: ProjectTester) -> None:
    files = project("def test_a():\n    pass\n", **{"app": "not a package\n", "app/main.py": "X = 1\n"})
    report = await project_tester.run(files, say_nothing)
    assert report.status == "error"
    assert report.reason == "'app/main.py' clashes with 'app': a file and a directory of the same name"


async def test_a_path_outside_the_project_is_refused_before_the_run(project_tester: ProjectTester) -> None:
    report = await project_tester.run(project("def test_a():\n    pass\n", **{"../escape.py": "X = 1\n"}), say_nothing)
    assert (report.status, report.reason) == ("error", "'../escape.py' is not a relative path inside the project")


async def test_refused_requirements_mean_the_tests_do_not_run(project_tester: ProjectTester) -> None:
    files = project("def test_a():\n    pass\n", **{"requirements.txt": "--index-url https://evil.example/simple\n"})
    report = await project_tester.run(files, say_nothing)
    assert report.status == "not_run" and "not a plain requirement" in report.reason
    assert report.summary() == f"tests not run: {report.reason}"


def test_a_report_of_tests_not_run_says_why() -> None:
    assert not_run("no sandbox").summary() == "tests not run: no sandbox"
    assert TestReport(status="passed", passed=3).summary() == "3 passed"


async def test_a_host_without_a_writable_cgroup_still_runs_projects(project_tester: ProjectTester) -> None:
    # the sandbox as on a host without cgroup delegation: prlimit's process cap alone
    assert project_tester.sandbox is not None
    plain = dataclasses.replace(project_tester.sandbox, cgroup_parents=None)
    result = await plain.run(
        {"main.py": "import resource\nprint('nproc', resource.getrlimit(resource.RLIMIT_NPROC)[0])\n"},
        [project_tester.python, "-I", "main.py"], python=project_tester.python,
    )
    assert result.exit_code == 0, result.output
    assert f"nproc {plain.limits.max_processes}" in result.output
