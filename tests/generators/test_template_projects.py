"""The template generator over a table of varied prompts: what it plans, what it writes, and that it works.

Each prompt is generated and checked quickly (reports, review checks, the
spec it was read into). The slow test then runs every project's own tests in
the shared virtualenv, two at a time.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field

import pytest

from codegen.engine.project_tests import ProjectTester, TestReport
from codegen.generators.review import check_files
from codegen.generators.template import TemplateGenerator
from codegen.generators.template.render import REQUIREMENTS
from codegen.lifecycle import Mode, Stage
from tests.generators.template_helpers import as_dict, generate
from tests.sandbox_helpers import say_nothing

LONG_PROMPT = (
    "We are a small gym and we want a backend for our members app. "
    + "It has to be reliable, easy to deploy and simple to extend later on by our volunteers. " * 40
    + "The API should manage workouts (name, duration_minutes, performed_on) and exercises (name, sets, reps, weight). "
    + "Members log in with a token. Lists must be paginated. "
    + "Please keep the code readable and well tested, with clear errors for invalid input. " * 30
)


@dataclass(frozen=True)
class Case:
    prompt: str
    kind: str
    entities: tuple[str, ...] = ()
    features: tuple[str, ...] = ()
    framework: str | None = None
    recipe: str | None = None
    fields: dict[str, str] = field(default_factory=dict)  # "entity.field" -> type
    mode: Mode = Mode.PHASED
    requirements: tuple[str, ...] = ()
    plan_mentions: tuple[str, ...] = ()  # words the plan message must contain (assumptions)


CASES = [
    Case("Create a REST API with authentication", "rest_api", ("items",), ("auth",), "fastapi",
         plan_mentions=("no resources named", "SQLite")),
    Case("a library API with books, authors and loans", "rest_api", ("books", "authors", "loans"), (), "fastapi",
         fields={"loans.due_date": "date", "books.published_year": "int"}),
    Case("Build a FastAPI service for a blog: posts have a title, body and published flag; comments have author "
         "and text. Users must log in with JWT.", "rest_api", ("posts", "comments"), ("auth",), "fastapi",
         fields={"posts.published": "bool", "comments.text": "str"}),
    Case("todo api", "rest_api", ("tasks",), (), "fastapi", plan_mentions=("todo",)),
    Case("I need an inventory management backend in Flask with products (name, sku, price, quantity) and "
         "suppliers, paginated lists and search", "rest_api", ("products", "suppliers"), ("pagination", "search"),
         "flask", fields={"products.price": "float", "products.quantity": "int"}),
    Case("aiohttp microservice tracking shipments and warehouses, with token based authentication and sorting",
         "rest_api", ("shipments", "warehouses"), ("auth", "sorting"), "aiohttp"),
    Case("A CRUD API for customers, orders and order items using flask, in memory is fine", "rest_api",
         ("customers", "orders", "order_items"), (), "flask", fields={"order_items.order_id": "int"}),
    Case("a restfull api for a bookstore with authentcation and paginaton", "rest_api",
         ("books", "orders", "customers"), ("auth", "pagination"), "fastapi", plan_mentions=("bookstore",)),
    Case("Create an API. It should manage events (name, starts_at, location, capacity) and attendees (name, email, "
         "event_id). Add sorting by date and filtering by location. Use PostgreSQL.", "rest_api",
         ("events", "attendees"), ("search", "sorting"), "fastapi",
         fields={"events.starts_at": "datetime", "events.capacity": "int"}, plan_mentions=("postgresql",)),
    Case(LONG_PROMPT, "rest_api", ("workouts", "exercises"), ("auth", "pagination"), "fastapi",
         fields={"workouts.performed_on": "date", "exercises.weight": "float"}),
    Case("API for managing tasks with title, due_date, priority and is_done", "rest_api", ("tasks",), (), "fastapi",
         fields={"tasks.due_date": "date", "tasks.priority": "int", "tasks.is_done": "bool"}, mode=Mode.UNIFIED),
    Case("Build me a recipe sharing platform in Django with user accounts", "rest_api", ("recipes",), ("auth",),
         "fastapi", plan_mentions=("django",)),
    Case("An API for notes", "rest_api", ("notes",), ("auth",), "aiohttp",
         requirements=("Use aiohttp", "Protect it with login")),
    Case("api w/ users & posts & comments, jwt, paginate pls", "rest_api", ("users", "posts", "comments"),
         ("auth", "pagination"), "fastapi"),
    Case("create a microservice in python for managing invoices and clients using aiohttp. Invoices have number, "
         "amount, issued_on and paid.", "rest_api", ("invoices", "clients"), (), "aiohttp",
         fields={"invoices.paid": "bool", "invoices.issued_on": "date", "invoices.amount": "float"}),
    Case("write a command line tool to manage my contacts", "cli", ("contacts",)),
    Case("A CLI to track expenses with amount, category and spent_on; support search, sorting and pagination",
         "cli", ("expenses",), ("pagination", "search", "sorting"), fields={"expenses.spent_on": "date"},
         mode=Mode.UNIFIED),
    Case("command line expense tracker with categories and monthly budgets, sortable and paginated", "cli",
         ("expenses", "categories", "monthly_budgets"), ("pagination", "sorting")),
    Case("a CLI that converts temperatures between celsius and fahrenheit", "cli", recipe="converter"),
    Case("cli tool to count words in text files", "cli", recipe="text_stats"),
    Case("a checksum cli utility using sha256", "cli", recipe="checksum"),
    Case("generate a secure password generator command line app", "cli", recipe="password"),
    Case("terminal calculator for arithmetic expressions", "cli", recipe="calculator"),
    Case("a tool to keep my recipes", "cli", ("recipes",), plan_mentions=("no kind of project", "assumed")),
    Case("python library for validating email addresses and URLs", "library", recipe="validators"),
    Case("a Python module with string helpers like slugify and camelCase conversion", "library", recipe="strings"),
    Case("a small python package to compute statistics (mean, median, standard deviation) of numbers", "library",
         recipe="statistics"),
    Case("a python library to manage a collection of movies with title, director, release_year and rating",
         "library", ("movies",), fields={"movies.release_year": "int"}),
    Case("a script that reads sales.csv with columns date, region, product and amount and computes the total "
         "amount per region", "data_script", ("sales",), fields={"sales.amount": "float", "sales.date": "date"}),
    Case("process employees.csv and report the average salary by department", "data_script", ("employees",),
         fields={"employees.salary": "float"}),
    Case("Write a data processing script for a CSV of orders with the total amount per customer", "data_script",
         plan_mentions=("amount",)),
    Case("a landing page for my bakery", "webpage", ("features",), recipe="landing"),
    Case("a single page app to manage a reading list of books with title, author and rating", "webpage", ("books",),
         fields={"books.rating": "int"}),
    Case("a simple calculator web page", "webpage", recipe="calculator"),
    # (a pomodoro timer is no longer served by the stopwatch: it is a substitute for one, test_template_pages_and_recipes)
    Case("a countdown timer in the browser", "webpage", recipe="stopwatch", mode=Mode.UNIFIED),
]


def case_id(case: Case) -> str:
    return case.prompt[:48].replace(" ", "_")


def spec_of(files: dict[str, str]) -> dict:
    return json.loads(files["codegen.json"])["spec"]


@pytest.mark.parametrize("case", CASES, ids=case_id)
async def test_prompt_gives_the_planned_project(template_generator: TemplateGenerator, case: Case) -> None:
    result, recorder = await generate(
        template_generator, case.prompt, mode=case.mode, requirements=list(case.requirements)
    )
    files = as_dict(result.files)
    spec = spec_of(files)

    assert spec["kind"] == case.kind
    if case.entities:
        assert [e["plural"] for e in spec["entities"]] == list(case.entities)
    assert spec["features"] == list(case.features)
    assert spec["framework"] == case.framework
    if case.recipe:
        assert spec["recipe"] == case.recipe
    types = {f"{e['plural']}.{f['name']}": f["type"] for e in spec["entities"] for f in e["fields"]}
    for name, expected in case.fields.items():
        assert types.get(name) == expected, name

    assert check_files(result.files) == []
    assert {"README.md", "codegen.json"} <= files.keys()
    if any(path.endswith(".py") for path in files):
        assert any(path.startswith("tests/test_") for path in files)
        listed = {line.split(">")[0].split("=")[0] for line in files["requirements.txt"].split()}
        assert "pytest" in listed and listed <= REQUIREMENTS.keys()

    plan = recorder.steps[0][2]
    for word in case.plan_mentions:
        assert word.lower() in plan.lower(), plan
    written = [m.removeprefix("Writing ") for m in recorder.messages(Stage.GENERATING) if m.startswith("Writing ")]
    assert sorted(written) == sorted(files)


async def test_generation_is_deterministic(template_generator: TemplateGenerator) -> None:
    prompt = "A Flask API for recipes and ingredients with authentication, search and pagination"
    first, first_steps = await generate(template_generator, prompt)
    second, second_steps = await generate(template_generator, prompt)
    assert as_dict(first.files) == as_dict(second.files)
    assert first_steps.steps == second_steps.steps


async def test_phased_plan_says_what_was_chosen(template_generator: TemplateGenerator) -> None:
    _, recorder = await generate(template_generator, "a library API with books, authors and loans and JWT login")
    plan = recorder.messages(Stage.PLANNING)[0]
    assert plan.startswith("Planning a FastAPI REST API with books, authors, loans")
    assert "token auth" in plan and "assumed SQLite store" in plan
    assert recorder.messages(Stage.ARCHITECTURE)[0].startswith("Laying out")


async def test_unified_mode_reports_only_generating(template_generator: TemplateGenerator) -> None:
    _, recorder = await generate(template_generator, "a tool to keep my recipes", mode=Mode.UNIFIED)
    assert {stage for stage, _, _ in recorder.steps} == {Stage.GENERATING}
    assert "assumed" in recorder.steps[0][2]


async def test_cancellation_propagates(template_generator: TemplateGenerator) -> None:
    from codegen.generators.base import GenerationRequest

    async def cancel_on_third(stage: Stage, progress: float, message: str) -> None:
        calls.append(message)
        if len(calls) == 3:
            raise asyncio.CancelledError

    calls: list[str] = []
    request = GenerationRequest(generation_id="c", prompt="todo api", mode=Mode.PHASED)
    with pytest.raises(asyncio.CancelledError):
        await template_generator.generate(request, cancel_on_third)
    assert len(calls) == 3


@pytest.fixture(scope="session")
async def project_test_results(
    template_generator: TemplateGenerator, project_tester: ProjectTester
) -> dict[str, TestReport]:
    """Every case's project run through its own tests in the sandbox (the tester caps how many at once)."""

    async def run(case: Case) -> tuple[str, TestReport]:
        result, _ = await generate(template_generator, case.prompt, mode=case.mode, requirements=list(case.requirements))
        return case.prompt, await project_tester.run({f.path: f.content for f in result.files}, say_nothing)

    return dict(await asyncio.gather(*(run(case) for case in CASES)))


@pytest.mark.slow
@pytest.mark.timeout(900)
@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_project_passes_its_own_tests(project_test_results: dict[str, TestReport], case: Case) -> None:
    outcome = project_test_results[case.prompt]
    assert outcome.status == "passed", f"{outcome.summary()}\n{outcome.output}"
    assert outcome.passed > 0 and outcome.failed == 0 and outcome.errors == 0
