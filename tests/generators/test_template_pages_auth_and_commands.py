"""Batch eighteen's misses outside the entity reader, each class in new words: another site's accounts (OAuth) are
no token auth; firmware is not written; a page with a countdown among its sections is a page, not the stopwatch;
a button is no section and a section's relative clause is not claimed; records the generator chose are said; a
child resource is not made from a word that only describes; commands in groups are listed, unmet."""

from __future__ import annotations

from codegen.generators.template import TemplateGenerator
from codegen.generators.template.checklist import MET, SUBSTITUTED, UNMET
from codegen.generators.template.prompt_parser import parse_prompt
from tests.generators.template_helpers import checklist_of, refusal


async def test_sign_in_with_another_site_is_no_token_auth(template_generator: TemplateGenerator) -> None:
    for prompt in ("Flask API for a rowing club: boats (name, seats); sign in with Google for the captains",
                   "FastAPI backend for a quiz league: teams (name, town), login via GitHub OAuth"):
        items = await checklist_of(template_generator, prompt)
        assert items["token auth"]["status"] == SUBSTITUTED, (prompt, items)
        assert "OAuth" in items["token auth"]["detail"]


async def test_firmware_is_refused_as_such(template_generator: TemplateGenerator) -> None:
    message = await refusal(template_generator, "ESP32 program that reads a temperature sensor and posts it over MQTT")
    assert "microcontroller" in message


async def test_a_countdown_among_a_page_s_sections_is_a_section(template_generator: TemplateGenerator) -> None:
    prompt = "one html page for our school reunion with a countdown, a photo gallery and an RSVP form that texts me"
    assert parse_prompt(prompt).spec.recipe == "landing"
    items = await checklist_of(template_generator, prompt)
    assert items["sections countdown, photo gallery and rsvp form"]["status"] == MET
    assert not any("texts me" in text and item["status"] == MET for text, item in items.items()), items
    assert parse_prompt("a countdown timer page with start and pause").spec.recipe == "stopwatch"


async def test_a_button_is_no_section(template_generator: TemplateGenerator) -> None:
    items = await checklist_of(template_generator, "Landing page for a bike courier: hero with a headline and a "
                                                   "'Get a quote' button, pricing, testimonials and an FAQ")
    assert items["sections pricing, testimonials and faq"]["status"] == MET
    assert not any("button" in text and item["status"] == MET for text, item in items.items()), items


async def test_records_the_generator_chose_are_said(template_generator: TemplateGenerator) -> None:
    items = await checklist_of(template_generator, "a python CLI called stash with subcommands add and list")
    assert items["the records to keep"]["status"] == SUBSTITUTED
    assert "the prompt names no records" in items["the records to keep"]["detail"]


async def test_a_word_that_only_describes_makes_no_child_resource(template_generator: TemplateGenerator) -> None:
    prompt = ("FastAPI for a darts league: players (name), matches with legs_won. A match is a whitewash if the "
              "loser won no legs. GET /players/{id}/whitewashes")
    spec = parse_prompt(prompt).spec
    assert spec.entity("whitewash") is None
    items = await checklist_of(template_generator, prompt)
    assert items["GET /players/{id}/whitewashes"]["status"] == UNMET


async def test_commands_in_groups_are_each_listed_unmet(template_generator: TemplateGenerator) -> None:
    items = await checklist_of(template_generator, "a python cli to keep my choir's pieces with title and composer. "
                                                   "commands: piece add, concert new NAME, concert show NAME")
    for command in ("piece add", "concert new", "concert show"):
        assert items[f"command {command}"]["status"] == UNMET, items


async def test_batch_nineteen_small_classes(template_generator: TemplateGenerator) -> None:
    from codegen.generators.template.words import identifier

    # Polish ł and Danish ø have no decomposition: written as their plain letters, not dropped
    assert identifier("głos") == "glos" and identifier("smørrebrød") == "smorrebrod"
    # a JavaScript function of its own is JavaScript code, not a web page's script
    message = await refusal(template_generator, "a function in javascript that merges two sorted "
                                                "arrays of events by start time")
    assert "JavaScript" in message
    # "a python click app" names its command-line library
    items = await checklist_of(template_generator, "a python click app to keep my houseplants with name and room")
    assert items["use click"]["status"] == SUBSTITUTED
