"""The openai provider end to end against a fake endpoint: modes, iterations, parsing, repair."""

from __future__ import annotations

import orjson
import pytest

from codegen.generators.base import GenerationError, GenerationRequest
from codegen.lifecycle import Mode, Stage
from tests.generators.fake_llm import (
    MODEL,
    FakeLLM,
    RecordingReporter,
    fake_llm,  # noqa: F401 - the fixture
    fenced,
    make_generator,
    stream,
)

MAIN_PY = 'from app.store import Store\n\n\ndef main() -> None:\n    print(Store().count())\n'
STORE_PY = "class Store:\n    def count(self) -> int:\n        return 0\n"


def plan(*paths: str) -> str:
    files = [{"path": p, "purpose": f"the {p} module"} for p in paths]
    return orjson.dumps({"summary": "A tiny app", "files": files}).decode()


def request(
    mode: Mode = Mode.PHASED, parent: dict[str, str] | None = None, prompt: str = "Create a tiny counter app"
) -> GenerationRequest:
    return GenerationRequest(generation_id="gen-1", prompt=prompt, mode=mode, parent_files=parent)


async def test_phased_plans_then_writes_each_file(fake_llm: FakeLLM) -> None:
    fake_llm.add(
        stream(plan("app/store.py", "app/main.py"), usage=(100, 20)),
        stream("Here it is:\n\n" + fenced("app/store.py", STORE_PY), usage=(200, 30)),
        stream(fenced("app/main.py", MAIN_PY), usage=(300, 40)),
    )
    reporter = RecordingReporter()

    result = await make_generator(fake_llm.url).generate(request(), reporter)

    assert {f.path: f.content for f in result.files} == {"app/store.py": STORE_PY, "app/main.py": MAIN_PY}
    assert result.usage == {"prompt_tokens": 600, "completion_tokens": 90}
    assert reporter.stages == [Stage.PLANNING, Stage.ARCHITECTURE, Stage.GENERATING]
    assert "app/store.py, app/main.py" in reporter.steps[1][2]
    assert [m for m in reporter.messages if m.startswith("Writing")] == [
        "Writing app/store.py (1/2)",
        "Writing app/main.py (2/2)",
    ]
    assert len(fake_llm.requests) == 3
    first = fake_llm.requests[0]
    assert first.headers["Authorization"] == "Bearer sk-test-key"
    assert first.body["model"] == MODEL and first.body["stream"] is True
    assert first.body["stream_options"] == {"include_usage": True}
    # the second file is written knowing the first
    assert STORE_PY in fake_llm.requests[2].user_text
    assert "usage_estimated" not in result.notes


async def test_unified_streams_all_files_and_reports_each(fake_llm: FakeLLM) -> None:
    answer = "Two files.\n\n" + fenced("app/store.py", STORE_PY) + fenced("app/main.py", MAIN_PY)
    fake_llm.add(stream(answer, chunk_size=5, usage=(120, 80)))
    reporter = RecordingReporter()

    result = await make_generator(fake_llm.url).generate(request(Mode.UNIFIED), reporter)

    assert {f.path for f in result.files} == {"app/store.py", "app/main.py"}
    assert result.usage == {"prompt_tokens": 120, "completion_tokens": 80}
    assert reporter.stages == [Stage.GENERATING]
    assert "Writing app/store.py" in reporter.messages and "Writing app/main.py" in reporter.messages
    assert reporter.messages.index("Writing app/store.py") < reporter.messages.index("Writing app/main.py")
    assert len(fake_llm.requests) == 1


async def test_usage_is_estimated_when_the_endpoint_reports_none(fake_llm: FakeLLM) -> None:
    answer = fenced("app/main.py", MAIN_PY)
    fake_llm.add(stream(answer, usage=None))

    result = await make_generator(fake_llm.url).generate(request(Mode.UNIFIED), RecordingReporter())

    assert result.usage is not None
    assert result.usage["completion_tokens"] == -(-len(answer) // 4)
    assert result.usage["prompt_tokens"] > 0
    assert "estimated" in result.notes["usage_estimated"]


async def test_unreadable_plan_falls_back_to_one_pass(fake_llm: FakeLLM) -> None:
    fake_llm.add(
        stream("I would build a nice app with several parts."),
        stream(fenced("app/main.py", MAIN_PY)),
    )
    reporter = RecordingReporter()

    result = await make_generator(fake_llm.url).generate(request(), reporter)

    assert [f.path for f in result.files] == ["app/main.py"]
    assert reporter.stages == [Stage.PLANNING, Stage.ARCHITECTURE, Stage.GENERATING]
    assert "one pass" in reporter.steps[1][2]


async def test_malformed_fences_are_still_read(fake_llm: FakeLLM) -> None:
    answer = (
        "**app/store.py**\n```python\n" + STORE_PY + "```\n\n"
        "# File: app/main.py\n```\n" + MAIN_PY + "```\n\n"
        "```text path=requirements.txt\npytest\n```\n\n"
        "Run it with:\n```bash\npython -m app.main\n```\n"
    )
    fake_llm.add(stream(answer, chunk_size=3))

    result = await make_generator(fake_llm.url).generate(request(Mode.UNIFIED), RecordingReporter())

    assert {f.path: f.content for f in result.files} == {
        "app/store.py": STORE_PY,
        "app/main.py": MAIN_PY,
        "requirements.txt": "pytest\n",
    }


async def test_json_form_inside_a_json_fence(fake_llm: FakeLLM) -> None:
    files = {"files": [{"path": "app/main.py", "content": MAIN_PY}, {"path": "app/store.py", "content": STORE_PY}]}
    answer = "Here you go:\n```json\n" + orjson.dumps(files, option=orjson.OPT_INDENT_2).decode() + "\n```\n"
    fake_llm.add(stream(answer))
    reporter = RecordingReporter()

    result = await make_generator(fake_llm.url).generate(request(Mode.UNIFIED), reporter)

    assert {f.path: f.content for f in result.files} == {"app/main.py": MAIN_PY, "app/store.py": STORE_PY}
    assert "Writing app/main.py" in reporter.messages


async def test_path_outside_the_project_is_rejected_then_repaired(fake_llm: FakeLLM) -> None:
    fake_llm.add(
        stream(fenced("../evil.py", "print('x')\n") + fenced("app/main.py", MAIN_PY)),
        stream(fenced("app/evil.py", "print('x')\n")),
    )

    result = await make_generator(fake_llm.url).generate(request(Mode.UNIFIED), RecordingReporter())

    assert sorted(f.path for f in result.files) == ["app/evil.py", "app/main.py"]
    assert "../evil.py" in fake_llm.requests[1].user_text


# ------------------------------------------------------------------ repair


async def test_truncated_file_gets_one_repair_then_succeeds(fake_llm: FakeLLM) -> None:
    cut = fenced("app/store.py", STORE_PY) + "### app/main.py\n```python path=app/main.py\nfrom app.store import"
    fake_llm.add(
        stream(cut, finish_reason="length", usage=(100, 50)),
        stream(fenced("app/main.py", MAIN_PY), usage=(200, 60)),
    )
    reporter = RecordingReporter()

    result = await make_generator(fake_llm.url).generate(request(Mode.UNIFIED), reporter)

    assert {f.path: f.content for f in result.files} == {"app/store.py": STORE_PY, "app/main.py": MAIN_PY}
    assert len(fake_llm.requests) == 2
    repair = fake_llm.requests[1].body["messages"]
    assert repair[-2] == {"role": "assistant", "content": cut}
    assert "app/main.py" in repair[-1]["content"] and "cut off" in repair[-1]["content"]
    assert "app/store.py" not in repair[-1]["content"]
    assert result.usage == {"prompt_tokens": 300, "completion_tokens": 110}
    assert result.notes["repaired"] == ["app/main.py"]
    assert any("repair app/main.py" in m for m in reporter.messages)


async def test_truncated_twice_fails_naming_the_file(fake_llm: FakeLLM) -> None:
    cut = "### app/main.py\n```python path=app/main.py\nimport os\n"
    fake_llm.add(stream(cut, finish_reason="length"), stream(cut, finish_reason="length"))

    with pytest.raises(GenerationError, match=r"truncated content in app/main\.py twice"):
        await make_generator(fake_llm.url).generate(request(Mode.UNIFIED), RecordingReporter())
    assert len(fake_llm.requests) == 2


async def test_phased_file_cut_by_length_is_repaired(fake_llm: FakeLLM) -> None:
    fake_llm.add(
        stream(plan("app/main.py")),
        stream("```python path=app/main.py\ndef main(", finish_reason="length"),
        stream(fenced("app/main.py", MAIN_PY)),
    )

    result = await make_generator(fake_llm.url).generate(request(), RecordingReporter())

    assert [f.content for f in result.files] == [MAIN_PY]
    assert len(fake_llm.requests) == 3
    assert "app/main.py: it was cut off" in fake_llm.requests[2].user_text


async def test_placeholder_gets_one_repair_then_succeeds(fake_llm: FakeLLM) -> None:
    lazy = "def main() -> None:\n    # ... rest of code unchanged\n"
    fake_llm.add(
        stream(plan("app/main.py")), stream(fenced("app/main.py", lazy)), stream(fenced("app/main.py", MAIN_PY))
    )

    result = await make_generator(fake_llm.url).generate(request(), RecordingReporter())

    assert [f.content for f in result.files] == [MAIN_PY]
    assert len(fake_llm.requests) == 3
    assert "placeholder" in fake_llm.requests[2].user_text


async def test_placeholder_twice_fails_naming_the_file(fake_llm: FakeLLM) -> None:
    lazy = "// ... existing code ...\nexport const x = 1;\n"
    fake_llm.add(stream(fenced("web/app.js", lazy, language="js")), stream(fenced("web/app.js", lazy, language="js")))

    with pytest.raises(GenerationError) as failure:
        await make_generator(fake_llm.url).generate(request(Mode.UNIFIED), RecordingReporter())

    assert "placeholder content in web/app.js twice" in str(failure.value)
    assert len(fake_llm.requests) == 2


async def test_answer_without_files_gets_one_repair(fake_llm: FakeLLM) -> None:
    fake_llm.add(stream("Sure! What language would you like?"), stream("I still have questions."))

    with pytest.raises(GenerationError, match="no files in the required format"):
        await make_generator(fake_llm.url).generate(request(Mode.UNIFIED), RecordingReporter())
    assert len(fake_llm.requests) == 2


# ------------------------------------------------------------------ iterations

PARENT = {"app/main.py": MAIN_PY, "app/store.py": STORE_PY, "README.md": "# Counter\n", "old.txt": "legacy\n"}


async def test_unified_iteration_keeps_untouched_files(fake_llm: FakeLLM) -> None:
    new_store = STORE_PY + "\n    def add(self) -> None:\n        pass\n"
    test_file = "def test_x():\n    pass\n"
    answer = fenced("app/store.py", new_store) + fenced("tests/test_store.py", test_file) + "DELETE: old.txt\n"
    fake_llm.add(stream(answer))

    result = await make_generator(fake_llm.url).generate(
        request(Mode.UNIFIED, parent=PARENT, prompt="add an add method"), RecordingReporter()
    )

    files = {f.path: f.content for f in result.files}
    assert files == {
        "app/main.py": MAIN_PY,
        "app/store.py": new_store,
        "README.md": "# Counter\n",
        "tests/test_store.py": test_file,
    }
    sent = fake_llm.requests[0].user_text
    assert "Follow-up request" in sent and MAIN_PY in sent and "legacy" in sent


async def test_phased_iteration_writes_only_planned_changes(fake_llm: FakeLLM) -> None:
    new_main = MAIN_PY.replace("count()", "count() + 1")
    iteration_plan = orjson.dumps(
        {
            "files": [
                {"path": "app/main.py", "purpose": "add one", "action": "modify"},
                {"path": "old.txt", "action": "delete"},
            ]
        }
    ).decode()
    fake_llm.add(stream(iteration_plan), stream(fenced("app/main.py", new_main)))
    reporter = RecordingReporter()

    result = await make_generator(fake_llm.url).generate(
        request(parent=PARENT, prompt="count one more"), reporter
    )

    files = {f.path: f.content for f in result.files}
    assert files == {"app/main.py": new_main, "app/store.py": STORE_PY, "README.md": "# Counter\n"}
    assert len(fake_llm.requests) == 2
    write = fake_llm.requests[1].user_text
    assert "Its current content is shown above" in write and MAIN_PY in write
    assert "deleting old.txt" in reporter.steps[1][2]


async def test_iteration_placeholder_never_replaces_a_real_file(fake_llm: FakeLLM) -> None:
    lazy = "# ... existing code ...\n"
    fake_llm.add(stream(fenced("app/main.py", lazy)), stream(fenced("app/main.py", lazy)))

    with pytest.raises(GenerationError, match=r"app/main\.py"):
        await make_generator(fake_llm.url).generate(
            request(Mode.UNIFIED, parent=PARENT, prompt="tweak main"), RecordingReporter()
        )


async def test_iteration_with_an_empty_plan_fails(fake_llm: FakeLLM) -> None:
    fake_llm.add(stream('{"summary": "nothing to do", "files": []}'))

    with pytest.raises(GenerationError, match="planned no change"):
        await make_generator(fake_llm.url).generate(request(parent=PARENT, prompt="do nothing"), RecordingReporter())


async def test_cut_off_json_answer_is_repaired_naming_its_files(fake_llm: FakeLLM) -> None:
    cut = '{"files": [{"path": "app/store.py", "content": "class Store:\\n"}, {"path": "app/main.py", "content": "de'
    complete = fenced("app/store.py", STORE_PY) + fenced("app/main.py", MAIN_PY)
    fake_llm.add(stream(cut, finish_reason="length"), stream(complete))

    result = await make_generator(fake_llm.url).generate(request(Mode.UNIFIED), RecordingReporter())

    assert {f.path for f in result.files} == {"app/store.py", "app/main.py"}
    repair = fake_llm.requests[1].body["messages"][-1]["content"]
    assert "the JSON answer was cut off (it held app/store.py, app/main.py)" in repair


# -- the requirements checklist (issue 13) --------------------------------------------------------


async def test_the_planner_checklist_is_checked_against_the_files(fake_llm: FakeLLM) -> None:
    checklist = [
        {"text": "a counter", "status": "met", "files": ["app/store.py"], "detail": None},
        {"text": "a main entry point", "status": "met", "files": ["app/main.py", "app/cli.py"]},
        {"text": "store counts in Redis", "status": "substituted", "files": ["app/store.py"],
         "detail": "an in-memory store"},
        {"text": "a web UI", "status": "unmet", "files": []},
    ]
    answer = orjson.dumps({"summary": "A tiny app", "files": [{"path": "app/store.py"}, {"path": "app/main.py"}],
                           "requirements": checklist}).decode()
    fake_llm.add(stream(answer), stream(fenced("app/store.py", STORE_PY)), stream(fenced("app/main.py", MAIN_PY)))

    result = await make_generator(fake_llm.url).generate(request(), RecordingReporter())

    by_text = {item["text"]: item for item in result.requirements}
    assert by_text["a counter"] == {"text": "a counter", "status": "met", "where": ["app/store.py"], "detail": None}
    # said met, but one of its files was never written: not presented as met
    assert by_text["a main entry point"]["status"] == "unmet"
    assert "app/cli.py" in by_text["a main entry point"]["detail"]
    assert by_text["store counts in Redis"]["status"] == "substituted"
    assert by_text["a web UI"]["detail"] == "the model gave no reason"
    planner = next(m["content"] for m in fake_llm.requests[0].body["messages"] if m["role"] == "system")
    assert '"requirements"' in planner


async def test_without_a_checklist_every_request_is_listed_unchecked(fake_llm: FakeLLM) -> None:
    fake_llm.add(stream(fenced("app/main.py", MAIN_PY)))
    generation = request(Mode.UNIFIED, prompt="Create a tiny counter app. It counts clicks.")

    result = await make_generator(fake_llm.url).generate(generation, RecordingReporter())

    assert [item["text"] for item in result.requirements] == ["Create a tiny counter app", "It counts clicks"]
    assert {item["status"] for item in result.requirements} == {"unmet"}
    assert all("not checked" in item["detail"] for item in result.requirements)


async def test_unified_gives_its_checklist_in_the_same_answer_checked_against_the_files(fake_llm: FakeLLM) -> None:
    checklist = [
        {"text": "a counter", "status": "met", "where": ["app/store.py"], "detail": None},
        {"text": "a main entry point", "status": "met", "where": ["app/main.py", "app/cli.py"]},
        {"text": "a web UI", "status": "unmet", "where": [], "detail": "a command-line app was asked for"},
    ]
    block = "```json checklist\n" + orjson.dumps({"requirements": checklist}).decode() + "\n```\n"
    fake_llm.add(stream(fenced("app/store.py", STORE_PY) + fenced("app/main.py", MAIN_PY) + block))

    result = await make_generator(fake_llm.url).generate(request(Mode.UNIFIED), RecordingReporter())

    assert {f.path: f.content for f in result.files} == {"app/store.py": STORE_PY, "app/main.py": MAIN_PY}
    assert result.requirements == [
        {"text": "a counter", "status": "met", "where": ["app/store.py"], "detail": None},
        {"text": "a main entry point", "status": "unmet", "where": ["app/main.py"],
         "detail": "the model said met, but the files it names were not written (app/cli.py)"},
        {"text": "a web UI", "status": "unmet", "where": [], "detail": "a command-line app was asked for"},
    ]
    assert result.requirements_claimed
    system = next(m["content"] for m in fake_llm.requests[0].body["messages"] if m["role"] == "system")
    assert "```json checklist" in system


async def test_a_unified_repair_keeps_the_first_answers_checklist(fake_llm: FakeLLM) -> None:
    checklist = [{"text": "a counter", "status": "met", "where": ["app/store.py"], "detail": None}]
    block = "```json checklist\n" + orjson.dumps(checklist).decode() + "\n```\n"
    cut = "### app/store.py\n```python path=app/store.py\nclass Store:\n"
    fake_llm.add(stream(fenced("app/main.py", MAIN_PY) + block + cut, finish_reason="length"),
                 stream(fenced("app/store.py", STORE_PY)))

    result = await make_generator(fake_llm.url).generate(request(Mode.UNIFIED), RecordingReporter())

    assert result.requirements == checklist
