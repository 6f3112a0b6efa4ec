"""How one field of a list is read: its name, a type written before or after it ("an integer stock", "delta int",
"price (float)", "price: decimal") and a link written "product FK" (mixed into ``EntityParser``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from codegen.generators.template import catalog
from codegen.generators.template.entity_drafts import FieldDraft
from codegen.generators.template.entity_words import MODIFIERS, OPTIONAL_WORDS, SEPARATORS, TERMINATOR_WORDS
from codegen.generators.template.words import is_plural

if TYPE_CHECKING:  # entities.py imports this module
    from codegen.generators.template.entities import _Item

# type words that are never the last word of a field's name ("delta int", "unit_price decimal"), unlike "date"
# ("due date") or "number" ("phone number")
_TYPE_NAMES = frozenset("string str varchar int integer float double decimal numeric bool boolean datetime timestamp".split())


class FieldItems:
    """The reading of one field (mixed into ``EntityParser``, which gives ``_text`` and ``_item``)."""

    def _field_item(self, index: int) -> _Item | None:
        type_hint = None
        # "an integer priority", "a boolean done flag"
        lookahead = index
        while self._text(lookahead) in MODIFIERS or self._text(lookahead) in OPTIONAL_WORDS:
            lookahead += 1
        hinted = self._text(lookahead)
        following = self._text(lookahead + 1)
        named_after = following[:1].isalpha() and following not in SEPARATORS and following not in TERMINATOR_WORDS
        if hinted in catalog.TYPE_WORDS and named_after:
            type_hint = catalog.TYPE_WORDS[hinted]
        item = self._item(index, with_fields=False)
        if item is None:
            return None
        if type_hint:
            item.words = item.words[item.words.index(hinted) + 1 :] if hinted in item.words else item.words
        elif len(item.words) > 1 and item.words[-1] in catalog.TYPE_WORDS and (
                "_" in item.words[-2] or item.words[-1] in _TYPE_NAMES):
            # "applied_on date": a name already written as an identifier, then its type; "delta int": a type's name
            type_hint = catalog.TYPE_WORDS[item.words[-1]]
            item.words = item.words[:-1]
        elif len(item.words) > 1 and item.words[-1] == "fk":
            # "product FK": the link to a product
            written_id = item.words[-2] == "id" or item.words[-2].endswith("_id")  # "horse_id FK" is horse_id
            type_hint, item.words = "int", [*item.words[:-1], *([] if written_id else ["id"])]
        item.type_hint = type_hint or self._type_suffix(item)
        # "skills (tags)", "remarks (optional)": a note on the field
        note = self._note(item.end, item.words[-1]) if item.words else None
        if note is not None:
            item.optional = item.optional or any(self._text(at) in OPTIONAL_WORDS for at in range(item.end, note))
            item.end, item.noted = note, True
        return item if item.words else None

    def _type_suffix(self, item: _Item) -> str | None:
        """``price (float)``, ``price: float``, ``price as a number``, ``due (date)``."""
        index = item.end
        text = self._text(index)
        if text == "(" and self._text(index + 2) == ")" and self._text(index + 1) in catalog.TYPE_WORDS:
            item.end = index + 3
            return catalog.TYPE_WORDS[self._text(index + 1)]
        if text in (":", "as") or (text == "of" and self._text(index + 1) == "type"):
            look = index + 1
            while self._text(look) in ("a", "an", "type"):
                look += 1
            if self._text(look) in catalog.TYPE_WORDS:
                item.end = look + 1
                return catalog.TYPE_WORDS[self._text(look)]
        return None

    def _field_like(self, fields: list[FieldDraft]) -> bool:
        """Whether a ``with`` list reads as fields rather than more entities."""
        fieldish = sum(
            1
            for f in fields
            if not is_plural(f.name) or f.name in catalog.OPTIONAL_NAMES or catalog.guess_type(f.name) != "str"
        )
        return fieldish * 2 > len(fields)
