"""Validation rules and relations read from a prompt, applied to the spec's fields.

"price must be positive", "quantity must be at least 1", "name must be at most
40 characters", "status must be one of open, closed", "priority defaults to 3",
"invoices belong to a customer". A rule applies to every entity with a field of
that name (or, in a project of one entity, adds the field); a relation gives
the child a ``<parent>_id`` field, adding the parent entity when the prompt
named it but the parser did not keep it. Rules become pydantic constraints of
the REST models (rest_api.py) and tests that a value breaking them gets 422.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from codegen.generators.template import catalog, recipes
from codegen.generators.template.model import EntitySpec, FieldSpec, ProjectSpec, make_entity
from codegen.generators.template.words import identifier, plural, safe_field_name, singular

RULE_RE = re.compile(
    r"\b(\w+) (must|should|has to|needs to|cannot|can ?not|can't|must not|may not|should not|is|are)"
    r" (?:be |always be |(never) be |(not) be )?"
    r"(positive|negative|non ?negative|non ?empty|empty|at least [\w.]+(?: characters?| chars?| letters?)?"
    r"|at most [\w.]+(?: characters?| chars?| letters?)?|between [\w.]+ and [\w.]+(?: characters?)?"
    r"|greater than [\w.]+|less than [\w.]+|more than [\w.]+|fewer than [\w.]+|unique|required|mandatory|one of [\w, ]+"
    r"|longer than [\w.]+(?: characters?)?|shorter than [\w.]+(?: characters?)?|a valid \w+|valid|in the future"
    r"|in the past|lowercase|uppercase)"
)
DEFAULT_RE = re.compile(r"\b(\w+) (?:defaults? to|is by default|by default is|has a default of) [\"']?([\w.-]+)")
NOT_SUBJECTS = frozenset("it this that which there they api app data everything all".split())
_NUMBER = r"-?\d+(?:\.\d+)?"
_WORD_NUMBERS = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "ten": 10, "hundred": 100}

RELATION_RES = [
    re.compile(r"\b(?:each |every |an? )?(\w+) (?:belongs?|belong) to (?:an? |one |the |its )?(\w+)"),
    re.compile(r"\b(?:each |every |an? )?(\w+) (?:has|have|can have|contains?) (?:many|several|multiple|one or more) (\w+)"),
    re.compile(r"\b(\w+) (?:are|is) linked to (?:an? |one |the )?(\w+)"),
]


_ACTION_VERB = (
    r"(archive|approve|reject|publish|unpublish|cancel|assign|mark|complete|close|reopen|borrow|return|check ?out|pay"
    r"|ship|refund|like|follow|unfollow|vote|upload|download|export|import|send|email|notify|share|rate|reserve"
    r"|transfer|withdraw|deposit|duplicate|clone|restore|lock|unlock|block|ban|invite|schedule|remind"
    r"|register for|sign ?up for|enrol+ in)\b"
    r"(?: (?:an? |the |their |his |her |my )?(?!and\b|or\b)(\w+))?"
    r"(?: as (\w+))?"
)
ACTION_RE = re.compile(
    r"\b(?:can|to|able to|lets?(?: users?| admins?| me| you)?|allows?(?: users?| admins?)?(?: to)?) " + _ACTION_VERB
)
# an action that sets a state: verb -> (true/false field, value); "mark X as Y" sets Y
STATE_ACTIONS = {
    "archive": ("archived", True), "restore": ("archived", False), "approve": ("approved", True),
    "reject": ("rejected", True), "publish": ("published", True), "unpublish": ("published", False),
    "cancel": ("cancelled", True), "complete": ("completed", True), "close": ("closed", True),
    "reopen": ("closed", False), "lock": ("locked", True), "unlock": ("locked", False), "ship": ("shipped", True),
    "pay": ("paid", True), "block": ("blocked", True), "ban": ("banned", True), "refund": ("refunded", True),
}


@dataclass(frozen=True)
class Applied:
    text: str  # the rule or relation as the prompt says it
    entities: tuple[str, ...]  # plurals it was applied to; empty: not applied
    why_not: str | None = None
    routes: bool = False  # it added routes (an action, a report), not only model checks
    integrity: bool = False  # it is checked by app/integrity.py (uniqueness)


# "cannot be negative" is "must be non negative"
_NEGATIONS = {"negative": "non negative", "empty": "non empty", "nonnegative": "negative", "positive": None}


def _negated(match: re.Match) -> bool:
    verb = match.group(2)
    return bool(match.group(3) or match.group(4)) or verb in ("cannot", "can not", "cannot", "can't", "must not",
                                                               "may not", "should not")


def _number(text: str) -> float | None:
    text = text.strip().rstrip(".")
    if re.fullmatch(_NUMBER, text):
        return float(text)
    return _WORD_NUMBERS.get(text)


def constraints(rule: str, field_type: str) -> dict | None:
    """The constraints a rule puts on a field of ``field_type``; None when the template cannot enforce it."""
    numeric = field_type in ("int", "float")
    text = field_type == "str"
    words = rule.split()
    length = bool(re.search(r"characters?|chars?|letters?", rule)) or text
    if rule in ("positive",) and numeric:
        return {"gt": 0}
    if rule == "negative" and numeric:
        return {"lt": 0}
    if rule.replace(" ", "") == "nonnegative" and numeric:
        return {"ge": 0}
    if rule.replace(" ", "") == "nonempty" and text:
        return {"min_length": 1}
    if rule in ("required", "mandatory"):
        return {"required": True}
    if rule.startswith("one of ") and text:
        choices = [c for c in re.split(r",? or |,? and |, ?", rule.removeprefix("one of ")) if c.strip()]
        return {"choices": [c.strip() for c in choices]} if len(choices) >= 2 else None
    bounds = {
        "at least": ("ge", "min_length", 0), "at most": ("le", "max_length", 0),
        "greater than": ("gt", None, 0), "more than": ("gt", None, 0),
        "less than": ("lt", None, 0), "fewer than": ("lt", None, 0),
        "longer than": (None, "min_length", 1), "shorter than": (None, "max_length", -1),
    }
    for phrase, (number_key, length_key, shift) in bounds.items():
        if rule.startswith(phrase + " "):
            value = _number(words[len(phrase.split())])
            if value is None:
                return None
            if length and text and length_key and value >= 0:
                return {length_key: int(value) + shift}
            if numeric and number_key:
                return {number_key: int(value) if field_type == "int" else value}
            return None
    if rule.startswith("between "):
        low, high = _number(words[1]), _number(words[3]) if len(words) > 3 else None
        if low is None or high is None or low > high:
            return None
        if text and length:
            return {"min_length": int(low), "max_length": int(high)}
        if numeric:
            cast = int if field_type == "int" else float
            return {"ge": cast(low), "le": cast(high)}
    return None


def _fields_named(spec: ProjectSpec, word: str) -> list[tuple[EntitySpec, FieldSpec]]:
    names = {identifier(word), identifier(singular(word))}
    names |= {safe_field_name(name) for name in names}  # "type" is written type_name
    return [(e, f) for e in spec.entities for f in e.fields if f.name in names]


def owned(spec: ProjectSpec, said: str, entities: list[EntitySpec], owners: dict[str, set[str]] | None) -> list[EntitySpec]:
    """Of ``entities``, those a rule written inside an entity's bracketed field list belongs to ("Client (name,
    email unique), Freelancer (name, email)": clients only); all of them when it was said elsewhere."""
    names = {entity.name for word in (owners or {}).get(said.lower(), ()) if (entity := spec.entity(word))}
    return [e for e in entities if e.name in names] or entities


def _compound_subject(spec: ProjectSpec, before: str, subject: str) -> str:
    """The field a rule names in several words ("price per night must be positive": price_per_night), else
    ``subject``."""
    if _fields_named(spec, subject):
        return subject
    words = before.split()[-3:]
    for count in range(len(words), 0, -1):
        compound = " ".join([*words[-count:], subject])
        if all(w.isidentifier() for w in compound.split()) and _fields_named(spec, compound):
            return compound
    return subject


def apply_rules(spec: ProjectSpec, flat: str, owners: dict[str, set[str]] | None = None) -> list[Applied]:
    """Every rule of the prompt, applied to the fields it names where the template can enforce it (``owners``:
    words.rule_owners, the entity a rule written in its list of fields belongs to)."""
    applied: list[Applied] = []
    if spec.kind != "rest_api":
        described = recipes.part_spans(spec.recipe, flat)  # "check if the brackets are valid": a part's words
        for match in RULE_RE.finditer(flat):
            if match.group(1) not in NOT_SUBJECTS and not any(a <= match.start() and match.end() <= b
                                                              for a, b in described):
                negated = "not " if _negated(match) else ""
                applied.append(Applied(f"{match.group(1)} must {negated}be {match.group(5)}", (),
                                       f"a {spec.kind.replace('_', ' ')} from the offline generator does not check rules"))
        return applied
    said_again: list[tuple[str, str]] = []
    for match in RULE_RE.finditer(flat):
        subject, rule, negated = match.group(1), re.sub(r"\s+,", ",", match.group(5)).strip(), _negated(match)
        if subject in NOT_SUBJECTS:
            continue
        subject = _compound_subject(spec, flat[:match.start(1)], subject)
        rule = re.split(r" (?:otherwise|else)\b", rule)[0]  # what happens otherwise is its own request
        if re.fullmatch(r"one of (?:those|these|the above|the listed|the following)(?: values| ones| options)?", rule):
            said_again.append((subject, rule))  # once every listed value's rule is applied
            continue
        text = f"{subject} must {'not ' if negated else ''}be {rule}"
        previous = flat[:match.start(1)].split()[-1:]
        if owners and text not in owners and previous and f"{previous[0]} {text}" in owners:
            # "half day (morning/afternoon)" is said as "half day must be one of ...": the field has two words
            subject, text = f"{previous[0]} {subject}", f"{previous[0]} {text}"
        if rule == "unique" and not negated:
            continue  # report_routes.apply_uniqueness
        if negated:
            rule = _NEGATIONS.get(rule.replace(" ", ""))
            if rule is None:
                applied.append(Applied(text, (), "the offline generator cannot check this rule"))
                continue
        targets = _fields_named(spec, subject)
        kept = owned(spec, text, [e for e, _ in targets], owners)
        targets = [(e, f) for e, f in targets if any(e is k for k in kept)]
        # a project of one entity gets the field a rule names; not one written beside a field in a list, which the
        # parser did not give that entity ("line items (...), tax_rate and status draft/sent": the invoice's)
        listed = text.lower() in (owners or {})
        if not targets and len(spec.entities) == 1 and subject.isidentifier() and len(subject) > 2 and not listed:
            entity = spec.entities[0]
            new = FieldSpec(safe_field_name(identifier(subject)), catalog.guess_type(identifier(subject)), True)
            if constraints(rule, new.type) is not None:
                entity.fields.append(new)
                targets = [(entity, new)]
        if not targets:
            entity = spec.entity(subject)
            why = (f"{entity.plural.replace('_', ' ')} are records, not a field: no field of theirs was named to take "
                   "these values"
                   if entity is not None else f"no entity has a field {subject}")
            applied.append(Applied(text, (), why))
            continue
        done = []
        for entity, field in targets:
            if rule.startswith("one of ") and field.type in ("int", "float") and not re.search(r"\d", rule):
                field.type = "str"  # "priority (low, normal, urgent)": its values are words, whatever its name
            found = constraints(rule, field.type)
            if found is None:
                continue
            if found.pop("required", False):
                field.required = True
            field.rules.update(found)
            done.append(entity.plural)
        if done:
            applied.append(Applied(text, tuple(done)))
        else:
            applied.append(Applied(text, (), f"the offline generator cannot check \"{rule}\" on a field of that type"))
    for subject, rule in said_again:
        # "status (a, b, c) ... status must be one of those values": the listed values' rule, said again
        listed = tuple(e.plural for e, f in _fields_named(spec, subject) if "choices" in f.rules)
        applied.append(Applied(f"{subject} must be {rule}", listed,
                               None if listed else f"the prompt lists no values of {subject}"))
    for match in DEFAULT_RE.finditer(flat):
        subject, value = match.group(1), match.group(2)
        text = f"{subject} defaults to {value}"
        done = []
        for entity, field in _fields_named(spec, subject):
            parsed = _default(value, field.type)
            if parsed is not None:
                field.rules["default"] = parsed
                field.required = False
                done.append(entity.plural)
        applied.append(Applied(text, tuple(done), None if done else f"no field {subject} takes the value {value}"))
    return applied


def _default(value: str, field_type: str) -> object:
    if field_type == "int" and re.fullmatch(r"-?\d+", value):
        return int(value)
    if field_type == "float" and re.fullmatch(_NUMBER, value):
        return float(value)
    if field_type == "bool" and value in ("true", "false", "yes", "no"):
        return value in ("true", "yes")
    if field_type == "str":
        return value
    return None


def apply_relations(spec: ProjectSpec, flat: str) -> list[Applied]:
    """ "invoices belong to a customer": invoices get a customer_id; a named parent becomes an entity if need be."""
    applied: list[Applied] = []
    if not spec.entities or spec.kind == "data_script" or spec.recipe:
        return applied
    for index, pattern in enumerate(RELATION_RES):
        for match in pattern.finditer(flat):
            one, other = match.group(1), match.group(2)
            child_word, parent_word = (other, one) if index == 1 else (one, other)
            if child_word in ("which", "that", "who"):  # "Item (name, quantity) which belongs to a pantry"
                child_word = next((w for w in reversed(flat[:match.start()].split())
                                   if spec.entity(w) and spec.entity(w) is not spec.entity(parent_word)), child_word)
            said = match.group(0)
            if index != 1:
                # "to a registered customer": the parent is the noun after a word that qualifies it; "to a white
                # member and a black member": two links to the same records in two roles, which no project has
                noun = _QUALIFIED_PARENT.match(flat, match.end())
                if noun and noun[1] not in _NOT_PARENT_WORDS and (spec.entity(noun[1]) or not spec.entity(parent_word)):
                    said, parent_word = said + noun.group(0), noun[1]
                    roles = _SECOND_ROLE.match(flat, match.end() + len(noun.group(0)))
                    if roles and singular(roles[1]) == singular(noun[1]):
                        said += roles.group(0)
                        applied.append(Applied(said, (), f"two links to {plural(identifier(singular(noun[1])))} in "
                                                          "roles are not supported"))
                        continue
            child, parent = spec.entity(child_word), spec.entity(parent_word)
            if child is None and parent is None:
                continue
            if child is None:
                applied.append(Applied(said, (), f"{plural(identifier(singular(child_word)))} are not an entity"))
                continue
            if parent is None:
                name = identifier(singular(parent_word))
                if len(name) < 3 or name in catalog.TYPE_WORDS or child.field(name):
                    applied.append(Applied(said, (), f"{parent_word} is not an entity"))
                    continue
                parent = make_entity(name, project_entities={e.name for e in spec.entities})
                spec.entities.append(parent)
            link = f"{parent.name}_id"
            if not child.field(link):
                child.fields.insert(0, FieldSpec(link, "int", True))
            applied.append(Applied(said, (child.plural, parent.plural)))
    return applied


# the noun after the word a relation's parent starts with ("a white member"), and a second one of the same records
_QUALIFIED_PARENT = re.compile(r" ([a-z]\w*)\b")
_SECOND_ROLE = re.compile(r",? (?:and|or) (?:an? |the |one )?\w+ (\w+)\b")
_NOT_PARENT_WORDS = frozenset(
    "and or but only too also each as at by in on for with of from to if when where which who that so then is are"
    " was were can must should will may".split())


_MORE_ACTIONS = re.compile(r"(?: ?,| and| or)+ " + _ACTION_VERB)


def _action_matches(flat: str) -> list[re.Match]:
    """Each action, and those listed after it: "can archive an invoice and approve an invoice"."""
    found = []
    for match in ACTION_RE.finditer(flat):
        found.append(match)
        end = match.end()
        while (more := _MORE_ACTIONS.match(flat, end)) is not None:
            found.append(more)
            end = more.end()
    return found


# "users can RSVP to events": an action of a kind the generator does not know
_WHO_CAN_RE = re.compile(
    r"\b(?:users?|customers?|members?|admins?|people|visitors?|guests?|students?|employees?|editors?|i|we|they)"
    r" (?:can|should be able to|must be able to|are able to) (\w+)(?: (?:an? |the |to |for |their |on )?(\w+))?"
)
_NOT_ACTIONS = frozenset(
    "register log login sign signup search filter sort browse find only also be have keep track manage store save"
    " note record write enter post submit".split()
)


def apply_actions(spec: ProjectSpec, flat: str) -> list[Applied]:
    """ "customers can cancel a rental", "users can archive an invoice", "mark a task as done": in a REST API,
    POST /<resource>/<id>/<action> setting a true/false field (added when missing)."""
    applied: list[Applied] = []
    crud = {"create", "read", "update", "delete", "list", "add", "edit", "remove", "view", "get", "see"}
    known = set(re.findall(r"\w+", _ACTION_VERB.split("\\b")[0])) | crud | _NOT_ACTIONS
    for match in _WHO_CAN_RE.finditer(flat):
        if match.group(1) not in known:
            applied.append(Applied(match.group(0), (), "the offline generator writes actions that set a state "
                                                        "(archive, approve, publish, cancel, close, mark as ...), "
                                                        "not this one"))
    for match in _action_matches(flat):
        verb, target, state = match.group(1), match.group(2) or "", match.group(3)
        if verb in crud or (verb == "return" and target in ("the", "a", "json", "totals")):
            continue
        text = match.group(0).lstrip(", ").removeprefix("and ").removeprefix("or ")
        if verb == "mark" and state:
            field_name, value, name = identifier(state), True, f"mark_{identifier(state)}"
        elif verb in STATE_ACTIONS:
            (field_name, value), name = STATE_ACTIONS[verb], verb
        else:
            applied.append(Applied(text, (), "the offline generator writes actions that set a state (archive, "
                                              "approve, publish, cancel, close, mark as ...), not this one"))
            continue
        entity = spec.entity(target) if target else None
        if entity is None and len(spec.entities) == 1:
            entity = spec.entities[0]
        if spec.kind != "rest_api" or entity is None:
            why = "only REST APIs get actions" if spec.kind != "rest_api" else f"{target or 'it'} is not an entity"
            applied.append(Applied(text, (), why))
            continue
        field = entity.field(field_name)
        if field is None:
            entity.fields.append(FieldSpec(field_name, "bool", False))
        elif field.type != "bool":
            applied.append(Applied(text, (), f"{entity.plural}.{field_name} is not a true/false field"))
            continue
        actions = spec.options.setdefault("actions", {}).setdefault(entity.plural, [])
        if [name, field_name, value] not in actions:
            actions.append([name, field_name, value])
        applied.append(Applied(text, (entity.plural,), routes=True))
    return applied
