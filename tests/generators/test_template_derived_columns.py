"""CSV reports: a column the file does not have but its prompt computes (revenue = units × unit_price), and what
the script does not do said, not dropped: a second grouping, an Excel file; a "role" column is no permissions
request (batch sixteen and earlier batches asked for each)."""

from __future__ import annotations

import re

import pytest

from codegen.generators.template import TemplateGenerator
from codegen.generators.template.checklist import MET, UNMET
from tests.generators.template_helpers import (
    as_dict, assert_own_tests_pass, checklist_of, code_modules, each_break_fails_its_test, generate, refusal,
)

PROMPTS = [
    "bakery.csv has columns branch, loaves and price_each; report total takings (loaves x price_each) per branch",
    "tickets.csv (venue, seats_sold, ticket_price): average revenue per venue",
    "subscribers.csv (name, email, city): drop duplicate emails keeping the latest row and write the rest",
]


async def test_a_formula_in_the_prompt_is_computed_for_each_row(template_generator: TemplateGenerator) -> None:
    result, _ = await generate(template_generator, PROMPTS[0])
    files = as_dict(result.files)
    script = files["bakeries_report.py"]
    assert '"takings": ("loaves", "price_each")' in script
    assert files["bakery.csv"].splitlines()[0] == "branch,loaves,price_each"  # takings is not read from the file
    items = {item["text"]: item for item in result.requirements}
    assert items["compute takings as loaves × price_each"]["status"] == MET
    assert items["read bakery.csv and report sum of takings per branch"]["status"] == MET
    assert not [text for text, item in items.items() if item["status"] != MET]


async def test_revenue_of_a_quantity_and_a_price_is_inferred_and_said(template_generator: TemplateGenerator) -> None:
    result, _ = await generate(template_generator, PROMPTS[1])
    items = {item["text"]: item for item in result.requirements}
    assert items["compute revenue as seats_sold × ticket_price"]["status"] == MET
    assert any("revenue computed as seats_sold × ticket_price" in line for line in result.notes["assumptions"])
    # no quantity and price to multiply: the column is never read as if it were there (nothing else asked: refused)
    message = await refusal(template_generator, "visits.csv (clinic, patients, duration): total revenue per clinic")
    assert "report sum of revenue per clinic" in message


async def test_a_second_grouping_is_unmet_not_dropped(template_generator: TemplateGenerator) -> None:
    items = await checklist_of(template_generator,
                               "rides.csv with columns day, station, bikes, duration: total duration per station per day")
    assert items["group by day"]["status"] == UNMET and "station" in items["group by day"]["detail"]
    assert items["read rides.csv and report sum of duration per station"]["status"] == MET
    ranked = await checklist_of(template_generator,
                                "scores.csv (player, team, points): the top 3 players by points")
    assert not any(text.startswith("group by") for text in ranked)



async def test_an_excel_file_is_unmet_and_a_role_column_asks_for_no_permissions(
        template_generator: TemplateGenerator) -> None:
    items = await checklist_of(template_generator, "From a CSV of loans (member, branch, role, days), show average "
                                                   "days per branch and save the summary to an xlsx workbook")
    assert items["convert to another format"]["status"] == UNMET
    assert "roles and permissions" not in items
    assert items["read loans.csv and report average of days per branch"]["status"] == MET
    api = await checklist_of(template_generator, "A REST API for articles where only the editor role can publish")
    assert api["roles and permissions"]["status"] == UNMET



async def test_duplicates_of_a_column_are_rows_that_repeat_it(template_generator: TemplateGenerator) -> None:
    result, _ = await generate(template_generator, PROMPTS[2])
    items = {item["text"]: item for item in result.requirements}
    assert items["remove rows with a repeated email, keeping the last of each in the file"]["status"] == MET
    script = as_dict(result.files)["subscribers_report.py"]
    assert 'DEDUPE_BY: tuple[str, ...] = ("email",)' in script and "KEEP_LAST = True" in script
    # a column the file does not have is not served by removing equal rows (nothing else asked: refused)
    message = await refusal(template_generator, "visitors.csv (name, city): drop duplicate phones, write the rest")
    assert "remove rows with a repeated phone" in message


BREAKS = [
    ("bakeries_report", 'typed[left] * typed[right]', 'typed[left] + typed[right]', "test_process"),
    ("subscribers_report", "reversed(range(len(rows))) if KEEP_LAST else range(len(rows))", "range(len(rows))",
     "test_rows_with_a_repeated_email_are_removed"),
    ("subscribers_report", "tuple(row[name] for name in DEDUPE_BY) if DEDUPE_BY else tuple(row.values())",
     "tuple(row.values())", "test_rows_with_a_repeated_email_are_removed"),
]


@pytest.mark.slow
@pytest.mark.timeout(900)
async def test_its_projects_pass_their_own_tests_and_catch_a_wrong_product(
    template_generator: TemplateGenerator, project_tester
) -> None:
    await assert_own_tests_pass(template_generator, project_tester, PROMPTS)
    await each_break_fails_its_test(project_tester, await code_modules(template_generator, [PROMPTS[0], PROMPTS[2]]), BREAKS)


async def test_a_computed_column_is_never_made_of_dates_nor_used_as_a_key(template_generator: TemplateGenerator) -> None:
    # a date is no factor: nothing is computed and the report stays unmet, never a crash; grouped, filtered or
    # deduplicated by, a computed column would be a key the script reads from the file: the request is unmet
    for prompt in ("a script for rentals.csv (shop, rented_on, day_rate): income = rented_on * day_rate, "
                   "total income per shop",
                   "a script for rentals.csv (shop, returned_date, day_rate): total revenue per shop",
                   "a script for rentals.csv (shop, days, day_rate): total revenue per shop, only rows where "
                   "revenue is 50",
                   "a script for rentals.csv (shop, days, day_rate): revenue = days * day_rate; total revenue per "
                   "shop; drop duplicate revenue rows",
                   "a script for rentals.csv (shop, days, day_rate): revenue = days * day_rate, count per revenue"):
        result, _ = await generate(template_generator, prompt)
        assert not result.requirements or not any(
            item["text"].startswith("compute") for item in result.requirements), prompt
        assert any(item["status"] == UNMET and re.search(r"revenue|income", item["text"])
                   for item in result.requirements), prompt
