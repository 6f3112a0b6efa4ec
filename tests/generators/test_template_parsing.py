"""Reading prompts: words, field types, entities and fields, kinds, features."""

from __future__ import annotations

import pytest

from codegen.generators.template.catalog import guess_type
from codegen.generators.template.model import ProjectSpec
from codegen.generators.template.prompt_parser import parse_prompt
from codegen.generators.template.words import identifier, plural, singular


@pytest.mark.parametrize(
    ("plural_form", "singular_form"),
    [
        ("books", "book"), ("categories", "category"), ("addresses", "address"), ("boxes", "box"),
        ("courses", "course"), ("statuses", "status"), ("people", "person"), ("movies", "movie"),
        ("order_items", "order_item"), ("wishes", "wish"), ("leaves", "leaf"), ("quizzes", "quiz"),
    ],
)
def test_plural_and_singular(plural_form: str, singular_form: str) -> None:
    assert singular(plural_form) == singular_form
    assert plural(singular_form) == plural_form


@pytest.mark.parametrize("word", ["status", "news", "analysis", "series", "address", "bus"])
def test_words_that_only_look_plural(word: str) -> None:
    assert singular(word) == word


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("created_at", "datetime"), ("due_date", "date"), ("birthday", "date"), ("hired_on", "date"),
        ("price", "float"), ("total_amount", "float"), ("unit_price", "float"),
        ("is_done", "bool"), ("done", "bool"), ("has_paid", "bool"),
        ("count", "int"), ("quantity", "int"), ("age", "int"), ("author_id", "int"), ("page_count", "int"),
        ("title", "str"), ("email", "str"), ("phone_number", "str"),
    ],
)
def test_field_types_are_guessed_from_names(name: str, expected: str) -> None:
    assert guess_type(name) == expected


def test_identifiers() -> None:
    assert identifier("Due Date") == "due_date"
    assert identifier("dueDate") == "due_date"
    assert identifier("2fa codes") == "n_2fa_codes"


def entities(prompt: str) -> dict[str, dict[str, str]]:
    spec = parse_prompt(prompt).spec
    return {e.plural: {f.name: f.type for f in e.fields} for e in spec.entities}


def test_entity_list_with_catalog_fields() -> None:
    found = entities("a library API with books, authors and loans")
    assert list(found) == ["books", "authors", "loans"]
    assert found["loans"]["due_date"] == "date" and found["loans"]["returned"] == "bool"


@pytest.mark.parametrize(
    "prompt",
    [
        "tasks API with title, due_date and priority",
        "An API to manage tasks with a title, a due date and a priority",
        "REST API. Each task has a title, a due date and a priority.",
        "API: tasks (title, due_date, priority)",
        "api with tasks: title, dueDate, priority",
    ],
)
def test_explicit_fields_in_many_wordings(prompt: str) -> None:
    assert entities(prompt) == {"tasks": {"title": "str", "due_date": "date", "priority": "int"}}


def test_type_hints_and_optional_fields() -> None:
    spec = parse_prompt("an API for products with name (string), price: decimal, an optional description and "
                        "an integer stock").spec
    fields = {f.name: (f.type, f.required) for f in spec.entities[0].fields}
    assert fields == {
        "name": ("str", True), "price": ("float", True), "description": ("str", False), "stock": ("int", True),
    }


def test_fields_of_two_entities_are_kept_apart() -> None:
    found = entities("a blog API with posts with title and body, and comments with text and author")
    assert found == {"posts": {"title": "str", "body": "str"}, "comments": {"text": "str", "author": "str"}}


def test_plural_field_names_are_not_entities() -> None:
    assert entities("a web app to track workouts with name, sets and reps") == {
        "workouts": {"name": "str", "sets": "int", "reps": "int"}
    }


def test_singular_entities_with_fields_and_headings() -> None:
    found = entities("Please build an API. Entities: Project(name, deadline, budget), Task(title, done), Employee(name)")
    assert found == {
        "projects": {"name": "str", "deadline": "date", "budget": "float"},
        "tasks": {"title": "str", "done": "bool"},
        "employees": {"name": "str"},
    }
    assert list(entities("API for hotel reservations: rooms, guests and bookings")) == ["rooms", "guests", "bookings"]
    assert list(entities("a service to store sensor readings (sensor_id, value, recorded_at)")) == ["sensor_readings"]


def test_link_fields_follow_the_project() -> None:
    assert "post_id" in entities("a blog API with posts and comments")["comments"]
    assert "post_id" not in entities("an API for comments")["comments"]


@pytest.mark.parametrize(
    ("prompt", "kind", "framework"),
    [
        ("Create a REST API with authentication", "rest_api", "fastapi"),
        ("a Flask backend for notes", "rest_api", "flask"),
        ("aiohttp service for notes", "rest_api", "aiohttp"),
        ("an express.js api for notes", "rest_api", "fastapi"),
        ("a command-line tool for notes", "cli", None),
        ("a python library to parse durations", "library", None),
        ("a script that reads a CSV of orders", "data_script", None),
        ("a landing page for a dentist", "webpage", None),
        ("something for my notes", "rest_api", "fastapi"),
    ],
)
def test_kind_and_framework(prompt: str, kind: str, framework: str | None) -> None:
    spec = parse_prompt(prompt).spec
    assert (spec.kind, spec.framework) == (kind, framework)


def test_misspelt_keywords_are_repaired() -> None:
    spec = parse_prompt("a fastapi restfull api for recipes with authentcation, paginaton and sortng").spec
    assert spec.features == ["auth", "pagination", "sorting"]


def test_registering_for_events_is_not_authentication() -> None:
    assert parse_prompt("an API where attendees register for events").spec.features == []
    assert parse_prompt("an API where users can register and log in").spec.features == ["auth"]


def test_assumptions_are_stated() -> None:
    # the language asked for is the checklist's business (tests/generators/test_checklist.py)
    plan = parse_prompt("an API with a MongoDB database")
    text = "; ".join(plan.assumptions)
    assert "SQLite in place of mongodb" in text
    assert "no resources named" in text


def test_additional_requirements_count() -> None:
    spec = parse_prompt("an API for notes", ["use Flask", "add pagination"]).spec
    assert (spec.framework, spec.features) == ("flask", ["pagination"])


def test_spec_round_trips_through_json() -> None:
    spec = parse_prompt("a Flask API for books and authors with login and search").spec
    assert ProjectSpec.from_json(spec.to_json()) == spec
    with pytest.raises(ValueError):
        ProjectSpec.from_json('{"generator": "other", "version": 1, "spec": {}}')
