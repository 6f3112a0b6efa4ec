"""REST API prompts whose entities, fields, rules and relations were misread (batches twelve and thirteen), each
class in new words.

A rule word inside an entity's parenthesised field list broke the list; entities listed after a colon or a label
were read as fields of the noun before; enum values written with slashes or pipes became fields; a domain's
default records hid the records the prompt named; a child resource under its parent's path was no relation; an
error answer about a record the project does not keep was marked met.
"""

from __future__ import annotations

import pytest

from codegen.generators.template import TemplateGenerator
from codegen.generators.template.checklist import MET, UNMET
from codegen.generators.template.prompt_parser import parse_prompt
from tests.generators.template_helpers import (
    as_dict, assert_own_tests_pass, checklist_of, code_modules, each_break_fails_its_test, generate,
)


def _fields(prompt: str) -> dict[str, list[str]]:
    return {e.name: [f.name for f in e.fields] for e in parse_prompt(prompt).spec.entities}


# -- 1. a rule word inside a parenthesised field list ------------------------------------------------------------


async def test_a_rule_after_a_field_ends_at_the_closing_bracket(template_generator: TemplateGenerator) -> None:
    prompt = ("A FastAPI service for a music school: Student (id, full_name, badge unique) and Enrollment "
              "(student_id, term)")
    assert _fields(prompt) == {"student": ["full_name", "badge"], "enrollment": ["student_id", "term"]}
    items = await checklist_of(template_generator, prompt)
    assert items["students with full_name and badge"]["status"] == MET
    assert items["badge must be unique"]["status"] == MET
    # every record has its id: listing it is no field left unread
    assert not any(text.startswith("field id") for text in items)


def test_a_rule_after_a_field_does_not_swallow_the_next_entity() -> None:
    fields = _fields("Build an API. Team (name, city unique), Player (team_id, nickname)")
    assert fields == {"team": ["name", "city"], "player": ["team_id", "nickname"]}


def test_a_rule_word_before_a_field_applies_to_that_entity_only() -> None:
    spec = parse_prompt("A REST API: Warehouse (code, city, unique code), Product (warehouse_id, code, name)").spec
    assert [e.name for e in spec.entities] == ["warehouse", "product"]
    assert spec.options["unique"] == {"warehouses": ["code"]}


def test_a_range_inside_a_field_list_does_not_end_it() -> None:
    spec = parse_prompt("A REST API: Course (title, seats between 5 and 30, level one of intro/advanced)").spec
    course = spec.entity("courses")
    assert [f.name for f in course.fields] == ["title", "seats", "level"]
    assert course.field("seats").rules == {"ge": 5, "le": 30}
    assert course.field("level").rules["choices"] == ["intro", "advanced"]


def test_a_rule_in_one_entity_s_list_is_not_applied_to_another_with_that_field() -> None:
    spec = parse_prompt("A REST API: Author (name, email unique), Member (name, email)").spec
    assert [e.name for e in spec.entities] == ["author", "member"]
    assert spec.options["unique"] == {"authors": ["email"]}


# -- 2. entities listed after a colon or a label ------------------------------------------------------------------


def test_a_list_after_a_noun_and_a_colon_is_a_list_of_entities() -> None:
    fields = _fields("Backend for a cleaning company: offices, cleaners, shifts and invoices")
    assert list(fields) == ["office", "cleaner", "shift", "invoice"]


def test_a_singular_entity_with_fields_after_a_label_is_kept() -> None:
    fields = _fields("A REST API for a nursery. Entities: Greenhouse (name, area), Seedling (greenhouse_id, "
                     "species)")
    assert fields == {"greenhouse": ["name", "area"], "seedling": ["greenhouse_id", "species"]}
    fields = _fields("Flask API for a market. Resources: Vendor (name, phone), Stall (vendor_id, number)")
    assert list(fields) == ["vendor", "stall"]


# -- 3. enum values written with slashes or pipes -----------------------------------------------------------------


async def test_slash_values_after_a_field_are_its_allowed_values(template_generator: TemplateGenerator) -> None:
    prompt = "Backend for a print shop: customers and jobs with size small/medium/large. Customers can cancel a job"
    spec = parse_prompt(prompt).spec
    job = spec.entity("jobs")
    assert [f.name for f in job.fields] == ["size", "cancelled"]
    assert job.field("size").rules["choices"] == ["small", "medium", "large"]
    items = await checklist_of(template_generator, prompt)
    assert items["size must be one of small, medium or large"]["status"] == MET


def test_values_after_the_word_enum_are_the_field_s_values() -> None:
    spec = parse_prompt("A REST API for a bakery: Cake (name, category enum bread/tart/sponge, weight)").spec
    cake = spec.entity("cakes")
    assert [f.name for f in cake.fields] == ["name", "category", "weight"]
    assert cake.field("category").rules["choices"] == ["bread", "tart", "sponge"]


async def test_pipe_separated_values_are_the_field_s_values(template_generator: TemplateGenerator) -> None:
    prompt = "A REST API for tickets (title, state open|closed|archived, opened_on)"
    assert _fields(prompt) == {"ticket": ["title", "state", "opened_on"]}
    items = await checklist_of(template_generator, prompt)
    assert items["state must be one of open, closed or archived"]["status"] == MET


# -- 4. a domain default hiding named records ---------------------------------------------------------------------


async def test_named_records_are_the_entities_not_the_domain_s(template_generator: TemplateGenerator) -> None:
    prompt = "i need a backend for my small guesthouse, there are rooms and visitors and reservations"
    assert list(_fields(prompt)) == ["room", "visitor", "reservation"]
    items = await checklist_of(template_generator, prompt)
    assert not any("no records named" in (item["detail"] or "") for item in items.values())


async def test_records_after_a_service_colon_are_not_replaced_by_a_domain(
        template_generator: TemplateGenerator) -> None:
    prompt = ("REST endpoints for a meal kit subscription service: customers, boxes (small/family/large), "
              "deliveries with POST /deliveries")
    assert list(_fields(prompt)) == ["customer", "box", "delivery"]
    items = await checklist_of(template_generator, prompt)
    assert items["POST /deliveries"]["status"] == MET
    assert not any("newsletter" in text for text in items)
    # the values name no field of boxes: said, not applied to a field never asked for
    assert items["boxes must be one of small, family or large"]["status"] == UNMET


async def test_a_record_named_in_a_list_and_not_written_is_listed(template_generator: TemplateGenerator) -> None:
    items = await checklist_of(template_generator, "an API for my clinic, there are patients and nurses and "
                                                   "results and visits")
    assert items["results"]["status"] == UNMET


# -- 5. a child resource under its parent's path ------------------------------------------------------------------


async def test_a_resource_under_its_parent_s_path_belongs_to_it(template_generator: TemplateGenerator) -> None:
    prompt = "choir backend: concerts have title and date. Rehearsals under /concerts/{id}/rehearsals"
    spec = parse_prompt(prompt).spec
    assert [e.name for e in spec.entities] == ["concert", "rehearsal"]
    assert spec.entity("rehearsals").field("concert_id") is not None
    items = await checklist_of(template_generator, prompt)
    assert items["rehearsals under /concerts/{id}/rehearsals"]["status"] == MET
    prompt = "REST API: Artist (name, email unique), Album (artist_id, title). Track under /albums/{album_id}/tracks"
    assert parse_prompt(prompt).spec.entity("tracks").field("album_id") is not None
    items = await checklist_of(template_generator, prompt)
    assert items["track under /albums/{album_id}/tracks"]["status"] == MET
    assert not any(text.startswith("field album_id") for text in items)


async def test_a_nested_path_without_a_method_is_its_list(template_generator: TemplateGenerator) -> None:
    prompt = ("An API for an apiary. Entities: Hive (name, site), Frame (number, weight) which belongs to a hive. "
              "Routes: /hives, /hives/{id}/frames")
    items = await checklist_of(template_generator, prompt)
    assert items["/hives/{id}/frames"]["status"] == MET
    assert items["which belongs to a hive"]["status"] == MET
    assert parse_prompt(prompt).spec.entity("frames").field("hive_id") is not None


async def test_a_nested_list_route_is_served_and_tested(template_generator: TemplateGenerator) -> None:
    prompt = "An API for a pantry with shelves and jars. GET /shelves/{id}/jars lists a shelf's jars"
    result, _ = await generate(template_generator, prompt)
    items = {item["text"]: item for item in result.requirements}
    assert items["GET /shelves/{id}/jars"]["status"] == MET
    files = as_dict(result.files)
    assert "shelf_id" in files["app/models.py"]
    assert "def test_shelves_jars_lists_only_the_shelf_s_records(client)" in files["tests/test_jars.py"]


NESTED_PROMPTS = [
    "An API for a pantry with shelves and jars. GET /shelves/{id}/jars lists a shelf's jars",
    "A Flask API for a marina: docks (name, length) and boats (name, owner). Boats under /docks/{dock_id}/boats",
    "An aiohttp API with JWT login for a library of shelves (label) and jars (label); GET /shelves/:id/jars",
]
NESTED_BREAKS = [
    ("reports", "records = [record for record in records if record.get(field) == parent_id]", "pass",
     "test_shelves_jars_lists_only_the_shelf_s_records"),
    ("reports", "if store.get(table, parent_id) is None:", "if False:",
     "test_shelves_jars_lists_only_the_shelf_s_records"),
]


@pytest.mark.slow
@pytest.mark.timeout(900)
async def test_nested_route_projects_pass_their_own_tests_and_catch_a_broken_route(
    template_generator: TemplateGenerator, project_tester
) -> None:
    for prompt in NESTED_PROMPTS:
        items = await checklist_of(template_generator, prompt)
        assert [text for text, item in items.items() if item["status"] != MET] == [], (prompt, items)
    await assert_own_tests_pass(template_generator, project_tester, NESTED_PROMPTS)
    await each_break_fails_its_test(project_tester, await code_modules(template_generator, NESTED_PROMPTS[:1]),
                                    NESTED_BREAKS)


async def test_a_nested_route_under_no_entity_is_unmet(template_generator: TemplateGenerator) -> None:
    items = await checklist_of(template_generator, "An API for kennels with dogs (name, breed). "
                                                   "GET /walkers/{id}/dogs lists a walker's dogs")
    assert items["GET /walkers/{id}/dogs"]["status"] == UNMET


# -- 6. an error answer about records the project does not keep ---------------------------------------------------


async def test_an_error_answer_about_a_missing_entity_is_not_met(template_generator: TemplateGenerator) -> None:
    items = await checklist_of(template_generator, "A REST API for a seed library with seeds (name, variety). "
                                                   "Return 404 if the gardener does not exist")
    assert items["Return 404 if the gardener does not exist"]["status"] == UNMET
    assert "keeps no gardeners" in items["Return 404 if the gardener does not exist"]["detail"]
    items = await checklist_of(template_generator, "A REST API for a seed library with seeds (name, variety). "
                                                   "Return 404 if the seed does not exist")
    assert items["return 404 if the seed does not exist"]["status"] == MET
    items = await checklist_of(template_generator, "A REST API for a seed library with seeds (name, variety); "
                                                   "return 404 if the gardener does not exist")
    assert items["return 404 if the gardener does not exist"]["status"] == UNMET


async def test_fields_said_twice_of_one_record_are_both_kept(template_generator: TemplateGenerator) -> None:
    spec = parse_prompt("Flask API for a climbing gym where members reserve slots with a coach; slots have start, "
                        "wall and max_climbers").spec
    fields = [f.name for f in spec.entity("slot").fields]
    assert {"start", "wall", "max_climbers"} <= set(fields), fields
    items = await checklist_of(template_generator, "Flask API for a climbing gym where members reserve slots with a "
                                                   "coach; slots have start, wall and max_climbers")
    assert not any(text.startswith("field") for text in items), items
