"""Applying one clause of a follow-up to a spec: entities, fields, links, renames and settings."""

from __future__ import annotations

import re

from codegen.generators.template import catalog, kinds
from codegen.generators.template.edits.vocabulary import (
    CHANGE_VERBS,
    ENTITY_NOISE,
    FILLER,
    LINK_VERBS,
    PROJECT_WORDS,
    REMOVE_VERBS,
    RENAME_VERBS,
    REQUIREDNESS,
    SETTING_CONTEXT,
    TARGET_PREPOSITIONS,
    VERBS,
)
from codegen.generators.template.entities import EntityParser
from codegen.generators.template.entity_words import FIELD_NOISE
from codegen.generators.template.model import (
    FEATURE_LABELS,
    FRAMEWORK_LABELS,
    KIND_LABELS,
    EntitySpec,
    FieldSpec,
    ProjectSpec,
    make_entity,
)
from codegen.generators.template.prompt_parser import FEATURE_RULES, FRAMEWORK_RULES, STORE_RULES
from codegen.generators.template.words import Token, human_list, identifier, is_plural, plural, singular


class EditError(Exception):
    """A follow-up clause that cannot be applied; the message says why."""


def _words(tokens: list[Token]) -> str:
    return " ".join(t.text for t in tokens)


class Editor:
    """Applies clauses to one spec, noting each change."""

    def __init__(self, spec: ProjectSpec) -> None:
        self.spec = spec
        self.changes: list[str] = []
        self.capabilities = kinds.of(spec).capabilities(spec)

    def apply(self, clause: list[Token]) -> None:
        verb_at = next((i for i, t in enumerate(clause) if t.text in VERBS), None)
        verb = clause[verb_at].text if verb_at is not None else "add"
        subject = self._entity_before(clause, verb_at)
        rest = clause[verb_at + 1 :] if verb_at is not None else clause
        if verb in RENAME_VERBS:
            self._rename(rest)
            return
        if verb in LINK_VERBS:
            self._link(clause)
            return
        rest = self._settings(rest, enable=verb not in REMOVE_VERBS)
        if not self._content(rest):
            return
        if verb in REMOVE_VERBS:
            self._remove(rest)
        elif verb in CHANGE_VERBS:
            self._change(rest, subject)
        else:
            self._add(rest, subject)

    def _entity_before(self, clause: list[Token], verb_at: int | None) -> str | None:
        """The entity a clause like "tasks should have a priority" is about."""
        for token in clause[: verb_at or 0]:
            if self.spec.entity(token.text):
                return token.text
        return None

    # -- adding ------------------------------------------------------------------

    def _add(self, rest: list[Token], subject: str | None) -> None:
        target_at = self._target(rest)
        head = rest[:target_at] if target_at is not None else rest
        target_word = self._entity_word(rest[target_at + 1 :]) if target_at is not None else subject
        if subject and target_at is None:
            self._add_fields(subject, head)
        elif any(t.text in FIELD_NOISE for t in head) or (target_word and self._field_like(head)):
            self._add_fields(target_word, head)
        else:
            self._add_entities(head, target_word)

    def _add_fields(self, entity_word: str | None, tokens: list[Token]) -> None:
        self._require("fields", "fields")
        entity = self._entity(entity_word)
        drafts, unused = EntityParser(tokens).fields_at(0)
        if not drafts:
            raise EditError("no field names found")
        self._understood(unused)
        for draft in drafts:
            if entity.field(draft.name):
                raise EditError(f"{entity.plural} already have a {draft.name} field")
            entity.fields.append(FieldSpec(draft.name, draft.type, draft.required))
            self.changes.append(f"added field {draft.name} ({draft.type}) to {entity.plural}")

    def _add_entities(self, tokens: list[Token], link_to: str | None) -> None:
        self._require("entities", "resources")
        # a new entity is named in the plural ("add comments") or called one ("add a tag entity"), not "add dark mode"
        called = {singular(tokens[i - 1].text) for i, t in enumerate(tokens) if t.text in ENTITY_NOISE and i > 0}
        plurals = {singular(t.text) for t in tokens if t.is_word and is_plural(t.text)}
        cleaned = [t for t in tokens if t.text not in ENTITY_NOISE]
        parsed, unused = EntityParser(cleaned, allow_singular=bool(called)).entities_at(0)
        drafts = [d for d in parsed if d.name.rsplit("_", 1)[-1] in called | plurals]
        if not drafts:
            raise EditError("it names no resource, field or feature the template generator knows how to add")
        dropped = [d for d in parsed if d not in drafts]
        self._understood(unused, also=[d.name.replace("_", " ") for d in dropped])
        known = {e.name for e in self.spec.entities} | {d.name for d in drafts}
        parent = self.spec.entity(link_to) if link_to else None
        if link_to and parent is None:
            raise EditError(f"the project has no {plural(identifier(link_to))} (it has {self._entity_names()})")
        for draft in drafts:
            if self.spec.entity(draft.name):
                raise EditError(f"the project already has {plural(draft.name)}")
            fields = [(f.name, f.type, f.required) for f in draft.fields] if draft.fields else None
            entity = make_entity(draft.name, fields, project_entities=known)
            if parent and not entity.field(f"{parent.name}_id"):
                entity.fields.insert(0, FieldSpec(f"{parent.name}_id", "int", True))
            self.spec.entities.append(entity)
            self.changes.append(f"added {entity.plural} ({', '.join(f.name for f in entity.fields)})")

    # -- removing ----------------------------------------------------------------

    def _remove(self, rest: list[Token]) -> None:
        target_at = self._target(rest)
        entity_word = self._entity_word(rest[target_at + 1 :]) if target_at is not None else None
        head = rest[:target_at] if target_at is not None else rest
        wants_field = any(t.text in FIELD_NOISE for t in head)
        names = [identifier(name) for name in self._names(head)]
        if not names:
            raise EditError("nothing named to remove")
        for name in names:
            entity = None if wants_field else self.spec.entity(name)
            if entity is not None:
                self._require("entities", "resources")
                if len(self.spec.entities) == 1:
                    raise EditError(f"{entity.plural} is the only resource; a project needs at least one")
                self.spec.entities.remove(entity)
                self.changes.append(f"removed {entity.plural}")
                continue
            self._require("fields", "fields")
            owner = self._field_owner(name, entity_word)
            if len(owner.fields) == 1:
                raise EditError(f"{name} is the only field of {owner.plural}")
            owner.fields = [f for f in owner.fields if f.name != name]
            self.changes.append(f"removed field {name} from {owner.plural}")

    # -- renaming ----------------------------------------------------------------

    def _rename(self, rest: list[Token]) -> None:
        split = next((i for i, t in enumerate(rest) if t.text in ("to", "as", "into")), None)
        new_words = self._names(rest[split + 1 :]) if split is not None else []
        if not new_words:
            raise EditError('say the new name: "rename X to Y"')
        new = identifier(new_words[0])
        old_part = rest[:split]
        of_at = next((i for i, t in enumerate(old_part) if t.text in ("of", "in", "on", "from")), None)
        entity_word = self._entity_word(old_part[of_at + 1 :]) if of_at is not None else None
        old_names = self._names(old_part[:of_at] if of_at is not None else old_part)
        if not old_names or old_names[0] in PROJECT_WORDS:
            self.spec.title = " ".join(word.capitalize() for word in new.split("_"))
            self.spec.slug = new
            self.changes.append(f"renamed the project to {self.spec.title}")
            return
        old = identifier(old_names[0])
        entity = None if any(t.text in FIELD_NOISE for t in old_part) else self.spec.entity(old)
        if entity is not None:
            self._require("entities", "resources")
            self._rename_entity(entity, new)
            return
        self._require("fields", "fields")
        owner = self._field_owner(old, entity_word)
        if owner.field(new):
            raise EditError(f"{owner.plural} already have a {new} field")
        owner.field(old).name = new
        self.changes.append(f"renamed field {old} of {owner.plural} to {new}")

    def _rename_entity(self, entity: EntitySpec, new: str) -> None:
        new = singular(new)
        if self.spec.entity(new):
            raise EditError(f"the project already has {plural(new)}")
        old, old_plural = entity.name, entity.plural
        entity.name, entity.plural = new, plural(new)
        for other in self.spec.entities:
            for f in other.fields:
                if f.name == f"{old}_id":
                    f.name = f"{new}_id"
        self.changes.append(f"renamed {old_plural} to {entity.plural}")

    # -- linking -----------------------------------------------------------------

    def _link(self, clause: list[Token]) -> None:
        """ "link tasks to categories", "each task belongs to a project": tasks get a category_id."""
        self._require("fields", "fields")
        named = [self.spec.entity(t.text) for t in clause if t.is_word and self.spec.entity(t.text)]
        if len(named) != 2 or named[0] is named[1]:
            raise EditError(f"name two resources to link (the project has {self._entity_names()})")
        child, parent = named
        link = f"{parent.name}_id"
        if child.field(link):
            raise EditError(f"{child.plural} already have a {link} field")
        child.fields.append(FieldSpec(link, "int", True))
        self.changes.append(f"linked {child.plural} to {parent.plural} ({link})")

    # -- changing ----------------------------------------------------------------

    def _change(self, rest: list[Token], subject: str | None) -> None:
        words = [t.text for t in rest]
        requiredness = next((w for w in words if w in REQUIREDNESS), None)
        mentioned = self._field_mentions(rest)
        type_word = next((w for w in words if w in catalog.TYPE_WORDS and w not in mentioned), None)
        if not (requiredness or type_word):
            raise EditError("the template generator does not know this change")
        self._require("fields", "fields")
        if not mentioned:
            raise EditError("it names no existing field")
        target_at = self._target(rest)
        entity_word = self._entity_word(rest[target_at + 1 :]) if target_at is not None else subject
        for name in mentioned:
            owner = self._field_owner(name, entity_word)
            field = owner.field(name)
            if requiredness:
                if field.required == REQUIREDNESS[requiredness]:
                    raise EditError(f"{name} of {owner.plural} is already {requiredness}")
                field.required = REQUIREDNESS[requiredness]
                self.changes.append(f"made {name} of {owner.plural} {'required' if field.required else 'optional'}")
            else:
                if field.type == catalog.TYPE_WORDS[type_word]:
                    raise EditError(f"{name} of {owner.plural} is already a {field.type}")
                field.type = catalog.TYPE_WORDS[type_word]
                self.changes.append(f"changed {name} of {owner.plural} to {field.type}")

    # -- features, framework, store ----------------------------------------------

    def _settings(self, tokens: list[Token], *, enable: bool) -> list[Token]:
        """Apply the features, framework and store named in ``tokens``; the tokens left to read."""
        before = len(self.changes)
        flat = _words(tokens)
        left = tokens
        for feature, pattern in FEATURE_RULES.items():
            if re.search(pattern, flat):
                self._feature(feature, enable)
                left = [t for t in left if not re.fullmatch(pattern, t.text)]
        if enable:
            for pattern, framework in FRAMEWORK_RULES:
                if re.search(pattern, flat):
                    self._framework(framework)
                    left = [t for t in left if not re.fullmatch(pattern, t.text)]
            for pattern, store in STORE_RULES:
                if re.search(pattern, flat):
                    self._store(store)
        if len(self.changes) == before:
            return tokens
        # what is left is about the settings ("to the task list", "instead of SQLite"), not more edits
        ignored = SETTING_CONTEXT | VERBS | FILLER
        fields = {f.name for entity in self.spec.entities for f in entity.fields}
        return [t for t in left if t.text not in ignored | fields and not self.spec.entity(t.text)]

    def _feature(self, feature: str, enable: bool) -> None:
        label = FEATURE_LABELS[feature]
        if feature not in self.capabilities:
            raise EditError(f"{label} is not available for a {KIND_LABELS[self.spec.kind]}")
        if enable == (feature in self.spec.features):
            raise EditError(f"the project {'already has' if enable else 'has no'} {label}")
        if enable:
            self.spec.features = [f for f in FEATURE_LABELS if f in self.spec.features or f == feature]
        else:
            self.spec.features = [f for f in self.spec.features if f != feature]
        self.changes.append(f"{'added' if enable else 'removed'} {label}")

    def _framework(self, framework: str) -> None:
        self._require("framework", "web framework")
        if self.spec.framework == framework:
            raise EditError(f"the project already uses {FRAMEWORK_LABELS[framework]}")
        self.spec.framework = framework
        self.changes.append(f"switched to {FRAMEWORK_LABELS[framework]}")

    def _store(self, store: str) -> None:
        self._require("store", "database")
        label = "a SQLite file" if store == "sqlite" else "in-memory storage"
        if self.spec.store == store:
            raise EditError(f"the project already uses {label}")
        self.spec.store = store
        self.changes.append(f"switched to {label}")

    # -- helpers -------------------------------------------------------------------

    def _require(self, capability: str, what: str) -> None:
        if capability not in self.capabilities:
            raise EditError(f"this {KIND_LABELS[self.spec.kind]} has no {what} to change")

    def _content(self, tokens: list[Token]) -> bool:
        return any(t.is_word and t.text not in FILLER and t.text not in ENTITY_NOISE for t in tokens)

    def _target(self, tokens: list[Token]) -> int | None:
        """Where "to tasks" / "on the tasks" / "for each task" starts, if anywhere."""
        for index in range(len(tokens) - 1, -1, -1):
            if tokens[index].text in TARGET_PREPOSITIONS and self._entity_word(tokens[index + 1 :]):
                return index
        return None

    def _entity_word(self, tokens: list[Token]) -> str | None:
        """The first word of ``tokens`` after fillers, if it names (or could name) an entity."""
        for token in tokens:
            if token.text in FILLER or token.text in ENTITY_NOISE:
                continue
            if token.is_word and (self.spec.entity(token.text) or is_plural(token.text)):
                return token.text
            return None
        return None

    def _entity(self, word: str | None) -> EntitySpec:
        if word is None:
            if len(self.spec.entities) == 1:
                return self.spec.entities[0]
            raise EditError(f"say which resource gets the field ({self._entity_names()})")
        entity = self.spec.entity(word)
        if entity is None:
            raise EditError(f"the project has no {plural(identifier(word))} (it has {self._entity_names()})")
        return entity

    def _entity_names(self) -> str:
        return human_list([e.plural for e in self.spec.entities]) or "none"

    def _field_owner(self, name: str, entity_word: str | None) -> EntitySpec:
        if entity_word:
            entity = self._entity(entity_word)
            if entity.field(name) is None:
                raise EditError(f"{entity.plural} have no field {name}")
            return entity
        owners = [e for e in self.spec.entities if e.field(name)]
        if not owners:
            raise EditError(f"no resource is named {name} or has a field {name} (resources: {self._entity_names()})")
        if len(owners) > 1:
            raise EditError(f"several resources have a {name} field ({human_list([e.plural for e in owners])}); say which")
        return owners[0]

    def _field_mentions(self, tokens: list[Token]) -> list[str]:
        """Existing field names in ``tokens``, also when written as words ("due date")."""
        known = {f.name for e in self.spec.entities for f in e.fields}
        found, index = [], 0
        while index < len(tokens):
            pair = f"{tokens[index].text}_{tokens[index + 1].text}" if index + 1 < len(tokens) else ""
            if pair in known:
                found.append(pair)
                index += 2
                continue
            if tokens[index].text in known:
                found.append(tokens[index].text)
            index += 1
        return found

    def _understood(self, unused: list[Token], also: list[str] = ()) -> None:
        """Fail on words an edit did not use: "add comments and translate everything" must not drop half."""
        left = [t for t in unused if t.is_word and t.text not in FILLER | ENTITY_NOISE | FIELD_NOISE]
        if left or also:
            words = " ".join([*also, clause_text(unused).strip()] if left else also)
            raise EditError(f'the template generator does not understand "{words}"')

    def _field_like(self, tokens: list[Token]) -> bool:
        drafts, _ = EntityParser(tokens).fields_at(0)
        return bool(drafts) and all(not is_plural(d.name) or d.name in catalog.OPTIONAL_NAMES for d in drafts)

    def _names(self, tokens: list[Token]) -> list[str]:
        """Names in a list like "the priority and due date fields" -> ["priority", "due_date"]."""
        names, current = [], []
        for token in [*tokens, Token(",", ",")]:
            if token.text in (",", "and", "or", "&", "/"):
                if current:
                    names.append("_".join(current))
                current = []
            elif token.is_word and token.text not in FILLER | FIELD_NOISE | ENTITY_NOISE:
                current.append(token.text)
        return names


def clause_text(clause: list[Token]) -> str:
    """A clause as written, for messages."""
    text = " ".join(t.raw for t in clause)
    return re.sub(r"\s+([,:)])|(\()\s+", r"\1\2", text)

