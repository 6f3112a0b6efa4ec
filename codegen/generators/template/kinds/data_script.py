"""CSV data-processing scripts: read typed rows, filter, group and aggregate, write CSV or JSON.

The prompt gives the columns ("sales.csv with columns region, product and
amount"), the grouping ("per region", "by category") and the measures
("total amount", "average price", "number of orders"); what it leaves out is
filled in and said in the plan.
"""

from __future__ import annotations

import json
import math
import statistics

from codegen.generators.template import render, templates
from codegen.generators.template.kinds import data_columns, data_derived, data_operations
from codegen.generators.template.model import Context, FieldSpec, ProjectSpec, make_entity
from codegen.generators.template.words import human_list, identifier, singular

# how the generated script reads a cell of each field type
_PARSERS = {
    "str": "str",
    "int": "int",
    "float": "float",
    "bool": "parse_bool",
    "date": "date.fromisoformat",
    "datetime": "datetime.fromisoformat",
}


class DataScript:
    """CSV data-processing scripts (the Kind protocol)."""

    name = "data_script"

    def complete(self, spec: ProjectSpec, context: Context) -> None:
        flat, assumptions = context.flat, context.assumptions
        stem = data_columns.input_stem(flat)
        record = singular(stem) if stem else (spec.entities[0].name if spec.entities else "record")
        explicit = data_columns.explicit_columns(flat)
        columns = explicit or (spec.entities[0].fields if spec.entities else [])
        entity = make_entity(record, [(c.name, c.type, c.required) for c in columns] if columns else None)
        group = data_columns.group_column(flat)
        if group and not entity.field(group):  # "by points" groups by the column the prompt calls points
            group = next((f.name for f in entity.fields if singular(f.name) == singular(group)), group)
        named = {c.name for c in columns}
        derived = data_derived.formulas(context.text, entity, named)
        metrics = data_columns.named_metrics(flat, entity, set(derived))
        inferred = data_derived.inferred(derived, entity, named, [column for _, column in metrics if column])
        if group and not entity.field(group):
            entity.fields.insert(0, FieldSpec(group, "str", True))
        for _, column in metrics:
            if column and not entity.field(column):
                kind = data_derived.value_type(entity, derived[column]) if column in derived else "float"
                entity.fields.append(FieldSpec(column, kind, True))
        operations, group, metrics = data_operations.read(context.text, flat, entity, group, metrics)
        # a computed column is measured and sorted on, never grouped, filtered or deduplicated by (those read the
        # file's columns): asked for, it stays a column the file does not have, so the request is unmet
        for key in {group, *operations["where"], *operations["dedupe_by"]} & set(derived):
            del derived[key]
        assumptions.extend(f"{name} computed as {' × '.join(derived[name])} (the prompt's columns have no {name})"
                           for name in inferred if name in derived)
        operations["groups_not_served"] = data_columns.other_groups(flat, group, entity)
        numeric = [f.name for f in entity.fields if f.type in ("int", "float")]
        summarize = bool(metrics or group or not operations["operations"])
        if not metrics and summarize:
            if not numeric:
                entity.fields.append(FieldSpec("amount", "float", True))
                numeric = ["amount"]
            metrics = [("count", None), ("sum", numeric[0]), ("average", numeric[0])]
            assumptions.append(f"no measure named; assumed count, total and average of {numeric[0]}")
        if not columns:
            assumptions.append(f"no columns named; assumed {human_list([f.name for f in entity.fields])}")
        for field in entity.fields:
            field.required = False  # an empty cell is a missing value, not an error
        spec.entities = [entity]
        spec.options = {
            # columns the report reads that the prompt's list of columns does not have, nor computes
            "columns_not_named": [f.name for f in entity.fields if named and f.name not in named | set(derived)],
            # columns computed for each row as the product of two read ones ("revenue = units * unit_price")
            "derived": {name: factors for name, factors in derived.items() if entity.field(name)},
            "input": f"{stem or entity.plural}.csv",
            "group_by": group,
            "metrics": [[name, column] for name, column in metrics],
            "summarize": summarize,
            **operations,
        }

    def capabilities(self, spec: ProjectSpec) -> frozenset[str]:
        return frozenset({"fields"})

    def describe(self, spec: ProjectSpec) -> str:
        return f"a Python script that {_what(spec)}"

    def recipe_title(self, spec: ProjectSpec) -> str | None:
        return None

    def render_files(self, spec: ProjectSpec) -> dict[str, str]:
        script = spec.slug
        rows = data_operations.apply_to_samples(_operations(spec), _sample_rows(spec), _types(spec))
        header = [f.name for f in _read_fields(spec)]
        csv_text = ",".join(header) + "\n" + "".join(",".join(row[h] for h in header) + "\n" for row in rows)
        return {
            f"{script}.py": _script(spec),
            f"tests/test_{script}.py": _tests(spec, rows),
            spec.options["input"]: csv_text,
            "pytest.ini": render.pytest_ini(),
            "requirements.txt": render.requirements("pytest"),
            "README.md": _readme(spec),
        }



def _what(spec: ProjectSpec) -> str:
    """What the script does: "reads sales.csv and reports the total amount per region"."""
    operations = _operations(spec)
    steps = "".join(f", {label}" for label in operations["operations"])
    if not operations["summarize"]:
        return f"reads {spec.options['input']}{steps} and writes the rows"
    measures = human_list([_label(name, column) for name, column in spec.options["metrics"]])
    grouping = f" per {spec.options['group_by']}" if spec.options["group_by"] else ""
    return f"reads {spec.options['input']}{steps} and reports {measures}{grouping}"


def _label(name: str, column: str | None) -> str:
    return "count" if name == "count" else f"{name}_{column}"


# -- files ------------------------------------------------------------------------

_SAMPLE_TEXT = ("alpha", "beta", "alpha", "gamma")
_SAMPLE_NUMBERS = {"int": (10, 4, 7, 1), "float": (10.5, 4.25, 7.0, 1.25)}
_SAMPLE_OTHER = {
    "bool": ("true", "false", "true", "false"),
    "date": ("2024-01-05", "2024-02-10", "2024-03-15", "2024-04-20"),
    "datetime": (
        "2024-01-05T09:00:00+00:00",
        "2024-02-10T10:30:00+00:00",
        "2024-03-15T12:00:00+00:00",
        "2024-04-20T18:45:00+00:00",
    ),
}


def _sample_rows(spec: ProjectSpec) -> list[dict]:
    """Four rows of CSV text; text columns repeat so groups have more than one row."""
    rows, types = [], _types(spec)
    for index in range(4):
        row = {}
        for field in _read_fields(spec):
            if field.name == spec.options["group_by"] and field.type == "str":
                row[field.name] = _SAMPLE_TEXT[index]
            elif field.type == "str":
                row[field.name] = f"{field.name} {index + 1}"
            elif field.type in _SAMPLE_NUMBERS:
                row[field.name] = str(_SAMPLE_NUMBERS[field.type][index])
            else:
                row[field.name] = _SAMPLE_OTHER[field.type][index]
        for name, factors in _derived(spec).items():
            row[name] = str(math.prod((float if types[f] == "float" else int)(row[f]) for f in factors))
        rows.append(row)
    return rows


def _derived(spec: ProjectSpec) -> dict[str, list[str]]:
    return spec.options.get("derived") or {}


def _read_fields(spec: ProjectSpec) -> list[FieldSpec]:
    """The columns of the CSV file: the entity's fields less the ones the script computes."""
    return [f for f in spec.entities[0].fields if f.name not in _derived(spec)]


def _operations(spec: ProjectSpec) -> dict:
    """The operations of the spec; a spec written before they existed has none."""
    defaults = {"dedupe": False, "dedupe_by": [], "keep_last": False, "where": {}, "sort": None, "limit": None,
                "operations": [], "summarize": True}
    return {key: spec.options.get(key, default) for key, default in defaults.items()}


def _types(spec: ProjectSpec) -> dict[str, str]:
    return {f.name: f.type for f in spec.entities[0].fields}


def _kept(spec: ProjectSpec, rows: list[dict]) -> list[int]:
    """The indices of the sample rows written, in order, when the script writes rows instead of a report."""
    operations, types = _operations(spec), _types(spec)
    kept = data_operations.kept_rows(operations, rows, types)
    return data_operations.ordered(operations, kept, lambda index, key: data_operations.typed(rows[index][key], types[key]))


def _expected(spec: ProjectSpec, rows: list[dict]) -> list[dict]:
    """What the generated script must report for ``rows``, computed here to write the test."""
    group = spec.options["group_by"]
    types = _types(spec)
    operations = _operations(spec)
    rows = [rows[index] for index in data_operations.kept_rows(operations, rows, types)]
    groups: dict[str, list[dict]] = {}
    for row in rows:
        groups.setdefault(row[group] if group else "all", []).append(row)
    result = []
    for key in sorted(groups):
        line: dict = {group or "group": key}
        for name, column in spec.options["metrics"]:
            convert = float if column and types[column] == "float" else int
            values = [convert(row[column]) for row in groups[key]] if column else []
            line[_label(name, column)] = _aggregate(name, values, len(groups[key]))
        result.append(line)
    return data_operations.ordered(operations, result, lambda line, key: line.get(key))


def _aggregate(name: str, values: list, count: int) -> float:
    if name == "count":
        return count
    return {"sum": sum, "average": statistics.fmean, "min": min, "max": max, "median": statistics.median}[name](values)


def _script(spec: ProjectSpec) -> str:
    entity = spec.entities[0]
    columns = "".join(f'    "{f.name}": {_PARSERS[f.type]},\n' for f in _read_fields(spec))
    derived = "".join(f'    "{name}": ({render.py_value(a)}, {render.py_value(b)}),\n' for name, (a, b) in _derived(spec).items())
    metrics = ", ".join(
        f'("{name}", {render.py_value(column) if column else "None"})' for name, column in spec.options["metrics"]
    )
    group = render.py_value(spec.options["group_by"]) if spec.options["group_by"] else "None"
    what = _what(spec)
    source = SCRIPT
    for marker, value in (
        ("$doc", f"{spec.summary}.\n\nReads a CSV file and {what.split(' and ', 1)[-1]}."),
        ("$columns", columns),
        ("$derived", derived),
        ("$group", group),
        ("$metrics", metrics),
        ("$input", spec.options["input"]),
        ("$dedupe_by", "(" + "".join(f"{json.dumps(column)}, " for column in _operations(spec)["dedupe_by"]).rstrip(" ") + ")"),
        ("$keep_last", repr(_operations(spec)["keep_last"])),
        ("$dedupe", repr(_operations(spec)["dedupe"])),
        ("$where", json.dumps(_operations(spec)["where"])),
        ("$summarize", repr(_operations(spec)["summarize"])),
        ("$sort", repr(tuple(_operations(spec)["sort"])) if _operations(spec)["sort"] else "None"),
        ("$limit", repr(_operations(spec)["limit"])),
        ("$datetime_import\n", render.module_imports(entity.fields)),
    ):
        source = source.replace(marker, value)
    return source


SCRIPT = templates.text("data_script", "script.py.tmpl")


def _tests(spec: ProjectSpec, rows: list[dict]) -> str:
    script = spec.slug
    header = [f.name for f in _read_fields(spec)]
    operations = _operations(spec)
    csv_lines = "\n".join([",".join(header), *(",".join(row[h] for h in header) for row in rows)])
    typed = next((f for f in _read_fields(spec) if f.type != "str"), None)
    imports = ["DEFAULT_INPUT", "main", "process", "read_rows"]
    if operations["summarize"] or operations["where"]:
        imports.append("filter_rows")
    if operations["summarize"]:
        expected = _expected(spec, rows)
        group_key = spec.options["group_by"] or "group"
        tests = templates.fill(
            "data_script", "test_script.py.tmpl", group_key=group_key, groups=repr([line[group_key] for line in expected]),
            first_column=header[0], first_value=repr(rows[0][header[0]]), first_group=repr(expected[0][group_key]),
            row_count=len(rows),
        )
        results = "EXPECTED = [\n" + "".join(f"    {render.py_dict(line, 1)},\n" for line in expected) + "]"
    else:
        tests = templates.fill("data_script", "test_rows.py.tmpl", row_count=len(rows))
        results = f"KEPT = {_kept(spec, rows)!r}  # the indices of the sample rows written, in order"
    if typed is not None:
        tests += "\n\n" + templates.fill("data_script", "test_bad_value.py.tmpl", column=header.index(typed.name))
    for block, names in _operation_tests(operations, rows):
        tests += "\n\n\n" + block
        imports += names
    return templates.fill(
        "data_script", "tests.py.tmpl", script=script, sample=csv_lines, expected=results, tests=tests.rstrip("\n"),
        imports=", ".join(sorted(set(imports), key=lambda name: (not name.isupper(), name))),
    )


def _operation_tests(operations: dict, rows: list[dict]) -> list[tuple[str, list[str]]]:
    """A test of each operation the prompt named, and the names it imports from the script."""
    tests = []
    if operations["dedupe"] and operations["dedupe_by"]:
        kept = data_operations.unique_rows(operations, rows)
        which = "last" if operations["keep_last"] else "first"
        tests.append((templates.fill("data_script", "test_dedupe_by.py.tmpl", column=operations["dedupe_by"][0],
                                     kept=repr(kept), which=which).rstrip("\n"), ["dedupe"]))
    elif operations["dedupe"]:
        tests.append((templates.text("data_script", "test_dedupe.py.tmpl").rstrip("\n"), ["dedupe"]))
    for column, value in operations["where"].items():
        tests.append((templates.fill("data_script", "test_where.py.tmpl", column=column, value=json.dumps(value),
                                     slug=identifier(value) or "value").rstrip("\n"), ["WHERE"]))
    if operations["sort"]:
        key, descending = operations["sort"]
        tests.append((templates.fill("data_script", "test_sorted.py.tmpl", key=key, descending=repr(descending))
                      .rstrip("\n"), []))
    if operations["limit"]:
        tests.append((templates.fill("data_script", "test_limit.py.tmpl", limit=str(operations["limit"])).rstrip("\n"),
                      ["LIMIT"]))
    return tests


def _readme(spec: ProjectSpec) -> str:
    entity, script = spec.entities[0], spec.slug
    columns = "\n".join(f"- `{f.name}`: {render.TYPE_DESCRIPTIONS[f.type]}" for f in _read_fields(spec))
    columns += "".join(f"\n\nComputed for each row: `{name}` = `{a}` × `{b}`." for name, (a, b) in _derived(spec).items())
    return render.readme(
        spec,
        f"A Python script (standard library only) that {_what(spec)}.",
        f"## Use\n\n```sh\npython {script}.py {spec.options['input']}\npython {script}.py data.csv --json --output report.json\n"
        f"python {script}.py data.csv --where {entity.fields[0].name}=VALUE\n```",
        f"## Input\n\nA CSV file with a header row and these columns (an empty cell is a missing value):\n\n{columns}\n\n"
        f"`{spec.options['input']}` is a small example.",
        render.README_TEST,
    )
