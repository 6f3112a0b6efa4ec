"""The review checks: placeholder markers and file problems (the project's own tests: tests/sandbox)."""

from __future__ import annotations

import pytest

from codegen.generators.base import GeneratedFile
from codegen.generators.review import check_files, find_placeholder

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
