"""Batch eleven's classes of miss (issue 13, docs/generators.md "Batch eleven"), each in new words.

A function no recipe writes served as a library of records; a dashboard served as a records page; a generic plural
listed with fields of its own dropped; values written "one of a/b/c" read as entities; an error answer marked met
when the clause also names one the project does not give; an entity named in the singular, without fields, dropped
from a list of entities named so.
"""

from __future__ import annotations

import pytest

from codegen.generators.base import GenerationError
from codegen.generators.template import TemplateGenerator
from codegen.generators.template.checklist import MET, SUBSTITUTED, UNMET
from tests.generators.template_helpers import checklist_of, generate


async def test_a_function_no_recipe_writes_is_refused_not_served_as_records(
        template_generator: TemplateGenerator) -> None:
    with pytest.raises(GenerationError) as refused:
        await generate(template_generator, "write a python function that ranks chess players from their game "
                                           "results using elo")
    assert "The functions it writes:" in str(refused.value)


async def test_a_dashboard_served_as_a_records_page_is_marked_substituted(
        template_generator: TemplateGenerator) -> None:
    # with nothing else met, the stand-in is refused (tests/generators/test_template_stand_ins.py)
    with pytest.raises(GenerationError, match="a dashboard app"):
        await generate(template_generator, "vue dashboard of my running shoes and their mileage")
    items = await checklist_of(template_generator, "vue dashboard to track my running shoes and their mileage")
    assert items["a dashboard app"]["status"] == SUBSTITUTED


async def test_a_generic_plural_listed_with_fields_of_its_own_is_a_resource(
        template_generator: TemplateGenerator) -> None:
    result, _ = await generate(template_generator, "a FastAPI API for a workshop: tools (barcode unique, name), loans")
    assert result.notes["entities"] == ["tools", "loans"]


async def test_values_written_one_of_a_slash_list_are_a_rule_not_resources(
        template_generator: TemplateGenerator) -> None:
    result, _ = await generate(template_generator, "a REST API for a spa: clients (name), bookings (client_id, "
                                                   "treatment one of massage/facial/sauna, starts_at)")
    items = {item["text"]: item for item in result.requirements}
    assert result.notes["entities"] == ["clients", "bookings"]
    assert items["treatment must be one of massage, facial or sauna"]["status"] == MET


async def test_an_error_answer_beside_one_not_given_is_not_met(template_generator: TemplateGenerator) -> None:
    items = await checklist_of(template_generator, "A REST API for parcels with code; return 409 on a duplicate and 404 "
                                             "if the parcel does not exist")
    assert items["return 409 on a duplicate and 404 if the parcel does not exist"]["status"] == UNMET


async def test_an_entity_named_in_the_singular_without_fields_is_listed_when_dropped(
        template_generator: TemplateGenerator) -> None:
    items = await checklist_of(template_generator, "REST API for a clinic. Patient (name, dob), Doctor, Appointment "
                                             "(patient_id, date)")
    assert items["doctor"]["status"] == UNMET
