"""Words the entity parser meets that name no records, and lists that name records without a trigger word.

- "for a dog groomers where ...": an article before a plural is a business named with its possessive dropped;
- "a rental program for kids": who a program is for, after "for" that follows no kind of project;
- "an appointment book", "a training diary": a container named after the records it holds is no record;
- "a member can have max 3 loans": a limit before a number is no field;
- "trim whitespace, normalize phone numbers": operations on data are no columns;
- "Notebook: Pet (name, kind), Visit (...)": records named with their fields after a colon are no fields of the
  noun before it;
- "una escuela de idiomas: alumnos, cursos (...), inscripciones": plural names after a colon are records, never
  fields of the noun before it, in any language;
- "skills (tags)", "price (in cents)": a bracket of a few words after a field is a note on it, never fields;
- "members, tools, loans.": a sentence that is only a list of plural nouns lists records.
"""

from __future__ import annotations

import re

from codegen.generators.template.entity_words import (
    AUDIENCE_WORDS,
    AUX,
    CHOICE_LABELS,
    CONTAINER_NOUNS,
    DOING_VERBS,
    KIND_WORDS,
    LIMIT_WORDS,
    LIST_TRIGGERS,
    MODIFIERS,
    NEVER_RECORDS,
    PAGE_WORDS,
    SEPARATORS,
    TERMINATOR_WORDS,
    VIEW_NOUNS,
)
from codegen.generators.template import catalog
from codegen.generators.template.words import Token, is_plural, singular

_AGENT_RE = re.compile(r"(?:er|or|ist|ian)s$")  # who does something: setters, navigators, florists
_SENTENCE_ENDS = frozenset({".", ";", "!", "?", "\n", ""})


class EntityGuards:
    """Checks the parser makes before taking words as an entity or a field (mixed into ``EntityParser``)."""

    tokens: list[Token]

    def _text(self, index: int) -> str:
        return self.tokens[index].text if 0 <= index < len(self.tokens) else ""

    def _business(self, item) -> bool:
        """"a dog groomers where ...": an article right before a plural name, then a clause (not a list or a kind)."""
        return (self._text(item.start) in ("a", "an") and self._text(item.start + 1) == item.words[0]
                and is_plural(item.words[-1]) and not item.words[-1].endswith("ss")
                and self._text(item.end) in TERMINATOR_WORDS)

    def _audience(self, start: int, item) -> bool:
        """"a violin rental program for kids": who it is for, unless the kind of project stands before "for"; "a
        page for our dog walkers showing ...": who a page serves."""
        if self._text(start - 1) != "for":
            return False
        if item.words[-1] in AUDIENCE_WORDS and self._text(start - 2) not in KIND_WORDS:
            return True
        # "a React page for our route setters showing a grid of routes": people a page serves, alone after "for"
        head = item.words[-1]
        return (self._text(start - 2) in PAGE_WORDS and not item.fields and self._text(item.end) not in SEPARATORS
                and bool(_AGENT_RE.search(head)) and singular(head) not in catalog.ENTITY_FIELDS)

    def _viewed(self, index: int) -> bool:
        """"a grid of routes with hold color": records a page shows, even a word that is generic elsewhere."""
        return self._text(index - 1) == "of" and self._text(index - 2) in VIEW_NOUNS

    def _choices(self, start: int) -> bool:
        """"(categorie: fiets, elektrisch, overig)", "status enum: open, closed": the values of the field labelled
        before the colon that ends at ``start``, never records."""
        at = start - 2 - (self._text(start - 2) == "enum")
        return self._text(start - 1) == ":" and self._text(at) in CHOICE_LABELS

    def _container(self, index: int) -> bool:
        """"an appointment book": a container noun after a noun that qualifies it."""
        before = self._text(index - 1)
        return (self._text(index) in CONTAINER_NOUNS and before.isalpha() and before not in MODIFIERS
                and before not in TERMINATOR_WORDS and before not in LIST_TRIGGERS and before not in DOING_VERBS
                and before not in SEPARATORS and before not in AUX)

    def _limit(self, item) -> bool:
        """"max 3 active loans", "up to 5 photos": a limit, never a field."""
        after = self._text(item.end)
        return item.words[-1] in LIMIT_WORDS and (after[:1].isdigit() or (item.words[-1] == "up" and after == "to"))

    def _records_after_colon(self, index: int) -> bool:
        """"...'s book: Horse (name, breed), Visit (...)": a capitalised name with a bracketed list after ":"."""
        at = index + 1
        while self._text(at) in MODIFIERS:
            at += 1
        if at >= len(self.tokens) or not self.tokens[at].raw[:1].isupper() or self._text(at + 1) != "(":
            return False
        inside = self.tokens[at + 2:at + 8]
        return any(t.text == "," for t in inside)

    def _note(self, index: int, owner: str) -> int | None:
        """"skills (tags)", "price (in cents)", "remarks (optional)": a bracket at ``index`` of a few words and no
        list is a note on the field ``owner`` before it; the position after its ")", or None when it is no note
        (nor is one field of what ``owner`` names: "authors (name)")."""
        if self._text(index) != "(" or self._text(index + 2) == ")" and self._text(index + 1) in {
                name for name, _, _ in catalog.default_fields(singular(owner))}:
            return None
        listed = False  # "material (zirconia, emax, gold)": the field's choices, which the rules read
        for at in range(index + 1, min(index + 16, len(self.tokens))):
            text = self._text(at)
            if text == ")":
                return at + 1 if at > index + 1 else None
            if text in ("(", ":", "with", "having") or (at > index + 4 and not listed):
                return None
            if text in SEPARATORS:
                listed = True
            elif text in TERMINATOR_WORDS and text not in ("in", "not") and not listed:
                return None
        return None

    def _plurals_after_colon(self, index: int) -> bool:
        """"una escuela de idiomas: alumnos, cursos (idioma, nivel), inscripciones": two or more plural names, most
        of the list after the ":" at ``index`` (an item's own bracket counted as part of it), are records."""
        names: list[bool] = []
        at = index + 1
        while True:
            item = self._item(at, with_fields=True)  # type: ignore[attr-defined]
            if item is None:
                break
            names.append(is_plural(item.words[-1]) and item.words[-1] not in NEVER_RECORDS)
            if self._text(item.end) not in SEPARATORS:
                break
            at = item.end
            while self._text(at) in SEPARATORS:
                at += 1
        return sum(names) >= 2 and sum(names) * 2 > len(names)

    def _bare_list(self, index: int) -> bool:
        """"members, tools, loans.": a sentence of two or more plural names and nothing else."""
        if index > 0 and self._text(index - 1) not in _SENTENCE_ENDS:
            return False
        count, at = 0, index
        while True:
            item = self._item(at, with_fields=True)  # type: ignore[attr-defined]
            if item is None or not is_plural(item.words[-1]) or item.words[-1] in NEVER_RECORDS:
                return False
            count += 1
            if self._text(item.end) in _SENTENCE_ENDS:
                return count >= 2
            if self._text(item.end) not in SEPARATORS:
                return False
            at = item.end
            while self._text(at) in SEPARATORS:
                at += 1
