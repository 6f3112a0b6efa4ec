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


async def _served(generator: TemplateGenerator, prompt: str) -> tuple[dict[str, dict], dict[str, str]]:
    """The checklist and the files of a prompt the generator must serve (the test fails on a refusal)."""
    outcome = await _outcome(generator, prompt)
    assert not isinstance(outcome, str), outcome
    return outcome


def _spec(files: dict[str, str]) -> dict:
    return json.loads(files["codegen.json"])["spec"]


def _section(page: str, section_id: str) -> str:
    start = page.index(f'<section id="{section_id}">')
    return page[start:page.index("</section>", start)]


# -- 1. a recipe chosen for another or a more specific thing -------------------------------------------------------


async def test_a_landing_page_named_as_such_is_one_and_its_countdown_is_met_only_if_written(
    template_generator: TemplateGenerator,
) -> None:
    items, files = await _served(
        template_generator,
        "landing page for a village book fair: venue, a countdown clock to "
        "the opening, and a volunteer signup form",
    )
    spec = _spec(files)
    assert spec["recipe"] == "landing" and spec["title"] != "Stopwatch", spec
    assert "Book Fair" in spec["title"]
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
    items, _ = await _served(template_generator, prompt)
    assert [text for text, item in items.items() if item["status"] != MET] == []


# -- 2. a landing page's sections in their shape ---------------------------------------------------------------------


async def test_landing_sections_get_sensible_names_and_their_usual_shape(template_generator: TemplateGenerator) -> None:
    items, files = await _served(
        template_generator,
        "landing page for a climbing gym with a weekly opening timetable, "
        "coach cards with pictures and a mailing list signup form",
    )
    spec, page = _spec(files), files["index.html"]
    assert spec["title"] == "Climbing Gym Page"
    sections = spec["options"]["sections"]
    assert not any(s.endswith(" with") or s.split()[-1] == "withs" for s in sections), sections
    assert not any(e["name"].endswith("_with") for e in spec["entities"]), spec["entities"]
    # a timetable is a table
    timetable = _section(page, next(e["plural"] for e in spec["entities"] if "timetable" in e["name"]))
    assert "<table" in timetable and 'class="card"' not in timetable
    # the coaches are people with pictures, not "Coach card 1"
    coaches = _section(page, "coaches")
    assert "<img" in coaches and "Coach 1" not in coaches and "Coach card" not in coaches
    assert all(image in files for image in re.findall(r'<img src="([^"]+)"', page))
    # the signup is an email form, checked like the contact form
    signup = _section(page, next(e["plural"] for e in spec["entities"] if "signup" in e["name"]))
    assert '<form' in signup and 'type="email"' in signup and 'class="signup"' in signup
    assert "form.signup" in files["app.js"] and "EMAIL.test(email.value" in files["app.js"]
    # a signup form on a page is no user accounts
    assert "token auth" not in items
    assert [text for text, item in items.items() if item["status"] != MET] == []


async def test_a_portfolio_has_a_hero_text_and_captioned_works_and_no_page_section(
    template_generator: TemplateGenerator,
) -> None:
    items, files = await _served(
        template_generator,
        "portfolio site for a furniture maker, single page, hero banner, "
        "about section, grid of pieces with captions, contact form",
    )
    spec, page = _spec(files), files["index.html"]
    assert spec["title"] == "Furniture Maker Page"
    names = [e["name"] for e in spec["entities"]]
    assert not any(re.search(r"page|hero|banner", name) for name in names), names
    # the hero is the header: a picture and a headline, not a row of cards
    header = page[page.index("<header"):page.index("</header>")]
    assert 'class="hero"' in header and "<img" in header and "<h1>" in header
    about = _section(page, next(e["plural"] for e in spec["entities"] if e["name"] == "about"))
    assert "<p>" in about and "card" not in about
    pieces = _section(page, "pieces")
    assert pieces.count("<figcaption>") >= 3 and pieces.count("<img") >= 3
    assert [text for text, item in items.items() if item["status"] != MET] == []


# -- 3. a page that does something, not records of verb phrases ----------------------------------------------------


async def test_a_kanban_board_keeps_cards_with_a_status_of_its_columns(template_generator: TemplateGenerator) -> None:
    items, files = await _served(
        template_generator,
        "kanban board for a film crew's shots: columns Planned/Filming/Edited,"
        " add/rename/delete shots, drag and drop shots, save in localStorage",
    )
    entities = _spec(files)["entities"]
    # an entity name is never a verb phrase
    assert not any(re.match(r"(?:add|rename|delete|edit)_", e["name"]) for e in entities), entities
    status = next(f for f in entities[0]["fields"] if f["name"] == "status")
    assert status["rules"]["choices"] == ["Planned", "Filming", "Edited"]
    assert all(f'<option value="{column}">' in files["index.html"] for column in ("Planned", "Filming", "Edited"))
    assert items["drag and drop"]["status"] == UNMET
    board = [item for text, item in items.items() if "kanban" in text]
    assert board and all(item["status"] != MET for item in board), board


@pytest.mark.parametrize("prompt", [
    "a page to plan a potluck: add guests, add dishes with who brings them",
    "a single page tab splitter for a ski cabin weekend: add guests, add receipts with who paid and who shared, "
    "then show who owes whom",
])
async def test_a_verb_phrase_is_never_an_entity_name(template_generator: TemplateGenerator, prompt: str) -> None:
    items, files = await _served(template_generator, prompt)
    names = [n for e in _spec(files)["entities"] for n in (e["name"], *(f["name"] for f in e["fields"]))]
    assert not any(re.match(r"(?:add|edit|delete)_", name) for name in names), names
    assert not any(re.match(r"add ", text) and item["status"] == MET for text, item in items.items()), items


async def test_a_page_for_a_behaviour_is_a_substitute_and_refused_when_nothing_else_is_met(
    template_generator: TemplateGenerator,
) -> None:
    # splitting money between people: the records are kept, the splitting is not done
    items, _ = await _served(
        template_generator,
        "a single page tab splitter for a ski cabin weekend: add guests, add "
        "receipts with who paid and who shared, then show who owes whom",
    )
    assert items["a tab splitter"]["status"] == SUBSTITUTED
    # a control whose parts were read as records: nothing of it is met, so it is refused
    outcome = await _outcome(template_generator, "Svelte emoji reaction picker component, supports skin tones, compact "
                                                 "mode, two-way binding")
    if isinstance(outcome, str):
        assert CAN_DO in outcome and "emoji reaction picker component" in outcome, outcome
    else:
        items, _ = outcome
        assert items["an emoji reaction picker component"]["status"] == SUBSTITUTED
        assert items.get("skin tones", {"status": UNMET})["status"] != MET
