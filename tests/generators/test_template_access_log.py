"""The access-log report (a recipe chosen by evidence: a log analyzer was asked for in batches eight and nine, and
refused both times): what it is chosen for, what its checklist says, and that its project passes its own tests
in the sandbox and catches a broken implementation."""

from __future__ import annotations

import pytest

from codegen.generators.template import TemplateGenerator
from codegen.generators.template.checklist import MET, UNMET
from tests.generators.template_helpers import (
    as_dict, assert_own_tests_pass, code_modules, each_break_fails_its_test, generate,
)

PROMPTS = [
    "a command line tool that summarizes apache access logs: hits per IP, top 10 urls and errors per hour, "
    "with --since and --top options",
    "a python library to parse nginx access log lines",
]


async def _project(generator: TemplateGenerator, prompt: str) -> tuple[dict[str, str], dict[str, dict]]:
    result, _ = await generate(generator, prompt)
    return as_dict(result.files), {item["text"]: item for item in result.requirements}


async def test_a_log_report_command_has_the_options_asked_for(template_generator: TemplateGenerator) -> None:
    files, items = await _project(template_generator, PROMPTS[0])
    assert "access_log_report_cli/access_log.py" in files and "access_log_report_cli/cli.py" in files
    assert items["option --since"]["status"] == MET and items["option --top"]["status"] == MET
    assert [text for text, item in items.items() if item["status"] != MET] == []


async def test_an_option_it_does_not_have_is_unmet(template_generator: TemplateGenerator) -> None:
    _, items = await _project(template_generator, "nginx log analyzer with --exclude-bots and --json")
    assert items["option --exclude-bots"]["status"] == UNMET and items["option --json"]["status"] == MET


async def test_a_library_of_it_holds_the_module_without_a_command(template_generator: TemplateGenerator) -> None:
    files, items = await _project(template_generator, PROMPTS[1])
    assert "access_log_report/access_log.py" in files and not any(path.endswith("cli.py") for path in files)
    assert all(item["status"] == MET for item in items.values())


async def test_percentages_of_status_classes_are_served(template_generator: TemplateGenerator) -> None:
    result, _ = await generate(template_generator, "nginx log report: requests per hour and the percentage of 4xx "
                                                   "and 5xx answers per hour")
    items = {item["text"]: item for item in result.requirements}
    assert [text for text, item in items.items() if item["status"] != MET] == []
    source = as_dict(result.files)["access_log_report_cli/access_log.py"]
    assert "def status_percentages(" in source and 'hour["5xx_percent"]' in source


async def test_logs_of_records_are_not_a_log_report(template_generator: TemplateGenerator) -> None:
    result, _ = await generate(template_generator, "A REST API where users log workouts with date and minutes")
    assert result.notes["kind"] == "rest_api" and result.notes["entities"] == ["workouts"]


BREAKS = [
    ("access_log", "if r.status >= 400:", "if r.status > 400:", "test_status_classes_and_errors_per_hour"),
    ("access_log", "return [r for r in requests if r.time >= moment]", "return [r for r in requests if r.time > moment]",
     "test_since_keeps_requests_at_or_after_the_moment"),
    ("access_log", r"(?P<status>[1-5]\d\d)", r"(?P<status>\d{3})", "test_unreadable_lines_are_counted_and_blank_ones_ignored"),
    ("access_log", "return round(100 * part / whole, 1) if whole else 0.0", "return round(part / whole, 1) if whole else 0.0",
     "test_status_classes_in_percent"),
    ("access_log", 'Counter(r.path.split("?", 1)[0] for r in requests)', "Counter(r.path for r in requests)",
     "test_top_ips_and_paths_most_first"),
    ("cli", "requests, skipped = parse(lines if paths else sys.stdin)", "requests, skipped = parse(lines)",
     "test_since_and_standard_input"),
]


@pytest.mark.slow
@pytest.mark.timeout(900)
async def test_its_projects_pass_their_own_tests_and_catch_a_broken_report(
    template_generator: TemplateGenerator, project_tester
) -> None:
    await assert_own_tests_pass(template_generator, project_tester, PROMPTS, at_least=6)
    await each_break_fails_its_test(project_tester, await code_modules(template_generator, PROMPTS[:1]), BREAKS)
