"""The language-model checklist's own rules: the unified answer's checklist block, and claims held against tests."""

from __future__ import annotations

import random

from codegen.generators import llm_checklist
from codegen.generators.llm_output import FileStreamParser, parse_files

CHECKLIST_BLOCK = (
    "```json checklist\n"
    '{"requirements": [{"text": "a counter", "status": "met", "where": ["app/store.py"], "detail": null}]}\n'
    "```\n"
)
ANSWER = (
    "### app/store.py\n```python path=app/store.py\nCOUNT = 0\n```\n\n"
    "### README.md\n````markdown path=README.md\n# Counter\n\n```json checklist\n{}\n```\n````\n\n"
    + CHECKLIST_BLOCK
)


class _Told:
    def __init__(self) -> None:
        self.files: dict[str | None, str] = {}

    def begin(self, path: str | None) -> None:
        self.files[path] = ""

    def append(self, path: str | None, text: str) -> None:
        self.files[path] = self.files.get(path, "") + text

    def end(self, path: str | None) -> None:
        pass


def test_the_checklist_block_is_not_a_file_and_its_text_is_kept() -> None:
    parsed = parse_files(ANSWER)
    # the files are exactly what they were without the block; a README's own checklist example stays in it
    assert {p: f.content for p, f in parsed.files.items()} == {
        "app/store.py": "COUNT = 0\n",
        "README.md": "# Counter\n\n```json checklist\n{}\n```\n",
    }
    assert parsed.anonymous_blocks == [] and parsed.unsafe_paths == [] and not parsed.broken_json
    assert parsed.checklist == CHECKLIST_BLOCK.split("\n", 1)[1].rsplit("```", 1)[0]
    assert parse_files(ANSWER.replace(CHECKLIST_BLOCK, "")).files == parsed.files
    # an answer without one has none; one cut off before its fence closed is not taken
    assert parse_files(ANSWER.replace(CHECKLIST_BLOCK, "")).checklist is None
    assert parse_files(ANSWER[: -len("```\n")]).checklist is None


def test_the_checklist_never_reaches_the_live_view_however_it_streams() -> None:
    for seed in range(50):
        chunks = random.Random(seed)
        told = _Told()
        parser = FileStreamParser(told)
        start = 0
        while start < len(ANSWER):
            size = chunks.randint(1, 9)
            parser.feed(ANSWER[start : start + size])
            start += size
        parsed = parser.finish()
        assert set(told.files) == {"app/store.py", "README.md"}, seed
        assert parsed.checklist is not None


def test_from_answer_reads_the_block_like_the_plan() -> None:
    items = llm_checklist.from_answer(parse_files(ANSWER).checklist)
    assert items == [{"text": "a counter", "status": "met", "where": ["app/store.py"], "detail": None}]
    assert llm_checklist.from_answer('[{"text": "x", "status": "done?", "where": ["../etc/passwd"]}]') == [
        {"text": "x", "status": "unmet", "where": [], "detail": None}
    ]
    assert llm_checklist.from_answer(None) is None
    assert llm_checklist.from_answer("not json") is None


CHECKLIST = [
    {"text": "books have a title", "status": "met", "where": ["app/models.py", "tests/test_books.py"], "detail": None},
    {"text": "prices are positive", "status": "met", "where": ["app/validation.py"], "detail": None},
    {"text": "use PostgreSQL", "status": "substituted", "where": ["app/store.py"], "detail": "SQLite"},
    {"text": "written in Go", "status": "unmet", "where": [], "detail": "Python only"},
]
FAILED_OUTPUT = (
    "..F.\n=================================== FAILURES ===================================\n"
    "_________________________________ test_create _________________________________\n"
    "app/models.py:12: in create\n    raise ValueError\nE   ValueError\n"
    "=========================== short test summary info ============================\n"
    "FAILED tests/test_books.py::test_create - ValueError\n"
    "1 failed, 3 passed in 0.12s\n"
)


def run_result(status: str, output: str = "", reason: str | None = None, failed: int = 0) -> dict:
    return {"status": status, "passed": 3, "failed": failed, "errors": 0, "duration_s": 0.1, "repair_rounds": 0,
            "output": output, "reason": reason}


def test_failing_tests_unmeet_the_requests_whose_files_they_name() -> None:
    result = llm_checklist.against_tests(CHECKLIST, run_result("failed", FAILED_OUTPUT, failed=1))
    assert result[0] == {**CHECKLIST[0], "status": "unmet", "detail": "its tests failed: tests/test_books.py::test_create"}
    # the output names none of its files: it stays met; the others are untouched
    assert result[1:] == CHECKLIST[1:]


def test_failing_tests_that_name_no_request_unmeet_every_met_one() -> None:
    output = "F\nFAILED tests/test_other.py::test_x - assert 1 == 2\nERROR tests/test_y.py::test_z\n1 failed in 0.1s\n"
    result = llm_checklist.against_tests(CHECKLIST, run_result("failed", output, failed=1))
    assert [(item["status"], item["detail"]) for item in result] == [
        ("unmet", "its tests failed: tests/test_other.py::test_x"),
        ("unmet", "its tests failed: tests/test_other.py::test_x"),
        ("substituted", "SQLite"),
        ("unmet", "Python only"),
    ]
    # no test named at all: the counts say what failed
    result = llm_checklist.against_tests(CHECKLIST, run_result("failed", "collected 4 items\n", failed=2))
    assert result[1]["detail"] == "its tests failed: 2 failed"


def test_a_longer_name_is_not_the_file() -> None:
    output = "myapp/validation.py:3: in check\nFAILED tests/test_books.py::test_price\n"
    result = llm_checklist.against_tests(CHECKLIST[1:2] + CHECKLIST[:1], run_result("failed", output, failed=1))
    assert [item["status"] for item in result] == ["met", "unmet"]


def test_tests_not_run_or_unfinished_leave_met_but_say_so() -> None:
    reason = "tests are turned off on this server (CODEGEN_VALIDATE=syntax)"
    result = llm_checklist.against_tests(CHECKLIST, run_result("not_run", reason=reason))
    assert [(item["status"], item["detail"]) for item in result] == [
        ("met", f"not verified by tests: {reason}"),
        ("met", f"not verified by tests: {reason}"),
        ("substituted", "SQLite"),
        ("unmet", "Python only"),
    ]
    result = llm_checklist.against_tests(CHECKLIST, run_result("error", reason="the tests did not finish within 60 s"))
    assert result[0]["detail"] == "not verified by tests: they could not finish (the tests did not finish within 60 s)"
    assert result[0]["status"] == "met"


def test_passing_tests_or_none_change_nothing() -> None:
    assert llm_checklist.against_tests(CHECKLIST, run_result("passed", FAILED_OUTPUT)) == CHECKLIST
    assert llm_checklist.against_tests(CHECKLIST, None) == CHECKLIST
