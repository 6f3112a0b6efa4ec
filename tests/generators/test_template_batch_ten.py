"""Batch ten's classes of miss (issue 13, docs/generators.md "Batch ten"), each in new words.

A kind nothing names, taken silently; a language written in lower case where only a language fits ("in go with",
"in node:"); what only a page has (a signup form, a lightbox); a page's cards named in brackets and its toggles and
instructions read as sections; the file a script writes taken for the one it reads; "the totals per region" read as
a column "per".
"""

from __future__ import annotations

import pytest

from codegen.generators.base import GenerationError
from codegen.generators.template import TemplateGenerator
from codegen.generators.template.checklist import MET, SUBSTITUTED
from tests.generators.template_helpers import as_dict, checklist_of, generate


async def test_a_kind_nothing_names_is_said_to_be_the_generators_choice(template_generator: TemplateGenerator) -> None:
    items = await checklist_of(template_generator, "bird sightings with species, place and seen_on")
    assert items["the kind of program the prompt describes"]["status"] == SUBSTITUTED
    assert "a REST API" in items["the kind of program the prompt describes"]["detail"]


@pytest.mark.parametrize("prompt, language", [
    ("write a bloom filter in go, with tests", "Go"),
    ("a markdown link checker in node: reads a file and reports dead links", "JavaScript"),
])
async def test_a_language_in_lower_case_where_only_a_language_fits(template_generator: TemplateGenerator,
                                                                   prompt: str, language: str) -> None:
    with pytest.raises(GenerationError, match=f"Cannot write this in {language}"):
        await generate(template_generator, prompt)


async def test_go_as_a_verb_in_lower_case_is_no_language(template_generator: TemplateGenerator) -> None:
    result, _ = await generate(template_generator, "A Flask API for trips where travellers can go in groups")
    assert result.notes["kind"] == "rest_api"


@pytest.mark.parametrize("prompt", [
    "registration form with client side checks: name, email and a password of 10 characters",
    "photo gallery with lazy loading for my holiday pictures",
])
async def test_what_only_a_page_has_is_never_served_as_an_api(template_generator: TemplateGenerator,
                                                               prompt: str) -> None:
    try:
        result, _ = await generate(template_generator, prompt)
    except GenerationError as refused:
        assert "Cannot serve" in str(refused)
    else:
        assert result.notes["kind"] == "webpage"


async def test_cards_named_in_brackets_are_the_cards_and_toggles_no_section(
        template_generator: TemplateGenerator) -> None:
    result, _ = await generate(template_generator, "A landing page for my dance school with styles (Salsa, Tango, "
                                                   "Swing), a dark/light switch, use bootstrap")
    items = {item["text"]: item for item in result.requirements}
    assert result.notes["entities"] == ["styles"]
    page = as_dict(result.files)["index.html"]
    assert all(f"<h3>{name}</h3>" in page for name in ("Salsa", "Tango", "Swing"))
    assert items["styles with salsa, tango and swing"]["status"] == MET


async def test_the_file_a_script_writes_is_not_the_one_it_reads(template_generator: TemplateGenerator) -> None:
    result, _ = await generate(template_generator, "tidy up a messy orders csv: drop duplicate rows and write the "
                                                   "rejected rows to rejects.csv")
    assert result.notes["title"] == "Orders Report"
    assert "orders.csv" in as_dict(result.files)["orders_report.py"]


async def test_totals_per_a_column_sum_the_one_numeric_column(template_generator: TemplateGenerator) -> None:
    items = await checklist_of(template_generator, "read rentals.csv with columns city and price and print the totals "
                                             "per city")
    assert items["read rentals.csv and report sum of price per city"]["status"] == MET
