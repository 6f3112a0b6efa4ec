"""Reading files, plans and retry hints out of what an OpenAI-compatible endpoint sends."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from codegen.generators.llm_output import (
    FileStreamParser,
    ParsedFile,
    parse_files,
    parse_plan,
    path_from_heading,
    path_from_info,
    path_from_intro,
    safe_path,
)
from codegen.generators.openai import check_file, parse_retry_after

CODE = "def f() -> int:\n    return 1\n"


@pytest.mark.parametrize(
    ("info", "path"),
    [
        ("python path=app/main.py", "app/main.py"),
        ('python title="app/main.py"', "app/main.py"),
        ("python file: app/main.py", "app/main.py"),
        ("app/main.py", "app/main.py"),
        ("python app/main.py", "app/main.py"),
        ("python:app/main.py", "app/main.py"),
        ("Dockerfile", "Dockerfile"),
        ("python", None),
        ("", None),
        ("objective-c", None),
    ],
)
def test_path_from_info(info: str, path: str | None) -> None:
    assert path_from_info(info) == path


@pytest.mark.parametrize(
    ("line", "path"),
    [
        ("### app/main.py", "app/main.py"),
        ("**app/main.py**", "app/main.py"),
        ("# File: app/main.py", "app/main.py"),
        ("File: `app/main.py`", "app/main.py"),
        ("**File: `app/main.py`**", "app/main.py"),
        ("`app/main.py`:", "app/main.py"),
        ("## 2. app/main.py (updated)", "app/main.py"),
        ("- requirements.txt", "requirements.txt"),
        ("Now the tests:", None),
        ("Here is the updated `app/main.py`:", None),
        ("### Project structure", None),
    ],
)
def test_path_from_heading(line: str, path: str | None) -> None:
    assert path_from_heading(line) == path


@pytest.mark.parametrize(
    ("line", "info", "path"),
    [
        ("Here is the updated `app/main.py`:", "python", "app/main.py"),
        ("Here is the updated `app/main.py`:", "", "app/main.py"),
        ("And **`config.yml`**:", "yaml", "config.yml"),
        ("The `Dockerfile`:", "dockerfile", "Dockerfile"),
        ("Install what `requirements.txt` lists:", "bash", None),
        ("Update `app/main.py` and `app/db.py`:", "python", None),
        ("This imports `app/db.py` later.", "python", None),
    ],
)
def test_path_from_intro(line: str, info: str, path: str | None) -> None:
    assert path_from_intro(line, info) == path


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("app/main.py", "app/main.py"),
        ("./app/main.py", "app/main.py"),
        ("app\\main.py", "app/main.py"),
        ("`app//main.py`", "app/main.py"),
        ("../secrets.py", None),
        ("app/../../x.py", None),
        ("/etc/passwd", None),
        ("C:\\Windows\\x.py", None),
        ("~/.ssh/config", None),
        (".", None),
        ("", None),
    ],
)
def test_safe_path(raw: str, expected: str | None) -> None:
    assert safe_path(raw) == expected


def test_fenced_dialects_and_prose_between_them() -> None:
    text = (
        "Here is the project.\n\n"
        "```python path=a.py\n" + CODE + "```\n"
        "Then:\n\n"
        "```b.py\n" + CODE + "```\n\n"
        "### c.py\n\n```python\n" + CODE + "```\n"
        "To run it:\n```bash\npython a.py\n```\n"
        "Install `requirements.txt`:\n```bash\npip install -r requirements.txt\n```\n"
        "Here is `d.py`:\n```python\n" + CODE + "```\n"
    )
    parsed = parse_files(text)
    assert {p: f.content for p, f in parsed.files.items()} == {"a.py": CODE, "b.py": CODE, "c.py": CODE, "d.py": CODE}
    assert all(f.closed for f in parsed.files.values())
    assert parsed.anonymous_blocks == [("python a.py\n", True), ("pip install -r requirements.txt\n", True)]


def test_readme_with_its_own_code_blocks() -> None:
    readme = "# App\n\n```bash\npip install app\n```\n\nDone.\n"
    four = "````markdown path=README.md\n" + readme + "````\n"
    three = "```markdown path=README.md\n" + readme + "```\n"
    for text in (four, three):
        parsed = parse_files(text + "```python path=a.py\n" + CODE + "```\n")
        assert parsed.files["README.md"].content == readme
        assert parsed.files["a.py"].content == CODE


def test_unclosed_fence_is_truncated() -> None:
    parsed = parse_files("```python path=a.py\n" + CODE + "```\n```python path=b.py\ndef g(")
    assert parsed.files["a.py"].closed
    assert not parsed.files["b.py"].closed
    assert parsed.files["b.py"].content == "def g("


def test_a_new_file_starting_inside_an_open_one_cuts_the_open_one() -> None:
    parsed = parse_files("```python path=a.py\ndef f(\n```python path=b.py\n" + CODE + "```\n")
    assert not parsed.files["a.py"].closed
    assert parsed.files["b.py"] == ParsedFile("b.py", CODE, True)


def test_deleted_files_and_unsafe_paths() -> None:
    text = (
        "DELETE: old.py\n- **Deleted:** `legacy/x.txt`\nDELETE: ../../etc/passwd\n"
        "```python path=/etc/evil.py\nx = 1\n```\n"
    )
    parsed = parse_files(text)
    assert parsed.deleted == ["old.py", "legacy/x.txt"]
    assert parsed.unsafe_paths == ["../../etc/passwd", "/etc/evil.py"]
    assert parsed.files == {} and parsed.anonymous_blocks == []


def test_json_forms() -> None:
    payload = '{"files": [{"path": "a.py", "content": "x = 1\\n"}, {"path": "old.py", "deleted": true}]}'
    for text in (payload, "Sure:\n```json\n" + payload + "\n```", "Result: " + payload + " Enjoy."):
        parsed = parse_files(text)
        assert {p: f.content for p, f in parsed.files.items()} == {"a.py": "x = 1\n"}
        assert parsed.deleted == ["old.py"]
    assert parse_files('[{"path": "b.py", "content": ""}]').files["b.py"].content == ""


def test_broken_json_is_reported_with_the_paths_it_names() -> None:
    parsed = parse_files('{"files": [{"path": "a.py", "content": "x = 1"}, {"path": "b.py", "content": "def')
    assert parsed.files == {}
    assert parsed.broken_json
    assert parsed.broken_json_paths == ["a.py", "b.py"]


def test_streaming_parser_announces_files_as_they_start() -> None:
    text = "Intro\n### a.py\n```python\n" + CODE + "```\n```python path=b.py\n" + CODE + "```\n"
    parser = FileStreamParser()
    started = [path for char in text for path in parser.feed(char)]
    assert started == ["a.py", "b.py"]
    assert set(parser.finish().files) == {"a.py", "b.py"}


def test_streaming_parser_announces_json_paths() -> None:
    parser = FileStreamParser()
    assert parser.feed('{"files": [\n  {"path": "a.py",\n') == ["a.py"]
    assert parser.feed('"content": "x"},\n {"path": "b.py", "content": "y"}]}\n') == ["b.py"]


def test_plan_from_json_lines_and_prose() -> None:
    plan = parse_plan(
        'Plan:\n```json\n{"summary": "s", "files": [{"path": "a.py", "purpose": "entry"},'
        ' {"path": "../x.py"}, {"path": "old.py", "action": "delete"}, "b.py"]}\n```'
    )
    assert plan is not None
    assert [(f.path, f.purpose, f.action) for f in plan.files] == [
        ("a.py", "entry", "write"),
        ("old.py", "", "delete"),
        ("b.py", "", "write"),
    ]
    assert plan.unsafe_paths == ["../x.py"] and plan.summary == "s"

    listed = parse_plan("1. `app/main.py` - the entry point\n2. tests/test_main.py: tests\nThat is all.")
    assert listed is not None
    assert [(f.path, f.purpose) for f in listed.files] == [
        ("app/main.py", "the entry point"),
        ("tests/test_main.py", "tests"),
    ]

    assert parse_plan("I will write a nice program.") is None
    empty = parse_plan('{"files": []}')
    assert empty is not None and empty.files == []


def test_retry_after_forms() -> None:
    now = datetime(2025, 10, 16, 16, 44, 0, tzinfo=UTC)
    assert parse_retry_after({"Retry-After": "2"}, now) == 2.0
    assert parse_retry_after({"Retry-After": "Thu, 16 Oct 2025 16:44:05 GMT"}, now) == 5.0
    assert parse_retry_after({"Retry-After": "Thu, 16 Oct 2025 16:43:00 GMT"}, now) == 0.0
    assert parse_retry_after({"retry-after-ms": "250", "Retry-After": "9"}, now) == 0.25
    assert parse_retry_after({"Retry-After": "soon"}, now) is None
    assert parse_retry_after({}, now) is None


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        ("def f():\n    # ... rest of code unchanged\n", "placeholder"),
        ("// ... existing code ...\nconst x = 1;\n", "placeholder"),
        ("class P(Protocol):\n    def f(self) -> int: ...\n", None),
        ("", "empty"),
    ],
)
def test_check_file(content: str, kind: str | None) -> None:
    problem = check_file("app/x.py", ParsedFile("app/x.py", content), previous=None)
    assert (problem.kind if problem else None) == kind


def test_empty_package_marker_is_fine_unless_it_erases_a_file() -> None:
    assert check_file("app/__init__.py", ParsedFile("app/__init__.py", ""), previous=None) is None
    problem = check_file("app/__init__.py", ParsedFile("app/__init__.py", ""), previous="VERSION = 1\n")
    assert problem is not None and problem.kind == "empty"


class _Told:
    """A parser listener that keeps what it was told of each block."""

    def __init__(self) -> None:
        self.files: dict[str | None, str] = {}
        self.ended: list[str | None] = []

    def begin(self, path: str | None) -> None:
        self.files[path] = ""

    def append(self, path: str | None, text: str) -> None:
        self.files[path] = self.files.get(path, "") + text

    def end(self, path: str | None) -> None:
        self.ended.append(path)


def test_the_listener_is_told_exactly_each_closed_files_content_however_the_answer_is_cut():
    answer = (
        "Here:\n\n```python app/main.py\nimport os\r\n  ``not a fence\n    ```indented, not a fence\n```\n\n"
        "**README.md**\n```markdown\n# T\n\n```bash\nrun\n```\n\nend\n```\n~~~ app/x.py\nx = '```'\n~~~\n"
        "```text ../../etc/passwd\nroot\n```\n"
    )
    for seed in range(200):
        chunks = random.Random(seed)
        told = _Told()
        parser = FileStreamParser(told)
        start = 0
        while start < len(answer):
            size = chunks.randint(1, 7)
            parser.feed(answer[start:start + size])
            start += size
        parsed = parser.finish()
        assert {p: f.content for p, f in parsed.files.items()} == {p: t for p, t in told.files.items() if p}, seed
        assert told.ended == ["app/main.py", "README.md", "app/x.py"]


def test_the_listener_is_told_the_unfinished_line_unless_it_may_be_a_fence():
    told = _Told()
    parser = FileStreamParser(told)
    parser.feed("```python app.py\nprint('hel")
    assert told.files == {"app.py": "print('hel"}
    parser.feed("lo')\n``")
    assert told.files == {"app.py": "print('hello')\n"}  # "``" may open the closing fence
    parser.feed("`\n")
    assert told.ended == ["app.py"]
