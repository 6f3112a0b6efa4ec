"""Entities and their fields, read from the words of a prompt.

The parser looks for lists ("with books, authors and loans"), for fields
attached to an entity ("tasks with title, due_date and priority",
"books (title, isbn:int)", "each task has a title and a due date") and
takes everything else as prose. A plural noun in a list is an entity; a
singular noun or a known field name after an entity is a field.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from codegen.generators.template import catalog
from codegen.generators.template.entity_drafts import EntityDraft, FieldDraft, one_per_head
from codegen.generators.template.entity_fields import FieldItems
from codegen.generators.template.entity_guards import EntityGuards
from codegen.generators.template.entity_words import (
    AUTH_PHRASES,
    AUX,
    DOING_VERBS,
    DROPPED_PREFIXES,
    FEATURE_WORDS,
    FIELD_NOISE,
    FIELD_OPENERS,
    KIND_WORDS,
    LABEL_WORDS,
    LIST_ONLY_ENTITIES,
    LIST_TRIGGERS,
    NOT_FIELD_LISTS,
    MASS_NOUNS,
    METHOD_VERBS,
    MODIFIERS,
    NEVER_RECORDS,
    NON_ENTITIES,
    NOT_QUALIFIERS,
    NOT_RECORD_NAMES,
    RULE_ADJECTIVES,
    OPERATION_VERBS,
    OPTIONAL_WORDS,
    POSTING_VERBS,
    QUALIFIED_HEADS,
    QUALIFIED_NON_RECORDS,
    RELATION_VERBS,
    RELATIVE,
    SEPARATORS,
    TERMINATOR_TOKENS,
    TERMINATOR_WORDS,
    TRACKER_WORDS,
    VIEW_NOUNS,
    is_feature,
)
from codegen.generators.template.words import Token, identifier, is_plural, plural, safe_field_name, singular

_MAX_LOOKAHEAD = 8


@dataclass
class _Item:
    words: list[str]
    start: int
    end: int
    fields: list[FieldDraft] | None = None
    type_hint: str | None = None
    optional: bool = False
    noted: bool = False  # a note in brackets followed: "skills (tags)"




@dataclass
class EntityParser(EntityGuards, FieldItems):
    tokens: list[Token]
    # follow-ups name one new entity at a time, often in the singular ("add a tag entity")
    allow_singular: bool = False
    found: dict[str, EntityDraft] = field(default_factory=dict)
    claimed: set[int] = field(default_factory=set)  # token positions already read as part of an entity
    lookahead: int = 0  # how many field lists deep _field_spec is looking ahead

    def parse(self) -> list[EntityDraft]:
        """Every entity of the text, in order of appearance."""
        posted = {at for index in range(len(self.tokens)) for at in self._posted(index)}
        for index, token in enumerate(self.tokens):
            if index in posted:  # "members post finds with species and date": fields, not a list of entities
                continue
            if token.text in LIST_TRIGGERS:
                self._entity_list(index + 1)
            elif token.text == "there" and self._text(index + 1) in ("is", "are"):  # "there are rooms and guests"
                self._entity_list(index + 2)
            elif token.is_word and self._bare_list(index):  # "members, tools, loans."
                self._entity_list(index, bare=True)
        named_by_kind = []
        for index in range(len(self.tokens)):
            self._attached_fields(index)
            named_by_kind += self._named_by_kind(index)
        # "an expense tracker with categories" names expenses too; "our members app. It manages workouts" does not
        for name, index, attached in named_by_kind:
            if attached or not self.found:
                self._add(name, None, index)
        # "workouts with name, sets and reps": sets and reps are fields, not entities; but "books (title, author)
        # and authors (name, bio)" names authors with fields of their own, an entity as well as a field
        field_names = {f.name for draft in self.found.values() for f in draft.fields or []}
        kept = [d for d in self.found.values()
                if d.fields or (d.name not in field_names and plural(d.name) not in field_names)]
        return sorted(one_per_head(kept), key=lambda draft: draft.position)

    def entities_at(self, start: int) -> tuple[list[EntityDraft], list[Token]]:
        """The list of entities starting at token ``start``, and the tokens it did not use."""
        items = self._entity_list(start)
        used = {i for item in items if self._entity_name(item, in_list=True) for i in range(item.start, item.end)}
        unused = [t for i, t in enumerate(self.tokens[start:], start) if i not in used and t.text not in SEPARATORS]
        return sorted(self.found.values(), key=lambda draft: draft.position), unused

    def fields_at(self, start: int) -> tuple[list[FieldDraft], list[Token]]:
        """The fields listed from token ``start`` ("a due date and an integer priority"), and the tokens after."""
        fields, end = self._fields(start, closer=None)
        return fields or [], self.tokens[end:]

    # -- tokens -------------------------------------------------------------

    def _skip_separators(self, index: int) -> int:
        while self._text(index) in SEPARATORS:
            index += 1
        return index

    # -- entity lists -------------------------------------------------------

    def _entity_list(self, start: int, *, bare: bool = False) -> list[_Item]:
        items: list[_Item] = []
        if self._choices(start):  # "(category: bikes, electric, other)": a field's values
            return items
        index = start
        while True:
            item = self._item(index, with_fields=True)
            if item is None:
                break
            items.append(item)
            if self._text(item.end) not in SEPARATORS:
                break
            index = self._skip_separators(item.end)
        # "hotel reservations: rooms, guests": a heading before a colon is not an entity
        candidates = [
            item
            for item in items
            if self._entity_name(item, in_list=True, bare=bare)
            and not (self._text(item.end) == ":" and item.fields is None and self._text(item.end + 1) not in OPERATION_VERBS)
            # "a blog API: admins can delete posts, editors can edit posts": who does something, not what is kept
            and self._text(item.end) not in AUX and not self._business(item) and not self._audience(start, item)
            and item.start not in self.claimed  # "mentors with columns name, tags (chips)": read as a field already
        ]
        if not self.allow_singular and not any(is_plural(item.words[-1]) or self._named_with_fields(item)
                                               for item in candidates):
            return items
        for item in candidates:
            self._add(self._entity_name(item, in_list=True, bare=bare), item.fields, item.start)
            self.claimed.update(range(item.start, item.end))
        return items

    def _item(self, index: int, *, with_fields: bool) -> _Item | None:
        start = index
        optional = False
        while self._text(index) in MODIFIERS or self._text(index) in OPTIONAL_WORDS:
            optional = optional or self._text(index) in OPTIONAL_WORDS
            index += 1
        words: list[str] = []
        while len(words) < 3:
            token = self.tokens[index] if index < len(self.tokens) else None
            if token is None or not token.is_word or token.text in SEPARATORS:
                break
            if token.text in TERMINATOR_WORDS or token.text in TERMINATOR_TOKENS or (
                    token.text in LIST_TRIGGERS and (words or not self._viewed(index))):  # "a grid of routes"
                break
            if words and token.text.endswith("ed") and token.text not in catalog.OPTIONAL_NAMES:
                break
            words.append(token.text)
            index += 1
        if not words:
            return None
        item = _Item(words=words, start=start, end=index, optional=optional)
        if with_fields:
            fields, end = self._field_spec(index)
            if fields:
                item.fields, item.end = fields, end
            if self._text(index) == "(":  # "pets (species one of dog/cat, ...), vets": the list goes on after it
                item.end = max(item.end, self._closing(index))
        return item

    def _closing(self, index: int) -> int:
        """The position after the ")" that closes the "(" at ``index`` (or ``index`` when none does)."""
        depth = 0
        for at in range(index, len(self.tokens)):
            depth += {"(": 1, ")": -1}.get(self._text(at), 0)
            if depth == 0:
                return at + 1
        return index

    def _entity_name(self, item: _Item, *, in_list: bool, bare: bool = False) -> str | None:
        # "tools (serial_number unique, name, category)": a generic plural listed with fields of its own is records
        listed_with_fields = in_list and bool(item.fields) and (item.words[-1] not in NEVER_RECORDS
                                                                 or self._viewed(item.start))
        # "no overlapping bookings", "overdue loans": a rule's adjective is no part of the records' name
        words = [w for w in item.words if w not in MODIFIERS and w not in RULE_ADJECTIVES]
        if not words or any(is_feature(w) for w in words) or "_".join(words) in AUTH_PHRASES:
            return None
        if len(words) > 1 and words[0] in DOING_VERBS:  # "add people, add expenses": what a user does
            return None
        head = words[-1]
        if head in catalog.TYPE_WORDS and len(words) == 1 or head in MASS_NOUNS:
            return None
        # "admin and parent roles" are roles of auth; "an appointment book" is no book
        if len(words) > 1 and (head in QUALIFIED_NON_RECORDS or self._container(item.start + item.words.index(head))):
            return None
        qualified = (head in QUALIFIED_HEADS and len(words) > 1 and words[-2].isalpha()
                     and words[-2] not in NOT_QUALIFIERS and words[-2] not in NON_ENTITIES
                     and not is_feature(words[-2]))
        generic = (head in NON_ENTITIES and not (in_list and head in LIST_ONLY_ENTITIES) and not qualified
                   and not listed_with_fields and not (bare and head not in NEVER_RECORDS))
        if generic or not head.isidentifier() or len(singular(head)) < 3:
            return None
        if (not is_plural(head) and singular(head) not in catalog.ENTITY_FIELDS and not self.allow_singular
                and not (in_list and self._named_with_fields(item))):
            return None
        prefix = [w for w in words[:-1] if w not in DROPPED_PREFIXES and w not in FEATURE_WORDS]
        name = identifier("_".join([*prefix[-1:], singular(head)]))
        return name or None

    def _named_with_fields(self, item: _Item) -> bool:
        """A name written as a record's, with its fields in brackets: "Pantry (name, address)", "Entities: pantry
        (name, address)"; not a technology named with a note ("Flask (python)")."""
        start = next((i for i in range(item.start, item.end) if self._text(i) == item.words[0]), item.start)
        labelled = self._text(item.start - 1) == ":" and self._text(item.start - 2) in LABEL_WORDS
        capitalised = self.tokens[start].raw[:1].isupper() if start < len(self.tokens) else False
        bracketed = self._text(start + len(item.words)) == "("
        return (bool(item.fields) and bracketed and (capitalised or labelled) and self._field_like(item.fields)
                and not any(w in NOT_RECORD_NAMES or is_feature(w) for w in item.words))

    def _posted(self, index: int) -> list[int]:
        """"members post finds with species, gps coords and date": what people post, submit, upload or log with a
        list is a record with those fields (even a noun that is a verb elsewhere); the "with" at the position
        returned opens no list of entities."""
        if self._text(index) not in POSTING_VERBS:
            return []
        at = index + 1
        while self._text(at) in MODIFIERS:
            at += 1
        words = [self._text(i) for i in range(at, at + 2)]
        words = words[:1] if words[1:] == ["with"] else words
        if self._text(at + len(words)) != "with" or not all(map(str.isalpha, words)):
            return []
        name = self._entity_name(_Item(words, at, at + len(words)), in_list=False)
        if not name:
            return []
        fields, end = self._fields(at + len(words) + 1, closer=None)
        if not fields:
            return []
        self._add(name, fields, at)
        self.claimed.update(range(at, end))
        return [at + len(words)]

    def _add(self, name: str, fields: list[FieldDraft] | None, position: int) -> None:
        draft = self.found.get(name)
        if draft is None:
            self.found[name] = EntityDraft(name=name, fields=fields, position=position)
        elif fields and not draft.fields:
            draft.fields = fields
        elif fields:  # "members book sessions with an instructor; sessions have date and capacity": both lists
            draft.fields += [f for f in fields if f.name not in {d.name for d in draft.fields}]

    # -- fields attached to an entity -------------------------------------

    def _attached_fields(self, index: int) -> None:
        if index in self.claimed:
            return
        token = self.tokens[index]
        if not token.is_word or token.text in NON_ENTITIES and token.text not in LIST_ONLY_ENTITIES:
            return
        if token.text in MASS_NOUNS or self._container(index):
            return
        name = singular(token.text)
        known = name in self.found or name in catalog.ENTITY_FIELDS or is_plural(token.text)
        # "track my bird sightings. each sighting has a species": the head noun of an entity named before
        known = known or (self._text(index - 1) in ("each", "every")
                          and any(found.endswith("_" + name) for found in self.found))
        if not known or is_feature(token.text) or token.text in TERMINATOR_WORDS:
            return
        after = index + 1
        while self._text(after) in KIND_WORDS:  # "a tasks API with title and done"
            after += 1
        fields, _ = self._field_spec(after)
        if fields:
            self._add(identifier(name), fields, index)

    def _named_by_kind(self, index: int) -> list[tuple[str, int, bool]]:
        """The entity in "an expense tracker", "a movie database", "a notes app": (name, position, attached)."""
        token = self.tokens[index]
        if index in self.claimed or self._text(index + 1) not in TRACKER_WORDS or not token.is_word:
            return []
        name = singular(token.text)
        generic = (token.text in NON_ENTITIES or is_feature(token.text) or token.text in TERMINATOR_WORDS
                   or token.text in MASS_NOUNS)
        if generic or len(name) < 3 or not (name in catalog.ENTITY_FIELDS or is_plural(token.text)):
            return []
        after = index + 2
        while self._text(after) in TRACKER_WORDS:
            after += 1
        return [(identifier(name), index, self._text(after) in ("with", "for", "including", ":", "("))]

    def _field_spec(self, index: int) -> tuple[list[FieldDraft] | None, int]:
        """Fields attached at ``index``: ``(a, b)``, ``: a, b``, ``with a and b``, ``that have a, b`` (looking
        ahead a few lists deep at most: "authors with name and books with title and ..." without end is no list)."""
        if self.lookahead >= _MAX_LOOKAHEAD:
            return None, index
        self.lookahead += 1
        try:
            return self._field_spec_at(index)
        finally:
            self.lookahead -= 1

    def _field_spec_at(self, index: int) -> tuple[list[FieldDraft] | None, int]:
        text = self._text(index)
        if text == "(":
            return self._fields(index + 1, closer=")")
        if text == ":":
            # "tasks: title, due_date, priority" are fields; "a property management company: buildings, units,
            # tenants" are entities, whatever noun stands before the colon
            if self._records_after_colon(index) or self._plurals_after_colon(index):
                return None, index
            fields, end = self._fields(index + 1, closer=None)
            plurals = [f for f in fields or [] if is_plural(f.name) and f.name not in catalog.OPTIONAL_NAMES]
            if not fields or self._text(index - 1) in LABEL_WORDS or (len(plurals) >= 2 and len(plurals) * 2 > len(fields)):
                return None, index
            return fields, end
        start = index
        if text in RELATIVE:
            index += 1
        while self._text(index) in AUX or self._text(index) == "to" or (
            self._text(index) in ("need", "needs") and self._text(index + 1) == "to"  # "need to have"
        ):
            index += 1
        if self._text(index) in FIELD_OPENERS or (index > start and self._text(index) in ("store", "stores", "track")):
            index += 1
            if self._text(index) in ("fields", "attributes", "columns", "properties", "field"):
                index += 1
            if self._text(index) == ":":
                index += 1
            if self._text(index) in NOT_FIELD_LISTS:  # "books with subcommands add, list and delete"
                return None, start
            fields, end = self._fields(index, closer=None)
            if fields and self._field_like(fields):
                return fields, end
        return None, start

    def _fields(self, index: int, *, closer: str | None) -> tuple[list[FieldDraft] | None, int]:
        fields: list[FieldDraft] = []
        end = index
        while True:
            item = self._field_item(index)
            if item is None:
                break
            # "a value field" names a field "value"; "price value" is the price
            words = [w for w in item.words if w not in FIELD_NOISE] or item.words[:1]
            if words[-1:] == ["flag"] and len(words) > 1:  # "a published flag"
                words, item.type_hint = words[:-1], "bool"
            name = identifier("_".join(words))
            # "notes with JWT login": a feature of two words is no field either
            if not name or is_feature(name) or all(map(is_feature, words)) or any(
                    w in MODIFIERS for w in item.words[1:]):
                break
            if self._limit(item) or (words[0] in OPERATION_VERBS and len(words) > 1):
                break  # "can have max 3 loans", "trim whitespace, normalize phones": a limit, operations
            if self._text(item.end) == "of" and words[-1] in VIEW_NOUNS:
                break  # "setters: a grid of routes with grade": how records are shown, no field
            if self._text(item.end) == "with" and not fields:
                break  # "artists with hero with her name": a thing with parts of its own, not a field
            if self._text(item.end) in RELATION_VERBS:
                break  # "gardeners with name and phone, a plot belongs to one gardener": a relation, not a field
            if is_plural(name) and not item.noted and (  # "skills (tags)": a field with a note, even a record's name
                (name not in catalog.OPTIONAL_NAMES and singular(name) in catalog.ENTITY_FIELDS)
                or self._field_spec(item.end)[0]
            ):
                break  # "posts with title and body, and comments (with text)": the list of entities goes on
            if name in METHOD_VERBS:  # a method, not a field: the checklist lists it unmet
                pass
            elif name != "id" and all(f.name != name for f in fields):
                field_type = item.type_hint or catalog.guess_type(name)
                required = not item.optional and field_type != "bool" and name not in catalog.OPTIONAL_NAMES
                fields.append(FieldDraft(safe_field_name(name), field_type, required))
            end = item.end
            if self._text(item.end) not in SEPARATORS:
                break
            index = self._skip_separators(item.end)
        if closer and self._text(end) == closer:
            end += 1
        return fields or None, end
