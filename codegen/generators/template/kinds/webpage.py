"""Static web pages: HTML, CSS and plain JavaScript, no build step and no server.

Four variants: a small app that keeps records in the browser (localStorage),
a landing page, a calculator and a stopwatch. Each gets a Python test that
parses the HTML and checks that it links its assets and images and holds
every element the script looks up.

A landing page named as such is one whatever else it names (its countdown is a
section, a calculator a request it does not meet). Its sections are read with
sensible names ("instructor cards with photos": instructors) and written in the
usual shape of their kind (templates/webpage/sections/manifest.toml): a hero is
the header with a picture, a schedule a table, a signup an email form, a
gallery captioned pictures; any other is a row of cards. A kanban board is the
records app of its cards, each with a status of its columns.
"""

from __future__ import annotations

import html
import json
import re

from codegen.generators.template import recipes, render, templates
from codegen.generators.template.kinds.page_sections import VARIANTS as _VARIANTS
from codegen.generators.template.kinds.page_sections import KNOWN_SECTIONS, hero_of, known_by_name, named_sections
from codegen.generators.template.model import Context, EntitySpec, FieldSpec, ProjectSpec, default_entities, make_entity
from codegen.generators.template.words import article, human_list, identifier, plural, title


def names_variant(variant: str, flat: str) -> bool:
    """Whether the normalized prompt names the page ``variant`` ("landing", "calculator", "stopwatch")."""
    return bool(re.search(_VARIANTS[variant]["pattern"], flat))


def variant(name: str) -> dict:
    """The manifest entry of page ``variant`` ("calculator", "stopwatch", "landing")."""
    return _VARIANTS[name]


def other_variants(flat: str) -> list[tuple[str, dict]]:
    """The pages other than a landing page a prompt names ("a countdown timer", "a mortgage calculator"), with
    their manifest entries: the name as written, with the words before it that say what it is for."""
    found = []
    for name, entry in _VARIANTS.items():
        if name == "landing" or not re.search(entry["pattern"], flat):
            continue
        named = recipes.other_program(entry["pattern"], "", flat, whole=True)
        found.append((named or re.search(entry["pattern"], flat).group(0), entry))
    return found


def _page_sections_beside_a_countdown(flat: str) -> list[str]:
    """The sections of a page the prompt names that are a page's own (a gallery, a form, a schedule), besides a
    countdown: with them, a countdown is a section of the page, not the stopwatch page itself."""
    timers = (KNOWN_SECTIONS["countdown"], KNOWN_SECTIONS["date"])
    return [s.name for s in named_sections(flat) if known_by_name(s.name) not in (None, *timers)]


class WebPage:
    """Static web pages (the Kind protocol)."""

    name = "webpage"

    def complete(self, spec: ProjectSpec, context: Context) -> None:
        for variant, entry in _VARIANTS.items():
            if re.search(entry["pattern"], context.flat) and not (variant != "landing" and context.manages_records):
                spec.recipe = variant
                break
        if names_variant("landing", context.flat):
            spec.recipe = "landing"  # "an event page with a countdown": the page, whose countdown is a request of it
        elif spec.recipe == "stopwatch" and len(_page_sections_beside_a_countdown(context.flat)) >= 2:
            spec.recipe = "landing"  # "a page for a birthday with a countdown, a photo gallery and an RSVP form"
        if spec.recipe in ("calculator", "stopwatch"):
            spec.entities = []
        if spec.recipe is None and not spec.entities and not context.domain:
            spec.recipe = "landing"
            context.assumptions.append("no records to manage named; assumed a landing page")
        sections = named_sections(context.flat) if spec.recipe == "landing" else []
        named = [section.name for section in sections]
        if named:
            # "a one page site for artists with a gallery": whom the page is for, not records it shows
            audience = re.search(r"\b(?:page|pager|site|website)\s+for\s+(?:(?:an?|the|my|our|some)\s+)?(\w+)",
                                 context.flat)
            spec.entities = [e for e in spec.entities if not (audience and audience[1] in (e.name, e.plural))
                             or e.name in named or e.plural in named]
        phrases = " ".join(section.phrase for section in sections)
        if named and (len(named) > len(spec.entities) or not context.explicit_fields and all(
                re.search(rf"\b(?:{e.name}|{e.plural})\b".replace("_", " "), phrases) for e in spec.entities)):
            # "with gallery, pricing and testimonials", "a grid of works with captions": the named sections, not the
            # plural nouns alone
            spec.entities = []
        if spec.recipe == "landing" and hero_of(context.flat):
            spec.options["hero"] = hero_of(context.flat)
        if spec.recipe == "landing" and not spec.entities:
            if named:
                spec.entities = [make_entity(name, [("title", "str", True), ("description", "str", False)]) for name in named]
                spec.options["sections"] = [section.label for section in sections]
                shapes = {plural(s.name): s.shape for s in sections if s.shape}
                if shapes:
                    spec.options["shapes"] = shapes
            else:
                spec.entities = [make_entity("feature", [("title", "str", True), ("description", "str", False)])]
                context.assumptions.append("no sections named; assumed a features section")
        elif spec.recipe is None:
            board = KANBAN_RE.search(context.flat)
            if board and not spec.entities:
                spec.entities = [make_entity("card", [("title", "str", True), ("description", "str", False)])]
            default_entities(spec, context, what="records")
            if board:
                _board(spec, context.text)
        if spec.recipe == "landing":
            _named_cards(spec, context.text)

    def capabilities(self, spec: ProjectSpec) -> frozenset[str]:
        return frozenset({"entities", "fields"}) if spec.recipe in (None, "landing") else frozenset()

    def describe(self, spec: ProjectSpec) -> str:
        if spec.recipe:
            text = _VARIANTS[spec.recipe]["description"]
            if spec.recipe == "landing":
                text += f"; sections: {', '.join(spec.options.get('sections') or [e.plural for e in spec.entities])}"
            return text
        return f"a browser app (HTML, CSS and JavaScript, data in localStorage) for {', '.join(e.plural for e in spec.entities)}"

    def recipe_title(self, spec: ProjectSpec) -> str | None:
        return _VARIANTS.get(spec.recipe, {}).get("title")

    def render_files(self, spec: ProjectSpec) -> dict[str, str]:
        body, script, ids = {
            None: _app,
            "landing": _landing,
            "calculator": _calculator,
            "stopwatch": _stopwatch,
        }[spec.recipe](spec)
        images = {PLACEHOLDER: templates.text("webpage", "placeholder.svg.tmpl")} if PLACEHOLDER in body else {}
        return {
            **images,
            "index.html": _page(spec, body),
            "styles.css": STYLES,
            "app.js": script,
            "tests/test_page.py": _tests(ids),
            "pytest.ini": render.pytest_ini(),
            "requirements.txt": render.requirements("pytest"),
            "README.md": render.readme(
                spec,
                f"{self.describe(spec)[0].upper()}{self.describe(spec)[1:]}. No build step: open `index.html` in a browser.",
                "## Run\n\n```sh\npython -m http.server 8000  # then open http://127.0.0.1:8000\n```",
                "## Test\n\n`tests/test_page.py` checks that the HTML parses, that every linked file exists and that "
                "every element the script uses is on the page.\n\n```sh\npip install -r requirements.txt\npytest\n```",
                "## Files\n\n- `index.html`: the page\n- `styles.css`: the styles\n- `app.js`: the behaviour"
                + (f"\n- `{PLACEHOLDER}`: the picture every image shows until you replace it" if images else ""),
            ),
        }


# a board of cards in columns: what the generator writes of it is its cards, each with a status of the columns
KANBAN_RE = re.compile(r"\b(?:kanban(?: boards?)?|(?:task|scrum|sprint|project|trello) boards?)\b")
_BOARD_COLUMNS = ["To do", "Doing", "Done"]  # a board's columns when the prompt names none


def board_columns(text: str) -> list[str]:
    """The columns a board prompt names as written: "three columns (To do, Doing, Done)", "columns Received,
    Proofing, Ready for pickup", "between To Do, In Progress and Done columns"; [] when it names none."""
    split = r"\s*(?:/|,|\band\b|\bor\b)\s*"
    for match in re.finditer(r"\bcolumns?\b[\s:(]*(?:(?:called|named|like)\s+)?([^.;)\n]+)", text):
        names = []
        for part in re.split(split, match.group(1)):
            if not re.fullmatch(r"[A-Z][\w'-]*(?: [\w'-]+){0,2}", part.strip()):
                break
            names.append(part.strip())
        if len(names) >= 2:
            return names
    for match in re.finditer(r"([^.;:(\n]+?)\s+columns?\b", text):
        names = []
        for part in reversed(re.split(split, match.group(1))):
            last = re.search(r"(?:^|\s)((?:[A-Z][\w'-]*\s?){1,3})$", part.strip())
            if not last:
                break
            names.insert(0, last.group(1).strip())
            if last.group(0).strip() != part.strip():
                break
        if len(names) >= 2:
            return names
    return []


def _board(spec: ProjectSpec, text: str) -> None:
    """A kanban board's cards (its first records) get a status, one of its columns; columns read as their fields
    ("job orders with columns Received, Printing") are that status, not fields."""
    columns = board_columns(text) or _BOARD_COLUMNS
    cards = spec.entities[0]
    # the columns, "columns" and the cards themselves ("shots: columns Planned/Filming, ... shots") are no fields
    not_fields = {identifier(c) for c in columns} | {identifier(c.split()[0]) for c in columns} | {
        "status", "column", "columns", cards.name, cards.plural, cards.name.split("_")[-1], cards.plural.split("_")[-1]}
    kept = [f for f in cards.fields if f.name not in not_fields]
    cards.fields = kept or [FieldSpec("title", "str", True), FieldSpec("description", "str", False)]
    cards.fields.append(FieldSpec("status", "str", True, {"choices": columns, "default": columns[0]}))
    spec.options["columns"] = columns


def _named_cards(spec: ProjectSpec, text: str) -> None:
    """ "three tiers (Free, Pro, Enterprise)": a section whose "fields" are names written capitalised is a section of
    cards of those names (options["cards"]), not of numbered placeholders."""
    for entity in spec.entities:
        names = [f.name for f in entity.fields if f.name not in ("title", "description")]
        written = [re.search(rf"\b{re.escape(n.replace('_', ' '))}\b", text, re.IGNORECASE) for n in names]
        if names and all(m and m.group(0)[0].isupper() for m in written):
            spec.options.setdefault("cards", {})[entity.plural] = [m.group(0) for m in written if m]
            entity.fields = [f for f in entity.fields if f.name in ("title", "description")] or entity.fields


def _page(spec: ProjectSpec, body: str) -> str:
    return templates.fill(
        "webpage", "index.html.tmpl",
        title=html.escape(spec.title), description=html.escape(spec.summary), body=body.rstrip(),
    )


def _header(spec: ProjectSpec) -> str:
    if spec.options.get("hero"):  # a hero: the header with a picture behind its headline
        return (f'  <header class="hero">\n    <img src="{PLACEHOLDER}" alt="" width="320" height="240">\n'
                f"    <h1>{html.escape(spec.title)}</h1>\n    <p>{html.escape(spec.summary)}.</p>\n  </header>\n")
    return f"  <header>\n    <h1>{html.escape(spec.title)}</h1>\n    <p>{html.escape(spec.summary)}.</p>\n  </header>\n"


PLACEHOLDER = "images/placeholder.svg"  # the picture every image of a landing page shows until it is replaced


# -- variants: (body HTML, app.js, ids the script needs) -----------------------------


def _app(spec: ProjectSpec) -> tuple[str, str, list[str]]:
    sections, ids = [], []
    for entity in spec.entities:
        inputs = "\n".join(_input(entity, f) for f in entity.fields)
        name = entity.plural
        ids += [f"{name}-form", f"{name}-list"]
        sections.append(
            f'    <section aria-labelledby="{name}-heading">\n'
            f'      <h2 id="{name}-heading">{html.escape(title(name))}</h2>\n'
            f'      <form id="{name}-form" data-collection="{name}">\n{inputs}\n'
            f'        <button type="submit">Add</button>\n      </form>\n'
            f'      <ul id="{name}-list" class="items"></ul>\n    </section>'
        )
    body = _header(spec) + "  <main>\n" + "\n".join(sections) + "\n  </main>\n"
    collections = "".join(
        f"  {entity.plural}: [\n"
        + "".join(
            f"    {{ name: {json.dumps(f.name)}, type: {json.dumps(f.type)}, label: {json.dumps(title(f.name))} }},\n"
            for f in entity.fields
        )
        + "  ],\n"
        for entity in spec.entities
    )
    script = APP_JS.replace("$storage_key", json.dumps(spec.slug)).replace("$collections", "{\n" + collections + "}")
    return body, script, ids


def _input(entity: EntitySpec, field) -> str:
    input_id = f"{entity.plural}-{field.name}"
    choices = field.rules.get("choices")
    if choices:  # "status, one of To do, Doing or Done": a select of them
        options = "".join(f'          <option value="{html.escape(c)}">{html.escape(c)}</option>\n' for c in choices)
        return (
            f'        <label for="{input_id}">{html.escape(title(field.name))}</label>\n'
            f'        <select id="{input_id}" name="{field.name}" required>\n{options}        </select>'
        )
    kind = render.JS_INPUT_TYPES[field.type]
    extra = ' step="any"' if field.type == "float" else ""
    required = " required" if field.required and field.type != "bool" else ""
    return (
        f'        <label for="{input_id}">{html.escape(title(field.name))}</label>\n'
        f'        <input id="{input_id}" name="{field.name}" type="{kind}"{extra}{required}>'
    )


def _landing(spec: ProjectSpec) -> tuple[str, str, list[str]]:
    nav = "".join(f'      <a href="#{e.plural}">{html.escape(_section_heading(e, spec))}</a>\n' for e in spec.entities)
    sections, ids = [], []
    for entity in spec.entities:
        known = _known_section(entity, spec)
        if known:
            filled = templates.fill("webpage", f"sections/{known['template']}", id=entity.plural,
                                    heading=html.escape(_section_heading(entity, spec)),
                                    item=html.escape(title(entity.name)))
            sections.append(render.indent(filled, 4).rstrip("\n"))
            ids += [i for i in re.findall(r'id="([^"]+)"', filled) if i != entity.plural]
            continue
        named = (spec.options.get("cards") or {}).get(entity.plural)
        cards = "".join(
            f'        <article class="card">\n          <h3>{html.escape(name)}</h3>\n'
            f"          <p>{html.escape(f'{name}: what the {title(entity.name).lower()} offers.')}</p>\n"
            "        </article>\n"
            for name in named
        ) if named else "".join(
            f'        <article class="card">\n          <h3>{html.escape(title(entity.name))} {number}</h3>\n'
            f"          <p>{html.escape(_card_text(entity, number))}</p>\n        </article>\n"
            for number in (1, 2, 3)
        )
        sections.append(
            f'    <section id="{entity.plural}">\n      <h2>{html.escape(title(entity.plural))}</h2>\n'
            f'      <div class="cards">\n{cards}      </div>\n    </section>'
        )
    contact = templates.text("webpage", "contact.html.tmpl")
    body = (
        f'  <nav>\n{nav}      <a href="#contact">Contact</a>\n  </nav>\n'
        + _header(spec)
        + "  <main>\n"
        + "\n".join(sections)
        + "\n"
        + render.indent(contact, 4)
        + "  </main>\n"
        + f"  <footer>\n    <p>{html.escape(spec.title)}</p>\n  </footer>\n"
    )
    contact_ids = ["contact-form", "contact-name", "contact-email", "contact-message", "contact-status"]
    return body, _script("landing"), contact_ids + ids


def _known_section(section: EntitySpec, spec: ProjectSpec | None = None) -> dict | None:
    """The template and heading of a section known by its name (a menu, opening hours, pricing, ...) or by the
    shape the prompt gave it ("a grid of works": a gallery)."""
    shape = ((spec.options.get("shapes") or {}) if spec else {}).get(section.plural)
    return known_by_name(section.name) or known_by_name(section.plural) or KNOWN_SECTIONS.get(shape or "")


def known_shape(section: EntitySpec, spec: ProjectSpec) -> str | None:
    """What a section of a landing page is written as ("a table of days, times and what is on"), or None: cards."""
    known = _known_section(section, spec)
    return known["writes"] if known else None


def _section_heading(section: EntitySpec, spec: ProjectSpec | None = None) -> str:
    known = _known_section(section, spec)
    heading = known["heading"] if known else "$plural"
    return {"$name": title(section.name), "$plural": title(section.plural)}.get(heading, heading)


def _card_text(entity: EntitySpec, number: int) -> str:
    fields = human_list([f.name.replace("_", " ") for f in entity.fields[:3]])
    return f"{article(title(entity.name).lower()).capitalize()} with its {fields}."


def _calculator(spec: ProjectSpec) -> tuple[str, str, list[str]]:
    keys = ["7", "8", "9", "/", "4", "5", "6", "*", "1", "2", "3", "-", "0", ".", "=", "+"]
    buttons = "".join(
        f'      <button type="button" data-key="{key}"{_OPERATOR_CLASS if key in "/*-+=" else ""}>'
        f"{html.escape(_KEY_LABELS.get(key, key))}</button>\n"
        for key in keys
    )
    body = (
        _header(spec)
        + '  <main class="calculator">\n    <output id="display" aria-live="polite">0</output>\n'
        + '    <div id="keys" class="keys">\n      <button type="button" data-key="C" class="wide">C</button>\n'
        + f"{buttons}    </div>\n  </main>\n"
    )
    return body, _script("calculator"), ["display", "keys"]


_KEY_LABELS = {"/": "\u00f7", "*": "\u00d7", "-": "\u2212"}
_OPERATOR_CLASS = ' class="operator"'


def _stopwatch(spec: ProjectSpec) -> tuple[str, str, list[str]]:
    body = _header(spec) + render.indent(templates.text("webpage", "stopwatch.html.tmpl"), 2)
    ids = re.findall(r'id="([^"]+)"', body)
    return body, _script("stopwatch"), [i for i in ids if not i.endswith("-title")]


# -- static assets ---------------------------------------------------------------------

STYLES = templates.text("webpage", "styles.css.tmpl")


def _script(variant: str) -> str:
    return templates.text("webpage", _VARIANTS[variant]["script"])


APP_JS = templates.text("webpage", "app.js.tmpl")


def _tests(ids: list[str]) -> str:
    wanted = "".join(f'    "{element_id}",\n' for element_id in ids)
    return templates.text("webpage", "test_page.py.tmpl").replace("$ids", wanted)
