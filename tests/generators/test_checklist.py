"""The template generator's requirements checklist (issue 13): requests split, judged, and never passed off."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from codegen.generators.base import GenerationError
from codegen.generators.template import EXAMPLES, TemplateGenerator
from codegen.generators.template.checklist import CAN_DO, MET, SUBSTITUTED, UNMET, accounting
from codegen.generators.template.languages import asked_languages
from tests.generators.measured_prompts import FAITHFUL, FLAGGED, MEASURED, REFUSED, M, report
from tests.generators.template_helpers import as_dict, generate, own_test_results

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("text", "languages"),
    [
        ("A Java CLI to rename files", ["Java"]),
        ("a command line tool written in Go", ["Go"]),
        ("A Go service for payments", ["Go"]),
        ("a golang microservice", ["Go"]),
        ("Build a C# web API for orders", ["C#"]),
        ("An ASP.NET Core API", ["C#"]),
        ("a C++ library for matrices", ["C++"]),
        ("Rust CLI that greps files", ["Rust"]),
        ("A Spring Boot service for customers", ["Java"]),
        ("a Node.js server", ["JavaScript"]),
        ("A TypeScript React app", ["TypeScript"]),
        ("a Rails app for recipes", ["Ruby"]),
        ("a python script that parses Java files", ["Python"]),
        ("Let's go to the shop: an API for orders", []),
        ("a binary tree node library in python", ["Python"]),
        ("a swift delivery tracker API", []),
        ("a shell command tool", []),
        ("a JavaScript web page", ["JavaScript"]),
    ],
)
def test_the_language_asked_for_is_the_one_named_as_the_programs(text: str, languages: list[str]) -> None:
    assert [ask.language for ask in asked_languages(text)] == languages


async def test_another_language_fails_naming_it_and_what_it_can_do(template_generator: TemplateGenerator) -> None:
    for prompt, language in [("A Java CLI to rename files", "Java"), ("a Go microservice for payments", "Go")]:
        with pytest.raises(GenerationError) as failure:
            await generate(template_generator, prompt)
        assert f"in {language}" in str(failure.value) and CAN_DO in str(failure.value)


async def test_another_language_in_additional_requirements_is_unmet(template_generator: TemplateGenerator) -> None:
    result, _ = await generate(template_generator, "An API for notes", requirements=["written in Go", "use PostgreSQL"])
    by_text = {item["text"]: item for item in result.requirements}
    assert by_text["written in Go"]["status"] == UNMET
    assert by_text["store data in postgresql"]["status"] == SUBSTITUTED
    assert by_text["notes"]["status"] == MET


async def test_nothing_substituted_is_presented_as_met(template_generator: TemplateGenerator) -> None:
    prompt = ("A Django API for books with title and price; price must be positive, title must be unique. "
              "Use PostgreSQL. GET /top lists the best")
    result, _ = await generate(template_generator, prompt)
    items = {item["text"]: item for item in result.requirements}
    assert items["use Django"]["status"] == SUBSTITUTED and "FastAPI" in items["use Django"]["detail"]
    assert items["store data in postgresql"]["status"] == SUBSTITUTED
    assert items["price must be positive"]["status"] == MET
    assert items["title must be unique"]["status"] == MET and "app/integrity.py" in items["title must be unique"]["where"]
    assert items["GET /top"]["status"] == UNMET
    assert items["books with title and price"]["status"] == MET
    readme = as_dict(result.files)["README.md"]
    section = readme.split("## What was asked", 1)[1]
    assert "**substituted**: use Django" in section and "**NOT DONE**: GET /top" in section
    assert "**met**: use Django" not in section


async def test_every_item_has_the_contract_shape(template_generator: TemplateGenerator) -> None:
    for case in MEASURED:
        if case.verdict == REFUSED:
            continue
        result, _ = await generate(template_generator, case.prompt)
        assert result.requirements, case.prompt
        for item in result.requirements:
            assert set(item) == {"text", "status", "where", "detail"}
            assert item["status"] in (MET, SUBSTITUTED, UNMET)
            if item["status"] == MET:
                assert item["where"], (case.prompt, item)
                assert all(path in as_dict(result.files) for path in item["where"])
            else:
                assert item["detail"], (case.prompt, item)


async def test_an_iteration_lists_its_changes(template_generator: TemplateGenerator) -> None:
    first, _ = await generate(template_generator, "A FastAPI REST API for tasks with title and done")
    request_files = as_dict(first.files)
    second, _ = await generate(template_generator, "add a priority field to tasks", parent=request_files)
    assert [item["status"] for item in second.requirements] == [MET]
    assert "priority" in second.requirements[0]["text"]
    readme = as_dict(second.files)["README.md"]
    assert readme.count("## What was asked") == 1 and "priority" in readme.split("## What was asked")[1]


@pytest.mark.parametrize("prompt", EXAMPLES)
async def test_the_advertised_examples_are_served_faithfully(template_generator: TemplateGenerator, prompt: str) -> None:
    result, _ = await generate(template_generator, prompt)
    assert [item for item in result.requirements if item["status"] != MET] == []


@pytest.mark.parametrize("case", MEASURED, ids=lambda case: case.prompt[:40])
async def test_measured_prompt_keeps_its_verdict(template_generator: TemplateGenerator, case: M) -> None:
    if case.verdict == REFUSED:
        with pytest.raises(GenerationError) as failure:
            await generate(template_generator, case.prompt)
        message = str(failure.value)
        assert CAN_DO in message
        for word in case.flags:
            assert word in message, message
        return
    result, _ = await generate(template_generator, case.prompt)
    off = {item["text"]: item["status"] for item in result.requirements if item["status"] != MET}
    if case.verdict == FAITHFUL:
        assert off == {}, f"a faithful prompt regressed: {off}"
    else:
        assert case.verdict == FLAGGED
        assert set(case.flags) == set(off), off


def test_the_report_in_the_docs_is_the_measured_one() -> None:
    docs = (ROOT / "docs" / "generators.md").read_text()
    block = re.search(r"<!-- measured:start -->\n(.*?)<!-- measured:end -->", docs, re.DOTALL)
    assert block, "docs/generators.md has no measured block"
    assert block.group(1) == report(), "regenerate it with: python -c 'from tests.generators.measured_prompts import report; print(report(), end=\"\")'"
    assert len(MEASURED) >= 40


RULES_PROMPT = (
    "A Flask API for products with name, price, quantity and status. price must be positive, quantity must be "
    "between 1 and 100, name must be at most 40 characters, status must be one of draft, live or archived. "
    "quantity defaults to 1. Products belong to a supplier."
)


async def test_rules_and_relations_become_constraints_and_tests(template_generator: TemplateGenerator) -> None:
    result, _ = await generate(template_generator, RULES_PROMPT)
    files = as_dict(result.files)
    models = files["app/models.py"]
    assert "price: Annotated[float, Field(gt=0)]" in models
    assert "quantity: Annotated[int, Field(ge=1, le=100)] = 1" in models
    assert 'status: Literal["draft", "live", "archived"]' in models
    assert "supplier_id: int" in models and "class SupplierIn(BaseModel)" in models
    tests = files["tests/test_products.py"]
    for name in ("test_price_minimum_is_enforced", "test_quantity_maximum_is_enforced",
                 "test_status_choices_is_enforced", "test_name_max_length_is_enforced",
                 "test_quantity_defaults_to_its_default"):
        assert f"def {name}(client)" in tests
    items = {item["text"]: item for item in result.requirements}
    assert items["status must be one of draft, live or archived"]["status"] == MET
    assert items["products belong to a supplier"]["where"] == ["app/models.py", "tests/test_products.py",
                                                               "tests/test_suppliers.py"]


@pytest.fixture(scope="session")
async def measured_test_results(template_generator: TemplateGenerator, project_tester) -> dict[str, object]:
    """Each completed measured prompt's project, and the rules prompt's, through its own tests in the sandbox."""
    prompts = [case.prompt for case in MEASURED if case.verdict != REFUSED] + [RULES_PROMPT]
    return await own_test_results(template_generator, project_tester, prompts)


@pytest.mark.slow
@pytest.mark.timeout(900)
@pytest.mark.parametrize(
    "prompt", [case.prompt for case in MEASURED if case.verdict != REFUSED] + [RULES_PROMPT], ids=lambda p: p[:40]
)
def test_measured_project_passes_its_own_tests(measured_test_results: dict, prompt: str) -> None:
    outcome = measured_test_results[prompt]
    assert outcome.status == "passed", f"{outcome.summary()}\n{outcome.output}"
    assert outcome.passed > 0 and outcome.failed == 0 and outcome.errors == 0


@pytest.mark.parametrize("framework", ["FastAPI", "Flask", "aiohttp"])
async def test_state_actions_become_routes_with_tests(template_generator: TemplateGenerator, framework: str) -> None:
    prompt = f"A {framework} API for invoices with code and amount; users can archive an invoice, and mark an invoice as paid"
    result, _ = await generate(template_generator, prompt)
    files = as_dict(result.files)
    assert 'actions=(("archive", "archived", True), ("mark_paid", "paid", True),)' in files["app/models.py"]
    assert "for name, field, value in resource.actions" in files["app/routes.py"]
    tests = files["tests/test_invoices.py"]
    assert "def test_archive_sets_archived(client)" in tests and "def test_mark_paid_sets_paid(client)" in tests
    items = {item["text"]: item["status"] for item in result.requirements}
    assert items["can archive an invoice"] == items["mark an invoice as paid"] == MET


@pytest.mark.parametrize(
    ("prompt", "model_line", "request_text"),
    [
        # a contraction is read before the apostrophe goes: without it the rule vanished, unmarked
        ("An API for stock with products (sku, name, quantity) where quantity can't be negative",
         "quantity: Annotated[int, Field(ge=0)]", "quantity must not be negative"),
        ("An API for movies (title, rating) where users rate movies from 1 to 5",
         "rating: Annotated[int, Field(ge=1, le=5)]", "rating must be between 1 and 5"),
    ],
)
async def test_batch_seven_rules_are_enforced_and_listed(
    template_generator: TemplateGenerator, prompt: str, model_line: str, request_text: str
) -> None:
    result, _ = await generate(template_generator, prompt)
    assert model_line in as_dict(result.files)["app/models.py"]
    assert {item["text"]: item["status"] for item in result.requirements}[request_text] == MET


async def test_registering_for_something_is_listed_not_dropped(template_generator: TemplateGenerator) -> None:
    result, _ = await generate(template_generator, "An API for talks (title) and attendees who can register for a talk")
    listed = {item["text"]: item for item in result.requirements}
    assert listed["can register for a talk"]["status"] == UNMET
    # signing up to the service itself stays the account feature, not an action
    result, _ = await generate(template_generator, "An API where users can register and log in to keep bookmarks")
    assert all("register" not in item["text"] for item in result.requirements if item["status"] != MET)


async def test_renaming_the_files_of_a_folder_is_refused_not_served_as_records(
    template_generator: TemplateGenerator,
) -> None:
    with pytest.raises(GenerationError) as failure:
        await generate(template_generator, "A command-line tool that renames all photos in a folder by date taken")
    assert "Cannot write a program that renames, moves or sorts the files of a folder" in str(failure.value)
    # a CLI that keeps photos as records is still served
    result, _ = await generate(template_generator, "A CLI to manage photos with title and taken_at")
    assert any(f.path.endswith("cli.py") for f in result.files)


async def test_a_landing_page_writes_known_sections_in_their_shape(template_generator: TemplateGenerator) -> None:
    prompt = "A landing page for a coffee shop with a menu, opening hours, a faq and a gallery and a contact form"
    result, _ = await generate(template_generator, prompt)
    page = as_dict(result.files)["index.html"]
    menu = page[page.index('<section id="menus">'):page.index("</section>", page.index('<section id="menus">'))]
    assert "<h2>Menu</h2>" in menu and menu.count('<span class="price">') >= 3
    assert '<table class="hours">' in page and "<h2>Opening hours</h2>" in page
    assert page.count("<details>") == 3 and "<summary>" in page
    # a gallery is pictures with captions (a section it does not know by name is still a row of cards)
    assert '<section id="galleries">' in page and "<figcaption>Gallery 1" in page
    sections = next(item for item in result.requirements if item["text"].startswith("sections "))
    assert sections["status"] == MET and "sample content to replace" in sections["detail"]


# issue 13, gen13: a recognised sentence's clause whose words nothing accounts for is a request of its own. Each of
# these was completed with every request met before that rule (phrasings no specific fix covers)
UNACCOUNTED = [
    ("An API for products (name, price) where price can never go below zero", "price can never go below zero",
     ("never", "below", "zero")),
    ("An API for movies (title, stars) where users give stars between one and five",
     "users give stars between one and five", ("between", "one", "five")),
    ("A REST API for reviews with title and rating; rating goes from 1 to 10", "rating goes from 1 to 10", ("1", "10")),
    ("A REST API for a gym with members; members get a discount on their birthday",
     "members get a discount on their birthday", ("discount", "birthday")),
    ("A Flask API for tasks with title and done; tasks are archived after 30 days", "tasks are archived after 30 days",
     ("after", "30")),
    ("A photo renamer CLI that gives my pictures names from their dates",
     "a photo renamer cli that gives my pictures names from their dates", ("renamer", "pictures")),
    ("A todo API with tasks (title, priority); priority is 1 to 3 and tasks are color coded by priority",
     "priority is 1 to 3 and tasks are color coded by priority", ("color",)),
]


@pytest.mark.parametrize(("prompt", "clause", "words"), UNACCOUNTED, ids=lambda value: str(value)[:40])
async def test_a_clause_nothing_accounts_for_is_listed_unmet(
    template_generator: TemplateGenerator, prompt: str, clause: str, words: tuple[str, ...]
) -> None:
    result, _ = await generate(template_generator, prompt)
    items = {item["text"]: item for item in result.requirements}
    assert clause in items, sorted(items)
    assert items[clause]["status"] == UNMET
    assert items[clause]["detail"].startswith(accounting.DETAIL)
    assert all(word in items[clause]["detail"] for word in words), items[clause]["detail"]
    section = as_dict(result.files)["README.md"].split("## What was asked", 1)[1]
    assert f"**NOT DONE**: {clause}" in section


@pytest.fixture
def without_specific_fixes(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fixes made for batch seven's misses, undone: rules and actions read nothing, "can't" and "rate X from 1
    to 5" are not rewritten, renaming a folder's files is not refused."""
    from codegen.generators.template import languages, rules, words

    monkeypatch.setattr(rules, "apply_rules", lambda spec, flat, owners=None: [])
    monkeypatch.setattr(rules, "apply_actions", lambda spec, flat: [])
    monkeypatch.setattr(words, "_PHRASES", [p for p in words._PHRASES if not re.search(r"rating|not", p[1])])
    monkeypatch.setattr(languages, "_UNSUPPORTED", [u for u in languages._UNSUPPORTED if "folder" not in u[0]])


@pytest.mark.parametrize(
    ("prompt", "word"),
    [
        ("An API for a movie watchlist where users sign up, log in and rate movies from 1 to 5", "5"),
        ("An API to manage a warehouse's stock with products (sku, name, quantity) where sku must be unique and "
         "quantity can't be negative", "negative"),
        ("An API for a conference: talks (title, speaker, room, starts_at) and attendees who can register for a talk",
         "register"),
        ("A command-line tool that renames all photos in a folder by the date they were taken", "renames"),
        ("A CLI that moves my downloads into folders by file type", "moves"),
    ],
    ids=lambda value: str(value)[:40],
)
async def test_earlier_misses_are_flagged_by_the_accounting_alone(
    template_generator: TemplateGenerator, without_specific_fixes: None, prompt: str, word: str
) -> None:
    try:
        result, _ = await generate(template_generator, prompt)
    except GenerationError as failure:  # nothing else was served: refused, naming the clause as not served
        assert word in str(failure).partition("(not served: ")[2] and CAN_DO in str(failure)
        return
    flagged = [item for item in result.requirements
               if item["status"] == UNMET and item["detail"].startswith(accounting.DETAIL)]
    assert any(word in item["detail"] for item in flagged), result.requirements


@pytest.mark.parametrize(
    ("prompt", "function"),
    [
        ("write a python function that returns the nth fibonacci number", "def fibonacci("),
        ("a python function to compute the factorial of a number", "def factorial("),
        ("Write a function that checks if a number is prime", "def is_prime("),
        ("A python function to check whether a word is a palindrome", "def is_palindrome("),
        ("A python function that checks whether two words are anagrams", "def is_anagram("),
        ("a function that slugifies a title", "def slugify("),
        ("a python function that validates phone numbers", "def is_phone("),
        ("Write a function that converts celsius to fahrenheit", "def convert("),
    ],
)
async def test_a_function_the_generator_writes_is_served_as_a_library(
    template_generator: TemplateGenerator, prompt: str, function: str
) -> None:
    result, _ = await generate(template_generator, prompt)
    files = as_dict(result.files)
    assert json.loads(files["codegen.json"])["spec"]["kind"] == "library"
    assert any(function in content for path, content in files.items() if not path.startswith("tests/"))
    name = function.removeprefix("def ").removesuffix("(")
    assert any(f"{name}(" in content for path, content in files.items() if path.startswith("tests/test_"))
    assert [item for item in result.requirements if item["status"] != MET] == []


@pytest.mark.parametrize(
    "prompt", ["write a function that computes the levenshtein distance", "a python function that parses cron expressions"]
)
async def test_a_function_it_does_not_write_is_refused_naming_those_it_does(
    template_generator: TemplateGenerator, prompt: str
) -> None:
    with pytest.raises(GenerationError) as failure:
        await generate(template_generator, prompt)
    message = str(failure.value)
    assert "Cannot serve" in message and CAN_DO in message
    assert "The functions it writes: " in message and "fibonacci()" in message and "is_email()" in message
    assert "merge_intervals()" in message and "binary_search()" in message and "is_leap_year()" in message



async def test_an_entity_listed_with_its_own_fields_is_kept_beside_a_field_of_its_name(
    template_generator: TemplateGenerator,
) -> None:
    # the first advertised example lost its authors (books have an author field) with every request marked met
    result, _ = await generate(template_generator, EXAMPLES[0])
    files = as_dict(result.files)
    spec = json.loads(files["codegen.json"])["spec"]
    entities = {e["plural"]: [f["name"] for f in e["fields"]] for e in spec["entities"]}
    assert entities == {"books": ["title", "author", "price"], "authors": ["name", "bio"]}
    assert "tests/test_authors.py" in files
    # a field list's plural words stay fields: "workouts with name, sets and reps" names no sets or reps
    result, _ = await generate(template_generator, "A CLI to track workouts with name, sets and reps")
    spec = json.loads(as_dict(result.files)["codegen.json"])["spec"]
    assert [e["plural"] for e in spec["entities"]] == ["workouts"]
