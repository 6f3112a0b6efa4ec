"""Details the generator looks for in a prompt: routes, relations, rules, actions, options, functions, operations."""

from __future__ import annotations

import re

from codegen.generators.template import catalog, recipes
from codegen.generators.template.kinds import page_sections
from codegen.generators.template.checklist.crosscheck import BEHAVIOUR_RE
from codegen.generators.template.checklist.items import MET, SUBSTITUTED, UNMET, Builder, main_files
from codegen.generators.template.entity_words import METHOD_VERBS
from codegen.generators.template.model import ProjectSpec
from codegen.generators.template.prompt_parser import FEATURE_RULES, recognised
from codegen.generators.template.report_routes import route_shape
from codegen.generators.template.rules import ACTION_RE, RELATION_RES, RULE_RE, Applied
from codegen.generators.template.words import ascii_letters, human_list, identifier, is_plural, normalize, singular

_ROUTE_RE = re.compile(r"\b(GET|POST|PUT|PATCH|DELETE)\s+(/[\w/{}:<>.-]*)", re.IGNORECASE)
_UNIQUE_RE = re.compile(r"\bunique (\w+)s?\b")
_OPTION_RE = re.compile(r"(?<![\w-])(--[a-z][\w-]*)")
_FUNCTION_RES = [
    re.compile(r"\b([a-z_][a-z0-9_]{2,})\(\)"),
    re.compile(r"\b(?:functions?|methods?) (?:called|named) [`'\"]?([a-z_][a-z0-9_]{2,})"),
    # "with deposit and withdraw methods"
    re.compile(r"\b(?:with|has|have|provides?|exposes?|offers?) (?:the |a )?((?:[a-z_][a-z0-9_]{2,})"
               r"(?:(?:,| and|, and) [a-z_][a-z0-9_]{2,})*) (?:methods|functions)\b"),
]
# "with add, list and done commands"
_COMMANDS_RE = re.compile(r"\b(?:with|has|have|supports?|offers?) (?:the |a )?((?:[a-z_][a-z0-9_]{1,})"
                          r"(?:(?:,| and|, and|,? or) [a-z_][a-z0-9_]{1,})*) (?:sub ?)?commands\b")
# "commands: add, list, done, remove", "subcommands (add, list)", "commands are add and list"
_COMMANDS_AFTER_RE = re.compile(r"\b(?:sub ?)?commands?\s*(?::|\(|are\b|include\b|including\b|like\b|such as\b)\s*"
                                r"((?:[a-z_][a-z0-9_]{1,})(?:(?:,| and|, and|,? or) [a-z_][a-z0-9_]{1,})*)")
# "with subcommands add, list, water and export": a list of two or more after the word itself
_SUBCOMMANDS_RE = re.compile(r"\bsub ?commands? ((?:[a-z_][a-z0-9_]{1,})(?:(?:,| and|, and|,? or) [a-z_][a-z0-9_]{1,})+)")
TESTS_RE = r"\b(?:tests?|tested|testing|pytest|unit tests?)\b"
_COMMAND_VERBS = frozenset("add new create list show remove delete rm edit update set get run start stop done".split())
_FUNCTION_STOP = frozenset("with and the some few helper utility useful common basic simple static class".split())
# (request text, pattern over the normalized text, is it met when the project has ...): data, in rows of the
# same shape as languages.py's tables of kinds and languages (a parallel of data, not of logic)
_OPERATIONS: list[tuple[str, str, str | None]] = [
    ("rate limiting", r"\brate ?limit\w*|\bthrottl\w*", None),
    ("CORS", r"\bcors\b", None),
    ("HTTPS / TLS", r"\bhttps\b|\btls\b|\bssl\b", None),
    # a "role" column ("group by role", "(name, role)") asks for no permissions; roles that can do things do
    ("roles and permissions", r"\broles\b|\brole ?based\b|\b\w+ role (?:can|may|must|should|only|has)\b"
     r"|\bonly (?:the )?\w+ role\b|\bwith (?:a |an )?roles?\b|\bpermissions?\b|\badmins? (?:only|can)\b|\brbac\b", None),
    ("encryption", r"\bencrypt\w*", None),
    ("password hashing", r"\bhash\w* passwords?\b|\bpasswords? (?:are |must be |should be )?hash\w*|\bbcrypt\b|\bargon2?\b", "auth"),
    ("a Dockerfile", r"\bdocker\w*\b|\bcontainer\w*\b", None),
    ("deployment", r"\bkubernetes\b|\bk8s\b|\bdeploy(?:ed|ment)? (?:to|on)\b|\bheroku\b|\baws\b|\bgcp\b|\bazure\b", None),
    ("continuous integration", r"\bci\b|\bgithub actions\b|\bpipeline\b", None),
    ("caching", r"\bcach\w+\b", None),
    ("sending email or notifications", r"\bsends? (?:an? )?(?:emails?|notifications?|sms)\b|\bnotif\w+\b|\bemail (?:alerts?|reminders?)\b", None),
    ("file uploads", r"\buploads?\b|\bupload\w*\b|\bimages? (?:upload|storage)\b", None),
    ("payments", r"\bstripe\b|\bpaypal\b|\bpayment (?:gateway|processing|provider)\b|\bcheckout\b", None),
    ("logging", r"\blog(?:ging|s)? (?:every|all|each|requests?)\b|\bstructured logs?\b|\baudit log\b", None),
    ("translations", r"\bi18n\b|\btranslat\w+\b|\bmultilingual\b|\blocali[sz]ation\b", None),
    ("background jobs or scheduling", r"\bcron\b|\bscheduled? (?:jobs?|tasks?)\b|\bbackground (?:jobs?|tasks?|workers?)\b|\bcelery\b", None),
    ("calling external services or APIs", (
        r"\bfetch\w* (?:\w+ ){0,4}from (?:an? |the )?(?:external |third party |public |remote )?"
        r"(?:apis?|services?|web|internet|url)\b|\bthird party apis?\b|\bexternal apis?\b|\bwebhooks?\b"
    ), None),
    ("account e-mail flows (verification, password reset)", (
        r"\bemail verification\b|\bverif\w+ (?:their |the )?emails?\b"
        r"|\bpassword resets?\b|\breset (?:their |the |a )?passwords?\b|\bforgot\w* passwords?\b"
    ), None),
    ("two-factor or social login", (
        r"\btwo factor\b|\b2fa\b|\bmfa\b|\b(?:google|github|facebook|social) (?:login|sign ?in)\b"
        r"|\bsign in with (?:google|github|apple)\b"
    ), None),
    ("records that belong to each user", (
        r"\beach user (?:only )?(?:sees|has|owns|gets|can see)\b|\btheir own\b|\bper user\b|\bowned by\b"
        r"|\bonly (?:the|their) (?:owner|author)\b|\bprivate to\b"
    ), None),
    ("a shopping cart", r"\b(?:shopping )?carts?\b|\bbaskets?\b", None),
    ("making a short code for each link and redirecting it to its URL", (
        r"\b(?:url|link) shorten\w*|\bshort (?:links?|urls?|codes?)\b|\bredirect\w*\b"
    ), None),
    ("SMS or push notifications", r"\bsms\b|\btext messages?\b|\bpush notifications?\b|\breminders?\b", None),
    ("analytics", r"\banalytics\b|\bclick (?:counts?|tracking)\b|\bdashboards?\b", None),
    ("markdown rendering", r"\bmarkdown\b", None),
    ("a user interface", r"\bfrontend\b|\bfront end\b|\bui\b|\buser interface\b|\bweb interface\b", "webpage"),
]


def detailed(b: Builder, text: str, applied: list[Applied]) -> None:
    lowered = text.lower()
    flat = normalize(text).lower()
    for method, path in _ROUTE_RE.findall(text):
        method = method.upper()
        reports = {route_shape(r["path"]): r["entity"] for r in b.spec.options.get("reports") or []}
        nested = re.fullmatch(r"/([a-z_]+)/\{\}/([a-z_]+)", route_shape(path))
        if method == "GET" and route_shape(path) in reports:
            entity = re.escape(reports[route_shape(path)])
            b.add(f"{method} {path}", MET, b.where(paths=rf"(?:routes|reports)\.py$|test_{entity}\.py$"))
        elif _crud_route(b.spec, method, path):
            b.add(f"{method} {path}", MET, b.where(paths=r"routes\.py$|main\.py$"))
        elif nested and b.spec.kind == "rest_api" and is_plural(nested.group(2)) and not all(
                _kept(b.spec, w) for w in nested.groups()):
            missing = human_list([w for w in nested.groups() if not _kept(b.spec, w)])
            b.add(f"{method} {path}", UNMET, [], f"the project keeps no {missing}, so it has no such route")
        elif nested and b.spec.kind == "rest_api" and method == "GET" and is_plural(nested.group(2)):
            b.add(f"{method} {path}", UNMET, [], "the offline generator writes the list of one parent's records at "
                  "GET /<parents>/{id}/<children> only where the children belong to that parent")
        else:
            b.add(f"{method} {path}", UNMET, [], "the offline generator writes each resource's create, list, read, "
                  "update and delete routes, and GET routes that count, total or average a field per another field "
                  "or list records by a true/false or due-date state; it could not read this route as one of them")
    for rule in applied:
        if rule.entities:
            paths = "|".join(re.escape(p) for p in rule.entities)
            routes = r"|(?:routes|reports)\.py$" if rule.routes else ""
            routes += r"|integrity\.py$" if rule.integrity else ""
            b.add(rule.text, MET, b.where(paths=rf"models\.py${routes}|test_({paths})\.py$"))
        else:
            b.add(rule.text, UNMET, [], rule.why_not)
    for match in _UNIQUE_RE.finditer(flat) if b.spec.kind != "rest_api" else ():
        b.add(f"{match.group(1)} must be unique", UNMET, [], "the offline generator does not enforce uniqueness")
    _dropped_fields(b, lowered)
    for option in _OPTION_RE.findall(lowered):
        where = b.where(f'"{option}"', f"'{option}'")
        b.add(f"option {option}", MET if where else UNMET, where,
              None if where else "the command line the offline generator writes has no such option")
    listed: set[str] = set()
    # "`gigs add --venue`, `gigs paid ID`": usage lines of one program name its commands
    usage = re.findall(r"[`'\"]([a-z][\w-]*) ([a-z][\w-]*)", lowered)
    programs = [program for program, _ in usage]
    shown = [", ".join(c for p, c in usage if p == programs[0] and not c.startswith("-"))] if len(usage) >= 2 and len(
        set(programs)) == 1 else []
    # "commands: song add (title, key), setlist new NAME, setlist show NAME": commands of two words, a group and
    # its verb, which the one level of commands written does not have
    for listing in re.findall(r"\b(?:sub ?)?commands?\s*:\s*([^.;\n]+)", lowered):
        items = [item.split() for item in re.split(r",|\band\b", re.sub(r"\([^)]*\)?", "", listing))]
        groups = [words[0] for words in items if len(words) >= 2 and words[1] in _COMMAND_VERBS]
        for words in items:
            if b.spec.kind == "cli" and len(words) >= 2 and words[0] in groups and words[1] in _COMMAND_VERBS:
                listed.add(words[0])
                b.add(f"command {words[0]} {words[1]}", UNMET, [], "the command line the offline generator writes "
                      "has one level of commands, not groups of them")
    for found in (_COMMANDS_RE.findall(lowered) + _COMMANDS_AFTER_RE.findall(lowered) + _SUBCOMMANDS_RE.findall(lowered)
                  + shown):
        for name in re.split(r",? and |, ?|,? or ", found):
            if name in _FUNCTION_STOP or b.spec.kind != "cli" or name in listed:
                continue
            listed.add(name)
            where = b.where(f'add_parser("{name}"')
            b.add(f"command {name}", MET if where else UNMET, where,
                  None if where else "the command-line tool has no such command")
    for pattern in _FUNCTION_RES:
        for name in [n for found in pattern.findall(lowered) for n in re.split(r",? and |, ", found)]:
            if name in _FUNCTION_STOP:
                continue
            where = b.where(f"def {name}(")
            b.add(f"function {name}", MET if where else UNMET, where,
                  None if where else "the offline generator did not write a function of that name")
    parts = recipes.accounted(b.spec.recipe, flat)
    for label, pattern, met_by in _OPERATIONS:
        if label == "markdown rendering" and b.spec.kind == "library":
            continue  # the string helpers' own gaps are the recipe's to say
        if parts and re.search(pattern, parts):
            continue  # "an LRU cache" is a data structure the recipe writes, not caching
        if re.search(pattern, flat):
            met = met_by is not None and (b.spec.has(met_by) or b.spec.kind == met_by)
            if met:
                b.add(label, MET, main_files(b))
            else:
                b.add(label, UNMET, [], "the offline generator does not write this")
    _searches(b, flat)
    _sorts(b, flat)
    like = re.search(r"\blike ([A-Z][\w.]+)", text)
    if like and like.group(1).lower() not in ("python", "json", "csv", "sqlite"):
        b.add(f"like {like.group(1)}", SUBSTITUTED, main_files(b),
              f"a project that keeps the records named, not {like.group(1)}'s behaviour")
    clone = re.search(r"\b(\w+) clone\b", flat)
    if clone:
        b.add(f"a {clone.group(1)} clone", SUBSTITUTED, main_files(b),
              f"a project that keeps the records named, not {clone.group(1)}'s behaviour (feeds, following, "
              "notifications, ...)")
    if re.search(TESTS_RE, flat):
        tests = b.where(paths=r"^tests/")
        b.add("tests", MET if tests else UNMET, tests, None if tests else "no tests were written")
    _unused_list_items(b, flat)


_ITEM_NOISE = frozenset(
    "a an the some any all each every their its my our your basic simple full complete optional proper nice good"
    " clean modern small big new own fields field columns column with".split()
)


def _unused_list_items(b: Builder, flat: str) -> None:
    """An item of a "with ..." list that became no entity, field, feature or section: "a shopping cart"."""
    known = {w for e in b.spec.entities for w in (e.name, e.plural, *(f.name for f in e.fields))}
    known |= {singular(w) for w in known} | {w for s in b.spec.options.get("sections") or [] for w in s.split()}
    if b.spec.recipe == "landing":  # "with client-side validation and nice error messages": its forms' own
        known |= page_sections.LANDING_WORDS
    covered = " ".join(item.text.lower() for item in b.items)
    for match in re.finditer(r"\bwith ([^.;:()]+)", flat):
        # behaviour of a page ("drag and drop", "a lightbox") is the crosscheck's, named whole
        for item in re.split(r",|\band\b|\bor\b", BEHAVIOUR_RE.sub(" ", match.group(1))):
            words = [ascii_letters(w) for w in item.split() if w not in _ITEM_NOISE]
            if not words or len(words) > 3 or not all(w.isalpha() for w in words):
                continue
            if any(w in known or singular(w) in known or w in covered for w in words):
                continue
            if recognised(item) or detail_in(item) or catalog.find_domain(item) or any(
                re.search(rule, item) for rule in FEATURE_RULES.values()
            ):
                continue
            b.add(" ".join(words), UNMET, [], "the offline generator made nothing of it")


def _sorts(b: Builder, flat: str) -> None:
    """ "sorted by score": sorting takes any field of an entity; a field no entity has cannot be sorted on."""
    fields = {f.name for e in b.spec.entities for f in e.fields}
    if b.spec.kind == "data_script" and b.spec.options.get("sort"):
        return  # the script's own "sort by ..." operation says what it sorts on
    for match in re.finditer(r"\b(?:sort|sorted|sorting|order|ordered|rank|ranked) by (?:the |their |its )?(\w+)", flat):
        word = match.group(1)
        if identifier(word) in fields or identifier(singular(word)) in fields or word in ("date", "name", "default"):
            continue
        b.add(match.group(0), UNMET, [], f"no entity has a field {word} to sort on")


def _searches(b: Builder, flat: str) -> None:
    """ "search by ingredient": the search covers each entity's text fields; another field is not searched."""
    text_fields = {f.name for e in b.spec.entities for f in e.fields if f.type == "str"}
    for match in re.finditer(r"\b(?:search|searchable|filter|find)\w* (?:by|for|on|using) (?:the |their |its )?(\w+)", flat):
        word = match.group(1)
        if not b.spec.has("search") or word in ("name", "keyword", "keywords", "text", "title"):
            continue
        if identifier(word) in text_fields or identifier(singular(word)) in text_fields:
            continue
        b.add(match.group(0), UNMET, [], f"the search looks in the text fields ({human_list(sorted(text_fields))}), "
              f"and none of them is {word}")


def _kept(spec: ProjectSpec, word: str) -> bool:
    """Whether the project keeps the records ``word`` names ("samples" are the lab samples)."""
    return spec.entity(word) is not None or any(e.plural.endswith("_" + word) for e in spec.entities)


def _crud_route(spec: ProjectSpec, method: str, path: str) -> bool:
    """Whether ``METHOD /path`` is one of the routes every resource of a generated REST API has."""
    segments = [s for s in path.strip("/").split("/") if s]
    if spec.kind != "rest_api" or not segments or segments[0] not in {e.plural for e in spec.entities}:
        return False
    if len(segments) == 1:
        return method in ("GET", "POST")
    return len(segments) == 2 and bool(re.fullmatch(r"[{<:].*|id", segments[1])) and method in ("GET", "PUT", "PATCH", "DELETE")


def unread_fields(b: Builder, flat: str, named: dict[str, bool]) -> None:
    """Words listed as an entity's fields ("talks with title, speaker and track") that are not among its fields."""
    for entity in b.spec.entities:
        if not named.get(entity.name):
            continue
        words = rf"(?:{re.escape(entity.plural.replace('_', ' '))}|{re.escape(entity.name.replace('_', ' '))})"
        for match in re.finditer(rf"\b{words}\b (?:with|having|has|have|\()\s*([^.;:)]+)", flat):
            fields = {f.name for f in entity.fields}
            entity_words = {w for e in b.spec.entities for w in (e.name, e.plural)}
            for item in re.split(r",|\band\b", ascii_letters(match.group(1))):
                item = re.sub(r"^\s*(?:an? )?(?:list|array|set) of ", "", item)  # "a list of tags": the tags
                tokens = [t for t in item.split() if t not in ("a", "an", "the", "its", "their", "optional")]
                if any(t in entity_words or singular(t) in entity_words or t in ("with", "has", "have", "having")
                       for t in tokens):
                    break  # the next entity's clause: "patients have name, appointments have date"
                if not tokens or len(tokens) > 3 or any(re.search(rule, item) for rule in FEATURE_RULES.values()):
                    continue
                name = "_".join(tokens)
                if name == "id":  # every record has its id
                    continue
                if name in fields or tokens[0] in fields or any(name in f or f in name for f in fields):
                    continue
                values = {identifier(c).split("_")[0] for f in entity.fields for c in f.rules.get("choices", ())}
                if values & set(tokens):
                    continue  # "columns Received, Printing": values of a field (a board's status), no fields
                if (catalog.TYPE_WORDS.get(tokens[0]) and len(tokens) > 1) or b.spec.entity(tokens[-1]) or not name.replace("_", "").isalpha():
                    continue
                if name in METHOD_VERBS:
                    b.add(f"method {name} of {entity.plural}", UNMET, [],
                          "the offline generator writes records with fields, not methods")
                else:
                    b.add(f"field {name} of {entity.plural}", UNMET, [],
                          "the offline generator did not read it as a field")


def _dropped_fields(b: Builder, lowered: str) -> None:
    """snake_case names in the prompt ("recorded_at") that became neither an entity, a field nor an option."""
    known = {w for e in b.spec.entities for w in (e.name, e.plural, *(f.name for f in e.fields))}
    known |= {n for pattern in _FUNCTION_RES for found in pattern.findall(lowered) for n in re.split(r",? and |, ", found)}
    known |= {group for group in [b.spec.options.get("group_by")] if group}
    # a field's choices ("service enum trim|front_shoes|full_set") are values, not fields
    known |= {identifier(str(c)) for e in b.spec.entities for f in e.fields for c in f.rules.get("choices", ())}
    for word in dict.fromkeys(re.findall(r"(?<![\w.-])([a-z][a-z0-9]*(?:_[a-z0-9]+)+)(?![\w(-]|\.\w)", lowered)):
        if word not in known and word.removesuffix(".csv") not in known:
            b.add(f"field {word}", UNMET, [], "the offline generator did not read it as a field of any entity")


def detail_in(sentence: str) -> bool:
    flat = normalize(sentence).lower()
    patterns = [_ROUTE_RE.pattern, _OPTION_RE.pattern, *(p.pattern for p in RELATION_RES), RULE_RE.pattern,
                ACTION_RE.pattern, *(p for _, p, _ in _OPERATIONS)]
    return any(re.search(p, flat if p is not _ROUTE_RE.pattern else sentence, re.IGNORECASE) for p in patterns) or bool(
        catalog.find_domain(flat)
    )
