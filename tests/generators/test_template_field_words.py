"""Words of a phrase are not a field's name; a word that starts like a technology is not it; a sign-up date asks for no
login; commands named after "commands:" or "subcommands" are each listed; a one page site is a landing page (each in new words)."""

from __future__ import annotations

from codegen.generators.template import TemplateGenerator
from codegen.generators.template.checklist import MET, UNMET
from codegen.generators.template.languages import asked_languages, unsupported_kinds
from codegen.generators.template.prompt_parser import parse_prompt
from tests.generators.template_helpers import checklist_of


def _fields(prompt: str) -> dict[str, list[str]]:
    return {e.name: [f.name for f in e.fields] for e in parse_prompt(prompt).spec.entities}


# 1. a verb of relation or a type word is never part of a field's or an entity's name

async def test_a_relation_after_a_field_list_is_no_field(template_generator: TemplateGenerator) -> None:
    prompt = "Garden API: gardeners with name and phone, a plot belongs to one gardener only"
    fields = _fields(prompt)
    assert fields["gardener"] == ["name", "phone"], fields
    items = await checklist_of(template_generator, prompt)
    assert not any("belong" in text and item["status"] == MET for text, item in items.items()), items


async def test_two_roles_of_one_parent_are_unmet_and_no_entity(template_generator: TemplateGenerator) -> None:
    prompt = ("A league API with teams and fixtures. Teams have name and city, fixtures belong to a home team and "
              "away team")
    fields = _fields(prompt)
    assert fields["team"] == ["name", "city"] and set(fields) == {"team", "fixture"}, fields
    items = await checklist_of(template_generator, prompt)
    said = [text for text in items if "belong" in text]
    assert said and all(items[text]["status"] == UNMET for text in said), items


async def test_a_referencing_phrase_is_no_field(template_generator: TemplateGenerator) -> None:
    prompt = "Bakery API. Cakes have name and price. Baskets have owner email and cake slots referencing cakes"
    fields = _fields(prompt)
    assert not any("referenc" in f for names in fields.values() for f in names), fields
    items = await checklist_of(template_generator, prompt)
    assert not any("referenc" in text and item["status"] == MET for text, item in items.items()), items


async def test_a_field_enum_with_bracketed_values_is_the_field_and_its_choices(
        template_generator: TemplateGenerator) -> None:
    prompt = "Podcast API: episodes have title, minutes, mood enum (calm, tense, upbeat)"
    spec = parse_prompt(prompt).spec
    mood = spec.entity("episode").field("mood")
    assert mood is not None and mood.rules.get("choices") == ["calm", "tense", "upbeat"], spec.entities
    items = await checklist_of(template_generator, prompt)
    assert items["mood must be one of calm, tense or upbeat"]["status"] == MET


async def test_a_hero_with_words_is_no_field_nor_section(template_generator: TemplateGenerator) -> None:
    prompt = "landing page for potters with hero with his name, gallery and prices"
    spec = parse_prompt(prompt).spec
    assert [e.name for e in spec.entities] == ["gallery", "price"], spec.entities
    items = await checklist_of(template_generator, prompt)
    assert not any("with hero" in text and item["status"] == MET for text, item in items.items()), items


# 2. a word that starts with a technology's name is not it

def test_a_word_starting_with_a_technology_is_not_it() -> None:
    for text in ("An inventory API for an electronics repair shop", "a CLI for javanese dishes",
                 "an API for rusty tools and dartboards", "a REST API for a kernelized kitchen and golden retrievers",
                 "a page about swiftlets and perlite"):
        assert unsupported_kinds(text) == [] and asked_languages(text) == [], text
    assert [k.label for k in unsupported_kinds("an electron app")] == ["a desktop GUI"]


# 3. a field of when or how often someone logged in asks for no login

async def test_a_signup_date_or_login_count_asks_for_no_auth(template_generator: TemplateGenerator) -> None:
    for prompt in ("A REST API for volunteers with name and signup date, ordered by signup date",
                   "An API for players with nickname, login count and last_login"):
        assert "auth" not in parse_prompt(prompt).spec.features, prompt
        items = await checklist_of(template_generator, prompt)
        assert "token auth" not in items, items
    assert "auth" in parse_prompt("A REST API for volunteers where volunteers sign up and log in").spec.features


# 4. every command a CLI prompt names after "commands:" is listed

async def test_commands_after_a_colon_are_each_listed(template_generator: TemplateGenerator) -> None:
    items = await checklist_of(template_generator, "A command line app for my reading list. commands: add, list, "
                                                   "finish, delete")
    assert items["command add"]["status"] == MET and items["command list"]["status"] == MET
    assert items["command finish"]["status"] == UNMET


async def test_subcommands_listed_after_the_word_and_the_tool_s_name_are_read(
        template_generator: TemplateGenerator) -> None:
    items = await checklist_of(template_generator, "a python CLI named pantrykeep with subcommands add, list, restock "
                                                   "and remove to keep my groceries in a JSON file")
    assert items["command add"]["status"] == MET and items["command remove"]["status"] == MET
    assert items["command restock"]["status"] == UNMET
    assert not any("pantrykeep" in text for text, item in items.items() if item["status"] == UNMET), items
    # the list after "with subcommands" names commands, never the records' fields
    fields = _fields("a python command line tool to keep recipes with subcommands add, show and delete")["recipe"]
    assert not [name for name in fields if "subcommand" in name or name in ("add", "show", "delete")], fields


async def test_a_field_s_choices_written_with_underscores_are_no_fields(template_generator: TemplateGenerator) -> None:
    items = await checklist_of(template_generator, "Flask API for a kennel: Dog (name), Stay (dog_id FK, nights, "
                                                   "room enum small_run|large_run|suite)")
    assert items["room must be one of small_run, large_run or suite"]["status"] == MET
    assert not any(text.startswith("field") for text in items), items


# 5. a one page site is a landing page, whatever countdown it shows

async def test_a_one_page_site_is_a_landing_page(template_generator: TemplateGenerator) -> None:
    for prompt in ("One page site for a chess tournament with a countdown, schedule and prizes",
                   "one-page website for an art fair: countdown to opening day, artists, tickets"):
        spec = parse_prompt(prompt).spec
        assert spec.recipe == "landing", (prompt, spec.recipe)
        items = await checklist_of(template_generator, prompt)
        assert not any("stopwatch" in text for text in items), items


def test_measures_of_a_record_are_no_records() -> None:
    fields = _fields("a Flask API for a bakery: orders with loaves and prices, and a stall with amounts per day")
    assert not {"price", "amount"} & set(fields), fields


def test_how_records_are_shown_names_no_records() -> None:
    assert _fields("a page listing our cheeses as cards (name, milk, age_months)") == {
        "cheese": ["name", "milk", "age_months"]}


async def test_values_after_a_field_label_and_a_colon_are_its_choices(template_generator: TemplateGenerator) -> None:
    items = await checklist_of(template_generator, "Flask API for a tailor: alterations with garment, priority: low, "
                                                   "normal, rush, and a paid flag")
    assert items["priority must be one of low, normal or rush"]["status"] == MET
    assert not any(text in ("low", "normal", "rush") for text in items), items
