"""Batch sixteen's classes of misreading (docs/generators.md, "Batch sixteen"), each in new words.

Words that are not records read as entities or fields (a container named after its records, a business named with
its possessive dropped, who a program is for, what people log in with, roles of auth, a mass noun, a limit, CSV
operations), a plain list of records in a sentence of its own, a foreign key written as "x_id FK", and a domain's
usual records the prompt never named.
"""

from __future__ import annotations

from codegen.generators.template import TemplateGenerator
from codegen.generators.template.checklist import MET, SUBSTITUTED, UNMET
from codegen.generators.template.prompt_parser import parse_prompt
from tests.generators.template_helpers import checklist_of


def _entities(prompt: str) -> dict[str, list[str]]:
    return {entity.name: [f.name for f in entity.fields] for entity in parse_prompt(prompt).spec.entities}


def test_a_container_named_after_its_records_is_no_entity() -> None:
    names = _entities("A REST API for a campsite's reservation book: Pitch (number, size, has_power), "
                      "Camper (name, phone)")
    assert list(names) == ["pitch", "camper"]


def test_a_foreign_key_written_as_an_id_is_one_field() -> None:
    names = _entities("An API for a kennel: Dog (name, breed), Visit (dog_id FK, nights, notes)")
    assert names["visit"] == ["dog_id", "nights", "notes"]


def test_a_limit_before_a_number_is_no_field() -> None:
    names = _entities("An API for a climbing gym with climbers and projects. a climber can have max 5 open projects")
    assert "max" not in names["climber"]
    names = _entities("A REST API for an animal shelter with shelters and animals; a shelter can have up to 40 "
                      "animals")
    assert "up" not in names["shelter"]


def test_a_business_named_with_its_possessive_dropped_is_no_entity() -> None:
    names = _entities("an api for a florists where i can add bouquets and their buyers")
    assert list(names) == ["bouquet", "buyer"]


def test_who_a_program_is_for_is_no_entity() -> None:
    names = _entities("We run a chess club for teens. Need an API with players, matches and tournaments.")
    assert list(names) == ["player", "match", "tournament"]


async def test_what_people_log_in_with_is_no_entity(template_generator: TemplateGenerator) -> None:
    prompt = "An API for a museum with exhibits and guides. Guides log in with access badges."
    assert list(_entities(prompt)) == ["exhibit", "guide"]
    items = await checklist_of(template_generator, prompt)
    assert items["access badges"]["status"] == UNMET


def test_roles_of_auth_are_no_entity() -> None:
    names = _entities("A REST API for a newsroom with articles and authors, JWT auth with editor and viewer roles")
    assert list(names) == ["article", "author"]


def test_a_mass_noun_is_no_entity_and_a_plural_possessive_names_its_owners() -> None:
    assert list(_entities("a CLI to track my bonsai trees; store the data in a local json file")) == ["bonsai_tree"]
    assert list(_entities("a command line tool for tracking my aquariums' cleaning schedule")) == ["aquarium"]


async def test_operations_on_a_csv_are_no_columns(template_generator: TemplateGenerator) -> None:
    prompt = "Script to tidy a CSV of club members: strip spaces, standardize postcodes, and remove duplicate rows"
    assert _entities(prompt) == {"club_member": ["name", "description"]}
    items = await checklist_of(template_generator, prompt)
    assert not any("strip_spaces" in text or "standardize_postcodes" in text for text in items)
    assert items["strip spaces"]["status"] == UNMET


def test_a_sentence_that_lists_plural_names_lists_records() -> None:
    assert list(_entities("a flask api for a seed swap club. gardeners, seeds, swaps.")) == [
        "gardener", "seed", "swap"]
    # a generic plural among them is records too ("tools" of a makerspace)
    assert list(_entities("an aiohttp service for a makerspace. makers, tools, bookings.")) == [
        "maker", "tool", "booking"]


async def test_a_domain_s_records_the_prompt_never_named_are_substituted(template_generator: TemplateGenerator) -> None:
    items = await checklist_of(template_generator, "an api for my small hotel where guests check in at the front desk")
    assert items["a hotel project"]["status"] == MET  # the hotel's rooms: what the word names
    assert items["bookings"]["status"] == SUBSTITUTED
    assert "never named" in items["bookings"]["detail"]
