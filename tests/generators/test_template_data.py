"""CSV scripts that do the operations a prompt names: dedupe, a filter, grouping with a measure, sorting, top N.

The quick tests check the script's configuration, its tests and the
checklist; the slow one runs each project's own tests in the sandbox, which
run the whole pipeline on a sample holding a duplicate row and rows the
filter drops, and compare it with what the generator computed.
"""

from __future__ import annotations

import pytest

from codegen.generators.template import TemplateGenerator
from codegen.generators.template.checklist import MET, UNMET
from tests.generators.template_helpers import as_dict, generate, own_test_results

# prompt -> (lines the script must hold, test names it must have, requests met)
CASES = {
    "A script that reads people.csv with columns name, city and age, drops duplicate rows, and keeps only rows "
    "where city is Paris": (
        ["DEDUPE = True", 'WHERE: dict[str, str] = {"city": "Paris"}', "SUMMARIZE = False"],
        ["test_duplicate_rows_are_removed", "test_only_rows_where_city_is_paris_are_kept"],
        ["remove duplicate rows", "keep the rows where city is Paris", "read people.csv and write the rows kept"],
    ),
    "process sales.csv with columns region, product and amount: total amount per region, sorted by total amount "
    "descending": (
        ['GROUP_BY: str | None = "region"', "SORT: tuple[str, bool] | None = ('sum_amount', True)"],
        ["test_lines_are_sorted_by_sum_amount"],
        ["sort by sum_amount (descending)", "read sales.csv and report sum of amount per region"],
    ),
    "From results.csv (athlete, event, score) print the top 3 athletes by score": (
        ['GROUP_BY: str | None = "athlete"', "LIMIT: int | None = 3", "SORT: tuple[str, bool] | None = ('sum_score', True)"],
        ["test_at_most_3_lines_are_written", "test_lines_are_sorted_by_sum_score"],
        ["the top 3 by sum_score", "read results.csv and report sum of score per athlete"],
    ),
    "Read visits.csv with columns page and duration, count visits per page and sort by count": (
        ['GROUP_BY: str | None = "page"', "SORT: tuple[str, bool] | None = ('count', True)"],
        ["test_lines_are_sorted_by_count"],
        ["sort by count (descending)", "read visits.csv and report count per page"],
    ),
    "A script that reads books.csv with columns title, author and year and keeps only the rows where author is "
    "Tolkien, sorted by year": (
        ['WHERE: dict[str, str] = {"author": "Tolkien"}', "SORT: tuple[str, bool] | None = ('year', False)"],
        ["test_only_rows_where_author_is_tolkien_are_kept", "test_lines_are_sorted_by_year"],
        ["keep the rows where author is Tolkien", "sort by year (ascending)"],
    ),
}


@pytest.mark.parametrize("prompt", list(CASES), ids=lambda prompt: prompt[:40])
async def test_named_operations_are_written_tested_and_met(template_generator: TemplateGenerator, prompt: str) -> None:
    lines, tests, met = CASES[prompt]
    result, _ = await generate(template_generator, prompt)
    files = as_dict(result.files)
    script = next(content for path, content in files.items() if path.endswith("_report.py") and "/" not in path)
    for line in lines:
        assert line in script
    test_file = next(content for path, content in files.items() if path.startswith("tests/test_"))
    for name in tests:
        assert f"def {name}(tmp_path)" in test_file
    statuses = {item["text"]: item["status"] for item in result.requirements}
    assert {text: status for text, status in statuses.items() if status != MET} == {}
    for text in met:
        assert statuses[text] == MET


async def test_an_operation_it_does_not_do_stays_flagged(template_generator: TemplateGenerator) -> None:
    result, _ = await generate(template_generator, "A script that reads sales.csv with columns region and amount, "
                                                   "removes duplicate rows and merges two csv files")
    statuses = {item["text"]: item["status"] for item in result.requirements}
    assert statuses["remove duplicate rows"] == MET
    assert statuses["merge or join files"] == UNMET


@pytest.fixture(scope="session")
async def data_test_results(template_generator: TemplateGenerator, project_tester) -> dict[str, object]:
    return await own_test_results(template_generator, project_tester, list(CASES))


@pytest.mark.slow
@pytest.mark.timeout(900)
@pytest.mark.parametrize("prompt", list(CASES), ids=lambda prompt: prompt[:40])
def test_the_script_passes_its_own_tests_in_the_sandbox(data_test_results: dict, prompt: str) -> None:
    outcome = data_test_results[prompt]
    assert outcome.status == "passed", f"{outcome.summary()}\n{outcome.output}"
    assert outcome.failed == 0 and outcome.errors == 0 and outcome.passed >= 7
