"""Last checks of a checklist against the prompt: what a request names must end in the project or be listed.

- a rule between two fields of an entity ("end > start", "ends_at after starts_at") is not checked by the
  generated code: it is listed unmet;
- the interactive behaviour of a page (a lightbox, drag and drop, a carousel, a modal, infinite scroll, a dark
  mode toggle, ...) is never written: each is listed unmet, not served as a section or a record;
- words that ask for a program in the browser (localStorage, drag and drop, a kanban board) while the project
  written is another kind: an item "substituted" names the kind asked for and the kind written;
- every name of a comma list of entities ("owners, pets, vets and appointments") ends in the project or
  as an item of the checklist.
"""

from __future__ import annotations

import re

from codegen.generators.template.checklist.items import SUBSTITUTED, UNMET, Builder, main_files
from codegen.generators.template.entity_words import TERMINATOR_WORDS
from codegen.generators.template.model import KIND_LABELS
from codegen.generators.template.words import is_plural, normalize, singular

_COMPARISON_RE = re.compile(
    r"\b([a-z][a-z0-9_]*) (?:must |should |has to |needs to )?(?:be |is |comes? )?"
    r"(>=|<=|>|<|after|before|later than|earlier than|greater than|less than|more than|bigger than|smaller than"
    r"|at least|at most|not after|not before|on or after|on or before) (?:the )?([a-z][a-z0-9_]*)\b"
)
# words of interactive behaviour in a page, which the generator never writes
BEHAVIOUR_RE = re.compile(
    r"\b(lightbox(?:es)?|drag(?:ging)? (?:and|&|n) drop(?:ping)?|drag_and_drop|(?:image |photo )?(?:carousels?|sliders?)"
    r"|modals?(?: dialogs?)?|pop ?ups?|infinite scroll(?:ing)?|dark mode(?: toggle| switch)?|theme toggle"
    r"|parallax(?: scrolling)?|animations?|masonry(?: layout| grid)?|live preview|autocomplete"
    r"|lazy loading)\b"
)
_LAYOUT = frozenset({"masonry"})
# words that ask for a program in the browser
_BROWSER_RE = re.compile(
    r"\b(local_?storage|session_?storage|indexed_?db|drag(?:ging)? (?:and|&|n) drop|kanban(?: board)?"
    r"|(?:like|a) trello|browser app|single page app)\b"
)


def check(b: Builder, text: str) -> None:
    flat = normalize(text).lower()
    _field_comparisons(b, flat)
    _behaviour(b, flat)
    _browser_kind(b, flat)
    _listed_entities(b, flat)


def _field_comparisons(b: Builder, flat: str) -> None:
    for match in _COMPARISON_RE.finditer(flat):
        left, op, right = match.groups()
        if any({left, right} <= {f.name for f in entity.fields} for entity in b.spec.entities) and left != right:
            b.add(f"{left} {op} {right}", UNMET, [],
                  f"the offline generator does not check a rule between two fields: {left} and {right} are "
                  "stored as given")


def _behaviour(b: Builder, flat: str) -> None:
    if b.spec.kind != "webpage" and not _BROWSER_RE.search(flat):
        return  # "an API with autocomplete": a page's words in a prompt for no page
    for found in dict.fromkeys(m.group(1) for m in BEHAVIOUR_RE.finditer(flat)):
        what = "a layout" if found.split()[0] in _LAYOUT else "interactive behaviour"
        b.add(found, UNMET, [], f"{what} the offline generator does not write: the page has no {found}")


def _browser_kind(b: Builder, flat: str) -> None:
    found = [m.group(1) for m in _BROWSER_RE.finditer(flat)]
    if found and b.spec.kind != "webpage":
        label = KIND_LABELS[b.spec.kind]
        b.add("a browser app", SUBSTITUTED, main_files(b),
              f"a {label} in its place: the prompt asks for a program in the browser ({', '.join(dict.fromkeys(found))}), "
              f"the offline generator wrote a {label}")


_LIST_RE = re.compile(r"(?:^|[:;.]| with | for | of | manage | track | store )\s*((?:[a-z][a-z ]{1,30}(?:\([^()]*\))?,\s*)+"
                      r"(?:and |or )?[a-z][a-z ]{1,30})")
# "there are rooms and guests and bookings": a list of single names joined by "and" alone
_AND_LIST_RE = re.compile(r"\b([a-z]+(?: and [a-z]+){2,})\b")


def _listed_entities(b: Builder, flat: str) -> None:
    """Each plural name of a comma list that names entities of the project: an entity, a field, or an item."""
    entity_words = {w for e in b.spec.entities for w in (e.name, e.plural)}
    field_words = {f.name for e in b.spec.entities for f in e.fields}
    # an item about the name itself ("vets", "and vets", "vets with name"), not one that only mentions it ("GET
    # /vets/:id/schedule", "a vet cannot have overlapping appointments"): that one does not say vets are missing
    listed = [re.sub(r"^(?:and |or |the |a |an )", "", item.text.lower()) for item in b.items]
    listings = [re.sub(r"\([^()]*\)", "", m.group(1)) for m in _LIST_RE.finditer(flat)]  # the names only
    listings += [m.group(1) for m in _AND_LIST_RE.finditer(flat)]
    for listing in listings:
        names = [n.strip() for n in re.split(r",\s*(?:and |or )?|\s(?:and|or)\s", listing)]
        # "maintenance tickets" is the entity maintenance_tickets; "our tickets" is tickets
        names = [(n.split()[-1], "_".join(n.split())) for n in names if n and len(n.split()) <= 2]
        # "Task under /projects/{id}/tasks": a name and the word before its path; "under" names nothing
        names = [(n, whole) for n, whole in names if n not in TERMINATOR_WORDS]
        if sum(1 for n, whole in names if {n, singular(n), whole, singular(whole)} & entity_words) < 2:
            continue
        # "Customer (...), Pet (...), Groomer": entities named in the singular make a singular name one too
        singular_names = b.spec.kind != "webpage" and any(n in {e.name for e in b.spec.entities} for n, _ in names)
        for name, whole in names:
            known = {name, singular(name), whole, singular(whole)} & (entity_words | field_words)
            named = is_plural(name) or (singular_names and name.isalpha() and len(name) > 2)
            if known or not named or any(re.match(rf"{re.escape(singular(name))}", text) for text in listed):
                continue
            b.add(name, UNMET, [], "listed with the entities, but the offline generator did not write it")
