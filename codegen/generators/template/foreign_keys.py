"""Foreign keys written beside a field: "owner FK Member", "winner foreign key to Player".

The entity parser reads the field as ``owner_id`` (entity_text.py); here the link is made: the field points at
the records named after FK (added to the project when the prompt names them nowhere else, as a relation's parent
is), recorded in ``spec.options["references"]`` when the field is not named after them (``owner_id`` -> members),
and the generated API checks it as it checks any ``<parent>_id`` (kinds/rest_integrity.py).
"""

from __future__ import annotations

import re

from codegen.generators.template import catalog
from codegen.generators.template.model import ProjectSpec, make_entity
from codegen.generators.template.rules import Applied
from codegen.generators.template.words import identifier, singular

FOREIGN_KEY_RE = re.compile(r"\b([a-z]\w*) (?:fk|foreign key)(?: to| references?| on| ->)? ([a-z]\w*)\b")
# words after FK that name no records: "product FK and quantity", "owner FK required"
NOT_TARGETS = frozenset(
    "and or not to unique required optional nullable int integer with the a an of for in on is are".split()
)


def apply_foreign_keys(spec: ProjectSpec, flat: str) -> list[Applied]:
    """The link of each "<field> FK <records>" of the prompt, applied or said why not."""
    applied: list[Applied] = []
    if not spec.entities or spec.kind == "data_script" or spec.recipe:  # as rules.apply_relations
        return applied
    for match in FOREIGN_KEY_RE.finditer(flat):
        name, target = match.groups()
        if target in NOT_TARGETS:
            continue
        link = name if name == "id" or name.endswith("_id") else f"{identifier(name)}_id"
        child = next((e for e in spec.entities if e.field(link)), None)
        parent = spec.entity(target)
        if child is None:
            applied.append(Applied(match.group(0), (), f"no entity has a field {link}"))
            continue
        if parent is None:
            parent_name = identifier(singular(target))
            if len(parent_name) < 3 or parent_name in catalog.TYPE_WORDS:
                applied.append(Applied(match.group(0), (), f"{target} is not an entity"))
                continue
            parent = make_entity(parent_name, project_entities={e.name for e in spec.entities})
            spec.entities.append(parent)
        if parent is child:
            applied.append(Applied(match.group(0), (), "a link to records of the same kind is not supported"))
            continue
        child.field(link).type = "int"
        if link != f"{parent.name}_id":
            spec.options.setdefault("references", {}).setdefault(child.plural, {})[link] = parent.name
        applied.append(Applied(match.group(0), (child.plural, parent.plural)))
    return applied
