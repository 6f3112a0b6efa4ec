"""Sentences of a prompt from which no request came: each is a request of its own, unmet, unless it says nothing."""

from __future__ import annotations

import re

from codegen.generators.template import recipes
from codegen.generators.template.checklist import accounting
from codegen.generators.template.checklist.details import detail_in
from codegen.generators.template.checklist.items import MET, UNMET, Builder
from codegen.generators.template.prompt_parser import recognised
from codegen.generators.template.words import normalize, plural, singular

_FILLER_RE = re.compile(
    r"^(?:please|thanks?|thank you|hi|hello|hey|ok|okay|cheers)\b|^(?:make it|keep it|it should be|should be) "
    r"(?:simple|clean|nice|good|fast|quick|small)\W*$"
)


def unrecognised(b: Builder, texts: list[str]) -> None:
    seen: set[str] = set()
    for text in texts:
        for sentence in re.split(r"(?<=[.!?;])\s+|\n+", text):
            sentence = sentence.strip()
            key = normalize(sentence).lower()
            if len(key.split()) < 2 or key in seen or _FILLER_RE.search(key):
                continue
            seen.add(key)
            names = {w for e in b.spec.entities for w in (e.name, e.plural, *(f.name for f in e.fields))}
            names |= {singular(w) for w in names} | {plural(w) for w in names}
            words = set(re.findall(r"[a-z_]+", key.replace(" ", "_"))) | set(key.split())
            in_items = any(item.text.lower() in key or key in item.text.lower() for item in b.items)
            if recognised(key) or words & names or in_items or detail_in(sentence) or _about_a_part(b, key):
                _behaviour(b, key)
                accounting.account(b, key)
                continue
            served = accounting.served_status(b, key)
            if served:
                b.add(sentence.rstrip(".!;"), MET, served)
            else:
                b.add(sentence.rstrip(".!;"), UNMET, [], accounting.unserved_why(b, key))


def _about_a_part(b: Builder, key: str) -> bool:
    """Whether a sentence speaks of a recipe part the checklist lists ("Return the merged list." after "merge
    overlapping intervals"): then its words are accounted for one by one, not the whole sentence left unmet."""
    recipe = recipes.RECIPES.get(b.spec.recipe or "")
    asked = {part["request"] for part in recipe.parts} if recipe else set()
    words = {w for item in b.items if item.text in asked for w in re.findall(r"[a-z]{4,}", item.text.lower())}
    return any(accounting._accounted(w, words) and not accounting._accounted(w, set())
               for w in re.findall(r"[a-z]{4,}", key))


# verbs of behaviour beyond keeping records; a clause holding one that no request accounts for is not served
_BEHAVIOUR_RE = re.compile(
    r"\b(sends?|notif(?:y|ies)|e ?mails? (?:the|a|an|users?|customers?|them)|calculates?|computes?|exports?|imports?"
    r"|syncs?|synchroni[sz]es?|uploads?|schedules?|recommends?|predicts?|translates?|monitors?|alerts?|charges?"
    r"|reminds?|(?:only )?sees?|can see|hides?|assigns?|shares?|invites?|backs? up|streams?|plays?|plots?|draws?"
    r"|detects?|classif(?:y|ies)|summari[sz]es?|geocodes?|resizes?|compresses?|encrypts?|signs?|verif(?:y|ies)"
    r"|decrement(?:s|ed)?|increment(?:s|ed)?|deduct(?:s|ed)?|subtract(?:s|ed)?|recalculat\w+|automatically"
    r"|receives?|votes? on|ranks?|splits?|counts? (?:the )?clicks|reminders?|synced|exported|imported|emailed"
    r"|notified|scheduled|backed up|uploaded|published (?:to|on)|posted (?:to|on)"
    r"|when(?:ever)? (?:an?|the|a new|someone|somebody|users?|it|they|i)\b|every (?:day|hour|week|month|night|morning))\b"
)
# what a kind (or utility) of project does, so the verbs it serves are no gap
_KIND_VERBS = {
    "data_script": {"calculate", "calculates", "compute", "computes", "export", "exports", "summarize", "summarizes",
                    "summarise", "summarises"},
    "calculator": {"calculate", "calculates", "compute", "computes"},
    "statistics": {"calculate", "calculates", "compute", "computes"},
    "text_stats": {"calculate", "calculates", "compute", "computes"},
    "checksum": {"calculate", "calculates", "compute", "computes", "verify", "verifies"},
    "converter": {"calculate", "calculates", "compute", "computes"},
    "password": {"calculate", "calculates", "compute", "computes"},
    "access_log": {"summarize", "summarizes", "summarise", "summarises", "count", "counts", "computes", "compute"},
    "numbers": {"calculate", "calculates", "compute", "computes", "check", "checks", "return", "returns"},
    "algorithms": {"calculate", "calculates", "compute", "computes", "check", "checks", "return", "returns",
                   "encrypt", "encrypts", "decrypt", "decrypts"},
}


def _behaviour(b: Builder, clause_text: str) -> None:
    """A recognised sentence can still ask for more: "…, where each user only sees their own tasks"."""
    allowed = _KIND_VERBS.get(b.spec.recipe or "", set()) | _KIND_VERBS.get(b.spec.kind, set())
    # a word of a section the page has is a noun there: "a class schedule" schedules nothing
    allowed |= {w for section in b.spec.options.get("sections") or [] for w in section.split()}
    for clause in re.split(r"[,;]| where | which | so that | and then ", clause_text):
        match = _BEHAVIOUR_RE.search(clause)
        if match is None or match.group(1).split()[-1] in allowed:
            continue
        lowered = clause.strip()
        # covered by a request that says as much ("records that belong to each user"), not by "tasks" alone
        covered = any(
            (len(item.text.split()) >= 3 and item.text.lower() in lowered) or lowered in item.text.lower()
            or (item.status != MET and _overlap(item.text.lower(), lowered))
            for item in b.items
        )
        if covered:
            continue
        served = accounting.served_status(b, lowered)
        if served:
            b.add(lowered, MET, served)
        else:
            b.add(lowered, UNMET, [], "the offline generator writes nothing that does this")


def _overlap(one: str, other: str) -> bool:
    """Two texts share a word of five letters or more (the same request worded twice)."""
    words = {w for w in re.findall(r"[a-z]{5,}", one)}
    return bool(words & set(re.findall(r"[a-z]{5,}", other)))
