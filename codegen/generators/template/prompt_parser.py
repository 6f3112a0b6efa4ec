"""Reading a prompt (and its additional requirements) into a project spec."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from codegen.generators.template import catalog, foreign_keys, kinds, report_routes, rules
from codegen.generators.template.entities import EntityParser
from codegen.generators.template.entity_text import for_entities
from codegen.generators.template.model import FEATURES, KIND_LABELS, Context, ProjectSpec, make_entity
from codegen.generators.template.recipes import RECIPES
from codegen.generators.template.words import (
    Token, correct_typo, identifier, normalize, rule_owners, singular, tokenize,
)


@dataclass
class Plan:
    """A spec and what was assumed to get it, for the plan message."""

    spec: ProjectSpec
    assumptions: list[str] = field(default_factory=list)
    # what the prompt itself named, for the requirements checklist (the rest was assumed)
    kind_named: bool = True
    entities_named: dict[str, bool] = field(default_factory=dict)  # entity -> whether its fields were named
    rules: list[rules.Applied] = field(default_factory=list)  # validation rules and relations, applied or not


MAX_ENTITIES = 12  # a generated project stays small enough to read

# -- reading a prompt ----------------------------------------------------------

# words worth repairing when misspelled: they decide kind, framework and features
_VOCABULARY = sorted(
    set(
        "authentication authenticate authenticated authorization pagination paginated paginate endpoint endpoints"
        " fastapi flask aiohttp command library module package script website webpage database sqlite search"
        " sorting resource resources restful register login password manage managing management tracker tracking"
        " inventory application interface terminal browser frontend backend javascript python memory"
        " persistent storage calculator converter temperature statistics validation generator landing"
        " portfolio spreadsheet process processing aggregate average columns fields create build simple".split()
    )
)

_KIND_RULES: dict[str, list[tuple[str, int]]] = {
    "rest_api": [
        (r"\b(?:fastapi|flask|aiohttp|django|express|starlette|sanic|tornado|quart)\b", 4),
        (r"\b(?:apis?|rest|restful|endpoints?|crud|graphql|openapi|swagger)\b", 3),
        (r"\b(?:backend|microservices?|web ?services?|http|server|json api)\b", 2),
    ],
    "cli": [
        (r"\b(?:cli|command line|argparse|click|typer|subcommands?)\b", 4),
        (r"\b(?:terminal|console|shell)\b", 2),
        # a report on a server's access logs is a command's (the access_log recipe)
        (r"\b(?:access logs?|(?:nginx|apache) logs?|log (?:parser|analy[sz]er))\b", 5),
    ],
    "webpage": [
        (r"\b(?:webpage|landing page|html|css|static site|static page|home ?page|single page)\b", 4),
        # a program in the browser: data kept in the browser, dragged cards, a kanban board
        (r"\b(?:local_?storage|session_?storage|drag (?:and|n) drop|kanban)\b", 4),
        # what only a page has: a form's client-side checks, a lightbox, lazy loading
        (r"\b(?:(?:signup|sign up|login|contact|registration|checkout) forms?|client side|lightbox|lazy loading"
         r"|image gallery|photo gallery)\b", 4),
        # a front-end framework's component is a page's part, whatever it fetches from "/api/..."
        (r"\b(?:react|vue|svelte|angular) components?\b", 4),
        (r"\b(?:website|web app|web application|browser|frontend|front end|javascript|js|portfolio|react|vue|svelte"
         r"|angular|tailwind)\b", 3),
        (r"\b(?:ui|dashboard|page|game|web)\b", 1),
    ],
    "library": [
        (r"\b(?:python|small|reusable|utility|helper) (?:library|lib|module|package)\b", 5),
        (r"\blibrary (?:for|that|to|of|which)\b", 5),
        (r"\b(?:sdk|lib|reusable|importable|utility functions|helper functions|module|package)\b", 2),
        (r"\b(?:python )?class(?:es)? (?:for|that|to|with|representing|in python)\b", 3),
        # "write a function that ...", "a python function to ...": a library of the function (a recipe's)
        (r"\b(?:python )?functions? (?:that|to|which|for|called|named|returning)\b", 3),
    ],
    "data_script": [
        (r"\b(?:csv|tsv|etl|spreadsheets?|excel|xlsx|pandas|dataset)\b", 4),
        (r"\b(?:data processing|data pipeline|data analysis|data cleaning|process data|aggregat\w+|log files?)\b", 3),
    ],
}
# on a tie the earlier kind wins: an API that imports CSV is still an API
_KIND_ORDER = ("rest_api", "data_script", "cli", "library", "webpage")
_GENERIC_KIND_WORDS = [
    (r"\b(?:tool|utility|program)\b", "cli"),
    (r"\bscript\b", "cli"),
    (r"\b(?:app|application|system|platform|service|manager|tracker|backend)\b", "rest_api"),
]

FRAMEWORK_RULES = [
    (r"\bflask\b", "flask"),
    (r"\baiohttp\b", "aiohttp"),
    (r"\bfastapi\b", "fastapi"),
]
_OTHER_FRAMEWORKS = r"\b(django|express|node(?:\.?js)?|spring|rails|laravel|gin|sanic|tornado|starlette|quart|bottle|nestjs)\b"
_FRAMEWORK_NAMES = {"node": "Node.js", "nodejs": "Node.js", "node.js": "Node.js", "nestjs": "NestJS", "express": "Express"}

FEATURE_RULES = {
    "auth": r"\b(?:auth|authentication|authenticated|authenticate|authorization|authorisation"
    # "signup date", "login count", "last login": a field of when or how often, not a request to log in
    r"|(?<!last )(?<!last_)(?<!first )(?:login|signin|signup|sign up|log in|sign in)(?![ _]?(?:date|dates|time|times"
    r"|timestamp|at|on|day|count|counts|ip|streak|history|attempts?|source|year|month)\b)"
    r"|jwt|oauth2?|bearer|access tokens?|token based|token auth\w*|api keys?|user accounts|user registration)\b"
    r"|\busers? (?:can |must |should |will )?(?:register|sign up)\b"
    r"|\bpassword protected\b|\bprotected (?:routes|endpoints)\b",
    "pagination": r"\b(?:paginat\w*|paging|paged|offset|limit and offset|page size)\b",
    "search": r"\b(?:search\w*|filter\w*|find by|query by|lookup)\b",
    "sorting": r"\b(?:sort\w*|ordering|order(?:ed)? by)\b",
}
STORE_RULES = [
    (r"\b(?:in memory|no database|without a database|without database|dict)\b", "memory"),
    (r"\bsqlite\b", "sqlite"),
]
_OTHER_DATABASES = r"\b(postgres\w*|mysql|mariadb|mongo\w*|redis|dynamodb|oracle|sql server|mssql|cassandra)\b"
_NAME_RE = re.compile(r"\b(?:called|named|name it|titled)\s+[\"']?([a-z][a-z0-9_]*(?:[ -][a-z][a-z0-9_]*){0,2})")
_NAME_STOP = frozenset("that which with for and to the a an in using".split())


def parse_prompt(prompt: str, additional_requirements: list[str] | None = None) -> Plan:
    """Read a prompt (and its additional requirements) into a spec."""
    text = "\n".join([prompt, *(additional_requirements or [])])
    tokens = corrected_tokens(normalize(text))
    flat = " ".join(t.text for t in tokens)
    assumptions: list[str] = []

    # "a route that lists overdue invoices" names a route, not an entity overdue_invoices
    drafts = EntityParser(corrected_tokens(
        normalize(for_entities(report_routes.without_routes(text)), said_rules=False))).parse()
    kind = _kind(flat, assumptions)
    domain = catalog.find_domain(flat)
    spec = ProjectSpec(kind=kind, title="", slug="", summary=_summary(prompt))
    if len(drafts) > MAX_ENTITIES:
        kept = ", ".join(d.name for d in drafts[:MAX_ENTITIES])
        assumptions.append(f"kept the first {MAX_ENTITIES} of {len(drafts)} entities ({kept})")
        drafts = drafts[:MAX_ENTITIES]
    names = {d.name for d in drafts}
    spec.entities = [
        make_entity(d.name, [(f.name, f.type, f.required) for f in d.fields] if d.fields else None, project_entities=names)
        for d in drafts
    ]
    if kind == "rest_api":
        spec.framework = _framework(flat, assumptions)
        spec.store = _store(flat, assumptions)
        spec.features = [name for name in FEATURES if re.search(FEATURE_RULES[name], flat)]
    elif kind == "cli":
        spec.features = [name for name in ("pagination", "search", "sorting") if re.search(FEATURE_RULES[name], flat)]
        # the options a record manager's list command has, named in the prompt, ask for their feature
        options = set(re.findall(r"(?<![\w-])--([a-z][\w-]*)", text.lower()))
        for feature, names in _CLI_OPTION_FEATURES.items():
            if options & names and feature not in spec.features:
                spec.features.append(feature)
        spec.features.sort(key=FEATURES.index)
    kinds.of(spec).complete(spec, Context(flat, domain, any(d.fields for d in drafts), assumptions, text))
    owners = rule_owners(text)  # "Client (name, email unique)": the rule is the clients'
    applied = report_routes.apply_nested(spec, text)  # "Guests under /weddings/{id}/guests": before the relations
    applied += foreign_keys.apply_foreign_keys(spec, flat)  # "owner FK Member": before the relations add parents
    applied += rules.apply_relations(spec, flat) + rules.apply_rules(spec, flat, owners) + rules.apply_actions(spec, flat)
    applied += report_routes.apply_uniqueness(spec, normalize(text), owners) + report_routes.apply_reports(spec, text)
    spec.title = _title(text, spec, domain)
    spec.slug = identifier(spec.title) or "project"
    kind_named = not any(a.startswith("the prompt names no kind") for a in assumptions)
    named = {d.name: bool(d.fields) for d in drafts}
    return Plan(spec=spec, assumptions=assumptions, kind_named=kind_named, entities_named=named, rules=applied)


def corrected_tokens(normalized: str) -> list[Token]:
    """The tokens of normalized text, with misspelt keywords repaired ("authentcation")."""
    known = frozenset(catalog.ENTITY_FIELDS) | frozenset(catalog.TYPE_WORDS)
    repaired = []
    for token in tokenize(normalized):
        # a plural of a known word ("temperatures") is not a misspelling of it
        exact = not token.is_word or singular(token.text) in _VOCABULARY
        fixed = token.text if exact else correct_typo(token.text, _VOCABULARY, known=known)
        repaired.append(token if fixed == token.text else Token(fixed, token.raw))
    return repaired


_CLI_OPTION_FEATURES = {"pagination": {"limit", "offset"}, "search": {"search"}, "sorting": {"sort", "desc"}}


def kind_scores(flat: str) -> dict[str, int]:
    """How strongly the normalized text names each kind of project."""
    return {kind: sum(weight for pattern, weight in rules if re.search(pattern, flat)) for kind, rules in _KIND_RULES.items()}


def recognised(flat: str) -> bool:
    """Whether the normalized text names anything the parser reads: a kind, framework, feature, store or utility."""
    patterns = [
        *(pattern for rules in _KIND_RULES.values() for pattern, _ in rules),
        *(pattern for pattern, _ in [*_GENERIC_KIND_WORDS, *FRAMEWORK_RULES, *STORE_RULES]),
        _OTHER_FRAMEWORKS, _OTHER_DATABASES, *FEATURE_RULES.values(), *(r.pattern for r in RECIPES.values()),
    ]
    return any(re.search(pattern, flat) for pattern in patterns)


# a request for code, not for an explanation ("explain how quicksort works")
_ASKS_FOR_CODE = r"\b(?:write|implement|code|create|make|build|generate|program|need|want|give me|functions?|class(?:es)?|python)\b"


def _kind(flat: str, assumptions: list[str]) -> str:
    scores = kind_scores(flat)
    best = max(_KIND_ORDER, key=lambda kind: (scores[kind], -_KIND_ORDER.index(kind)))
    if scores[best] > 0:
        return best
    for pattern, kind in _GENERIC_KIND_WORDS:
        if re.search(pattern, flat):
            if kind == "cli" and re.search(r"\bscript\b", flat) and re.search(r"\b(?:data|rows|columns|report)\b", flat):
                kind = "data_script"
            assumptions.append(f"the prompt names no kind of project; assumed a {KIND_LABELS[kind]}")
            return kind
    for recipe in RECIPES.values():  # "write fizzbuzz in python": the function it names, in a library
        if recipe.assumed_kind and re.search(recipe.pattern, flat) and re.search(_ASKS_FOR_CODE, flat):
            label = KIND_LABELS[recipe.assumed_kind]
            assumptions.append(f"the prompt names no kind of project; assumed a {label} ({recipe.title.lower()})")
            return recipe.assumed_kind
    assumptions.append("the prompt names no kind of project; assumed a REST API")
    return "rest_api"


# _framework and _store read alike on purpose: a rule table, else an unsupported name to flag, else the default
def _framework(flat: str, assumptions: list[str]) -> str:
    for pattern, framework in FRAMEWORK_RULES:
        if re.search(pattern, flat):
            return framework
    other = re.search(_OTHER_FRAMEWORKS, flat)
    if other:
        name = _FRAMEWORK_NAMES.get(other.group(1), other.group(1).capitalize())
        assumptions.append(f"the template generator does not write {name}; used FastAPI")
    return "fastapi"


def _store(flat: str, assumptions: list[str]) -> str:
    for pattern, store in STORE_RULES:
        if re.search(pattern, flat):
            return store
    other = re.search(_OTHER_DATABASES, flat)
    if other:
        assumptions.append(f"used SQLite in place of {other.group(1)} (no server needed to run the tests)")
    else:
        assumptions.append("assumed SQLite store")
    return "sqlite"



def _summary(prompt: str) -> str:
    """The prompt's first sentence, made safe for Markdown and docstrings."""
    first = re.split(r"(?<=[.!?])\s|\n", prompt.strip(), maxsplit=1)[0]
    first = re.sub(r"[^\w\s,;:()'/&+%.-]", "", first)
    first = " ".join(first.split())
    if len(first) > 160:
        first = first[:157].rsplit(" ", 1)[0] + "..."
    first = first.rstrip(".").replace("...", " and more")
    return (first[:1].upper() + first[1:]) if first else "A generated project"


def _title(text: str, spec: ProjectSpec, domain: tuple | None) -> str:
    normalized = normalize(text).lower()
    named = _NAME_RE.search(normalized)
    if named:
        words = []
        for word in re.split(r"[ -]", named.group(1)):
            if word in _NAME_STOP:
                break
            words.append(word)
        if words:
            return " ".join(w.capitalize() for w in words)
    suffix = _TITLE_SUFFIXES[spec.kind]
    if spec.kind == "webpage" and spec.recipe is None:
        suffix = "App"
    recipe_title = kinds.of(spec).recipe_title(spec)
    if recipe_title:
        return recipe_title if spec.kind in ("library", "webpage") else f"{recipe_title} {suffix}"
    whom = _LANDING_FOR_RE.search(normalized) if spec.recipe == "landing" else None
    if whom:  # "a landing page for a yoga studio with ... photos": the yoga studio's page, whatever it shows
        return f"{whom.group(1).strip().title()} {suffix}"
    if domain:
        return f"{domain[0]} {suffix}"
    subject = _FOR_RE.search(normalized)
    if subject and (spec.recipe == "landing" or not spec.entities):
        return f"{subject.group(1).title()} {suffix}"
    if spec.entities:
        entity = spec.entities[0]
        noun = entity.plural if spec.kind == "data_script" else entity.name
        return f"{noun.replace('_', ' ').title()} {suffix}"
    return f"{subject.group(1).title()} {suffix}" if subject else f"Generated {suffix}"


# a landing page's subject: "for a yoga studio", "for a ceramic artist", "for a community astronomy night" (up to
# three words, until punctuation or a word that starts what the page holds)
_LANDING_FOR_RE = re.compile(
    r"\bfor (?:a |an |the |my |our |your |his |her |their )?(?:small |local |new )?"
    r"((?:(?!(?:a|an|the|my|our|with|and|or|that|which|where|who|to|in|on|at|of|by|from|showing|featuring|including"
    r"|managing|tracking|each|every|all|users?|people|me|us|it)\b)[a-z]{2,}(?: |(?=[\s,.:;!?()]|$))){1,3})"
)
_TITLE_SUFFIXES = {"rest_api": "API", "cli": "CLI", "webpage": "Page", "library": "Library", "data_script": "Report"}
# "a landing page for my bakery" -> "bakery"
_FOR_RE = re.compile(
    r"\bfor (?:a |an |the |my |our |your |his |her |their )?(?:small |local |new )?"
    r"(?!(?:a|an|the|my|our|managing|tracking|storing|handling|each|every|all|users?|people|me|us|it)\b)"
    r"([a-z]{3,}(?: (?:shop|store|studio|club|company|agency|cafe))?)\b"
)
