"""Web pages and recipes: what a page or a recipe is chosen for, and how a landing page writes its sections.

Three classes of miss from an unseen batch, each tested here in other words than the batch's:

1. a recipe chosen for a different or more specific thing was marked met: an event page with a countdown became
   the stopwatch, a pomodoro timer the stopwatch and a tip calculator the arithmetic calculator;
2. a landing page's sections were three placeholder cards whatever they were, with names like "instructor cards
   with" or "page", and the title came from a domain the prompt only mentioned ("Gallery Page");
3. a page whose point is a behaviour (a kanban board, a rating control, splitting expenses) was served as records
   of verb phrases ("delete_cards", "add_people") or of the control's parts ("half_stars"), marked met.
"""

from __future__ import annotations

import json
import re

import pytest

from codegen.generators.base import GenerationError
from codegen.generators.template import TemplateGenerator
from codegen.generators.template.checklist import CAN_DO
from tests.generators.template_helpers import as_dict, generate

MET, SUBSTITUTED, UNMET = "met", "substituted", "unmet"


async def _outcome(generator: TemplateGenerator, prompt: str) -> tuple[dict[str, dict], dict[str, str]] | str:
    """The checklist by request text and the files of a prompt's project, or the error when it is refused."""
    try:
        result, _ = await generate(generator, prompt)
    except GenerationError as exc:
        return str(exc)
    return {item["text"]: item for item in result.requirements}, as_dict(result.files)


def _spec(files: dict[str, str]) -> dict:
    return json.loads(files["codegen.json"])["spec"]


def _section(page: str, section_id: str) -> str:
    start = page.index(f'<section id="{section_id}">')
    return page[start:page.index("</section>", start)]


# -- 1. a recipe chosen for another or a more specific thing -------------------------------------------------------


async def test_a_landing_page_named_as_such_is_one_and_its_countdown_is_met_only_if_written(
    template_generator: TemplateGenerator,
) -> None:
    outcome = await _outcome(template_generator, "landing page for a village book fair: venue, a countdown clock to "
                                                 "the opening, and a volunteer signup form")
    assert not isinstance(outcome, str), outcome
    items, files = outcome
    spec = _spec(files)
    assert spec["recipe"] == "landing" and spec["title"] != "Stopwatch", spec
    met = [text for text, item in items.items() if item["status"] == MET]
    assert not any("stopwatch" in text for text in met), met
    countdown = [text for text in items if "countdown" in text]
    assert countdown, items
    if any(items[text]["status"] == MET for text in countdown):  # met: the page counts down to a date
        assert "data-until=" in files["index.html"] and "data-until" in files["app.js"]


# a recipe qualified by a word naming another program: the recipe is a substitute, never met
OTHER_PROGRAMS = [
    ("BMI calculator web page where you enter height and weight", "bmi calculator"),
    ("an egg timer page with soft and hard presets", "egg timer"),
    ("kitchen timer in react", "kitchen timer"),
    ("loan repayment calculator cli", "loan repayment calculator"),
    ("a chess clock web page for two players", "chess clock"),
]


@pytest.mark.parametrize(("prompt", "program"), OTHER_PROGRAMS, ids=[p for _, p in OTHER_PROGRAMS])
async def test_a_recipe_named_for_another_program_is_substituted_never_met(
    template_generator: TemplateGenerator, prompt: str, program: str
) -> None:
    outcome = await _outcome(template_generator, prompt)
    if isinstance(outcome, str):  # nothing else of the prompt served: refused, saying what it can do
        assert CAN_DO in outcome and program in outcome, outcome
        return
    items, _ = outcome
    asked = next((item for text, item in items.items() if program in text), None)
    assert asked is not None and asked["status"] == SUBSTITUTED, items
    met = [text for text, item in items.items() if item["status"] == MET]
    assert not any(re.search(r"calculator|stopwatch|evaluates", text) for text in met), met


@pytest.mark.parametrize("prompt", ["A simple stopwatch page with lap times", "a basic calculator web page",
                                   "a command line calculator for arithmetic expressions"])
async def test_a_recipe_named_as_what_it_does_stays_met(template_generator: TemplateGenerator, prompt: str) -> None:
    outcome = await _outcome(template_generator, prompt)
    assert not isinstance(outcome, str), outcome
    items, _ = outcome
    assert [text for text, item in items.items() if item["status"] != MET] == []
