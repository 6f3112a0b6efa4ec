"""Report routes, unique fields and parent links of template REST APIs, in all three frameworks.

The quick tests check what the spec, the code and the checklist say; the slow
one runs each project's own tests in the sandbox, which call every report
route, try a duplicate value (409) and a link to a missing parent (422).
"""

from __future__ import annotations

import pytest

from codegen.generators.template import TemplateGenerator
from codegen.generators.template.checklist import MET, UNMET
from tests.generators.template_helpers import as_dict, generate, own_test_results

FRAMEWORKS = ["FastAPI", "Flask", "aiohttp"]


def prompt(framework: str, auth: bool) -> str:
    return (
        f"A {framework} API for customers (name, email) and invoices (number, region, amount, due_date, paid)"
        f"{' with token auth' if auth else ''}. Invoices belong to a customer; number must be unique and email is "
        "unique. GET /summary returns the total amount per region. Add a route that lists overdue invoices. "
        "GET /stats with the count per customer. An endpoint that returns the average amount by region."
    )


PROMPTS = [prompt(framework, auth) for framework in FRAMEWORKS for auth in (False, True)]
UNSERVED = "A FastAPI API for invoices with number and amount; GET /summary returns the totals per region"


@pytest.mark.parametrize("text", PROMPTS, ids=lambda text: text[2:12] + ("_auth" if "auth" in text else ""))
async def test_reports_rules_and_links_are_written_and_met(template_generator: TemplateGenerator, text: str) -> None:
    result, _ = await generate(template_generator, text)
    files = as_dict(result.files)
    items = {item["text"]: item for item in result.requirements}
    assert {k: v["status"] for k, v in items.items() if v["status"] != MET} == {}
    for request in ("GET /summary", "GET /stats", "number must be unique", "email must be unique",
                    "invoices belong to a customer"):
        assert items[request]["status"] == MET
    assert "app/reports.py" in items["GET /summary"]["where"]
    assert "app/integrity.py" in items["number must be unique"]["where"]
    reports = files["app/reports.py"]
    for path in ('"/summary"', '"/stats"', '"/invoices/overdue"', '"/invoices/average-by-region"'):
        assert f"path={path}" in reports
    assert 'where=(("due_date", "before_today", None), ("paid", "is", False))' in reports
    assert 'group_by="customer_id"' in reports and 'result="total_amount"' in reports
    integrity = files["app/integrity.py"]
    assert '"invoices": ("number",)' in integrity and '"customers": ("email",)' in integrity
    assert '"invoices": (("customer_id", "customers", "customer"),)' in integrity
    assert "CheckedStore(" in files["app/main.py"]
    tests = files["tests/test_invoices.py"]
    for name in ("test_summary_reports_per_region", "test_stats_reports_per_customer_id",
                 "test_invoices_overdue_lists_only_the_matching_records",
                 "test_invoices_average_by_region_reports_per_region", "test_number_must_be_unique",
                 "test_customer_id_must_name_an_existing_customer"):
        assert f"def {name}(client)" in tests
    assert "def test_email_must_be_unique(client)" in files["tests/test_customers.py"]


async def test_a_route_it_cannot_map_stays_unmet(template_generator: TemplateGenerator) -> None:
    result, _ = await generate(template_generator, UNSERVED)
    items = {item["text"]: item for item in result.requirements}
    assert items["GET /summary"]["status"] == UNMET
    assert "app/reports.py" not in as_dict(result.files)
    result, _ = await generate(template_generator, "An API for invoices with number and amount, and a route that "
                                                   "lists forgotten invoices")
    items = {item["text"]: item for item in result.requirements}
    assert items["a route that lists forgotten invoices"]["status"] == UNMET


async def test_a_project_without_rules_keeps_the_plain_store(template_generator: TemplateGenerator) -> None:
    result, _ = await generate(template_generator, "A FastAPI API for invoices with number and amount")
    files = as_dict(result.files)
    assert "app/integrity.py" not in files and "app/reports.py" not in files
    assert "store = Store(path" in files["app/main.py"]


@pytest.fixture(scope="session")
async def report_test_results(template_generator: TemplateGenerator, project_tester) -> dict[str, object]:
    return await own_test_results(template_generator, project_tester, list(PROMPTS))


@pytest.mark.slow
@pytest.mark.timeout(900)
@pytest.mark.parametrize("text", PROMPTS, ids=lambda text: text[2:12] + ("_auth" if "auth" in text else ""))
def test_the_project_passes_its_own_tests_in_the_sandbox(report_test_results: dict, text: str) -> None:
    outcome = report_test_results[text]
    assert outcome.status == "passed", f"{outcome.summary()}\n{outcome.output}"
    assert outcome.passed >= 20 and outcome.failed == 0 and outcome.errors == 0
