"""A landing page's sections, read from a prompt: their names as written and their shapes.

"... page with X, Y and Z", "... site: date, location, an RSVP form": each a section with a sensible name
("instructor cards with photos": instructors) and the details its shape writes ("works with captions").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from codegen.generators.template import templates
from codegen.generators.template.words import human_list, identifier, plural

# calculator, stopwatch, landing: their patterns, titles, descriptions and scripts
VARIANTS: dict[str, dict] = templates.manifest("webpage")
# the sections a landing page writes in a shape of their own (a hero, a schedule, a signup form, ...)
KNOWN_SECTIONS = templates.manifest("webpage", "sections/manifest.toml")


# "... page with X, Y and Z", or its comma list: "landing page for my coffee shop, menu section, opening hours", or
# after a colon: "event page for a star party: date, location, an RSVP form"
_SECTIONS_RE = re.compile(
    r"\b(?:page|site|website|homepage)\b[^.;,:]*?(?:\b(?:with|showing|containing|including)\b|[,:]) ([^.;]+)")
# how the page looks, not what it holds ("dark theme", "mobile friendly"): never a section
_STYLE_WORDS = re.compile(r"\b(?:themes?|colou?rs?|fonts?|responsive|mobile|friendly|minimal\w*|modern|clean|elegant"
                          r"|dark|light|layout|style|styled|design)\b")
# the parts every landing page has: a navigation bar, a header (its hero) and a footer
LANDING_PARTS = frozenset("hero header footer nav navbar navigation bar".split())
# what every landing page's forms do (each checks its fields in the browser and says what is wrong) and the cards
# its sections are laid out in: words a prompt's request for them is answered by
LANDING_WORDS = LANDING_PARTS | frozenset("validation validate validated validating client side error errors message"
                                          " messages card cards grid".split())
_SECTION_NOISE = frozenset("a an the our my some section sections placeholder placeholders one two three four five six"
                           " several few".split())
# interactive behaviour (the checklist's crosscheck lists it unmet): never a section of its own
_BEHAVIOUR_WORDS = re.compile(r"\b(?:lightbox(?:es)?|carousels?|sliders?|modals?|pop ?ups?|drag and drop"
                              r"|infinite scroll\w*|dark mode(?: toggle| switch)?|theme toggle|parallax|animations?"
                              r"|toggles?|switch(?:es|er)?|lazy loading)\b")
_NOT_SECTIONS = frozenset("contact contact_form form a an the our my some".split())
# the page itself, not a part of it: "one page", "a single page", "one pager"
_THE_PAGE = re.compile(r"\s*(?:(?:a|an|the|one|single|1|landing|static|simple)\s+)*(?:page|pager|site|website)\s*")
# "a hero image", "hero banner", "a hero section": the page's header, with a picture
_HERO = re.compile(r"\s*(?:(?:a|an|the|big|large|full width|full screen)\s+)*(hero(?: (?:image|banner|section|picture"
                   r"|photo|area|header))?|header image|banner(?: image)?)\s*")
# a shape written after a section's name: "instructor cards", "projects grid", "newsletter signup form"
_SHAPE_WORDS = {"cards": None, "card": None, "tiles": None, "boxes": None, "list": None, "grid": "gallery",
                "gallery": "gallery", "form": None, "block": None, "area": None, "panel": None, "row": None}
# "a grid of works", "a gallery of paintings", "a list of services": the things the section shows
_SHAPE_OF = re.compile(r"^(?:grid|gallery|showcase|wall|list|row|set|collection) of (?=\w)")


@dataclass(frozen=True)
class NamedSection:
    name: str  # identifier: "instructors", "works"
    label: str  # as the checklist says it: "instructors with photos"
    shape: str | None  # a known section's key when the words around the name gave it ("grid of works": gallery)
    phrase: str  # the words of the prompt it was read from


def named_sections(flat: str) -> list[NamedSection]:
    """The sections a landing page prompt names, each with its name, how the checklist says it and its shape: "a
    landing page for a yoga studio with a class schedule, instructor cards with photos and a newsletter signup
    form": a schedule (a table), instructors (people with photos), a newsletter signup (an email form)."""
    match = _SECTIONS_RE.search(flat)
    if not match:
        return []
    sections: list[NamedSection] = []
    # "three tiers (Free, Pro, Enterprise)": what is in brackets names a section's cards, not sections; "an RSVP
    # form (name, email)" what the section holds
    items = re.split(r",|\band\b", re.sub(r"\([^)]*\)?", lambda m: m.group(0).replace(",", ";").replace(" and ", "; "),
                                            match.group(1)))
    for item in items:
        section = _section(item)
        if section and section.name not in [s.name for s in sections]:
            sections.append(section)
    return sections[:8]


# what a form checks and says, which the page's forms do: no section of its own
_FORM_BEHAVIOUR = re.compile(r"\b(?:validat\w*|error messages?|errors?|client side|feedback)\b")


def _section(item: str) -> NamedSection | None:
    """One item of a landing page's list read as a section, or None when it is no section."""
    phrase = re.sub(r"\s+", " ", item.replace(";", ",")).strip()
    bracket = re.search(r"\(([^)]*)\)?", item)
    listed = [w.strip() for w in re.split(r";", bracket.group(1))] if bracket else []
    item = re.sub(r"\([^)]*\)?", "", item)
    if re.match(r"\s*(?:use|using|make|add|show|shows|with|that|which|where|so|should|must|please)\b", item):
        return None  # "use tailwind", "that shows a discount": an instruction or a clause, not a section
    if _BEHAVIOUR_WORDS.search(item) or _STYLE_WORDS.search(item) or _FORM_BEHAVIOUR.search(item.split(" with ")[0]):
        return None  # "and lightbox", "dark theme": behaviour or looks, listed unmet by the checklist, not a section
    if any(re.search(entry["pattern"], item) for name, entry in VARIANTS.items() if name != "landing") and not (
            re.search(r"\bcountdown", item)):
        return None  # "a mortgage calculator": a page of its own, listed by the checklist, not a section
    item = re.sub(r"\bmasonry\b", "", item)  # "a masonry gallery": the gallery
    # "hero with her name": the page's header, whatever it is said to show (the checklist lists that)
    if re.fullmatch(r"\s*(?:a |the )?(?:hero(?: section)?|header|footer|nav|navbar|navigation(?: bar)?)\s*",
                    item.partition(" with ")[0]):
        return None  # every landing page has them (LANDING_PARTS)
    if _THE_PAGE.fullmatch(item) or _HERO.fullmatch(item.partition(" with ")[0]):
        return None  # the page itself; its hero (hero_of)
    # "instructor cards with photos": the section is the instructors, shown with photos
    head, _, details = re.sub(r"\s+", " ", item).strip().partition(" with ")
    if re.search(r"\b(?:buttons?|links?|cta|call to action|icons?|logo)\s*$", head):
        return None  # "a 'Book a pickup' button": a control of the page, listed by the checklist, not a section
    # "countdown timer to the event" as written; not what a relative clause says it does ("that emails me")
    written = [w for w in re.split(r" (?:where|that|which|who) ", head)[0].split() if w not in _SECTION_NOISE]
    head = re.split(r" (?:to|for|from|on|at|about|in|where|that|which) ", head)[0]
    words, shape = [w for w in head.split() if w not in _SECTION_NOISE], None
    of = _SHAPE_OF.match(" ".join(words))
    if of:
        shape = _SHAPE_WORDS.get(words[0])
        words = " ".join(words)[of.end():].split()
    while len(words) > 1 and words[-1] in _SHAPE_WORDS:
        shape = shape or _SHAPE_WORDS[words[-1]]
        words = words[:-1]
        words[-1] = plural(words[-1])  # "instructor cards": the instructors
    name = identifier("_".join(words[:3]))
    if not name or name in _NOT_SECTIONS or name.startswith("contact"):
        return None
    known = known_by_name(name) or (KNOWN_SECTIONS.get(shape) if shape else None)
    if known_by_name(name):
        shape = None  # its name says it
    label = " ".join(written[:6])
    holds = set(known.get("holds", ())) if known else set()
    details = [w for w in details.split() if w not in _SECTION_NOISE]
    held = [d for d in listed if d in holds] + ([" ".join(details)] if details and set(details) <= holds else [])
    if held:
        label += f" with {human_list(held)}"  # "works with captions", "an RSVP form (name, email)": they are written
    return NamedSection(name, label, shape, phrase)


def hero_of(flat: str) -> str | None:
    """The hero a landing page prompt names ("a hero image", "hero banner"): the page's header gets a picture."""
    match = _SECTIONS_RE.search(flat)
    for item in re.split(r",|\band\b", re.sub(r"\([^)]*\)?", "", match.group(1))) if match else ():
        hero = _HERO.fullmatch(item.partition(" with ")[0])
        if hero:
            return hero.group(1)
    return None


def known_by_name(name: str) -> dict | None:
    name = identifier(name)
    for entry in KNOWN_SECTIONS.values():
        if re.fullmatch(entry["pattern"], name) or re.fullmatch(entry["pattern"], plural(name)):
            return entry
    return None
