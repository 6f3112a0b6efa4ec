"""The requests of a prompt the generator parses itself: kind, language, framework, entities, features, store, recipe."""

from __future__ import annotations

import re

from codegen.generators.template import kinds, recipes
from codegen.generators.template.kinds import webpage
from codegen.generators.template.kinds import page_sections
from codegen.generators.template.checklist import request_words
from codegen.generators.template.checklist.items import MAX_WHERE, MET, SUBSTITUTED, UNMET, Builder, main_files
from codegen.generators.template.languages import WEB_LANGUAGES, asked_languages
from codegen.generators.template.model import FEATURE_LABELS, FRAMEWORK_LABELS, KIND_LABELS
from codegen.generators.template.prompt_parser import FEATURE_RULES
from codegen.generators.template.words import article, human_list, normalize

GENERIC_KIND_RE = re.compile(r"\b(app|application|system|platform|service|manager|tracker|backend|tool|utility|program|script)\b")

_FRAMEWORKS_WRITTEN = "FastAPI, Flask or aiohttp"


def kind(b: Builder, text: str, kind_named: bool) -> None:
    label = KIND_LABELS[b.spec.kind]
    if kind_named:
        b.add(f"a {label}", MET, main_files(b))
        return
    generic = GENERIC_KIND_RE.search(normalize(text).lower())
    if generic:
        b.add(article(generic.group(1)), MET, main_files(b),
              f"read as a {label}: the prompt does not say which kind of {generic.group(1)}")
    elif b.spec.kind == "rest_api":
        # nothing says what kind of program: the REST API is the generator's last resort, and the list says so
        b.add("the kind of program the prompt describes", SUBSTITUTED, main_files(b),
              f"a {label}: the prompt names no kind of program the offline generator recognises")


def language(b: Builder, prompt: str, requirements: list[str]) -> None:
    web = b.spec.kind == "webpage"
    for ask in asked_languages("\n".join([prompt, *requirements])):
        if ask.language == "Python" and not web:
            b.add("written in Python", MET, [p for p in b.files if p.endswith(".py")][:MAX_WHERE])
        elif web and ask.language in WEB_LANGUAGES:
            b.add(f"written in {ask.language}", MET, b.where(paths=r"\.js$"))
        elif web and ask.language == "TypeScript":
            b.add("written in TypeScript", SUBSTITUTED, b.where(paths=r"\.js$"),
                  "plain JavaScript: the offline generator writes web pages without a build step")
        else:
            what = f"{ask.framework} ({ask.language})" if ask.framework else ask.language
            wrote = "HTML, CSS and JavaScript" if web else "Python"
            b.add(f"written in {what}", UNMET, [], f"the offline generator wrote {wrote}; it does not write {ask.language}")


def framework(b: Builder, text: str, assumptions: list[str]) -> None:
    flat = normalize(text).lower()
    if b.spec.kind == "rest_api" and b.spec.framework:
        name = FRAMEWORK_LABELS[b.spec.framework]
        replaced = next((a for a in assumptions if "does not write" in a and a.endswith(f"used {name}")), None)
        if replaced:
            other = replaced.split("does not write ", 1)[1].split(";", 1)[0]
            b.add(f"use {other}", SUBSTITUTED, b.where(paths=r"app/main\.py$"),
                  f"{name}: the offline generator writes {_FRAMEWORKS_WRITTEN}")
        elif re.search(rf"\b{b.spec.framework}\b", flat):
            b.add(f"use {name}", MET, b.where(paths=r"app/main\.py$"))
    if b.spec.kind == "cli":  # the command lines written use argparse, from the standard library
        library = re.search(r"\b(?:using|with|in|use|via|built on) (click|typer|fire|docopt|argparse)\b"
                            r"|\b(click|typer|docopt|argparse)(?: based)? (?:app|cli|tool|command|program)\b", flat)
        name = library and (library.group(1) or library.group(2))
        if name == "argparse":
            b.add("use argparse", MET, b.where("argparse"))
        elif name:
            b.add(f"use {name}", SUBSTITUTED, b.where("argparse"),
                  "argparse from the standard library: the offline generator writes no other command-line library")
    if b.spec.kind == "webpage":
        other = re.search(r"\b(react|vue|angular|svelte|next\.?js|tailwind|bootstrap|jquery)\b", flat)
        if other:
            b.add(f"use {other.group(1)}", SUBSTITUTED, b.where(paths=r"\.js$"),
                  "plain HTML, CSS and JavaScript: the offline generator uses no front-end framework")


def entities(b: Builder, named: dict[str, bool]) -> None:
    for entity in b.spec.entities:
        if entity.name not in named:
            continue
        # a script's column the prompt never named, or one it computes (listed as a computation)
        unnamed = [*(b.spec.options.get("columns_not_named") or []), *(b.spec.options.get("derived") or {})]
        fields = [f.name for f in entity.fields if f.name not in unnamed]
        text = entity.plural.replace("_", " ")
        if named[entity.name]:
            text += f" with {human_list(fields)}"
        where = b.where(f'"{entity.plural}"', f"{entity.plural}", paths=rf"(^|/)(test_)?{entity.plural}\.py$")
        code = b.code()
        if b.spec.kind == "webpage":  # a page shows names as written ("Painting"), its fields are identifiers
            code = code.lower()
        missing = [name for name in fields if name not in code]
        if entity.name.split("_")[0] in _NOT_RECORD_HEADS:
            b.add(text, UNMET, [], f"read as records called {entity.plural} from a phrase that names none")
        elif missing:
            b.add(text, UNMET, where, f"the files lack {human_list(missing)}")
        else:
            b.add(text, MET, where)


# the first word of a parsed entity name that shows the phrase was not a kind of record ("earn badges")
_NOT_RECORD_HEADS = frozenset(
    "earn earns get gets receive receives win wins give gives make makes have has send sends see sees"
    " popular recent top best latest trending".split()
)


_FEATURE_EVIDENCE = {
    "auth": (r"auth", ("Bearer", "password")),
    "pagination": (r"$^", ("offset", "limit", "--page", "page")),
    "search": (r"$^", ("search", "query", "q=", '"q"')),
    "sorting": (r"$^", ("sort", "order_by")),
}


# "auth with an API key in the X-API-Key header" asks for keys, which the generated token auth is not
_API_KEY_ONLY = re.compile(r"\bapi[ _-]?keys?\b|\bx[ _-]api[ _-]key\b|\bcl[eé]s? (?:d )?api\b")
_TOKEN_AUTH = re.compile(r"\b(?:jwt|bearer|tokens?|log ?in|sign ?in|sign ?up|register\w*|passwords?)\b")
# "staff log in with session cookies" asks for server sessions, which bearer tokens are not
_SESSION_AUTH = re.compile(r"\bsession (?:cookies?|based|auth\w*|ids?|log ?ins?|sign ?ins?)\b|\bcookies?\b|\bsessions\b")
_BEARER = re.compile(r"\b(?:jwt|bearer|tokens?)\b")
# "login via GitHub OAuth", "sign in with Google", "SSO": another site's accounts, which bearer tokens are not
_OTHER_ACCOUNTS = re.compile(r"\boauth\w*|\bopenid\b|\bsso\b|\bsingle sign ?on\b|\b(?:sign|log) ?in (?:with|via|through) "
                             r"(?:google|github|gitlab|facebook|apple|microsoft|discord)\b|\b(?:google|github|gitlab|facebook"
                             r"|apple|microsoft|discord) (?:login|sign ?in|oauth|auth\w*|accounts?)\b")
# (asked for, unless the prompt also says, what the generated bearer tokens are not), checked in this order
_OTHER_AUTH = [
    (_API_KEY_ONLY, _TOKEN_AUTH, "API keys sent in a header"),
    (_OTHER_ACCOUNTS, None, "OAuth or sign-in with another site's accounts"),
    (_SESSION_AUTH, _BEARER, "server sessions or session cookies"),
]


def features(b: Builder, text: str) -> None:
    flat = normalize(text).lower()
    parts = recipes.accounted(b.spec.recipe, flat)
    if b.spec.recipe == "landing":  # "a newsletter signup form" is a section of the page, not user accounts
        parts += " " + " ".join(section.phrase for section in page_sections.named_sections(flat))
    for feature, label in FEATURE_LABELS.items():
        # the parser reads typos corrected ("authentification"): a feature it added was asked for
        asked = re.search(FEATURE_RULES[feature], flat) or feature in b.spec.features
        if not asked or re.search(FEATURE_RULES[feature], parts):
            continue
        if feature == "sorting" and b.spec.kind == "data_script" and b.spec.options.get("sort"):
            continue  # listed as the script's "sort by ..." operation
        if feature in b.spec.features:
            paths, needles = _FEATURE_EVIDENCE[feature]
            where = b.where(*needles, paths=paths)
            other = next((what for asked, unless, what in _OTHER_AUTH if asked.search(flat)
                          and not (unless and unless.search(flat))), None) if feature == "auth" else None
            if where and other:
                b.add(label, SUBSTITUTED, where, f"bearer tokens from sign-up and login: the offline generator does "
                      f"not write {other}")
                continue
            b.add(label, MET if where else UNMET, where, None if where else "no file implements it")
        else:
            detail = f"the offline generator adds {label} to REST APIs" + (" and command-line tools" if feature != "auth" else "")
            b.add(label, UNMET, [], f"{detail}, not to a {KIND_LABELS[b.spec.kind]}")


def store(b: Builder, text: str, assumptions: list[str]) -> None:
    flat = normalize(text).lower()
    other = next((a for a in assumptions if a.startswith("used SQLite in place of ")), None)
    if other:
        name = other.removeprefix("used SQLite in place of ").split(" ", 1)[0]
        b.add(f"store data in {name}", SUBSTITUTED, b.where("sqlite3"),
              "SQLite: the offline generator writes SQLite stores, which need no server")
    elif b.spec.store == "sqlite" and re.search(r"\bsqlite\b", flat):
        b.add("store data in SQLite", MET, b.where("sqlite3"))
    elif b.spec.store == "memory" and re.search(r"\b(?:in memory|no database|without (?:a )?database)\b", flat):
        b.add("keep data in memory", MET, b.where(paths=r"store\.py$"))
    elif b.spec.kind != "rest_api":
        db = re.search(r"\b(postgres\w*|mysql|mariadb|mongo\w*|redis|sqlite|database)\b", flat)
        if db:
            b.add(f"store data in {db.group(1)}", UNMET, [],
                  f"a {KIND_LABELS[b.spec.kind]} from the offline generator keeps its data in files or in memory")


# pages that do something rather than keep a list: the records page the generator writes is not one of them
_BEHAVIOUR_APPS = re.compile(
    r"\b(quiz(?:zes)?|trivia|flash ?cards?|(?:music|audio|video|media|mp3) player|(?:markdown|text|code|rich text|photo"
    r"|image) editor|drawing|paint(?:ing)? app|whiteboard|chat|messenger|typing (?:test|game|speed)|piano|drum machine"
    r"|slideshow|image viewer|soundboard|metronome|tuner|color picker|colour picker|dashboard|multi[ -]?step forms?|wizard)\b"
)
# the same by what the behaviour is, named as a program that does it:
_NAMING = r"(?:(?!(?:a|an|the|my|our|your|with|and|or|for|of|to|in|page|single)\b)\w+ )"  # "expense", "random name"
_BEHAVIOUR_PROGRAMS = re.compile(
    # working out shares of money ("an expense splitter", "split the bill", "who owes whom")
    rf"\b({_NAMING}?split(?:ter|ters|ting)\b(?: (?:the |a )?(?:bills?|costs?|expenses?|rent|check))?|split (?:the |a )?"
    r"(?:bills?|costs?|expenses?|rent|check)|who owes (?:whom|who|what)|settle up"
    # making, solving, simulating or drawing something ("a random name generator", "a sudoku solver")
    rf"|{_NAMING}{{0,2}}(?:generator|solver|simulator|randomi[sz]er|visuali[sz]er)s?)\b"
)
# an interactive control ("a star rating component", "a date picker widget"), not a display of records
_CONTROL_RE = re.compile(r"\b((?:[a-z0-9]+ ){1,3})(?:components?|widgets?)\b")
_NOT_CONTROL_WORDS = frozenset(
    "a an the my our your this simple small reusable custom accessible ui react vue svelte angular js javascript"
    " typescript web html 3 2 table tables list lists grid grids form forms card cards page layout data records"
    " that which with for and".split()
)


def behaviour_control(flat: str) -> str | None:
    """The interactive control a page prompt asks for ("star rating component"), if any: what it does is the
    point, and no list of records is one (its parts, "half stars", are no records)."""
    for match in _CONTROL_RE.finditer(flat):
        words = match.group(1).split()
        while words and words[0] in _NOT_CONTROL_WORDS:
            words = words[1:]
        if words and not set(words) & _NOT_CONTROL_WORDS:
            return f"{' '.join(words)} {match.group(0).split()[-1]}"
    return None


def _behaviour_app(flat: str) -> tuple[str, bool] | None:
    """The behaviour a page prompt is for, as the checklist names it, and whether it is a control (see above)."""
    app = _BEHAVIOUR_APPS.search(flat)
    if app:
        return f"{app.group(1)} app", False
    control = behaviour_control(flat)
    if control:
        return control, True
    program = _BEHAVIOUR_PROGRAMS.search(flat)
    return (program.group(1), False) if program else None


def recipe(b: Builder, text: str, assumptions: list[str]) -> None:
    flat = normalize(text).lower()
    _board(b, text)
    app = _behaviour_app(flat) if b.spec.kind == "webpage" and b.spec.recipe is None else None
    if app:
        what, control = app
        kept = human_list([e.plural.replace("_", " ") for e in b.spec.entities])
        named = what if re.match(r"(?:split|settle|who)\b", what) else article(what)  # "split the bill" as written
        b.add(named, SUBSTITUTED, main_files(b),
              f"a page that keeps a list of {kept} (add, edit, delete, kept in localStorage), not "
              f"{article(what.removesuffix(' app')) + ' to use' if named != what else 'a page that does this'}: the offline "
              "generator writes no such behaviour")
        for item in b.items if control else ():  # "supports half stars": what the control does, no records of it
            entity = next((e for e in b.spec.entities if item.text == e.plural.replace("_", " ")), None)
            if entity and item.status == MET:
                item.status, item.where = UNMET, []
                item.detail = (f"read as records called {entity.plural.replace('_', ' ')} from what the {what} does; "
                               "the offline generator writes no such control")
    if b.spec.kind == "webpage" and b.spec.recipe:
        landing_asked = webpage.names_variant("landing", flat)
        sections_assumed = any(a.startswith("no sections named") for a in assumptions)
        variant = webpage.variant(b.spec.recipe)
        other = b.spec.recipe != "landing" and recipes.other_program(
            variant["pattern"], f"{variant['title']} {variant['description']}", flat, whole=True)
        if any(a.endswith("assumed a landing page") for a in assumptions) or (
                b.spec.recipe == "landing" and sections_assumed and not landing_asked):
            b.add("the page the prompt describes", SUBSTITUTED, main_files(b),
                  "a landing page with a contact form: the offline generator recognised no page it writes")
        elif other:
            b.add(article(other), SUBSTITUTED, main_files(b),
                  f"{variant['description']}: the nearest page the offline generator writes, not {article(other)}")
        else:
            b.add(kinds.of(b.spec).describe(b.spec), MET, main_files(b))
        sections = b.spec.options.get("sections") or []
        if b.spec.recipe == "landing":
            for name, entry in webpage.other_variants(flat):  # "a mortgage calculator", not a section
                if any(re.search(entry["pattern"], section) for section in sections):
                    continue  # "a countdown to the event": a section that counts down to a date
                b.add(article(name), UNMET, [], f"a landing page holds no {entry['title'].lower()}: the offline "
                      f"generator writes {entry['description'].split(' (')[0]} as a page of its own")
        if b.spec.options.get("hero"):
            b.add(f"a {b.spec.options['hero']}", MET, b.where('class="hero"'),
                  "the page's header: a picture (a placeholder to replace) behind its headline")
        if sections:
            shapes = [f"{label}: {webpage.known_shape(entity, b.spec) or 'cards'}"
                      for label, entity in zip(sections, b.spec.entities)]
            b.add(f"sections {human_list(sections)}", MET, b.where(paths=r"index\.html$"),
                  f"each a section of the page with sample content to replace ({'; '.join(shapes)})")
    elif b.spec.recipe in recipes.RECIPES:
        recipe = recipes.RECIPES[b.spec.recipe]
        own = request_words.RECIPE_OWN_WORDS.get(recipe.key)
        if own and not re.search(own, flat):
            b.add(f"the {recipe.title.lower()} the prompt describes", SUBSTITUTED,
                  b.where(paths=rf"{recipe.module}\.py$"), f"the offline generator's {recipe.title.lower()} "
                  f"({recipe.description}) is the nearest thing it writes")
            return
        other = recipes.other_program(recipe.pattern, f"{recipe.title} {recipe.description}", flat)
        if other:  # "a BMI calculator": the arithmetic calculator is no BMI calculator
            b.add(article(other), SUBSTITUTED, b.where(paths=rf"{recipe.module}\.py$"),
                  f"the offline generator's {recipe.title.lower()} ({recipe.description}) is the nearest thing it "
                  f"writes, not {article(other)}")
            return
        named = recipes.named_parts(recipe, flat)
        for part in named:  # each structure or format named, met only where a file defines it
            where = b.where(part["defines"])
            b.add(part["request"], MET if where else UNMET, where, None if where else "no file defines it")
        if not named:
            defined = [part["defines"] for part in recipe.parts]
            b.add(recipe.description, MET, b.where(*defined) if defined else b.where(paths=rf"{recipe.module}\.py$"))
        for target in re.findall(request_words.MISSING_IN_RECIPE.get(recipe.key, r"$^"), flat):
            b.add(f"{target}", UNMET, [], f"the offline generator's {recipe.title.lower()} does not cover it")
    elif b.spec.kind == "data_script":
        options = b.spec.options
        metrics = human_list([f"{name} of {column}" if column else name for name, column in options["metrics"]])
        grouping = f" per {options['group_by']}" if options["group_by"] else ""
        report = f"read {options['input']} and report {metrics}{grouping}"
        named_input = re.search(r"\b[\w-]+\.(?:csv|tsv)\b|\bcolumns?\b", text.lower()) or not any(
            a.startswith("no columns named") for a in assumptions)
        done = options.get("operations") or []
        for label, why in options.get("operations_unmet") or []:
            b.add(label, UNMET, [], why)
        for other in options.get("groups_not_served") or []:
            b.add(f"group by {other}", UNMET, [],
                  f"the script groups by one column ({options['group_by'] or 'none'}), not also by {other}")
        for name, factors in (options.get("derived") or {}).items():
            b.add(f"compute {name} as {' × '.join(factors)}", MET, main_files(b))
        unnamed = options.get("columns_not_named") or []
        not_there = (f"the script reads {human_list(unnamed)}, which the columns the prompt lists do not include: "
                     "the offline generator computes no column from others")
        for label in done:
            if any(re.search(rf"\b(?:\w+_)?{re.escape(name)}\b", label) for name in unnamed):
                b.add(label, UNMET, main_files(b), not_there)
            else:
                b.add(label, MET, main_files(b))
        if options.get("summarize") is False:
            b.add(f"read {options['input']} and write the rows kept", MET, main_files(b))
        elif any(a.startswith("no measure named") for a in assumptions) or not named_input:
            b.add("the data processing the prompt describes", SUBSTITUTED, main_files(b),
                  f"no measure recognised: the script reads {options['input']} and reports {metrics}{grouping}")
        elif unnamed:
            b.add(report, UNMET, main_files(b), not_there)
        else:
            b.add(report, MET, main_files(b))
        served = {"remove duplicate rows": options.get("dedupe"), "filter rows": options.get("where"),
                  "sort the rows": options.get("sort")}
        for label, pattern in request_words.DATA_OPERATIONS:
            if re.search(pattern, flat) and not served.get(label):
                b.add(label, UNMET, [], "the offline generator's CSV scripts remove duplicate rows, keep rows by a "
                      "column's value, report counts, totals, averages, minimums and maximums per column value, sort "
                      "and keep the top N, and nothing else")


def _or_list(items: list[str]) -> str:
    return ", ".join(items[:-1]) + f" or {items[-1]}" if len(items) > 1 else human_list(items)


def _board(b: Builder, text: str) -> None:
    """A kanban board: its cards are written as records with a status, one of its columns; not as a board."""
    columns = b.spec.options.get("columns")
    board = webpage.KANBAN_RE.search(normalize(text).lower())
    if b.spec.kind != "webpage" or b.spec.recipe or not columns or not board:
        return
    cards = b.spec.entities[0]
    b.add(f"{cards.plural.replace('_', ' ')} with a status ({_or_list(columns)})", MET,
          b.where('"status"', paths=r"index\.html$"))
    named = bool(webpage.board_columns(text))
    b.add(f"a {board.group(0)}" + (f" with columns {human_list(columns)}" if named else ""), SUBSTITUTED, main_files(b),
          f"a page that keeps a list of {cards.plural.replace('_', ' ')}, each with a status chosen from "
          f"{_or_list(columns)}: not a board of columns to move them between")
