"""Named report routes of a REST API read from a prompt, and uniqueness rules.

"GET /summary returns totals per region", "GET /stats with the count per status",
"a route that lists overdue invoices", "the number of tasks per project": a GET
route over one entity's records, grouped by a named field (count, sum or
average of a named number field) or filtered by a state the entity has
(a true/false field, "overdue" for a due date). Stored in
``spec.options["reports"]``; kinds/rest_integrity.py writes the route, the
code and its tests. "code must be unique" is stored in ``spec.options["unique"]``.
What cannot be mapped onto an entity's fields is returned unmet.
"""

from __future__ import annotations

import re

from codegen.generators.template.model import EntitySpec, ProjectSpec
from codegen.generators.template.rules import Applied, owned
from codegen.generators.template.words import identifier, singular

_GET_RE = re.compile(r"\bGET\s+(/[\w/{}:<>.-]*)", re.IGNORECASE)
_AGGREGATE_RE = re.compile(
    r"\b(?P<op>counts?|number|totals?|sums?|average|avg|mean)\b(?P<mid>(?: [\w]+){0,3}?)"
    r" (?:per|by|for each|for every|grouped by|in each) (?:the |each |every )?(?P<group>\w+)"
)
_LIST_RE = re.compile(
    r"\b(?:routes?|endpoints?|get /\S*)\b[^.;]*?\b(?:lists?|returns?|shows?|gets?|of|with|for)"
    r"(?: all| the| only| every)* (?P<adjective>\w+) (?P<entity>\w+)"
)
_ROUTE_CLAUSE_RE = re.compile(
    # not "a REST endpoint for managing my job applications" nor "REST endpoints for a coffee service: customers,
    # plans": those name the project and its resources, not a route's content
    r"\b(?<!rest )(?<!crud )(?<!http )(?<!api )(?:an? |the |one )?(?:routes?|endpoints?) (?:that|which|to"
    r"|for(?! (?:managing|tracking|storing|keeping|crud|my|our)\b)|returning|listing) [^.;,]+", re.IGNORECASE
)
# "an API that returns the number of tasks per project": a report asked for without the word route
_REPORT_CLAUSE_RE = re.compile(r"\b(?:returns?|reports?|shows?|gives?|computes?|displays?) (?:the |a )?"
                               + _AGGREGATE_RE.pattern.removeprefix(r"\b"))
_OPERATIONS = {"count": "count", "counts": "count", "number": "count", "total": "sum", "totals": "sum", "sum": "sum",
               "sums": "sum", "average": "average", "avg": "average", "mean": "average"}
_MID_NOISE = frozenset("of the all a an its their".split())
# states a record is "not in": "unpaid invoices" lists those whose paid is false
_DONE_FIELDS = ("paid", "done", "completed", "returned", "closed", "is_paid", "is_done", "is_completed")
_PATH_OK = re.compile(r"/[a-z0-9_/-]+")
_UNIQUE_RE = re.compile(r"\b(\w+) (?:must be|should be|has to be|needs to be|is|are) unique\b|\bunique (\w+)")


def without_routes(text: str) -> str:
    """``text`` without the clauses that describe a route ("GET /stats with the count per status")."""
    text = re.sub(r"\bGET\s+/[^.;\n]*", " ", text, flags=re.IGNORECASE)
    return _ROUTE_CLAUSE_RE.sub(" ", text) if _ROUTE_CLAUSE_RE.search(text.lower()) else text


def apply_reports(spec: ProjectSpec, text: str) -> list[Applied]:
    """Every report route the prompt asks for, added to the spec, or returned unmet with why."""
    if spec.kind != "rest_api":
        return []
    applied: list[Applied] = []
    reports: list[dict] = []
    for sentence in re.split(r"(?<=[.!?;])\s+|\n+", text):
        lowered = sentence.lower()
        explicit = _GET_RE.search(sentence)
        clause = _ROUTE_CLAUSE_RE.search(lowered) or _REPORT_CLAUSE_RE.search(lowered)
        if explicit is None and clause is None:
            continue
        report, why = _aggregate(spec, lowered) if _AGGREGATE_RE.search(lowered) else _filtered(spec, lowered)
        path = explicit.group(1).rstrip("/.") if explicit else None
        if report is not None and path is not None and not _PATH_OK.fullmatch(path):
            report, why = None, f"the path {path} has parameters the offline generator cannot fill"
        if report is not None:
            report["path"] = path or report["path"]
            if any(r["path"] == report["path"] for r in reports) or report["path"].strip("/") in {
                e.plural for e in spec.entities
            }:
                continue
            report["name"] = identifier(report["path"].replace("/", " ").replace("-", " ")) or "report"
            reports.append(report)
        if explicit is not None:
            continue  # the checklist lists "GET /path" itself (checklist/details.py)
        said = clause.group(0).strip()
        applied.append(Applied(said, (report["entity"],), routes=True) if report else Applied(said, (), why))
    if reports:
        spec.options["reports"] = reports
    return applied


def apply_uniqueness(spec: ProjectSpec, text: str, owners: dict[str, set[str]] | None = None) -> list[Applied]:
    """ "code must be unique": every entity with that field rejects a second record with the same value; a rule
    written in one entity's list of fields ("Client (name, email unique)"), that entity only."""
    applied: list[Applied] = []
    if spec.kind != "rest_api":
        return applied  # rules.apply_rules says other kinds check no rules
    for match in _UNIQUE_RE.finditer(text.lower()):
        word = match.group(1) or match.group(2)
        name = identifier(word)
        said = f"{word} must be unique"
        holders = [e for e in spec.entities if e.field(name) or e.field(identifier(singular(word)))]
        holders = owned(spec, said, holders, owners)
        if not holders:
            applied.append(Applied(said, (), f"no entity has a field {word}"))
            continue
        unique = spec.options.setdefault("unique", {})
        for entity in holders:
            field = entity.field(name) or entity.field(identifier(singular(word)))
            if field.name not in unique.setdefault(entity.plural, []):
                unique[entity.plural].append(field.name)
        applied.append(Applied(said, tuple(e.plural for e in holders), integrity=True))
    return applied


def _aggregate(spec: ProjectSpec, lowered: str) -> tuple[dict | None, str]:
    match = _AGGREGATE_RE.search(lowered)
    operation, group_word = _OPERATIONS[match.group("op")], match.group("group")
    mid = [w for w in match.group("mid").split() if w not in _MID_NOISE]
    named = [spec.entity(w) for w in mid + lowered.split() if spec.entity(w)]
    candidates = [e for i, e in enumerate(named + spec.entities) if all(e is not o for o in (named + spec.entities)[:i])]
    # "total amount" sums amount; "totals" alone sums a field named total
    measure_words = [identifier(w) for word in mid or [match.group("op").rstrip("s")] for w in (word, singular(word))]
    for entity in candidates:
        group = _group_field(spec, entity, group_word)
        if group is None:
            continue
        measure = next((f.name for w in measure_words for f in entity.fields
                        if f.type in ("int", "float") and f.name == w), None)
        if operation != "count" and measure is None:
            continue
        word = {"count": "count", "sum": "total", "average": "average"}[operation]
        if operation == "count":
            measure, result = None, "count"
        else:
            result = measure if operation == "sum" and measure.startswith("total") else f"{word}_{measure}"
        path = f"/{entity.plural}/{word}-by-{group.removesuffix('_id').replace('_', '-')}"
        return {"entity": entity.plural, "path": path, "where": [], "group_by": group, "measure": measure,
                "operation": operation, "result": result}, ""
    if not any(_group_field(spec, e, group_word) for e in spec.entities):
        return None, f"no entity has a field {group_word} to group by"
    return None, "no number field of that entity is named to total or average"


def _group_field(spec: ProjectSpec, entity: EntitySpec, word: str) -> str | None:
    for name in (identifier(word), identifier(singular(word))):
        if entity.field(name):
            return name
    parent = spec.entity(word)
    if parent is not None and entity.field(f"{parent.name}_id"):
        return f"{parent.name}_id"
    return None


def _filtered(spec: ProjectSpec, lowered: str) -> tuple[dict | None, str]:
    match = _LIST_RE.search(lowered)
    if match is None:
        return None, "the offline generator writes report routes that count, total or average per field, or list " \
                     "records by a state they have, and did not read this as one"
    adjective, entity = match.group("adjective"), spec.entity(match.group("entity"))
    if entity is None:
        return None, f"{match.group('entity')} are not an entity"
    where: list[list] = []
    if adjective == "overdue":
        due = next((f for f in entity.fields if f.type == "date" and "due" in f.name), None)
        if due is None:
            return None, f"{entity.plural} have no due date to be overdue by"
        where.append([due.name, "before_today", None])
        done = next((f for f in entity.fields if f.type == "bool" and f.name in _DONE_FIELDS), None)
        if done is not None:
            where.append([done.name, "is", False])
    else:
        negated = adjective.startswith("un") or adjective.startswith("in") or adjective.startswith("not")
        base = re.sub(r"^(?:un|in|not_?)", "", adjective) if negated else adjective
        field = next((f for f in entity.fields if f.type == "bool" and f.name in (adjective, f"is_{adjective}")), None)
        if field is None and negated:
            field = next((f for f in entity.fields if f.type == "bool" and f.name in (base, f"is_{base}")), None)
        else:
            negated = False
        if field is None:
            return None, f"{entity.plural} have no true/false field {adjective} to list them by"
        where.append([field.name, "is", not negated])
    return {"entity": entity.plural, "path": f"/{entity.plural}/{adjective}", "where": where, "group_by": None,
            "measure": None, "operation": "count", "result": "count"}, ""


def snapshot(spec: ProjectSpec) -> dict[int, tuple[str, dict[int, str]]]:
    """Each entity's plural and field names, keyed by object: taken before a follow-up edits the spec in place."""
    return {id(e): (e.plural, {id(f): f.name for f in e.fields}) for e in spec.entities}


def carry_over(before: dict[int, tuple[str, dict[int, str]]], spec: ProjectSpec) -> list[str]:
    """The unique fields and reports of the spec made to follow its renamed and removed entities and fields;
    what could not follow is removed, and said."""
    names: dict[str, tuple[str, dict[str, str]]] = {}  # old plural -> (new plural, old field -> new field)
    for entity in spec.entities:
        if id(entity) in before:
            plural, fields = before[id(entity)]
            names[plural] = (entity.plural, {fields[id(f)]: f.name for f in entity.fields if id(f) in fields})
    said: list[str] = []
    unique: dict[str, list[str]] = {}
    for plural, fields in (spec.options.get("unique") or {}).items():
        new_plural, renamed = names.get(plural, (None, {}))
        for field in fields:
            if new_plural and field in renamed:
                unique.setdefault(new_plural, []).append(renamed[field])
            else:
                said.append(f"{plural}.{field} is no longer checked for uniqueness")
    reports = []
    for report in spec.options.get("reports") or []:
        new_plural, renamed = names.get(report["entity"], (None, {}))
        used = [f for f in (report["group_by"], report["measure"], *(w[0] for w in report["where"])) if f]
        if new_plural is None or any(f not in renamed for f in used):
            said.append(f"removed the report route GET {report['path']}: what it reads is gone")
            continue
        reports.append({**report, "entity": new_plural, "group_by": renamed.get(report["group_by"]),
                        "measure": renamed.get(report["measure"]),
                        "where": [[renamed[f], test, value] for f, test, value in report["where"]]})
    for key, value in (("unique", unique), ("reports", reports)):
        if value:
            spec.options[key] = value
        else:
            spec.options.pop(key, None)
    return said
