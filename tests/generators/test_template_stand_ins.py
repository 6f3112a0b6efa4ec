"""A stand-in is never the answer: batches twelve and thirteen's classes, in new words.

When the program written stands in for the one asked (records for a program that does something, a CSV
report of totals for another data task, a REST API for a prompt naming no kind), its parts are the
stand-in's, and with nothing else met the generation is refused, naming what it can do.
"""

from __future__ import annotations

import pytest

from codegen.generators.template import TemplateGenerator
from tests.generators.template_helpers import as_dict, checklist_of, generate, refusal

MET, SUBSTITUTED, UNMET = "met", "substituted", "unmet"



@pytest.mark.parametrize("prompt, named", [
    # a command line that does something, not records of "old log files"
    ("command line tool that gzips the old log files in a folder and prints how much space it saved",
     "the program the prompt describes"),
    # a page that does something, not records of "hex colors"
    ("a web page that checks the contrast of two hex colors and says whether it passes WCAG",
     "the program the prompt describes"),
    # a data task the CSV report does not do, not "count and total of amount"
    ("turn a folder of JSON exports of bike trips into one flat CSV with a row per trip",
     "the data processing the prompt describes"),
    # a program named for its doing, not links without short codes
    ("small aiohttp api for a link shortener that counts visits", "a link shortener"),
    # a dashboard of records nobody asked to keep
    ("svelte dashboard of my electricity meter readings", "a dashboard app"),
])
async def test_a_stand_in_with_nothing_else_met_is_refused_naming_what_it_stood_in_for(
        template_generator: TemplateGenerator, prompt: str, named: str) -> None:
    message = await refusal(template_generator, prompt)
    assert message.startswith("Cannot serve") and named in message, message


async def test_records_the_prompt_asks_to_keep_stay_beside_the_program_they_stand_in_for(
        template_generator: TemplateGenerator) -> None:
    items = await checklist_of(template_generator, "svelte dashboard to track my electricity meter readings")
    assert items["a dashboard app"]["status"] == SUBSTITUTED
    assert items["meter readings"]["status"] == MET


async def test_an_api_key_in_a_header_is_not_met_by_token_auth(template_generator: TemplateGenerator) -> None:
    items = await checklist_of(template_generator, "API for a print shop to track orders with customer and copies. "
                                                   "Clients authenticate with an API key in the X-API-Key header")
    assert items["token auth"]["status"] == SUBSTITUTED and "API keys" in items["token auth"]["detail"]
    jwt = await checklist_of(template_generator, "An API for notes with JWT login and an api key for admins")
    assert jwt["token auth"]["status"] == MET


async def test_a_column_the_prompt_does_not_list_is_not_read_as_if_it_were_there(
        template_generator: TemplateGenerator) -> None:
    prompt = "script for orders.csv with columns day, shop, visitors: total revenue per shop"
    items = await checklist_of(template_generator, prompt)
    report = items["read orders.csv and report sum of revenue per shop"]
    assert report["status"] == UNMET and "revenue" in report["detail"]
    assert not any("revenue" in text for text, item in items.items() if item["status"] == MET)
    # a top N by the missing column is not met either; with nothing else done, the script is refused
    message = await refusal(template_generator, "I have visits.csv with columns day, clinic, patients, minutes. "
                                                "Write a script that outputs the top 2 clinics by revenue")
    assert "the top 2 by sum_revenue" in message


async def test_grouping_by_a_plural_uses_the_listed_column(template_generator: TemplateGenerator) -> None:
    result, _ = await generate(
        template_generator, "a script that loads tips.csv (waiter, shift, tips) and prints the top 3 waiters by tips")
    script = as_dict(result.files)["tips_report.py"]
    columns = script.split("COLUMNS", 1)[1].split("}", 1)[0]
    assert '"tips"' in columns and '"tip"' not in columns
    assert all(item["status"] == MET for item in result.requirements), result.requirements


@pytest.mark.parametrize("prompt, part", [
    ("priority queue in python with push and pop", "a priority queue on a heap (push, pop, peek)"),
    ("Implement a trie class in Python", "a trie (insert, search, starts_with, words_with_prefix)"),
])
async def test_a_structure_named_without_a_kind_is_its_library(template_generator: TemplateGenerator, prompt: str,
                                                              part: str) -> None:
    result, _ = await generate(template_generator, prompt)
    items = {item["text"]: item for item in result.requirements}
    assert result.notes["kind"] == "library" and items[part]["status"] == MET


async def test_a_list_the_program_is_given_is_its_input_not_records_to_keep(
        template_generator: TemplateGenerator) -> None:
    message = await refusal(template_generator, "a python tool that reads a list of domain names from a text file and "
                                                "reports when each one's TLS certificate expires, with a --days option")
    assert "domain names" in message or "domain_names" in message
    # a list kept is still records: "keep a list of my plants"
    items = await checklist_of(template_generator, "a python CLI to keep a list of my plants with name and room")
    assert items["plants with name and room"]["status"] == MET
