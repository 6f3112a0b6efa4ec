"""The project spec: what the renderers need, and what ``codegen.json`` stores.

Kind, name, entities with typed fields, features. Written into every project
so an iteration can recover it from the parent's files and apply a follow-up.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field

from codegen.generators.template import catalog
from codegen.generators.template.words import article, human_list, identifier, plural, singular

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


@dataclass
class FieldSpec:
    name: str
    type: str = "str"
    required: bool = True
    # checks the prompt asked for (rules.py): ge, gt, le, lt, min_length, max_length, choices, default
    rules: dict = field(default_factory=dict)


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
        spec = asdict(self)
        for entity in spec["entities"]:
            for f in entity["fields"]:
                if not f["rules"]:
                    del f["rules"]  # most fields have none: codegen.json stays as it was before rules
        return json.dumps({"generator": "template", "version": SPEC_VERSION, "spec": spec}, indent=2) + "\n"

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
    text: str = ""  # the prompt as written (values keep their case: "where country is Germany")

    @property
    def manages_records(self) -> bool:
        """Whether the prompt is about keeping records rather than a utility."""
        return self.explicit_fields or self.names_management

    @property
    def names_management(self) -> bool:
        """Whether the prompt speaks of managing, tracking or storing records."""
        return bool(re.search(_MANAGE_RE, self.flat))


_MANAGE_RE = r"\b(?:manag\w*|track\w*|crud|stor(?:e|es|ing)|keep\w*|records?|inventory|catalog\w*)\b"


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
