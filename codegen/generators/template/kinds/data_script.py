"""CSV data-processing scripts: read typed rows, filter, group and aggregate, write CSV or JSON.

The prompt gives the columns ("sales.csv with columns region, product and
amount"), the grouping ("per region", "by category") and the measures
("total amount", "average price", "number of orders"); what it leaves out is
filled in and said in the plan.
"""

from __future__ import annotations

import json
import re
import statistics

from codegen.generators.template import render, templates
from codegen.generators.template.entities import EntityParser
from codegen.generators.template.kinds import data_operations
from codegen.generators.template.model import Context, FieldSpec, ProjectSpec, make_entity
from codegen.generators.template.words import human_list, identifier, is_plural, singular, tokenize

METRICS = ("count", "sum", "average", "min", "max", "median")
_METRIC_WORDS = {
    "total": "sum", "sum": "sum", "sums": "sum", "totals": "sum", "average": "average", "averages": "average",
    "mean": "average", "avg": "average", "count": "count", "number": "count", "max": "max", "maximum": "max",
    "highest": "max", "largest": "max", "min": "min", "minimum": "min", "lowest": "min", "smallest": "min",
    "median": "median",
}
_METRIC_RE = re.compile(r"\b(" + "|".join(_METRIC_WORDS) + r")\s+(?:of\s+)?(?:the\s+|all\s+)?([a-z_]+)")
_GROUP_RE = re.compile(
    r"(?<!sort )(?<!sorted )(?<!order )(?<!ordered )"
    r"\b(?:per|by|for each|grouped by|group by|broken down by)\s+(?:the\s+|each\s+)?([a-z_]+)"
)
_FILE_RE = re.compile(r"\b([a-z0-9_]+) \. (?:csv|tsv)\b")
# a file the script writes, not the one it reads: "write the rows that could not be fixed to errors.csv"
_OUTPUT_BEFORE_RE = re.compile(r"\b(?:to|into|as|writes?|writing|saves?|saving|exports?|exporting|outputs?)"
                               r"(?: [a-z0-9_']+){0,2} $")
# "a messy customers csv": the file by its name, without its extension
_NAMED_CSV_RE = re.compile(r"\b(?:a|an|the|my|our|this|that)(?: messy| raw| big| large| huge| dirty)? ([a-z0-9_]+) csv\b")


_NOT_FILE_NAMES = frozenset("new single separate output another second clean cleaned final combined merged big large".split())


def _input_stem(flat: str) -> str | None:
    """The name of the CSV file the script reads: the first one named that is not written to."""
    for pattern in (_FILE_RE, _NAMED_CSV_RE):
        for match in pattern.finditer(flat):
            written = _OUTPUT_BEFORE_RE.search(flat[max(0, match.start() - 40):match.start()])
            if not written and match.group(1) not in _NOT_COLUMNS and match.group(1) not in _NOT_FILE_NAMES:
                return match.group(1)
    return None


_NOT_COLUMNS = frozenset(
    "a an the all each every row rows line lines file files data csv record records it them value values column columns".split()
)
# words of an operation, never of a column name: "columns a and b, drops duplicate rows"
_OPERATION_WORDS = frozenset("rows duplicate duplicates keep only sort sorted top group grouped filter remove drop".split())
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
        stem = _input_stem(flat)
        record = singular(stem) if stem else (spec.entities[0].name if spec.entities else "record")
        explicit = _explicit_columns(flat)
        columns = explicit or (spec.entities[0].fields if spec.entities else [])
        entity = make_entity(record, [(c.name, c.type, c.required) for c in columns] if columns else None)
        group = _group_column(flat)
        if group and not entity.field(group):  # "by points" groups by the column the prompt calls points
            group = next((f.name for f in entity.fields if singular(f.name) == singular(group)), group)
        metrics = _metrics(flat, entity)
        if group and not entity.field(group):
            entity.fields.insert(0, FieldSpec(group, "str", True))
        for _, column in metrics:
            if column and not entity.field(column):
                entity.fields.append(FieldSpec(column, "float", True))
        operations, group, metrics = data_operations.read(context.text, flat, entity, group, metrics)
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
        named = {c.name for c in columns}
        spec.options = {
            # columns the report reads that the prompt's list of columns does not have ("revenue" of units and price)
            "columns_not_named": [f.name for f in entity.fields if named and f.name not in named],
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
        header = [f.name for f in spec.entities[0].fields]
        csv_text = ",".join(header) + "\n" + "".join(",".join(row[h] for h in header) + "\n" for row in rows)
        return {
            f"{script}.py": _script(spec),
            f"tests/test_{script}.py": _tests(spec, rows),
            spec.options["input"]: csv_text,
            "pytest.ini": render.pytest_ini(),
            "requirements.txt": render.requirements("pytest"),
            "README.md": _readme(spec),
        }


def _explicit_columns(flat: str) -> list[FieldSpec]:
    tokens = tokenize(flat)
    for index, token in enumerate(tokens):
        # "columns: a, b", and "sales.csv (a, b, c)"
        in_brackets = token.text in ("csv", "tsv") and index + 1 < len(tokens) and tokens[index + 1].text == "("
        if token.text in ("columns", "fields", "headers", "header") or in_brackets:
            start = index + 1
            while start < len(tokens) and tokens[start].text in (":", "(", "named", "called", "like"):
                start += 1
            drafts, _ = EntityParser(tokens).fields_at(start)
            if drafts:
                return [FieldSpec(d.name, d.type, d.required) for d in drafts
                        if d.name not in _NOT_COLUMNS and not _OPERATION_WORDS & set(d.name.split("_"))]
    return []


def _group_column(flat: str) -> str | None:
    for match in _GROUP_RE.finditer(flat):
        word = match.group(1)
        if word not in _NOT_COLUMNS and word not in _METRIC_WORDS:
            return identifier(singular(word))
    return None


def _metrics(flat: str, entity) -> list[tuple[str, str | None]]:
    found: list[tuple[str, str | None]] = []
    for match in _METRIC_RE.finditer(flat):
        metric, word = _METRIC_WORDS[match.group(1)], match.group(2)
        if word in ("per", "by", "for", "in", "each", "grouped"):
            # "the totals per region": the measure of the one numeric column, when there is exactly one
            numeric = [f.name for f in entity.fields if f.type in ("int", "float")]
            entry_of_one = ("count", None) if metric == "count" else (metric, numeric[0]) if len(numeric) == 1 else None
            if entry_of_one and entry_of_one not in found:
                found.append(entry_of_one)
            continue
        if word in _NOT_COLUMNS or word in _METRIC_WORDS:
            continue
        column = identifier(word)
        existing = entity.field(column) or entity.field(singular(column))
        # "number of orders" counts rows; "total revenue" sums a column
        if metric == "count" or (existing is None and is_plural(column)):
            entry: tuple[str, str | None] = ("count", None)
        else:
            entry = (metric, existing.name if existing else column)
        if existing is not None and existing.type not in ("int", "float") and entry[0] != "count":
            continue
        if entry not in found:
            found.append(entry)
    return found


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
    rows = []
    for index in range(4):
        row = {}
        for field in spec.entities[0].fields:
            if field.name == spec.options["group_by"] and field.type == "str":
                row[field.name] = _SAMPLE_TEXT[index]
            elif field.type == "str":
                row[field.name] = f"{field.name} {index + 1}"
            elif field.type in _SAMPLE_NUMBERS:
                row[field.name] = str(_SAMPLE_NUMBERS[field.type][index])
            else:
                row[field.name] = _SAMPLE_OTHER[field.type][index]
        rows.append(row)
    return rows


def _operations(spec: ProjectSpec) -> dict:
    """The operations of the spec; a spec written before they existed has none."""
    defaults = {"dedupe": False, "where": {}, "sort": None, "limit": None, "operations": [], "summarize": True}
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
    columns = "".join(f'    "{f.name}": {_PARSERS[f.type]},\n' for f in entity.fields)
    metrics = ", ".join(
        f'("{name}", {render.py_value(column) if column else "None"})' for name, column in spec.options["metrics"]
    )
    group = render.py_value(spec.options["group_by"]) if spec.options["group_by"] else "None"
    what = _what(spec)
    source = SCRIPT
    for marker, value in (
        ("$doc", f"{spec.summary}.\n\nReads a CSV file and {what.split(' and ', 1)[-1]}."),
        ("$columns", columns),
        ("$group", group),
        ("$metrics", metrics),
        ("$input", spec.options["input"]),
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
    script, entity = spec.slug, spec.entities[0]
    header = [f.name for f in entity.fields]
    operations = _operations(spec)
    csv_lines = "\n".join([",".join(header), *(",".join(row[h] for h in header) for row in rows)])
    typed = next((f for f in entity.fields if f.type != "str"), None)
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
    for block, names in _operation_tests(operations):
        tests += "\n\n\n" + block
        imports += names
    return templates.fill(
        "data_script", "tests.py.tmpl", script=script, sample=csv_lines, expected=results, tests=tests.rstrip("\n"),
        imports=", ".join(sorted(set(imports), key=lambda name: (not name.isupper(), name))),
    )


def _operation_tests(operations: dict) -> list[tuple[str, list[str]]]:
    """A test of each operation the prompt named, and the names it imports from the script."""
    tests = []
    if operations["dedupe"]:
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
    columns = "\n".join(f"- `{f.name}`: {render.TYPE_DESCRIPTIONS[f.type]}" for f in entity.fields)
    return render.readme(
        spec,
        f"A Python script (standard library only) that {_what(spec)}.",
        f"## Use\n\n```sh\npython {script}.py {spec.options['input']}\npython {script}.py data.csv --json --output report.json\n"
        f"python {script}.py data.csv --where {entity.fields[0].name}=VALUE\n```",
        f"## Input\n\nA CSV file with a header row and these columns (an empty cell is a missing value):\n\n{columns}\n\n"
        f"`{spec.options['input']}` is a small example.",
        render.README_TEST,
    )
