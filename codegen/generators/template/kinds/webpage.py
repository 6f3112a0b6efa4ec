"""Static web pages: HTML, CSS and plain JavaScript, no build step and no server.

Four variants: a small app that keeps records in the browser (localStorage),
a landing page, a calculator and a stopwatch. Each gets a Python test that
parses the HTML and checks that it links its assets and holds every element
the script looks up.
"""

from __future__ import annotations

import html
import json
import re

from codegen.generators.template import recipes, render, templates
from codegen.generators.template.model import Context, EntitySpec, ProjectSpec, default_entities, make_entity
from codegen.generators.template.words import article, human_list, identifier, title

# calculator, stopwatch, landing: their patterns, titles, descriptions and scripts
_VARIANTS: dict[str, dict] = templates.manifest("webpage")


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
        if spec.recipe in ("calculator", "stopwatch"):
            spec.entities = []
        if spec.recipe is None and not spec.entities and not context.domain:
            spec.recipe = "landing"
            context.assumptions.append("no records to manage named; assumed a landing page")
        named = _named_sections(context.flat) if spec.recipe == "landing" else []
        if named and len(named) > len(spec.entities):
            spec.entities = []  # "with gallery, pricing and testimonials": the named sections, not the plural nouns alone
        if spec.recipe == "landing" and not spec.entities:
            if named:
                spec.entities = [make_entity(name, [("title", "str", True), ("description", "str", False)]) for name in named]
                spec.options["sections"] = [name.replace("_", " ") for name in named]
            else:
                spec.entities = [make_entity("feature", [("title", "str", True), ("description", "str", False)])]
                context.assumptions.append("no sections named; assumed a features section")
        elif spec.recipe is None:
            default_entities(spec, context, what="records")
        if spec.recipe == "landing":
            _named_cards(spec, context.text)

    def capabilities(self, spec: ProjectSpec) -> frozenset[str]:
        return frozenset({"entities", "fields"}) if spec.recipe in (None, "landing") else frozenset()

    def describe(self, spec: ProjectSpec) -> str:
        if spec.recipe:
            text = _VARIANTS[spec.recipe]["description"]
            if spec.recipe == "landing":
                text += f"; sections: {', '.join(e.plural for e in spec.entities)}"
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
        return {
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
                "## Files\n\n- `index.html`: the page\n- `styles.css`: the styles\n- `app.js`: the behaviour",
            ),
        }


# "... page with X, Y and Z", or its comma list: "landing page for my coffee shop, menu section, opening hours"
_SECTIONS_RE = re.compile(
    r"\b(?:page|site|website|homepage)\b[^.;,]*?(?:\b(?:with|showing|containing|including)\b|,) ([^.;]+)")
# how the page looks, not what it holds ("dark theme", "mobile friendly"): never a section
_STYLE_WORDS = re.compile(r"\b(?:themes?|colou?rs?|fonts?|responsive|mobile|friendly|minimal\w*|modern|clean|elegant"
                          r"|dark|light|layout|style|styled|design)\b")
# the parts every landing page has: a navigation bar, a header (its hero) and a footer
LANDING_PARTS = frozenset("hero header footer nav navbar navigation bar".split())
_SECTION_NOISE = frozenset("a an the our my some section sections placeholder placeholders one two three four five six"
                           " several few".split())
# interactive behaviour (the checklist's crosscheck lists it unmet): never a section of its own
_BEHAVIOUR_WORDS = re.compile(r"\b(?:lightbox(?:es)?|carousels?|sliders?|modals?|pop ?ups?|drag and drop"
                              r"|infinite scroll\w*|dark mode(?: toggle| switch)?|theme toggle|parallax|animations?"
                              r"|toggles?|switch(?:es|er)?|lazy loading)\b")
_NOT_SECTIONS = frozenset("contact contact_form form a an the our my some".split())


def _named_sections(flat: str) -> list[str]:
    """ "a landing page for a coffee shop with menu, opening hours and a contact form": menu, opening_hours."""
    match = _SECTIONS_RE.search(flat)
    if not match:
        return []
    names = []
    # "three tiers (Free, Pro, Enterprise)": what is in brackets names a section's cards, not sections
    for item in re.split(r",|\band\b", re.sub(r"\([^)]*\)?", "", match.group(1))):
        if re.match(r"\s*(?:use|using|make|add|show|shows|with|that|which|where|so|should|must|please)\b", item):
            continue  # "use tailwind", "that shows a discount": an instruction or a clause, not a section
        if _BEHAVIOUR_WORDS.search(item) or _STYLE_WORDS.search(item):
            continue  # "and lightbox", "dark theme": behaviour or looks, listed unmet by the checklist, not a section
        if any(re.search(entry["pattern"], item) for name, entry in _VARIANTS.items() if name != "landing"):
            continue  # "a mortgage calculator", "a countdown": a page of its own, listed by the checklist
        item = re.sub(r"\bmasonry\b|\([^)]*\)?", "", item)  # "a masonry gallery", "pricing (3 plans)": the name
        if re.fullmatch(r"\s*(?:a |the )?(?:hero(?: section)?|header|footer|nav|navbar|navigation(?: bar)?)\s*", item):
            continue  # every landing page has them (LANDING_PARTS)
        words = [w for w in item.split() if w not in _SECTION_NOISE]
        name = identifier("_".join(words[:3]))
        if name and name not in _NOT_SECTIONS and not name.startswith("contact") and name not in names:
            names.append(name)
    return names[:8]


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
    return f"  <header>\n    <h1>{html.escape(spec.title)}</h1>\n    <p>{html.escape(spec.summary)}.</p>\n  </header>\n"


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
    kind = render.JS_INPUT_TYPES[field.type]
    extra = ' step="any"' if field.type == "float" else ""
    required = " required" if field.required and field.type != "bool" else ""
    return (
        f'        <label for="{input_id}">{html.escape(title(field.name))}</label>\n'
        f'        <input id="{input_id}" name="{field.name}" type="{kind}"{extra}{required}>'
    )


def _landing(spec: ProjectSpec) -> tuple[str, str, list[str]]:
    nav = "".join(f'      <a href="#{e.plural}">{html.escape(_section_heading(e))}</a>\n' for e in spec.entities)
    sections = []
    for entity in spec.entities:
        known = _known_section(entity)
        if known:
            filled = templates.fill("webpage", f"sections/{known['template']}", id=entity.plural,
                                    heading=html.escape(known["heading"]))
            sections.append(render.indent(filled, 4).rstrip("\n"))
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
    return body, _script("landing"), ["contact-form", "contact-name", "contact-email", "contact-message", "contact-status"]


_KNOWN_SECTIONS = templates.manifest("webpage", "sections/manifest.toml")


def _known_section(section: EntitySpec) -> dict[str, str] | None:
    """The template and heading of a section known by its name (a menu, opening hours, pricing, ...)."""
    for entry in _KNOWN_SECTIONS.values():
        if re.fullmatch(entry["pattern"], section.name) or re.fullmatch(entry["pattern"], section.plural):
            return entry
    return None


def _section_heading(section: EntitySpec) -> str:
    known = _known_section(section)
    return known["heading"] if known else title(section.plural)


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
