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

from codegen.generators.template import render
from codegen.generators.template.model import Context, EntitySpec, ProjectSpec, default_entities, make_entity
from codegen.generators.template.render import code
from codegen.generators.template.words import article, human_list, identifier, title

_VARIANTS = [
    ("calculator", r"\bcalculator\b"),
    ("stopwatch", r"\b(?:stopwatch|stop watch|timer|countdown|pomodoro|clock)\b"),
    ("landing", r"\b(?:landing|portfolio|home ?page|homepage|personal (?:site|website|page)|marketing|brochure|resume|cv|"
     r"company (?:site|website)|static site|about me|bakery|restaurant (?:site|website))\b"),
]
TITLES = {"calculator": "Calculator", "stopwatch": "Stopwatch"}
_DESCRIPTIONS = {
    "calculator": "a browser calculator (HTML, CSS and JavaScript)",
    "stopwatch": "a browser stopwatch with laps and a countdown (HTML, CSS and JavaScript)",
    "landing": "a static landing page (HTML, CSS and JavaScript) with a validated contact form",
}


def complete(spec: ProjectSpec, context: Context) -> None:
    for variant, pattern in _VARIANTS:
        if re.search(pattern, context.flat) and not (variant != "landing" and context.manages_records):
            spec.recipe = variant
            break
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


_SECTIONS_RE = re.compile(r"\b(?:page|site|website|homepage)\b[^.;]*?\b(?:with|showing|containing|including) ([^.;]+)")
_NOT_SECTIONS = frozenset("contact contact_form form a an the our my some".split())


def _named_sections(flat: str) -> list[str]:
    """ "a landing page for a coffee shop with menu, opening hours and a contact form": menu, opening_hours."""
    match = _SECTIONS_RE.search(flat)
    if not match:
        return []
    names = []
    for item in re.split(r",|\band\b", match.group(1)):
        words = [w for w in item.split() if w not in ("a", "an", "the", "our", "my", "some", "section", "sections")]
        name = identifier("_".join(words[:3]))
        if name and name not in _NOT_SECTIONS and not name.startswith("contact") and name not in names:
            names.append(name)
    return names[:8]


def capabilities(spec: ProjectSpec) -> frozenset[str]:
    return frozenset({"entities", "fields"}) if spec.recipe in (None, "landing") else frozenset()


def describe(spec: ProjectSpec) -> str:
    if spec.recipe:
        text = _DESCRIPTIONS[spec.recipe]
        if spec.recipe == "landing":
            text += f"; sections: {', '.join(e.plural for e in spec.entities)}"
        return text
    return f"a browser app (HTML, CSS and JavaScript, data in localStorage) for {', '.join(e.plural for e in spec.entities)}"


def render_files(spec: ProjectSpec) -> dict[str, str]:
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
            f"{describe(spec)[0].upper()}{describe(spec)[1:]}. No build step: open `index.html` in a browser.",
            "## Run\n\n```sh\npython -m http.server 8000  # then open http://127.0.0.1:8000\n```",
            "## Test\n\n`tests/test_page.py` checks that the HTML parses, that every linked file exists and that "
            "every element the script uses is on the page.\n\n```sh\npip install -r requirements.txt\npytest\n```",
            "## Files\n\n- `index.html`: the page\n- `styles.css`: the styles\n- `app.js`: the behaviour",
        ),
    }


def _page(spec: ProjectSpec, body: str) -> str:
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n'
        "<head>\n"
        '  <meta charset="utf-8">\n'
        '  <meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"  <title>{html.escape(spec.title)}</title>\n"
        f'  <meta name="description" content="{html.escape(spec.summary)}">\n'
        '  <link rel="stylesheet" href="styles.css">\n'
        '  <script src="app.js" defer></script>\n'
        "</head>\n"
        "<body>\n"
        f"{body.rstrip()}\n"
        "</body>\n"
        "</html>\n"
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
    nav = "".join(f'      <a href="#{e.plural}">{html.escape(title(e.plural))}</a>\n' for e in spec.entities)
    sections = []
    for entity in spec.entities:
        cards = "".join(
            f'        <article class="card">\n          <h3>{html.escape(title(entity.name))} {number}</h3>\n'
            f"          <p>{html.escape(_card_text(entity, number))}</p>\n        </article>\n"
            for number in (1, 2, 3)
        )
        sections.append(
            f'    <section id="{entity.plural}">\n      <h2>{html.escape(title(entity.plural))}</h2>\n'
            f'      <div class="cards">\n{cards}      </div>\n    </section>'
        )
    contact = code(
        """
            <section id="contact">
              <h2>Contact</h2>
              <form id="contact-form" novalidate>
                <label for="contact-name">Name</label>
                <input id="contact-name" name="name" required>
                <label for="contact-email">Email</label>
                <input id="contact-email" name="email" type="email" required>
                <label for="contact-message">Message</label>
                <textarea id="contact-message" name="message" rows="4" required></textarea>
                <button type="submit">Send</button>
                <p id="contact-status" role="status"></p>
              </form>
            </section>
        """
    )
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
    return body, LANDING_JS, ["contact-form", "contact-name", "contact-email", "contact-message", "contact-status"]


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
    return body, CALCULATOR_JS, ["display", "keys"]


_KEY_LABELS = {"/": "\u00f7", "*": "\u00d7", "-": "\u2212"}
_OPERATOR_CLASS = ' class="operator"'


def _stopwatch(spec: ProjectSpec) -> tuple[str, str, list[str]]:
    body = _header(spec) + render.indent(code(
        """
          <main>
            <section aria-labelledby="stopwatch-title">
              <h2 id="stopwatch-title">Stopwatch</h2>
              <output id="stopwatch-display">00:00.00</output>
              <div class="controls">
                <button type="button" id="stopwatch-start">Start</button>
                <button type="button" id="stopwatch-lap">Lap</button>
                <button type="button" id="stopwatch-reset">Reset</button>
              </div>
              <ol id="laps"></ol>
            </section>
            <section aria-labelledby="countdown-title">
              <h2 id="countdown-title">Countdown</h2>
              <label for="countdown-minutes">Minutes</label>
              <input id="countdown-minutes" type="number" min="1" max="180" value="25">
              <output id="countdown-display">25:00</output>
              <div class="controls">
                <button type="button" id="countdown-start">Start</button>
                <button type="button" id="countdown-reset">Reset</button>
              </div>
            </section>
          </main>
        """
    ), 2)
    ids = re.findall(r'id="([^"]+)"', body)
    return body, STOPWATCH_JS, [i for i in ids if not i.endswith("-title")]


# -- static assets ---------------------------------------------------------------------

STYLES = code(
    """
    :root {
      --accent: #2457c5;
      --text: #1d2330;
      --muted: #5b6475;
      --surface: #f5f7fb;
      font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
      color: var(--text);
    }

    * { box-sizing: border-box; }
    body { margin: 0; line-height: 1.5; background: white; }
    header, main, footer, nav { max-width: 56rem; margin: 0 auto; padding: 1rem 1.5rem; }
    header h1 { margin-bottom: 0.25rem; }
    header p { color: var(--muted); margin-top: 0; }
    nav { display: flex; gap: 1rem; }
    nav a { color: var(--accent); text-decoration: none; }
    section { margin: 2rem 0; }
    form { display: grid; gap: 0.5rem; max-width: 28rem; }
    label { font-weight: 600; font-size: 0.9rem; }
    input, textarea { font: inherit; padding: 0.5rem; border: 1px solid #c8cfdb; border-radius: 6px; }
    input[type="checkbox"] { justify-self: start; }
    button {
      font: inherit; padding: 0.5rem 1rem; border: 0; border-radius: 6px;
      background: var(--accent); color: white; cursor: pointer;
    }
    button:hover { filter: brightness(1.1); }
    .items { list-style: none; padding: 0; }
    .items li {
      display: flex; justify-content: space-between; gap: 1rem; padding: 0.5rem 0.75rem;
      margin: 0.25rem 0; background: var(--surface); border-radius: 6px;
    }
    .items li button { padding: 0.25rem 0.75rem; background: #b3261e; }
    .cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(14rem, 1fr)); gap: 1rem; }
    .card { padding: 1rem; background: var(--surface); border-radius: 8px; }
    .calculator { max-width: 20rem; }
    .calculator output {
      display: block; padding: 1rem; font-size: 2rem; text-align: right; background: var(--surface);
      border-radius: 8px; margin-bottom: 0.5rem; overflow-x: auto;
    }
    .keys { display: grid; grid-template-columns: repeat(4, 1fr); gap: 0.5rem; }
    .keys .operator { background: #16357a; }
    .keys .wide { grid-column: span 4; background: #5b6475; }
    .controls { display: flex; gap: 0.5rem; margin: 0.5rem 0; }
    output { font-variant-numeric: tabular-nums; font-size: 1.75rem; display: block; }
    footer { color: var(--muted); border-top: 1px solid #e3e7ef; }
    @media (prefers-color-scheme: dark) {
      :root { --text: #e8ecf4; --muted: #a7b0c0; --surface: #1e2533; }
      body { background: #121722; }
    }
    """
)

APP_JS = code(
    """
    "use strict";

    // Records live in the browser's localStorage under one key: { collection: [record, ...] }.
    const STORAGE_KEY = $storage_key;
    const COLLECTIONS = $collections;

    function load() {
      try {
        return JSON.parse(localStorage.getItem(STORAGE_KEY)) || {};
      } catch {
        return {};
      }
    }

    function save(data) {
      localStorage.setItem(STORAGE_KEY, JSON.stringify(data));
    }

    function valueOf(input, field) {
      if (field.type === "bool") return input.checked;
      if (input.value === "") return null;
      if (field.type === "int" || field.type === "float") return Number(input.value);
      return input.value;
    }

    function describe(record, fields) {
      return fields
        .filter((field) => record[field.name] !== null && record[field.name] !== "")
        .map((field) => {
          const value = record[field.name];
          return field.label + ": " + (field.type === "bool" ? (value ? "yes" : "no") : value);
        })
        .join(" \\u00b7 ");
    }

    function render(collection) {
      const list = document.getElementById(collection + "-list");
      const records = load()[collection] || [];
      list.replaceChildren(
        ...records.map((record) => {
          const item = document.createElement("li");
          const text = document.createElement("span");
          text.textContent = describe(record, COLLECTIONS[collection]);
          const remove = document.createElement("button");
          remove.type = "button";
          remove.textContent = "Delete";
          remove.addEventListener("click", () => removeRecord(collection, record.id));
          item.append(text, remove);
          return item;
        }),
      );
    }

    function addRecord(event) {
      event.preventDefault();
      const form = event.target;
      const collection = form.dataset.collection;
      const data = load();
      const records = data[collection] || [];
      const record = { id: records.reduce((max, r) => Math.max(max, r.id), 0) + 1 };
      for (const field of COLLECTIONS[collection]) {
        record[field.name] = valueOf(form.elements[field.name], field);
      }
      data[collection] = [...records, record];
      save(data);
      form.reset();
      render(collection);
    }

    function removeRecord(collection, id) {
      const data = load();
      data[collection] = (data[collection] || []).filter((record) => record.id !== id);
      save(data);
      render(collection);
    }

    for (const collection of Object.keys(COLLECTIONS)) {
      document.getElementById(collection + "-form").addEventListener("submit", addRecord);
      render(collection);
    }
    """
)

LANDING_JS = code(
    """
    "use strict";

    const form = document.getElementById("contact-form");
    const status = document.getElementById("contact-status");
    const EMAIL = /^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$/;

    function problems() {
      const found = [];
      if (!document.getElementById("contact-name").value.trim()) found.push("your name");
      if (!EMAIL.test(document.getElementById("contact-email").value.trim())) found.push("a valid email address");
      if (!document.getElementById("contact-message").value.trim()) found.push("a message");
      return found;
    }

    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const missing = problems();
      if (missing.length) {
        status.textContent = "Please enter " + missing.join(", ") + ".";
        return;
      }
      status.textContent = "Thank you, your message is ready to send.";
      form.reset();
    });
    """
)

CALCULATOR_JS = code(
    """
    "use strict";

    // An immediate-execution calculator: each operator applies to the running total.
    const display = document.getElementById("display");
    const state = { total: null, operator: null, entry: "0", fresh: true };

    const OPERATIONS = {
      "+": (a, b) => a + b,
      "-": (a, b) => a - b,
      "*": (a, b) => a * b,
      "/": (a, b) => (b === 0 ? NaN : a / b),
    };

    function show(value) {
      display.textContent = Number.isFinite(value) ? String(Number(value.toPrecision(12))) : "Error";
    }

    function press(key) {
      if (/[0-9]/.test(key)) {
        state.entry = state.fresh || state.entry === "0" ? key : state.entry + key;
        state.fresh = false;
        display.textContent = state.entry;
      } else if (key === ".") {
        if (state.fresh) state.entry = "0";
        if (!state.entry.includes(".")) state.entry += ".";
        state.fresh = false;
        display.textContent = state.entry;
      } else if (key === "C") {
        Object.assign(state, { total: null, operator: null, entry: "0", fresh: true });
        display.textContent = "0";
      } else {
        const value = Number(state.entry);
        if (state.operator && !state.fresh) state.total = OPERATIONS[state.operator](state.total, value);
        else state.total = state.total ?? value;
        state.operator = key === "=" ? null : key;
        state.entry = String(state.total);
        state.fresh = true;
        show(state.total);
        if (key === "=") state.total = null;
      }
    }

    document.getElementById("keys").addEventListener("click", (event) => {
      const key = event.target.dataset.key;
      if (key) press(key);
    });

    document.addEventListener("keydown", (event) => {
      const key = event.key === "Enter" ? "=" : event.key === "Escape" ? "C" : event.key;
      if (/^[0-9.+\\-*\\/=C]$/.test(key)) press(key);
    });
    """
)

STOPWATCH_JS = code(
    """
    "use strict";

    function format(milliseconds, withHundredths) {
      const total = Math.max(0, Math.floor(milliseconds / 10));
      const minutes = String(Math.floor(total / 6000)).padStart(2, "0");
      const seconds = String(Math.floor(total / 100) % 60).padStart(2, "0");
      const text = minutes + ":" + seconds;
      return withHundredths ? text + "." + String(total % 100).padStart(2, "0") : text;
    }

    // Stopwatch: elapsed time is measured from performance.now(), not counted ticks, so it never drifts.
    const stopwatch = { started: null, elapsed: 0, timer: null };
    const stopwatchDisplay = document.getElementById("stopwatch-display");
    const startButton = document.getElementById("stopwatch-start");

    function stopwatchTime() {
      return stopwatch.elapsed + (stopwatch.started === null ? 0 : performance.now() - stopwatch.started);
    }

    startButton.addEventListener("click", () => {
      if (stopwatch.started === null) {
        stopwatch.started = performance.now();
        stopwatch.timer = setInterval(() => (stopwatchDisplay.textContent = format(stopwatchTime(), true)), 50);
        startButton.textContent = "Stop";
      } else {
        stopwatch.elapsed = stopwatchTime();
        stopwatch.started = null;
        clearInterval(stopwatch.timer);
        startButton.textContent = "Start";
      }
    });

    document.getElementById("stopwatch-lap").addEventListener("click", () => {
      const lap = document.createElement("li");
      lap.textContent = format(stopwatchTime(), true);
      document.getElementById("laps").append(lap);
    });

    document.getElementById("stopwatch-reset").addEventListener("click", () => {
      clearInterval(stopwatch.timer);
      Object.assign(stopwatch, { started: null, elapsed: 0, timer: null });
      startButton.textContent = "Start";
      stopwatchDisplay.textContent = format(0, true);
      document.getElementById("laps").replaceChildren();
    });

    // Countdown: runs until a deadline.
    const countdown = { deadline: null, timer: null };
    const countdownDisplay = document.getElementById("countdown-display");
    const minutesInput = document.getElementById("countdown-minutes");

    function countdownReset() {
      clearInterval(countdown.timer);
      countdown.deadline = null;
      countdownDisplay.textContent = format(Number(minutesInput.value) * 60000, false);
    }

    document.getElementById("countdown-start").addEventListener("click", () => {
      if (countdown.deadline !== null) return;
      countdown.deadline = performance.now() + Number(minutesInput.value) * 60000;
      countdown.timer = setInterval(() => {
        const left = countdown.deadline - performance.now();
        countdownDisplay.textContent = format(left, false);
        if (left <= 0) {
          clearInterval(countdown.timer);
          countdown.deadline = null;
          countdownDisplay.textContent = "Time is up";
        }
      }, 200);
    });

    document.getElementById("countdown-reset").addEventListener("click", countdownReset);
    minutesInput.addEventListener("change", countdownReset);
    """
)


def _tests(ids: list[str]) -> str:
    wanted = "".join(f'    "{element_id}",\n' for element_id in ids)
    return code(
        '''
        """Checks of the page: it parses, its assets exist, and the script finds every element it uses."""

        import re
        from html.parser import HTMLParser
        from pathlib import Path

        ROOT = Path(__file__).resolve().parent.parent
        # the elements app.js looks up
        REQUIRED_IDS = [
        $ids]
        VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


        class Page(HTMLParser):
            def __init__(self) -> None:
                super().__init__()
                self.ids: list[str] = []
                self.assets: list[str] = []
                self.open: list[str] = []
                self.problems: list[str] = []

            def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
                attributes = dict(attrs)
                if attributes.get("id"):
                    self.ids.append(attributes["id"])
                if tag == "link" and attributes.get("rel") == "stylesheet":
                    self.assets.append(attributes["href"])
                if tag == "script" and attributes.get("src"):
                    self.assets.append(attributes["src"])
                if tag not in VOID:
                    self.open.append(tag)

            def handle_endtag(self, tag: str) -> None:
                if not self.open or self.open[-1] != tag:
                    self.problems.append(f"unexpected </{tag}> (open: {self.open[-1:]})")
                else:
                    self.open.pop()


        def parse() -> Page:
            page = Page()
            page.feed((ROOT / "index.html").read_text(encoding="utf-8"))
            page.close()
            return page


        def test_html_is_well_formed():
            page = parse()
            assert page.problems == []
            assert page.open == []
            assert len(page.ids) == len(set(page.ids)), "ids must be unique"


        def test_linked_assets_exist():
            page = parse()
            assert sorted(page.assets) == ["app.js", "styles.css"]
            for asset in page.assets:
                assert (ROOT / asset).is_file()


        def test_every_element_the_script_uses_is_on_the_page():
            ids = set(parse().ids)
            script = (ROOT / "app.js").read_text(encoding="utf-8")
            looked_up = set(re.findall(r'getElementById\\("([^"]+)"\\)', script))
            assert looked_up <= ids
            assert set(REQUIRED_IDS) <= ids


        def test_script_brackets_balance():
            script = (ROOT / "app.js").read_text(encoding="utf-8")
            code = re.sub(r'"(?:\\\\.|[^"\\\\])*"|/(?:\\\\.|[^/\\\\\\n])+/[a-z]*(?=[;),.]|$)', '""', script, flags=re.MULTILINE)
            for opening, closing in ("()", "[]", "{}"):
                assert code.count(opening) == code.count(closing)
        '''
    ).replace("$ids", wanted)
