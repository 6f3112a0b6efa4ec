"""Batch eight's classes of misreading (issue 13, docs/generators.md "Batch eight"), each in new words.

Words that look like entities and are not (an HTTP method before a path, the body of an error response, a
possessive), names of a list absorbed without a word (a field named by a type word, the entity after a
parenthesised field list, a snake_case name ending a sentence, a rule between two fields), behaviour of a page
served as content, the kind of program changed without a word, and a field list's "list of X".
"""

from __future__ import annotations

from codegen.generators.template import TemplateGenerator
from codegen.generators.template.checklist import MET, SUBSTITUTED, UNMET
from codegen.generators.template.prompt_parser import parse_prompt
from tests.generators.template_helpers import checklist_of, generate


def _entities(prompt: str) -> list[str]:
    return [entity.name for entity in parse_prompt(prompt).spec.entities]


def test_an_http_method_before_a_path_is_not_an_entity() -> None:
    names = _entities("A REST API for a dentist with patients and visits. Routes: PUT /visits/:id, POST /patients")
    assert names == ["patient", "visit"]


def test_what_a_status_response_carries_is_not_an_entity() -> None:
    names = _entities("An API for recipes with title and minutes; bad input should return 409 with conflict reasons")
    assert names == ["recipe"]


def test_a_possessive_names_the_owned_records_not_an_entity_of_both_words() -> None:
    names = _entities("A REST API for schools and courses where admins manage each school's courses")
    assert names == ["school", "course"]


def test_a_list_of_values_in_a_field_list_is_not_a_resource() -> None:
    names = _entities("A FastAPI API for bookmarks (url, title, a list of labels)")
    assert names == ["bookmark"]


def test_a_parenthesised_field_list_does_not_end_the_list_of_entities() -> None:
    names = _entities("An API for a zoo: keepers, animals (kind one of lion/tiger, weight not negative), enclosures, "
                      "and feedings")
    assert names == ["keeper", "animal", "enclosure", "feeding"]


async def test_a_field_named_by_a_type_word_is_kept_or_listed(template_generator: TemplateGenerator) -> None:
    items = await checklist_of(template_generator, "A REST API for payments (amount >= 1, date, payer_id, memo)")
    # kept since batch nine's fixes ("amount >= 1" in the list is the field amount and its rule)
    assert items["payments with amount, date, payer_id and memo"]["status"] == MET
    assert items["amount must be at least 1"]["status"] == MET
    items = await checklist_of(template_generator, "A REST API for payments (amount in cents!, date, payer_id, memo)")
    assert items["field date of payments"]["status"] == UNMET


async def test_a_snake_case_name_ending_a_sentence_is_kept_or_listed(template_generator: TemplateGenerator) -> None:
    items = await checklist_of(template_generator, "A REST API for parcels with code and weight. Delivering a parcel sets "
                                             "delivered_at.")
    assert items["field delivered_at"]["status"] == UNMET


async def test_a_rule_between_two_fields_is_listed(template_generator: TemplateGenerator) -> None:
    items = await checklist_of(template_generator, "A REST API for bookings (room, check_in, check_out) where check_out is "
                                             "after check_in")
    assert items["check_out after check_in"]["status"] == UNMET


async def test_behaviour_of_a_page_is_unmet_not_a_section(template_generator: TemplateGenerator) -> None:
    items = await checklist_of(template_generator, "landing page for a yoga studio with a schedule, an image carousel and "
                                             "a modal")
    met = " ".join(text for text, item in items.items() if item["status"] == MET)
    assert "carousel" not in met and "modal" not in met, met
    assert items["image carousel"]["status"] == UNMET and items["modal"]["status"] == UNMET
    assert "schedule" in met


async def test_a_layout_word_is_unmet_and_the_section_kept(template_generator: TemplateGenerator) -> None:
    items = await checklist_of(template_generator, "landing page for a florist with a masonry gallery and prices")
    assert items["masonry"]["status"] == UNMET
    assert items["sections gallery and prices"]["status"] == MET


async def test_a_browser_program_is_written_for_the_browser(template_generator: TemplateGenerator) -> None:
    result, _ = await generate(template_generator, "a reading list with drag and drop shelves and books, kept in "
                                                   "local storage")
    assert "index.html" in {f.path for f in result.files}
    items = {item["text"]: item for item in result.requirements}
    assert items["drag and drop"]["status"] == UNMET
    assert items["shelves"]["status"] == MET and "drag" not in items and "drop shelves" not in items
    assert not any("storage" in text for text in items), items  # the page keeps its records in localStorage


async def test_another_kind_for_a_browser_program_is_named_substituted(template_generator: TemplateGenerator) -> None:
    items = await checklist_of(template_generator, "A Flask app for recipes with title, where favourites are kept in "
                                             "localStorage")
    assert items["a browser app"]["status"] == SUBSTITUTED
    assert "REST API" in items["a browser app"]["detail"] and "local_storage" in items["a browser app"]["detail"]


async def test_a_listed_entity_not_written_is_unmet_even_when_a_route_names_it(
    template_generator: TemplateGenerator,
) -> None:
    items = await checklist_of(template_generator, "An API for a farm: fields, crops and tractors. Endpoints: "
                                             "GET /fields/:id/crops, DELETE /tractors/:id")
    assert items["fields"]["status"] == UNMET and items["crops"]["status"] == MET
