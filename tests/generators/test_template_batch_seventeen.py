"""Batch seventeen's classes of misreading (docs/generators.md, "Entities and fields"), each in new words.

A foreign key written as name, FK and the records it points at; a colon list of plural names after a noun phrase
in any language; what people post or submit with its fields; a field with a note in brackets.
"""

from __future__ import annotations

from codegen.generators.template import TemplateGenerator
from codegen.generators.template.checklist import MET
from codegen.generators.template.kinds.rest_integrity import links
from codegen.generators.template.prompt_parser import parse_prompt
from tests.generators.template_helpers import as_dict, checklist_of, generate


def _entities(prompt: str) -> dict[str, list[str]]:
    return {entity.name: [f.name for f in entity.fields] for entity in parse_prompt(prompt).spec.entities}


async def test_a_foreign_key_written_with_its_target_is_one_link_field(template_generator: TemplateGenerator) -> None:
    prompt = ("A FastAPI service for a sailing school: Dinghy (sail_number, skipper FK Instructor, hull colour), "
              "Instructor (name, licence)")
    names = _entities(prompt)
    assert names["dinghy"] == ["sail_number", "skipper_id", "hull_colour"]
    spec = parse_prompt(prompt).spec
    assert [(f, p.name) for f, p in links(spec)["dinghies"]] == [("skipper_id", "instructor")]
    items = await checklist_of(template_generator, prompt)
    assert not any("fk" in text.split("_") for text in items)
    linked = [item for text, item in items.items() if "skipper" in text and "instructor" in text]
    assert linked and linked[0]["status"] == MET
    result, _ = await generate(template_generator, prompt)
    assert "skipper_id" in as_dict(result.files)["app/integrity.py"]


def test_a_foreign_key_to_records_not_listed_adds_them() -> None:
    names = _entities("a flask api for a chess league: Trophy (title, winner foreign key to Player, season)")
    assert names["trophy"] == ["title", "winner_id", "season"]
    assert "player" in names


def test_a_colon_list_of_plural_names_after_a_noun_phrase_lists_records() -> None:
    # Portuguese: the noun before the colon ("plantas") is no record, the list after it is
    names = _entities("api para uma loja de plantas: clientes, vasos (tamanho, cor, preço), pedidos.")
    assert list(names) == ["cliente", "vaso", "pedido"]
    assert names["vaso"] == ["tamanho", "cor", "preco"]
    names = _entities("a backend for the city parks: benches, fountains (material, built_year), inspections")
    assert list(names) == ["bench", "fountain", "inspection"]


def test_what_people_post_with_its_fields_is_a_record() -> None:
    names = _entities("an api for a lost pet board: neighbours post finds with breed, last seen streets, "
                      "contact phone and date")
    assert names == {"find": ["breed", "last_seen_streets", "contact_phone", "date"]}
    names = _entities("a backend where students submit drafts with title, word count, attachments and deadline")
    assert names == {"draft": ["title", "word_count", "attachments", "deadline"]}


def test_a_field_with_a_note_in_brackets_is_a_field() -> None:
    names = _entities("a web page with a table of recipes with columns title, allergens (list), prep minutes")
    assert names == {"recipe": ["title", "allergens", "prep_minutes"]}
    # a plural the catalog knows as records is a field too when a note follows it
    names = _entities("React grid of mentors with columns name, categories (chips), hourly fee, timezone")
    assert names == {"mentor": ["name", "categories", "hourly_fee", "timezone"]}
    # one field of the records a plural names, in brackets, is still their field list
    assert _entities("a recipe api with recipes with title, cuisine, chefs (name)") == {
        "recipe": ["title", "cuisine"], "chef": ["name"]}
    spec = parse_prompt("An API for a print shop with products having name, price (in cents), remarks (optional)").spec
    product = spec.entity("product")
    assert [f.name for f in product.fields] == ["name", "price", "remarks"]
    assert not product.field("remarks").required


def test_a_bracket_after_a_type_word_is_read_without_error() -> None:
    # "date of birth (...)": the type word leaves no name before the bracket
    parse_prompt("a react form for a judo club with validation: member name, date of birth (must be 8-16 years old), "
                 "guardian phone")
