"""The operations a CSV prompt names, beyond grouping and measures: dedupe, a filter, sorting, top N.

"removes duplicate rows", "keep only the rows where country is Germany",
"sorted by count", "the top 5 players by points". Read into
``spec.options`` (``dedupe``, ``where``, ``sort``, ``limit``, ``summarize``) and
listed in ``spec.options["operations"]`` for the checklist; data_script.py
writes them into the script and its tests. A prompt whose only operations are
these gets its rows written back instead of a report.
"""

from __future__ import annotations

import re

from codegen.generators.template.model import EntitySpec
from codegen.generators.template.words import identifier, singular

_DEDUPE_RE = re.compile(
    r"\b(?:remov\w*|drop\w*|delet\w*|skip\w*|strip\w*|filter\w* out|get rid of) (?:the |all |any )?(?:exact )?"
    r"duplicat\w*|\bdedup\w*|\bdeduplicat\w*|\bunique rows\b"
)
_WHERE_RE = re.compile(
    r"\b(?:where|whose|with|if|when) (?:the )?(?P<column>[A-Za-z_]+) (?:is|equals|=|==|is equal to|matches) "
    r"[\"']?(?P<value>[\w.@-]+)", re.IGNORECASE
)
_SORT_RE = re.compile(
    r"\b(?:sort\w*|order\w*|rank\w*)(?: (?:them|it|the \w+|the results?|rows|lines|output))? by (?:the |their |its )?"
    r"(?:(?P<metric>total|sum|average|mean|number of|count of) (?:of )?)?(?P<key>[a-z_]+)"
    r"(?P<direction> desc\w*| asc\w*| highest first| lowest first| largest first| smallest first)?"
)
_TOP_RE = re.compile(
    r"\b(?P<end>top|first|bottom) (?P<n>\d+|three|five|ten|twenty)(?: (?!by\b)(?P<what>[a-z_]+))?"
    r"(?: by (?:the |their |total |sum of |highest )*(?P<by>[a-z_]+))?"
)
# "drop duplicate emails", "duplicates by customer_id", "dedupe on email": rows are the same when that column is
_DEDUPE_BY_RE = re.compile(r"\b(?:duplicat\w*|dedup\w*|repeated) (?:rows |records |entries )?(?:by |on |of |in |based on )?"
                           r"(?:the |their |same )?([a-z_]+)")
_NOT_KEYS = frozenset("rows row records record entries entry lines line values data items duplicates and from".split())
# "keeping the most recent row": the last of each in the file's order
_KEEP_LAST_RE = re.compile(r"\bkeep\w* (?:only )?(?:the )?(?:most recent|latest|last|newest|newer|later)\b")
_NUMBERS = {"three": 3, "five": 5, "ten": 10, "twenty": 20}
_DESCENDING_WORDS = ("desc", "highest", "largest")


def read(text: str, flat: str, entity: EntitySpec, group: str | None,
         metrics: list[tuple[str, str | None]]) -> tuple[dict, str | None, list[tuple[str, str | None]]]:
    """The operations of the prompt as spec options, and the group and metrics they imply ("top 5 players by
    points" groups by player and sums points)."""
    options: dict = {"dedupe": False, "dedupe_by": [], "keep_last": False, "where": {}, "sort": None, "limit": None,
                     "operations": []}
    labels = options["operations"]
    words = [m.group(1) for m in _DEDUPE_BY_RE.finditer(flat) if m.group(1) not in _NOT_KEYS]
    by = next((c for word in words if (c := _column(entity, word))), None)
    dedupe = _DEDUPE_RE.search(flat)
    if dedupe and words and by is None:
        # "drop duplicate emails" of a file with no email column: not served by removing equal rows
        options["operations_unmet"] = [(f"remove rows with a repeated {singular(words[0])}",
                                        f"the file's columns the offline generator read have no {singular(words[0])}")]
    elif dedupe:
        options["dedupe"] = True
        options["dedupe_by"] = [by] if by else []
        options["keep_last"] = bool(by and _KEEP_LAST_RE.search(flat))
        which = ", keeping the last of each in the file" if options["keep_last"] else ""
        labels.append(f"remove rows with a repeated {by}{which}" if by else "remove duplicate rows")
    for match in _WHERE_RE.finditer(text):
        field = _column(entity, match.group("column"))
        if field is not None and field not in options["where"]:
            options["where"][field] = match.group("value")
            labels.append(f"keep the rows where {field} is {match.group('value')}")
    top = _TOP_RE.search(flat)
    if top is not None:
        limit = int(top.group("n")) if top.group("n").isdigit() else _NUMBERS[top.group("n")]
        what = _column(entity, top.group("what") or "")
        by = _column(entity, top.group("by") or "")
        if by is not None and group == by:
            group = None  # "by score" ranks by the score, it does not group by it
        if what is not None and what != by:
            group = what
        if by is not None and entity.field(by).type == "str":
            entity.field(by).type = "float"  # ranked by, so a number whatever its name
        if by is not None and entity.field(by).type in ("int", "float"):
            metrics = [("sum", by)] if group else metrics
            key = f"sum_{by}" if group else by
        else:
            key = "count" if group else None
        if key is not None:
            options["limit"] = limit
            options["sort"] = [key, top.group("end") != "bottom"]
            labels.append(f"the {top.group('end')} {limit} by {key}")
    sort = _SORT_RE.search(flat)
    if sort is not None and options["sort"] is None:
        key = _sort_key(entity, group, metrics, sort.group("key"), sort.group("metric"))
        if key is not None:
            direction = sort.group("direction") or ""
            descending = any(w in direction for w in _DESCENDING_WORDS) or (
                not direction and group is not None and key != group)
            options["sort"] = [key, descending]
            labels.append(f"sort by {key} ({'descending' if descending else 'ascending'})")
    return options, group, metrics


def _column(entity: EntitySpec, word: str) -> str | None:
    for name in (identifier(word), identifier(singular(word))):
        if name and entity.field(name):
            return name
    return None


def _sort_key(entity: EntitySpec, group: str | None, metrics: list, word: str, metric: str | None) -> str | None:
    """What the output is sorted on: a measure of the report ("count", "sum_amount"), the group, or a column."""
    if group is None:
        return _column(entity, word)
    if word in ("count", "counts", "number", "size") or metric in ("number of", "count of"):
        return "count" if ("count", None) in metrics else None
    column = _column(entity, word)
    if column == group:
        return group
    wanted = {"total": "sum", "sum": "sum", "average": "average", "mean": "average"}.get(metric or "")
    for name, measured in metrics:
        if measured == column and (wanted is None or wanted == name):
            return f"{name}_{column}"
    return None


def apply_to_samples(options: dict, rows: list[dict], types: dict[str, str]) -> list[dict]:
    """The sample rows made to exercise the operations: a duplicate row, rows that pass and fail the filter."""
    for field, value in options["where"].items():
        other = "other" if types[field] == "str" else _other_number(value)
        for index, row in enumerate(rows):
            row[field] = other if index == 2 else value
    if options["dedupe"]:
        # the same row again; by a column, a row that repeats only that column
        rows.append({**(rows[3] if options.get("dedupe_by") else rows[1]),
                     **{column: rows[1][column] for column in options.get("dedupe_by") or []}})
    return rows


def _other_number(value: str) -> str:
    try:
        return str(float(value) + 1) if "." in value else str(int(value) + 1)
    except ValueError:
        return value + "0"


def kept_rows(options: dict, rows: list[dict], types: dict[str, str]) -> list[int]:
    """The indices of the sample rows the script keeps, in output order when nothing is summarized."""
    kept = [index for index in unique_rows(options, rows)
            if all(rows[index][field] == value for field, value in options["where"].items())]
    return kept


def unique_rows(options: dict, rows: list[dict]) -> list[int]:
    """The indices of the rows deduplication keeps, in order (every row when it is not asked for)."""
    if not options["dedupe"]:
        return list(range(len(rows)))
    by, order = options.get("dedupe_by") or [], list(range(len(rows)))
    seen, kept = set(), []
    for index in (reversed(order) if options.get("keep_last") else order):
        key = tuple(rows[index][column] for column in by) if by else tuple(rows[index].values())
        if key not in seen:
            seen.add(key)
            kept.append(index)
    return sorted(kept)


def ordered(options: dict, lines: list, key_of) -> list:
    """``lines`` sorted and cut as the options say; ``key_of(line, key)`` reads the sort value of a line."""
    if options.get("sort"):
        key, descending = options["sort"]
        lines = sorted(lines, key=lambda line: (key_of(line, key) is None, key_of(line, key)), reverse=descending)
    if options.get("limit"):
        lines = lines[: options["limit"]]
    return lines


def typed(text: str, field_type: str) -> object:
    """A sample cell as the script reads it, for sorting the expected rows."""
    if field_type in ("int", "float"):
        return float(text)
    return text
