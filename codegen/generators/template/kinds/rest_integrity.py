"""What a REST API checks across records, and its report routes: app/integrity.py, app/reports.py and their tests.

Unique fields (``spec.options["unique"]``) and links to a parent record (every
``<parent>_id`` field of an entity whose parent is in the project, and every
field ``spec.options["references"]`` names, unless the links go round in a
circle) are enforced by ``CheckedStore``; the test records of a linked entity
point at parents its tests create first. Report routes
(``spec.options["reports"]``, read by report_routes.py) are one ``Report`` each.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from codegen.generators.template import render, templates
from codegen.generators.template.model import EntitySpec, FieldSpec, ProjectSpec
from codegen.generators.template.render import py_value, sample_value

# a value no sample of the type takes: the third record of a test where a field must be unique
if TYPE_CHECKING:  # rest_common imports this module
    from codegen.generators.template.kinds.rest_common import Dialect

_THIRD = {"int": 11, "float": 15.75, "bool": True, "date": "2024-07-20", "datetime": "2024-07-20T10:00:00Z"}


def links(spec: ProjectSpec) -> dict[str, list[tuple[str, EntitySpec]]]:
    """child plural -> [(link field, parent entity)], in the order the fields are declared, without cycles."""
    by_name = {e.name: e for e in spec.entities}
    found: dict[str, list[tuple[str, EntitySpec]]] = {}
    for entity in spec.entities:
        # "owner FK Member": a link named otherwise than its parent (foreign_keys.py)
        named = (spec.options.get("references") or {}).get(entity.plural) or {}
        for field in entity.fields:
            target = named.get(field.name) or field.name.removesuffix("_id")
            parent = by_name.get(target) if field.name.endswith("_id") else None
            if parent is None or parent is entity or field.type != "int" or _reaches(found, parent, entity):
                continue
            found.setdefault(entity.plural, []).append((field.name, parent))
    return found


def _reaches(found: dict, start: EntitySpec, target: EntitySpec) -> bool:
    """Whether ``start`` already links, directly or not, to ``target``."""
    todo, seen = [start], set()
    while todo:
        current = todo.pop()
        if current.plural == target.plural:
            return True
        if current.plural not in seen:
            seen.add(current.plural)
            todo += [parent for _, parent in found.get(current.plural, [])]
    return False


def unique_fields(spec: ProjectSpec, entity: EntitySpec) -> list[str]:
    return list((spec.options.get("unique") or {}).get(entity.plural, []))


def checks_integrity(spec: ProjectSpec) -> bool:
    return bool(spec.options.get("unique")) or bool(links(spec))


def integrity_module(spec: ProjectSpec) -> str:
    unique = {plural: tuple(fields) for plural, fields in (spec.options.get("unique") or {}).items()}
    parents = {
        child: tuple((field, parent.plural, parent.name.replace("_", " ")) for field, parent in pairs)
        for child, pairs in links(spec).items()
    }
    return templates.fill("rest_api", "integrity.py.tmpl", unique=_literal(unique), parents=_literal(parents))


def _literal(mapping: dict) -> str:
    if not mapping:
        return "{}"
    return "{\n" + "".join(f"    {py_value(k)}: {_tuple(v)},\n" for k, v in mapping.items()) + "}"


def _tuple(values: tuple) -> str:
    inner = ", ".join(_tuple(v) if isinstance(v, tuple) else py_value(v) for v in values)
    return f"({inner},)" if len(values) == 1 else f"({inner})"


def reports_module(spec: ProjectSpec) -> str:
    entries = []
    for report in spec.options["reports"]:
        args = [f"path={py_value(report['path'])}", f"table={py_value(report['entity'])}"]
        if report["where"]:
            args.append("where=" + _tuple(tuple(tuple(test) for test in report["where"])))
        if report["group_by"]:
            args.append(f"group_by={py_value(report['group_by'])}")
        if report["measure"]:
            args += [f"measure={py_value(report['measure'])}", f"operation={py_value(report['operation'])}",
                     f"result={py_value(report['result'])}"]
        if report.get("parent"):
            args.append("parent=" + _tuple(tuple(report["parent"])))
        entries.append("    Report(\n" + "".join(f"        {arg},\n" for arg in args) + "    ),")
    return templates.fill("rest_api", "reports.py.tmpl", reports="\n".join(entries))


# -- the test records and tests of one entity ------------------------------------------------------------------


def payloads(spec: ProjectSpec, entity: EntitySpec) -> tuple[dict, dict, dict]:
    """PAYLOAD, CHANGED and a third record that shares none of their unique values; links point at ids 1 and 2."""
    first, second = (_record(spec, entity, variant) for variant in (0, 1))
    third = dict(first)
    for name in unique_fields(spec, entity):
        third[name] = _third_value(entity.field(name))
    return first, second, third


def _record(spec: ProjectSpec, entity: EntitySpec, variant: int) -> dict:
    record = render.sample_record(entity, variant)
    for field, _ in links(spec).get(entity.plural, []):
        record[field] = variant + 1
    return record


def _third_value(field: FieldSpec) -> object:
    if field.type == "str":
        return f"Third {field.name.replace('_', ' ')}" if "email" not in field.name else "third@example.com"
    return _THIRD[field.type]


def entity_test_blocks(spec: ProjectSpec, entity: EntitySpec, dialect: Dialect) -> list[str]:
    url = f"/{entity.plural}"
    blocks = []
    pairs = links(spec).get(entity.plural, [])
    if pairs:
        blocks.append(dialect.fill(templates.text("rest_api", "test_parents_fixture.py.tmpl"),
                                   parents=_parent_records(spec, entity)))
    for name in unique_fields(spec, entity):
        blocks.append(dialect.fill(templates.text("rest_api", "test_unique.py.tmpl"), url=url, field=name))
    for field, parent in pairs:
        blocks.append(dialect.fill(templates.text("rest_api", "test_parent.py.tmpl"), url=url, field=field,
                                   parent=parent.name))
    for report in spec.options.get("reports") or []:
        if report["entity"] == entity.plural:
            blocks.append(_report_test(spec, entity, report, dialect))
    return blocks


def _parent_records(spec: ProjectSpec, entity: EntitySpec) -> str:
    """The ancestors of ``entity``, each before the records that link to it, two records each."""
    order: list[EntitySpec] = []

    def visit(current: EntitySpec) -> None:
        for _, parent in links(spec).get(current.plural, []):
            visit(parent)
            if parent not in order:
                order.append(parent)

    visit(entity)
    lines = []
    for parent in order:
        records = "".join(f"        {_inline(_record(spec, parent, variant))},\n" for variant in (0, 1))
        lines.append(f'    ("/{parent.plural}", [\n{records}    ]),\n')
    return "[\n" + "".join(lines) + "]"


def _report_test(spec: ProjectSpec, entity: EntitySpec, report: dict, dialect: Dialect) -> str:
    first, second, third = payloads(spec, entity)
    name = report["name"]
    if report.get("parent"):
        # PAYLOAD links to the parent with id 1, CHANGED to the one with id 2 (created by the parents fixture)
        field, table, _ = report["parent"]
        parent = spec.entity(table)
        return dialect.fill(templates.text("rest_api", "test_report_nested.py.tmpl"), name=name,
                            parent=parent.name if parent else table, path=report["path"].replace("{item_id}", "1"),
                            missing=report["path"].replace("{item_id}", "999"),
                            records=_records([{**first, field: 1}, {**second, field: 2}]))
    if report["group_by"] is None:
        return dialect.fill(templates.text("rest_api", "test_report_list.py.tmpl"), name=name, path=report["path"],
                            records=_records(_filter_records(entity, report, first, second, third)))
    group = report["group_by"]
    a, b = (first[group], second[group]) if group.endswith("_id") and entity.field(group).type == "int" else (
        sample_value(entity.field(group), 0), sample_value(entity.field(group), 1))
    measure = report["measure"]
    records = [{**first, group: a}, {**third, group: a}, {**second, group: b}]
    expected: dict = {a: {group: a, "count": 2}, b: {group: b, "count": 1}}
    if measure is not None:
        values = [sample_value(entity.field(measure), v) for v in (0, 0, 1)]
        for record, value in zip(records, values):
            record[measure] = value
        total = values[0] + values[1]
        expected[a][report["result"]] = total if report["operation"] == "sum" else total / 2
        expected[b][report["result"]] = values[2]
    return dialect.fill(templates.text("rest_api", "test_report_groups.py.tmpl"), name=name, path=report["path"],
                        group=group, records=_records(records), expected=_inline(expected))


def _filter_records(entity: EntitySpec, report: dict, first: dict, second: dict, third: dict) -> list[dict]:
    """A record that passes every test of the report, then one failing each test in turn."""
    passing = dict(first)
    for field, test, value in report["where"]:
        passing[field] = "2000-01-01" if test == "before_today" else value
    records = [passing]
    for index, (field, test, value) in enumerate(report["where"]):
        failing = dict(third if index % 2 == 0 else second)
        for other, other_test, other_value in report["where"]:
            failing[other] = "2000-01-01" if other_test == "before_today" else other_value
        failing[field] = "2999-01-01" if test == "before_today" else not value
        records.append(failing)
    return records


def _records(records: list[dict]) -> str:
    return "[\n" + "".join(f"        {_inline(record)},\n" for record in records) + "    ]"


def _inline(value: dict) -> str:
    return "{" + ", ".join(f"{py_value(k)}: {_inline(v) if isinstance(v, dict) else py_value(v)}"
                           for k, v in value.items()) + "}"
