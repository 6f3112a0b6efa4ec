"""The review checks: placeholder markers, file problems, and running a project's own tests."""

from __future__ import annotations

import asyncio
import os
import sys
import time

import pytest

from codegen.generators.base import GeneratedFile
from codegen.generators.review import check_files, find_placeholder, run_project_tests

# -- find_placeholder ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "path"),
    [
        ("def f():\n    x = 1\n    # rest of the code unchanged\n    return x\n", "a.py"),
        ("// ... existing code ...\nconst a = 1;\n", "a.js"),
        ("class A:\n    def f(self):\n        # TODO: implement\n        pass\n", "a.py"),
        ("def handler():\n    setup()\n    ...\n    return 1\n", "a.py"),
        ("x = 1\n# ...\ny = 2\n", "a.py"),
        ("function f() {\n  start();\n  ...\n}\n", "a.js"),
        ("<body>\n<!-- ... rest of the page ... -->\n</body>\n", "index.html"),
        ("The remaining methods are the same as before ...\n", "a.py"),
        ("# Existing code remains unchanged\nimport os\n", "a.py"),
        ("def f(:\n    pass\n    ...\n    g()\n", "broken.py"),
        ("// your code here\n", "a.ts"),
        ("Details omitted for brevity.\n", "README.md"),
    ],
)
def test_placeholders_are_found(content: str, path: str) -> None:
    assert find_placeholder(content, path)
    assert find_placeholder(content)  # without a path too


@pytest.mark.parametrize(
    ("content", "path"),
    [
        ("def f(): ...\n", "a.py"),
        ("class P(Protocol):\n    def f(self) -> int: ...\n    def g(self) -> str:\n        ...\n", "a.py"),
        ('class Stub:\n    """Doc."""\n\n    ...\n', "a.py"),
        ("from typing import Callable\nf: Callable[..., int]\nx = ...\nprint(a[..., 0])\n", "a.py"),
        ('"""The rest of the code lives in app/."""\n# TODO: add caching once it is measured\n', "a.py"),
        ("if TYPE_CHECKING:\n    ...\nelse:\n    import os\n", "a.py"),
        ("const all = [...items, ...more];\nf(...args);\n", "a.js"),
        ("---\nkey: value\n...\n", "config.yaml"),
        ("Usage:\n\n    $ tool list\n    ...\n", "README.md"),
        ('>>> for x in y:\n...     print(x)\n', "notes.txt"),
    ],
)
def test_valid_code_is_not_flagged(content: str, path: str) -> None:
    assert find_placeholder(content, path) is None


# -- check_files --------------------------------------------------------------------


def problems_of(*files: tuple[str, str], **limits: int) -> list[str]:
    return check_files([GeneratedFile(path, content) for path, content in files], **limits)


def test_a_clean_project_has_no_problems() -> None:
    assert problems_of(
        ("app/main.py", "def main() -> None:\n    print('hi')\n"),
        ("package.json", '{"name": "x"}'),
        ("pyproject.toml", '[project]\nname = "x"\n'),
        ("config.yml", "a: 1\nb:\n  - 2\n"),
        ("README.md", "# X\n"),
    ) == []


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ([("a.py", "def f(:\n")], "a.py: Python syntax error at line 1"),
        ([("a.json", "{'single': 'quotes'}")], "a.json: invalid JSON"),
        ([("a.toml", "key = \n")], "a.toml: invalid TOML"),
        ([("a.yaml", "a:\n\tb: 1\n")], "a.yaml: invalid YAML"),
        ([("a.py", "x = 1\n# rest of the code unchanged\n")], "a.py: placeholder instead of code"),
        ([("../evil.py", "x = 1\n")], "../evil.py: path leaves the project"),
        ([("/etc/passwd", "x")], "/etc/passwd: absolute path"),
        ([("C:/x.py", "x = 1\n")], "C:/x.py: absolute path"),
        ([("app\\main.py", "x = 1\n")], "app\\main.py: backslash in path"),
        ([("", "x = 1\n")], "<empty path>: empty path"),
        ([("app//main.py", "x = 1\n")], "not normalized"),
        ([("a.py", "x = 1\n"), ("a.py", "x = 2\n")], "a.py: duplicate path"),
        ([("big.txt", "x" * 2001)], "big.txt: 2001 bytes, over the 2000-byte limit"),
        ([("a.txt", "a"), ("b.txt", "b"), ("c.txt", "c"), ("d.txt", "d")], "too many files: 4 (the limit is 3)"),
        ([], "the project has no files"),
    ],
)
def test_each_problem_is_reported(files: list[tuple[str, str]], expected: str) -> None:
    problems = problems_of(*files, max_file_bytes=2000, max_files=3)
    assert any(expected in problem for problem in problems), problems


def test_size_counts_bytes_not_characters() -> None:
    assert problems_of(("a.txt", "é" * 1001), max_file_bytes=2000)  # 2002 bytes
    assert problems_of(("a.txt", "é" * 1000), max_file_bytes=2000) == []


# -- run_project_tests --------------------------------------------------------------
# The runs start pytest in a subprocess (seconds each, more with heavy plugins installed): marked slow.

PASSING = [
    GeneratedFile("calc.py", "def add(a, b):\n    return a + b\n"),
    GeneratedFile("tests/test_calc.py", "from calc import add\n\n\ndef test_add():\n    assert add(2, 3) == 5\n"),
    GeneratedFile("pytest.ini", "[pytest]\npythonpath = .\n"),
]


@pytest.mark.slow
async def test_passing_project() -> None:
    outcome = await run_project_tests(PASSING, python=sys.executable, timeout_seconds=60)
    assert outcome["passed"] is True
    assert outcome["summary"].startswith("1 passed")
    assert "1 passed" in outcome["output"]


@pytest.mark.slow
async def test_failing_project() -> None:
    failing = [*PASSING, GeneratedFile("tests/test_more.py", "def test_wrong():\n    assert 1 + 1 == 3\n")]
    outcome = await run_project_tests(failing, python=sys.executable, timeout_seconds=60)
    assert outcome["passed"] is False
    assert outcome["summary"].startswith("FAILED") or "1 failed" in outcome["summary"]
    assert "assert 1 + 1 == 3" in outcome["output"]


@pytest.mark.slow
async def test_project_without_tests_does_not_pass() -> None:
    outcome = await run_project_tests([GeneratedFile("a.py", "x = 1\n")], python=sys.executable, timeout_seconds=60)
    assert outcome["passed"] is False
    assert "no tests ran" in outcome["summary"]


@pytest.mark.slow
async def test_timeout_kills_the_run() -> None:
    slow = [GeneratedFile("tests/test_slow.py", "import time\n\n\ndef test_sleep():\n    time.sleep(60)\n")]
    started = time.monotonic()
    outcome = await run_project_tests(slow, python=sys.executable, timeout_seconds=3)
    assert time.monotonic() - started < 20
    assert outcome["passed"] is False
    assert outcome["summary"] == "timed out after 3 s"


@pytest.mark.slow
async def test_memory_limit_applies() -> None:
    hungry = [GeneratedFile("tests/test_hungry.py", "def test_allocate():\n    block = bytearray(600 * 1024 * 1024)\n    assert block\n")]
    outcome = await run_project_tests(hungry, python=sys.executable, timeout_seconds=60, memory_mb=300)
    assert outcome["passed"] is False
    assert "MemoryError" in outcome["output"]


@pytest.mark.slow
async def test_cancellation_kills_the_child(tmp_path) -> None:
    marker = tmp_path / "pid"
    sleeper = [
        GeneratedFile(
            "tests/test_sleep.py",
            f"import os, time\n\n\ndef test_sleep():\n    open({str(marker)!r}, 'w').write(str(os.getpid()))\n"
            "    time.sleep(60)\n",
        )
    ]
    task = asyncio.create_task(run_project_tests(sleeper, python=sys.executable, timeout_seconds=60))
    for _ in range(200):
        if marker.exists() and marker.read_text():
            break
        await asyncio.sleep(0.05)
    pid = int(marker.read_text())
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    for _ in range(100):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        await asyncio.sleep(0.05)
    else:
        pytest.fail(f"the test process {pid} is still running")


async def test_unsafe_paths_are_not_written(tmp_path) -> None:
    outcome = await run_project_tests([GeneratedFile("../escape.py", "x = 1\n")], python=sys.executable)
    assert outcome["passed"] is False
    assert "path leaves the project" in outcome["summary"]
    assert not (tmp_path.parent / "escape.py").exists()


async def test_missing_interpreter_is_reported() -> None:
    outcome = await run_project_tests(PASSING, python="/nonexistent/python", timeout_seconds=10)
    assert outcome["passed"] is False
    assert outcome["summary"].startswith("did not run: cannot start /nonexistent/python")


@pytest.mark.slow
async def test_service_secrets_do_not_reach_the_child(monkeypatch) -> None:
    monkeypatch.setenv("CODEGEN_LLM_API_KEY", "sk-secret")
    probe = [GeneratedFile("tests/test_env.py", "import os\n\n\ndef test_env():\n    assert 'CODEGEN_LLM_API_KEY' not in os.environ\n")]
    outcome = await run_project_tests(probe, python=sys.executable, timeout_seconds=60)
    assert outcome["passed"] is True, outcome["output"]
