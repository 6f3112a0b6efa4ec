"""What the entity parser hands back: entities and their fields as drafts, one per record type."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class FieldDraft:
    name: str
    type: str
    required: bool


@dataclass
class EntityDraft:
    name: str  # singular identifier
    fields: list[FieldDraft] | None = None  # None: not given in the prompt
    position: int = 0


def one_per_head(drafts: list[EntityDraft]) -> list[EntityDraft]:
    """One entity where a compound and its head noun name the same records: "track my gym workouts. each
    workout has a date" is workouts (the fields go with the head), "stock movements (in/out) ... lists
    movements" is stock movements (the first, more specific name, when neither has fields)."""
    dropped: set[str] = set()
    for compound in drafts:
        for head in drafts:
            if compound is head or not compound.name.endswith("_" + head.name) or compound.fields:
                continue
            if head.fields:
                dropped.add(compound.name)
                head.position = min(head.position, compound.position)
            else:
                dropped.add(head.name)
    return [d for d in drafts if d.name not in dropped]
