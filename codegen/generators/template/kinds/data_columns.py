"""What a CSV prompt names: the file it reads, its columns, the grouping and the measures.

"sales.csv with columns region, product and amount", "per region", "total
amount", "number of orders"; data_script.py turns them into the script.
"""

from __future__ import annotations

import re

from codegen.generators.template.entities import EntityParser
from codegen.generators.template.model import EntitySpec, FieldSpec
from codegen.generators.template.words import identifier, is_plural, singular, tokenize

METRICS = ("count", "sum", "average", "min", "max", "median")
METRIC_WORDS = {
    "total": "sum", "sum": "sum", "sums": "sum", "totals": "sum", "average": "average", "averages": "average",
    "mean": "average", "avg": "average", "count": "count", "number": "count", "max": "max", "maximum": "max",
    "highest": "max", "largest": "max", "min": "min", "minimum": "min", "lowest": "min", "smallest": "min",
    "median": "median",
}
_METRIC_RE = re.compile(r"\b(" + "|".join(METRIC_WORDS) + r")\s+(?:of\s+)?(?:the\s+|all\s+)?([a-z_]+)")
_GROUP_RE = re.compile(
    r"(?<!sort )(?<!sorted )(?<!order )(?<!ordered )(?<!duplicates )(?<!duplicate )(?<!dedupe )(?<!deduplicate )"
    r"\b(?:per|by|for each|grouped by|group by|broken down by)\s+(?:the\s+|each\s+)?([a-z_]+)"
)
_FILE_RE = re.compile(r"\b([a-z0-9_]+) \. (?:csv|tsv)\b")
# a file the script writes, not the one it reads: "write the rows that could not be fixed to errors.csv"
_OUTPUT_BEFORE_RE = re.compile(r"\b(?:to|into|as|writes?|writing|saves?|saving|exports?|exporting|outputs?)"
                               r"(?: [a-z0-9_']+){0,2} $")
# "a messy customers csv": the file by its name, without its extension
_NAMED_CSV_RE = re.compile(r"\b(?:a|an|the|my|our|this|that)(?: messy| raw| big| large| huge| dirty)? ([a-z0-9_]+) csv\b")


_NOT_FILE_NAMES = frozenset("new single separate output another second clean cleaned final combined merged big large".split())


def input_stem(flat: str) -> str | None:
    """The name of the CSV file the script reads: the first one named that is not written to."""
    for pattern in (_FILE_RE, _NAMED_CSV_RE):
        for match in pattern.finditer(flat):
            written = _OUTPUT_BEFORE_RE.search(flat[max(0, match.start() - 40):match.start()])
            if not written and match.group(1) not in NOT_COLUMNS and match.group(1) not in _NOT_FILE_NAMES:
                return match.group(1)
    return None


NOT_COLUMNS = frozenset(
    "a an the all each every row rows line lines file files data csv record records it them value values column columns".split()
)
# words of an operation, never of a column name: "columns a and b, drops duplicate rows"
_OPERATION_WORDS = frozenset("rows duplicate duplicates keep only sort sorted top group grouped filter remove drop".split())


def explicit_columns(flat: str) -> list[FieldSpec]:
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
                        if d.name not in NOT_COLUMNS and not _OPERATION_WORDS & set(d.name.split("_"))]
    return []


def group_column(flat: str) -> str | None:
    for match in _GROUP_RE.finditer(flat):
        word = match.group(1)
        if word not in NOT_COLUMNS and word not in METRIC_WORDS:
            return identifier(singular(word))
    return None


def other_groups(flat: str, group: str | None, entity: EntitySpec) -> list[str]:
    """Groupings asked for beside the one the script makes ("per region per month": month): it groups by one column.
    A "top 3 players by points" ranks by points, it does not group by them."""
    others = []
    for match in _GROUP_RE.finditer(flat):
        word = identifier(singular(match.group(1)))
        field = entity.field(word)
        ranked = re.search(r"\b(?:top|first|bottom|rank\w*) (?:\S+ ){0,3}$", flat[max(0, match.start() - 80):match.start()])
        if (word in NOT_COLUMNS or match.group(1) in METRIC_WORDS or ranked or word == group or word in others
                or (field is not None and field.type in ("int", "float"))):
            continue
        others.append(word)
    return others


# amounts whatever their number: "total takings" sums them, it does not count rows
_AMOUNT_PLURALS = frozenset("takings earnings revenues proceeds".split())


def named_metrics(flat: str, entity: EntitySpec, computed: set[str]) -> list[tuple[str, str | None]]:
    """The measures named ("total revenue", "number of orders"); ``computed``: columns the prompt's formulas make."""
    found: list[tuple[str, str | None]] = []
    for match in _METRIC_RE.finditer(flat):
        metric, word = METRIC_WORDS[match.group(1)], match.group(2)
        if word in ("per", "by", "for", "in", "each", "grouped"):
            # "the totals per region": the measure of the one numeric column, when there is exactly one
            numeric = [f.name for f in entity.fields if f.type in ("int", "float")]
            entry_of_one = ("count", None) if metric == "count" else (metric, numeric[0]) if len(numeric) == 1 else None
            if entry_of_one and entry_of_one not in found:
                found.append(entry_of_one)
            continue
        if word in NOT_COLUMNS or word in METRIC_WORDS:
            continue
        column = identifier(word)
        existing = entity.field(column) or entity.field(singular(column))
        # "number of orders" counts rows; "total revenue" sums a column
        amount = column in computed or column in _AMOUNT_PLURALS
        if metric == "count" or (existing is None and is_plural(column) and not amount):
            entry: tuple[str, str | None] = ("count", None)
        else:
            entry = (metric, existing.name if existing else column)
        if existing is not None and existing.type == "str" and entry[0] != "count":
            existing.type = "float"  # a listed column summed or averaged is a number whatever its name
        elif existing is not None and existing.type not in ("int", "float") and entry[0] != "count":
            continue
        if entry not in found:
            found.append(entry)
    return found
