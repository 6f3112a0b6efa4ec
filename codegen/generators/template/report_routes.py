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

from codegen.generators.template.entity_words import LIST_ONLY_ENTITIES, NON_ENTITIES
from codegen.generators.template.model import EntitySpec, FieldSpec, ProjectSpec, make_entity
from codegen.generators.template.rules import Applied, owned
from codegen.generators.template.words import identifier, is_plural, singular

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
        spec.options["reports"] = [*(spec.options.get("reports") or []), *reports]
    return applied


# a path with a parameter between two names: "/weddings/{id}/guests", "/walls/:wall_id/routes", "/a/<int:id>/b"
_PATH_RE = re.compile(r"(?<![\w/{}:<>.-])/[a-z][\w{}:<>/.-]*", re.IGNORECASE)
_PARAMETER_RE = re.compile(r"\{[^{}/]*\}|:[a-z_]\w*|<[^<>/]*>", re.IGNORECASE)
_METHOD_BEFORE_RE = re.compile(r"\b(GET|POST|PUT|PATCH|DELETE)\s+$", re.IGNORECASE)
# "Guests under /weddings/{id}/guests": a resource said to live under a path
_UNDER_RE = re.compile(r"\b([a-z][a-z_]*) (?:(?:are|is|live|lives|sit|sits) )?(?:nested )?(?:under|below) $")
# names a nested path may give a child resource although they are generic elsewhere ("/walls/{id}/routes")
_NESTED_NAMES = LIST_ONLY_ENTITIES | {"routes"}


def route_shape(path: str) -> str:
    """A path with each parameter written ``{}``: "/walls/:id/routes" and "/walls/{wall_id}/routes" are one route."""
    return _PARAMETER_RE.sub("{}", path.rstrip("/.").lower())


def apply_nested(spec: ProjectSpec, text: str) -> list[Applied]:
    """A resource under its parent's path ("Guests under /weddings/{id}/guests", "GET /walls/{id}/routes"): the child
    belongs to the parent (a ``<parent>_id`` field; the child becomes an entity when the prompt names it outside
    the path too), and the list of one parent's children is a GET route, served as a report with a parent."""
    applied: list[Applied] = []
    if spec.kind != "rest_api" or not spec.entities:
        return applied
    prose = _PATH_RE.sub(" ", text).lower()
    for found in _PATH_RE.finditer(text):
        path = found.group(0).rstrip(".,;:)")
        segments = [s for s in path.strip("/").split("/") if s]
        before = text[:found.start()]
        method = _METHOD_BEFORE_RE.search(before)
        under = _UNDER_RE.search(before.lower())
        for at in range(len(segments) - 2):
            parent_word, parameter, child_word = (s.lower() for s in segments[at:at + 3])
            if not _PARAMETER_RE.fullmatch(parameter) or _PARAMETER_RE.search(parent_word + child_word):
                continue
            # "Guests under /weddings/{id}/guests", or a path named without a method ("Routes: /pantries/{id}/items"),
            # which is read as its GET; a path after a method is listed by the checklist itself ("GET /walls/{id}/routes")
            said = None
            if at + 3 == len(segments) and method is None:
                said = f"{under.group(1)} under {path.lower()}" if under else path
            parent, child = spec.entity(parent_word), spec.entity(child_word)
            if parent is None:
                if said:
                    applied.append(Applied(said, (), f"{parent_word} are not an entity"))
                continue
            if child is None:
                name = identifier(singular(child_word))
                generic = child_word in NON_ENTITIES and child_word not in _NESTED_NAMES
                # named outside the path in the plural, or said to live under it ("Task under /projects/{id}/tasks");
                # "it's a peal if changes >= 5000" describes performances, it names no records
                named = re.search(rf"\b{re.escape(child_word)}\b", prose) is not None or bool(
                    under and singular(under.group(1)) == singular(child_word))
                if generic or not is_plural(child_word) or len(name) < 3 or not named or child is parent:
                    if said:
                        applied.append(Applied(said, (), f"{child_word} are not an entity"))
                    continue
                child = make_entity(name, project_entities={e.name for e in spec.entities})
                spec.entities.append(child)
            if child is parent:
                continue
            link = f"{parent.name}_id"
            if not child.field(link):
                child.fields.insert(0, FieldSpec(link, "int", True))
            served = at + 3 == len(segments) and (method is None or method.group(1).upper() == "GET")
            if served:
                reports = spec.options.setdefault("reports", [])
                route = f"/{parent.plural}/{{item_id}}/{child.plural}"
                if all(r["path"] != route for r in reports):
                    reports.append({"entity": child.plural, "path": route, "where": [], "group_by": None,
                                    "measure": None, "operation": "count", "result": "count",
                                    "name": f"{parent.plural}_{child.plural}",
                                    "parent": [link, parent.plural, parent.name.replace("_", " ").capitalize()]})
            if said:
                applied.append(Applied(said, (child.plural, parent.plural), routes=True))
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
    if operation == "count" and mid and not any(spec.entity(w) for w in mid):
        # "counts of meals per wedding": what is counted is no entity of the project, so no count of records says it
        return None, f"no entity is {' '.join(mid)} to count"
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
        parent = report.get("parent")  # a nested route: its parent must stay too, and its path follows the names
        parent_plural = names.get(parent[1], (None, {}))[0] if parent else None
        if new_plural is None or any(f not in renamed for f in used + ([parent[0]] if parent else [])) or (
                parent and parent_plural is None):
            said.append(f"removed the report route GET {report['path']}: what it reads is gone")
            continue
        moved = {**report, "entity": new_plural, "group_by": renamed.get(report["group_by"]),
                 "measure": renamed.get(report["measure"]),
                 "where": [[renamed[f], test, value] for f, test, value in report["where"]]}
        if parent:
            moved.update(parent=[renamed[parent[0]], parent_plural, parent[2]],
                         path=f"/{parent_plural}/{{item_id}}/{new_plural}", name=f"{parent_plural}_{new_plural}")
        reports.append(moved)
    for key, value in (("unique", unique), ("reports", reports)):
        if value:
            spec.options[key] = value
        else:
            spec.options.pop(key, None)
    return said
