"""The project spec, and reading a prompt into one.

The spec is everything the renderers need: kind, name, entities with typed
fields, features. It is written into every project as ``codegen.json`` so an
iteration can recover it from the parent's files and apply a follow-up.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field

from codegen.generators.template import catalog
from codegen.generators.template.entities import EntityParser
from codegen.generators.template.words import (
    Token,
    article,
    correct_typo,
    human_list,
    identifier,
    normalize,
    plural,
    singular,
    tokenize,
)

SPEC_FILE = "codegen.json"
SPEC_VERSION = 1

KIND_LABELS = {
    "rest_api": "REST API",
    "cli": "command-line tool",
    "webpage": "static web page",
    "library": "Python library",
    "data_script": "CSV data-processing script",
}
FRAMEWORK_LABELS = {"fastapi": "FastAPI", "flask": "Flask", "aiohttp": "aiohttp"}
FEATURE_LABELS = {"auth": "token auth", "pagination": "pagination", "search": "search", "sorting": "sorting"}
FEATURES = tuple(FEATURE_LABELS)
STORES = ("sqlite", "memory")


@dataclass
class FieldSpec:
    name: str
    type: str = "str"
    required: bool = True


@dataclass
class EntitySpec:
    name: str  # singular identifier: "book", "order_item"
    plural: str  # "books", "order_items": URL segment, table and collection name
    fields: list[FieldSpec]

    def field(self, name: str) -> FieldSpec | None:
        return next((f for f in self.fields if f.name == name), None)


@dataclass
class ProjectSpec:
    kind: str
    title: str
    slug: str
    summary: str
    entities: list[EntitySpec] = field(default_factory=list)
    features: list[str] = field(default_factory=list)
    framework: str | None = None
    store: str | None = None
    recipe: str | None = None
    options: dict = field(default_factory=dict)

    def entity(self, word: str) -> EntitySpec | None:
        """The entity named ``word`` (singular or plural, any case)."""
        name = identifier(word)
        for entity in self.entities:
            if name in (entity.name, entity.plural) or singular(name) == entity.name:
                return entity
        return None

    def has(self, feature: str) -> bool:
        return feature in self.features

    def to_json(self) -> str:
        return json.dumps({"generator": "template", "version": SPEC_VERSION, "spec": asdict(self)}, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> ProjectSpec:
        """The spec stored in a project; ValueError when it is not one of ours."""
        try:
            document = json.loads(text)
            raw = document["spec"]
            if document.get("generator") != "template" or document.get("version") != SPEC_VERSION:
                raise ValueError("written by another generator or version")
            entities = [
                EntitySpec(e["name"], e["plural"], [FieldSpec(**f) for f in e["fields"]]) for e in raw.pop("entities")
            ]
            spec = cls(**raw, entities=entities)
        except (KeyError, TypeError, AttributeError, json.JSONDecodeError) as exc:
            raise ValueError(f"unreadable spec: {exc}") from None
        if spec.kind not in KIND_LABELS:
            raise ValueError(f"unknown kind {spec.kind!r}")
        return spec


@dataclass
class Context:
    """What a kind module may read from the prompt to complete a spec."""

    flat: str  # the prompt's normalized words, space separated
    domain: tuple | None  # catalog.find_domain(flat)
    explicit_fields: bool  # some entity came with its fields ("tasks with title and due_date")
    assumptions: list[str]  # where the kind module says what it assumed

    @property
    def manages_records(self) -> bool:
        """Whether the prompt is about keeping records rather than a utility."""
        return self.explicit_fields or bool(re.search(_MANAGE_RE, self.flat))


_MANAGE_RE = r"\b(?:manag\w*|track\w*|crud|stor(?:e|es|ing)|keep\w*|records?|inventory|catalog\w*)\b"


@dataclass
class Plan:
    """A spec and what was assumed to get it, for the plan message."""

    spec: ProjectSpec
    assumptions: list[str] = field(default_factory=list)


def make_entity(
    name: str, fields: list[tuple[str, str, bool]] | None = None, *, project_entities: set[str] | None = None
) -> EntitySpec:
    """An entity with the given fields, else the catalog's defaults.

    Default ``<entity>_id`` fields are kept only when ``project_entities``
    (singular names) holds that entity: a comment has a ``post_id`` in a blog,
    not in a task list.
    """
    name = identifier(singular(name))
    if fields is None:
        fields = catalog.default_fields(name)
        if project_entities is not None:
            linked = [f for f in fields if not f[0].endswith("_id") or f[0][:-3] in project_entities]
            fields = linked or fields
    return EntitySpec(name=name, plural=plural(name), fields=[FieldSpec(*f) for f in fields])


# -- reading a prompt ----------------------------------------------------------

# words worth repairing when misspelled: they decide kind, framework and features
_VOCABULARY = sorted(
    set(
        "authentication authenticate authenticated authorization pagination paginated paginate endpoint endpoints"
        " fastapi flask aiohttp command library module package script website webpage database sqlite search"
        " sorting resource resources restful register login password manage management tracker tracking"
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
    ],
    "webpage": [
        (r"\b(?:webpage|landing page|html|css|static site|static page|home ?page|single page|spa)\b", 4),
        (r"\b(?:website|web app|web application|browser|frontend|javascript|js|portfolio|react|vue)\b", 3),
        (r"\b(?:ui|dashboard|page|game)\b", 1),
    ],
    "library": [
        (r"\b(?:python|small|reusable|utility|helper) (?:library|module|package)\b|\blibrary (?:for|that|to|of|which)\b", 5),
        (r"\b(?:sdk|reusable|importable|utility functions|helper functions|module|package)\b", 2),
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
_OTHER_LANGUAGES = r"\b(?:in|using|with) (typescript|go|golang|java|rust|ruby|php|c#|kotlin|node)\b"

FEATURE_RULES = {
    "auth": r"\b(?:auth|authentication|authenticated|authenticate|authorization|authorisation|login|signin|signup"
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
    from codegen.generators.template import kinds  # the kinds import spec: late import

    text = "\n".join([prompt, *(additional_requirements or [])])
    tokens = corrected_tokens(normalize(text))
    flat = " ".join(t.text for t in tokens)
    assumptions: list[str] = []

    drafts = EntityParser(tokens).parse()
    kind = _kind(flat, assumptions)
    domain = catalog.find_domain(flat)
    spec = ProjectSpec(kind=kind, title="", slug="", summary=_summary(prompt))
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
    _other_language(flat, assumptions)
    kinds.complete(spec, Context(flat, domain, any(d.fields for d in drafts), assumptions))
    spec.title = _title(text, spec, domain)
    spec.slug = identifier(spec.title) or "project"
    return Plan(spec=spec, assumptions=assumptions)


def default_entities(spec: ProjectSpec, context: Context, *, what: str) -> None:
    """Entities for a prompt that names none: the domain's usual ones, else items."""
    domain, assumptions = context.domain, context.assumptions
    if spec.entities:
        return
    if domain:
        spec.entities = [make_entity(name, project_entities=set(domain[1])) for name in domain[1]]
        names = human_list([e.plural for e in spec.entities])
        assumptions.append(f"no {what} named; assumed {names} for {article(domain[0].lower())} project")
    else:
        spec.entities = [make_entity("item")]
        fields = human_list([f.name for f in spec.entities[0].fields])
        assumptions.append(f"no {what} named; assumed items with {fields}")


def corrected_tokens(normalized: str) -> list[Token]:
    """The tokens of normalized text, with misspelt keywords repaired ("authentcation")."""
    known = frozenset(catalog.ENTITY_FIELDS) | frozenset(catalog.TYPE_WORDS)
    repaired = []
    for token in tokenize(normalized):
        fixed = correct_typo(token.text, _VOCABULARY, known=known) if token.is_word else token.text
        repaired.append(token if fixed == token.text else Token(fixed, token.raw))
    return repaired


def _kind(flat: str, assumptions: list[str]) -> str:
    scores = {kind: sum(weight for pattern, weight in rules if re.search(pattern, flat)) for kind, rules in _KIND_RULES.items()}
    best = max(_KIND_ORDER, key=lambda kind: (scores[kind], -_KIND_ORDER.index(kind)))
    if scores[best] > 0:
        return best
    for pattern, kind in _GENERIC_KIND_WORDS:
        if re.search(pattern, flat):
            if kind == "cli" and re.search(r"\bscript\b", flat) and re.search(r"\b(?:data|rows|columns|report)\b", flat):
                kind = "data_script"
            assumptions.append(f"the prompt names no kind of project; assumed a {KIND_LABELS[kind]}")
            return kind
    assumptions.append("the prompt names no kind of project; assumed a REST API")
    return "rest_api"


def _framework(flat: str, assumptions: list[str]) -> str:
    for pattern, framework in FRAMEWORK_RULES:
        if re.search(pattern, flat):
            return framework
    other = re.search(_OTHER_FRAMEWORKS, flat)
    if other:
        assumptions.append(f"{other.group(1)} is not available offline; used FastAPI")
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



def _other_language(flat: str, assumptions: list[str]) -> None:
    other = re.search(_OTHER_LANGUAGES, flat)
    if other:
        assumptions.append(f"wrote Python, not {other.group(1)}: the template generator writes Python projects")


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
    from codegen.generators.template import kinds

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
    recipe_title = kinds.recipe_title(spec)
    if recipe_title:
        return recipe_title if spec.kind in ("library", "webpage") else f"{recipe_title} {suffix}"
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


_TITLE_SUFFIXES = {"rest_api": "API", "cli": "CLI", "webpage": "Page", "library": "Library", "data_script": "Report"}
# "a landing page for my bakery" -> "bakery"
_FOR_RE = re.compile(
    r"\bfor (?:a |an |the |my |our |your |his |her |their )?(?:small |local |new )?"
    r"(?!(?:a|an|the|my|our|managing|tracking|storing|handling|each|every|all|users?|people|me|us|it)\b)([a-z]{3,}(?: (?:shop|store|studio|club|company|agency|cafe))?)\b"
)
