"""Batch eighteen's classes of misreading (docs/generators.md, "Entities and fields"), each in new words.

The members named before an organisation noun ("a quilters' guild"); a rule adjective before records ("no conflicting
reservations"); a view of records on a page ("a table of exhibits with artist, year") and who the page is for; the
values listed after a field's label and a colon ("type: dogs, cats").
"""

from __future__ import annotations

from codegen.generators.template import TemplateGenerator
from codegen.generators.template.checklist import MET
from codegen.generators.template.prompt_parser import parse_prompt
from tests.generators.template_helpers import checklist_of


def _entities(prompt: str) -> dict[str, list[str]]:
    return {entity.name: [f.name for f in entity.fields] for entity in parse_prompt(prompt).spec.entities}


def _met(items: dict[str, dict], word: str) -> list[str]:
    return [text for text, item in items.items() if word in text and item["status"] == MET]


async def test_members_named_before_an_organisation_are_no_records(template_generator: TemplateGenerator) -> None:
    prompt = ("A Flask backend for the quilters' guild. Resources: Project (title, pattern, started_on), "
              "Fabric (colour, width_cm)")
    assert list(_entities(prompt)) == ["project", "fabric"]
    assert not _met(await checklist_of(template_generator, prompt), "quilter")
    for organisation in ("cooperative", "society", "union", "league", "collective", "network", "circle"):
        names = _entities(f"an api for a cyclists' {organisation} with rides (distance, date) and trails")
        assert list(names) == ["ride", "trail"], organisation
    # what belongs to the records of a plural possessive still names them
    assert "aquarium" in _entities("a CLI for tracking my aquariums' cleaning schedule, store data as JSON")


async def test_a_rule_adjective_is_no_part_of_a_records_name(template_generator: TemplateGenerator) -> None:
    prompt = ("Tennis court API. Courts have a number and a surface. Reservations join a player to a court with "
              "start and end times, no conflicting reservations on a court.")
    names = _entities(prompt)
    assert not any("conflicting" in name for name in names)
    assert not _met(await checklist_of(template_generator, prompt), "conflicting_reservation")
    for adjective in ("overdue", "duplicate", "duplicated", "double", "late", "expired", "missing", "upcoming",
                      "queued", "pending"):
        names = _entities(f"a lending api with members, ladders and {adjective} loans")
        assert list(names) == ["member", "ladder", "loan"], adjective


def test_a_view_of_records_with_columns_names_those_records() -> None:
    names = _entities("Vue page for our museum's tour guides: a table of exhibits with artist, year (1800-2020), "
                      "room and acquired date. Sort by year.")
    assert names == {"exhibit": ["artist", "year", "room", "acquired_date"]}
    for view in ("grid", "list", "board", "gallery"):
        names = _entities(f"a React component for the harbour pilots: a {view} of vessels with flag, tonnage and eta")
        assert names == {"vessel": ["flag", "tonnage", "eta"]}, view
    # a word that names no records elsewhere names the records a view shows
    names = _entities("a React dashboard for our restaurant hosts: a grid of tables with seats, zone and waiter")
    assert names == {"table": ["seats", "zone", "waiter"]}
    # who a page is for, without a colon, is no records either
    names = _entities("a Svelte page for our dog walkers showing a board of walks with dog name, route and start time")
    assert names == {"walk": ["dog_name", "route", "start_time"]}


def test_values_after_a_field_label_are_choices_not_records() -> None:
    names = _entities("una api para un taller de bicis: los clientes traen reparaciones (tipo: frenos, ruedas, "
                      "cambios, otros) y un mecánico las cierra")
    assert not {"freno", "rueda", "cambio"} & set(names)
    names = _entities("an api for an animal shelter with intakes (name, type: dogs, cats, rabbits, birds) and adopters")
    assert not {"dog", "cat", "rabbit", "bird"} & set(names)
    assert {"intake", "adopter"} <= set(names)
    for label in ("category", "categoria", "catégorie", "kategorie", "soort", "typ", "estado", "stato", "statut"):
        names = _entities(f"een api voor een winkel: klanten leveren spullen in ({label}: boeken, platen, spellen)")
        assert not {"boek", "boeken", "plaat", "platen", "spel", "spellen"} & set(names), label


def test_a_field_s_choices_in_brackets_do_not_end_its_record_s_list() -> None:
    from codegen.generators.template.prompt_parser import parse_prompt

    spec = parse_prompt("Flask API for a framing shop. Each frame order has width_cm, moulding (oak, walnut, black "
                        "metal), glass type and status.").spec
    fields = {e.name: [f.name for f in e.fields] for e in spec.entities}
    assert fields.get("order") == ["width_cm", "moulding", "glass_type", "status"], fields
