"""Iterations of the template generator: follow-ups applied to the parent's snapshot.

Each snapshot is complete; only the files an edit concerns change, the rest
stay byte for byte. An edit that cannot be applied fails, naming the edit.
"""

from __future__ import annotations

import asyncio
import json

import pytest

from codegen.engine.project_tests import ProjectTester
from codegen.generators.base import GenerationError
from codegen.generators.review import check_files
from codegen.generators.template import TemplateGenerator
from codegen.lifecycle import Mode, Stage
from tests.generators.template_helpers import as_dict, generate
from tests.sandbox_helpers import say_nothing


def diff(before: dict[str, str], after: dict[str, str]) -> dict[str, set[str]]:
    return {
        "added": after.keys() - before.keys(),
        "removed": before.keys() - after.keys(),
        "modified": {p for p in before.keys() & after.keys() if before[p] != after[p]},
    }


def spec(files: dict[str, str]) -> dict:
    return json.loads(files["codegen.json"])["spec"]


async def iterate(generator: TemplateGenerator, parent: dict[str, str], prompt: str, mode: Mode = Mode.PHASED):
    result, recorder = await generate(generator, prompt, parent=parent, mode=mode)
    files = as_dict(result.files)
    assert check_files(result.files) == []
    return files, recorder


async def build_chain(generator: TemplateGenerator) -> list[dict[str, str]]:
    """A tasks API and three follow-ups: a field, a resource, authentication."""
    first, _ = await generate(generator, "A FastAPI REST API for tasks with title and done")
    snapshots = [as_dict(first.files)]
    for follow_up in ("add a due_date field to tasks", "add a comments resource", "add authentication"):
        files, _ = await iterate(generator, snapshots[-1], follow_up)
        snapshots.append(files)
    return snapshots


async def test_three_follow_ups_change_only_what_they_concern(template_generator: TemplateGenerator) -> None:
    tasks, with_due_date, with_comments, with_auth = await build_chain(template_generator)

    assert diff(tasks, with_due_date) == {
        "added": set(),
        "removed": set(),
        "modified": {"README.md", "app/models.py", "codegen.json", "tests/test_tasks.py"},
    }
    task_fields = {f["name"]: f["type"] for f in spec(with_due_date)["entities"][0]["fields"]}
    assert task_fields == {"title": "str", "done": "bool", "due_date": "date"}
    assert "due_date: date" in with_due_date["app/models.py"]

    assert diff(with_due_date, with_comments) == {
        "added": {"tests/test_comments.py"},
        "removed": set(),
        "modified": {"README.md", "app/models.py", "codegen.json"},
    }
    assert [e["plural"] for e in spec(with_comments)["entities"]] == ["tasks", "comments"]

    assert diff(with_comments, with_auth) == {
        "added": {"app/accounts.py", "app/auth.py", "tests/test_auth.py"},
        "removed": set(),
        "modified": {"README.md", "app/main.py", "codegen.json", "tests/conftest.py"},
    }
    assert spec(with_auth)["features"] == ["auth"]
    for unchanged in ("app/store.py", "app/routes.py", "app/validation.py", "tests/test_tasks.py", "requirements.txt"):
        assert with_auth[unchanged] == with_comments[unchanged]


async def test_iteration_reports_the_changes(template_generator: TemplateGenerator) -> None:
    first, _ = await generate(template_generator, "A FastAPI REST API for tasks with title and done")
    _, recorder = await iterate(template_generator, as_dict(first.files), "add pagination and a priority field to tasks")
    plan = recorder.messages(Stage.PLANNING)[0]
    assert "added pagination" in plan and "added field priority (int) to tasks" in plan
    assert recorder.messages(Stage.ARCHITECTURE) == ["Changing 5 of 12 files"]
    written = {m.removeprefix("Writing ") for m in recorder.messages(Stage.GENERATING)}
    assert written == {"README.md", "app/models.py", "app/routes.py", "codegen.json", "tests/test_tasks.py"}


@pytest.mark.parametrize(
    ("follow_up", "expected"),
    [
        ("add an email field to invoices", "the project has no invoices"),
        ("make the UI prettier", "does not know this change"),
        ("add dark mode", "names no resource, field or feature"),
        ("remove the priority field from tasks", "tasks have no field priority"),
        ("add a comments resource and translate everything to French", "translate everything to French"),
        ("add authentication", "already has token auth"),
        ("rename", 'say the new name'),
    ],
)
async def test_edit_that_cannot_be_applied_fails_naming_it(
    template_generator: TemplateGenerator, follow_up: str, expected: str
) -> None:
    first, _ = await generate(template_generator, "A FastAPI REST API for tasks with title and done, with login")
    with pytest.raises(GenerationError) as failure:
        await generate(template_generator, follow_up, parent=as_dict(first.files))
    message = str(failure.value)
    assert expected in message
    assert message.startswith("Cannot apply \"")


async def test_follow_up_that_changes_nothing_fails(template_generator: TemplateGenerator) -> None:
    first, _ = await generate(template_generator, "A FastAPI REST API for tasks with title and an optional notes")
    with pytest.raises(GenerationError, match="already optional"):
        await generate(template_generator, "make notes optional", parent=as_dict(first.files))


async def test_parent_without_a_spec_cannot_be_iterated(template_generator: TemplateGenerator) -> None:
    with pytest.raises(GenerationError, match="no codegen.json"):
        await generate(template_generator, "add a comments resource", parent={"main.py": "print('hello')\n"})
    with pytest.raises(GenerationError, match="cannot be read"):
        await generate(template_generator, "add a comments resource", parent={"codegen.json": "{not json"})


async def test_remove_rename_and_switch(template_generator: TemplateGenerator) -> None:
    first, _ = await generate(template_generator, "a blog API with posts, comments and tags")
    files = as_dict(first.files)

    removed, _ = await iterate(template_generator, files, "remove the tags resource")
    assert diff(files, removed)["removed"] == {"tests/test_tags.py"}

    renamed, _ = await iterate(template_generator, removed, "rename posts to articles")
    assert {"tests/test_articles.py"} == diff(removed, renamed)["added"]
    assert "tests/test_posts.py" in diff(removed, renamed)["removed"]
    comment_fields = [f["name"] for f in spec(renamed)["entities"][1]["fields"]]
    assert "article_id" in comment_fields and "post_id" not in comment_fields

    flask, _ = await iterate(template_generator, renamed, "switch to Flask")
    assert spec(flask)["framework"] == "flask"
    assert "flask" in flask["requirements.txt"] and "fastapi" not in flask["requirements.txt"]
    assert flask["app/store.py"] == renamed["app/store.py"]


async def test_link_and_natural_wording(template_generator: TemplateGenerator) -> None:
    first, _ = await generate(template_generator, "A FastAPI REST API for tasks with title and done")
    files, recorder = await iterate(
        template_generator, as_dict(first.files), "Add categories, and link tasks to categories. I'd like to search by title"
    )
    tasks = spec(files)["entities"][0]
    assert {"name": "category_id", "type": "int", "required": True} in tasks["fields"]
    assert spec(files)["features"] == ["search"]
    # the new link is checked against the categories (app/integrity.py)
    assert diff(as_dict(first.files), files)["added"] == {"tests/test_categories.py", "app/integrity.py"}


async def test_field_edits(template_generator: TemplateGenerator) -> None:
    first, _ = await generate(template_generator, "an API for products with name, price and description")
    files = as_dict(first.files)
    edited, recorder = await iterate(
        template_generator, files, "make price optional, rename the description field to summary; remove name"
    )
    fields = {f["name"]: (f["type"], f["required"]) for f in spec(edited)["entities"][0]["fields"]}
    assert fields == {"price": ("float", False), "summary": ("str", False)}
    assert "renamed field description of products to summary" in recorder.steps[0][2]


async def test_other_kinds_take_the_edits_they_support(template_generator: TemplateGenerator) -> None:
    cli, _ = await generate(template_generator, "a command line tool to manage my contacts")
    with_field, _ = await iterate(template_generator, as_dict(cli.files), "add a birthday field to contacts")
    assert {"type": "date", "name": "birthday", "required": True} in spec(with_field)["entities"][0]["fields"]
    with_search, _ = await iterate(template_generator, with_field, "add search")
    assert spec(with_search)["features"] == ["search"]
    with pytest.raises(GenerationError, match="token auth is not available for a command-line tool"):
        await generate(template_generator, "add authentication", parent=with_search)

    converter, _ = await generate(template_generator, "a CLI that converts temperatures")
    with pytest.raises(GenerationError, match="has no resources to change"):
        await generate(template_generator, "add a notes resource", parent=as_dict(converter.files))

    report, _ = await generate(template_generator, "a script that totals amount per region from sales.csv")
    with_column, _ = await iterate(template_generator, as_dict(report.files), "add a quantity column", mode=Mode.UNIFIED)
    assert "quantity" in with_column["sales.csv"].splitlines()[0]


REPORTS_PROMPT = ("A Flask API for customers and invoices (number, region, amount, due_date, paid); invoices belong to a "
                  "customer; number must be unique; GET /summary returns the total amount per region; a route that "
                  "lists overdue invoices")


async def test_reports_and_unique_fields_follow_renames_and_removals(template_generator: TemplateGenerator) -> None:
    first, _ = await generate(template_generator, REPORTS_PROMPT)
    files, recorder = await iterate(template_generator, as_dict(first.files),
                                    "rename invoices to bills and rename number to code")
    options = spec(files)["options"]
    assert options["unique"] == {"bills": ["code"]}
    assert {(r["path"], r["entity"]) for r in options["reports"]} == {("/summary", "bills"), ("/invoices/overdue", "bills")}
    assert "def test_code_must_be_unique(client)" in files["tests/test_bills.py"]
    files, recorder = await iterate(template_generator, files, "remove the region field from bills")
    assert [r["path"] for r in spec(files)["options"]["reports"]] == ["/invoices/overdue"]
    assert any("GET /summary" in message for message in recorder.messages(Stage.PLANNING))
    assert '"/summary"' not in files["app/reports.py"]


@pytest.fixture(scope="session")
async def iterated_projects(template_generator: TemplateGenerator) -> dict[str, dict[str, str]]:
    chain = await build_chain(template_generator)
    cli, _ = await generate(template_generator, "a CLI to track expenses with amount and category")
    cli_files = as_dict(cli.files)
    for follow_up in ("add a spent_on field to expenses", "add sorting and pagination", "add a budgets resource"):
        cli_files, _ = await iterate(template_generator, cli_files, follow_up)
    aiohttp, _ = await generate(template_generator, "an aiohttp API for notes")
    aiohttp_files = as_dict(aiohttp.files)
    for follow_up in ("add authentication", "add search and sorting", "add tags with name and color"):
        aiohttp_files, _ = await iterate(template_generator, aiohttp_files, follow_up)
    reports, _ = await generate(template_generator, REPORTS_PROMPT)
    reports_files = as_dict(reports.files)
    for follow_up in ("rename invoices to bills and rename number to code", "switch to aiohttp", "add authentication"):
        reports_files, _ = await iterate(template_generator, reports_files, follow_up)
    return {"fastapi chain": chain[-1], "cli chain": cli_files, "aiohttp chain": aiohttp_files,
            "reports chain": reports_files}


@pytest.mark.slow
@pytest.mark.timeout(900)
async def test_iterated_projects_pass_their_tests(
    iterated_projects: dict[str, dict[str, str]], project_tester: ProjectTester
) -> None:
    outcomes = await asyncio.gather(*(project_tester.run(files, say_nothing) for files in iterated_projects.values()))
    for name, outcome in zip(iterated_projects, outcomes, strict=True):
        assert outcome.status == "passed", f"{name}: {outcome.summary()}\n{outcome.output}"
