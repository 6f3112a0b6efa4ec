"""The requirements checklist of a template generation.

The prompt and its additional requirements are split into distinct requests
(the kind of program, its language and framework, each entity with its
fields, features, storage, and the details the generator looks for: routes,
relations, rules, actions, options, functions, operations). Each request is
``met`` (with the files that do it), ``substituted`` (with what was done
instead) or ``unmet`` (with why), judged from the generator's own parse and
from the files it wrote. A sentence in which nothing was recognised is a
request of its own, unmet: the generator never stays silent about what it
did not understand.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from codegen.generators.base import GenerationError
from codegen.generators.template import catalog, kinds, recipes
from codegen.generators.template.languages import WEB_LANGUAGES, asked_languages, unsupported_kinds
from codegen.generators.template.model import FEATURE_LABELS, FRAMEWORK_LABELS, KIND_LABELS, ProjectSpec
from codegen.generators.template.rules import ACTION_RE, RELATION_RES, RULE_RE, Applied
from codegen.generators.template.prompt_parser import FEATURE_RULES, recognised
from codegen.generators.template.words import article, human_list, identifier, normalize, plural, singular

MET, SUBSTITUTED, UNMET = "met", "substituted", "unmet"

# what the template generator can write, for error messages and GET /api/generator
WRITES = [
    "REST API (FastAPI, Flask, aiohttp) with SQLite or in-memory storage, token auth, pagination, search, sorting",
    "command-line tool (records in a JSON file, or a converter, word counter, checksum, password generator, calculator)",
    "Python library (records, validators, string helpers, statistics, converters)",
    "CSV data script (totals, averages, counts per column)",
    "static web page (HTML, CSS, JavaScript: a records app, a landing page, a calculator, a stopwatch)",
]
LANGUAGES = ["python", "html", "css", "javascript"]
CAN_DO = (
    "The offline template generator writes, in Python (web pages in HTML, CSS and JavaScript): "
    "REST APIs (FastAPI, Flask or aiohttp), command-line tools, Python libraries, CSV data scripts and static web pages"
)
_FRAMEWORKS_WRITTEN = "FastAPI, Flask or aiohttp"
_NOT_FILES = ("README.md", "codegen.json")
_MAX_WHERE = 4


@dataclass
class Requirement:
    text: str
    status: str
    where: list[str] = field(default_factory=list)
    detail: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class _Builder:
    spec: ProjectSpec
    files: dict[str, str]
    items: list[Requirement] = field(default_factory=list)

    def add(self, text: str, status: str, where: list[str] | None = None, detail: str | None = None) -> None:
        key = text.lower()
        if any(item.text.lower() == key for item in self.items):
            return
        self.items.append(Requirement(text, status, where or [], detail))

    def where(self, *needles: str, paths: str | None = None) -> list[str]:
        """Files (not the README or the spec) that contain any of ``needles``, or whose path matches ``paths``."""
        by_path = [path for path in self.files if path not in _NOT_FILES and paths and re.search(paths, path)]
        by_content = [
            path
            for path, content in self.files.items()
            if path not in _NOT_FILES and path not in by_path and any(needle in content for needle in needles)
        ]
        return (by_path + by_content)[:_MAX_WHERE]

    def code(self) -> str:
        return "\n".join(c for p, c in self.files.items() if p not in _NOT_FILES and not p.startswith("tests/"))


def check_servable(prompt: str, kind_scores: dict[str, int]) -> None:
    """Fail, saying what it can do, when the prompt asks for a language or a kind of program it cannot write."""
    languages = asked_languages(prompt)
    names = {ask.language for ask in languages}
    web = kind_scores.get("webpage", 0) >= 3 and not any(kind_scores.get(k, 0) >= 3 for k in KIND_LABELS if k != "webpage")
    foreign = [ask for ask in languages if ask.language != "Python" and not (web and ask.language in WEB_LANGUAGES)]
    if foreign and "Python" not in names:
        ask = foreign[0]
        what = f"{ask.framework} ({ask.language})" if ask.framework else ask.language
        raise GenerationError(f'Cannot write this in {what} ("{ask.phrase}"). {CAN_DO}.')
    rest = kind_scores.get("rest_api", 0) >= 3
    for kind in unsupported_kinds(prompt):
        if kind.always or not rest:
            raise GenerationError(f'Cannot write {kind.label} ("{kind.phrase}"). {CAN_DO}.')


def build(spec: ProjectSpec, files: dict[str, str], *, prompt: str, requirements: list[str],
          kind_named: bool, entities_named: dict[str, bool], assumptions: list[str],
          applied: list[Applied]) -> list[Requirement]:
    """The checklist of a new project."""
    b = _Builder(spec, files)
    text = "\n".join([prompt, *requirements])
    _kind(b, text, kind_named)
    _language(b, prompt, requirements)
    _framework(b, text, assumptions)
    _entities(b, entities_named)
    _unread_fields(b, normalize(text).lower(), entities_named)
    _domain(b, text, entities_named)
    _features(b, text)
    _store(b, text, assumptions)
    _recipe(b, text, assumptions)
    _details(b, text, applied)
    _sentences(b, [prompt, *requirements])
    return b.items


def fail_if_nothing_served(items: list[Requirement], prompt: str) -> None:
    """Fail when nothing of substance was served: a kind of project, a language or tests alone are not an answer."""
    if any(item.status == MET and not _generic(item.text) for item in items):
        return
    missed = [item.text for item in items if item.status != MET]
    why = f" (not served: {human_list(missed[:4])})" if missed else ""
    raise GenerationError(f'Cannot serve "{" ".join(prompt.split())[:160]}"{why}. {CAN_DO}.')


_GENERIC_TEXTS = frozenset({"tests", "written in python", *(f"a {label}".lower() for label in KIND_LABELS.values())})


def _generic(text: str) -> bool:
    """A request that says what kind of thing to write but not what it should do."""
    lowered = text.lower()
    words = lowered.split(" ", 1)
    return lowered in _GENERIC_TEXTS or lowered.startswith("use ") or (
        len(words) == 2 and words[0] in ("a", "an") and bool(_GENERIC_KIND_RE.fullmatch(words[1]))
    )


def for_iteration(changes: list[str], written: list[str]) -> list[Requirement]:
    where = [path for path in written if path not in _NOT_FILES][:_MAX_WHERE]
    return [Requirement(change, MET, where, None) for change in changes]


def readme_section(items: list[Requirement]) -> str:
    """The README's "What was asked" section: the checklist, one line a request."""
    lines = ["## What was asked", ""]
    if not items:
        lines.append("Nothing specific beyond the kind of project.")
    marks = {MET: "met", SUBSTITUTED: "substituted", UNMET: "NOT DONE"}
    for item in items:
        line = f"- **{marks[item.status]}**: {item.text}"
        if item.where:
            line += f" ({', '.join(f'`{p}`' for p in item.where)})"
        if item.detail:
            line += f". {item.detail[:1].upper()}{item.detail[1:]}"
        lines.append(line)
    return "\n".join(lines) + "\n"


# -- the requests -------------------------------------------------------------


def _main_files(b: _Builder) -> list[str]:
    return [p for p in b.files if p not in _NOT_FILES and not p.startswith("tests/") and p.endswith((".py", ".html", ".js"))][:_MAX_WHERE]


_GENERIC_KIND_RE = re.compile(r"\b(app|application|system|platform|service|manager|tracker|backend|tool|utility|program|script)\b")


def _kind(b: _Builder, text: str, kind_named: bool) -> None:
    label = KIND_LABELS[b.spec.kind]
    if kind_named:
        b.add(f"a {label}", MET, _main_files(b))
        return
    generic = _GENERIC_KIND_RE.search(normalize(text).lower())
    if generic:
        b.add(article(generic.group(1)), MET, _main_files(b),
              f"read as a {label}: the prompt does not say which kind of {generic.group(1)}")


def _language(b: _Builder, prompt: str, requirements: list[str]) -> None:
    web = b.spec.kind == "webpage"
    for ask in asked_languages("\n".join([prompt, *requirements])):
        if ask.language == "Python" and not web:
            b.add("written in Python", MET, [p for p in b.files if p.endswith(".py")][:_MAX_WHERE])
        elif web and ask.language in WEB_LANGUAGES:
            b.add(f"written in {ask.language}", MET, b.where(paths=r"\.js$"))
        elif web and ask.language == "TypeScript":
            b.add("written in TypeScript", SUBSTITUTED, b.where(paths=r"\.js$"),
                  "plain JavaScript: the offline generator writes web pages without a build step")
        else:
            what = f"{ask.framework} ({ask.language})" if ask.framework else ask.language
            wrote = "HTML, CSS and JavaScript" if web else "Python"
            b.add(f"written in {what}", UNMET, [], f"the offline generator wrote {wrote}; it does not write {ask.language}")


def _framework(b: _Builder, text: str, assumptions: list[str]) -> None:
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
    if b.spec.kind == "webpage":
        other = re.search(r"\b(react|vue|angular|svelte|next\.?js|tailwind|bootstrap|jquery)\b", flat)
        if other:
            b.add(f"use {other.group(1)}", SUBSTITUTED, b.where(paths=r"\.js$"),
                  "plain HTML, CSS and JavaScript: the offline generator uses no front-end framework")


def _entities(b: _Builder, named: dict[str, bool]) -> None:
    for entity in b.spec.entities:
        if entity.name not in named:
            continue
        fields = [f.name for f in entity.fields]
        text = entity.plural.replace("_", " ")
        if named[entity.name]:
            text += f" with {human_list(fields)}"
        where = b.where(f'"{entity.plural}"', f"{entity.plural}", paths=rf"(^|/)(test_)?{entity.plural}\.py$")
        code = b.code()
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


def _domain(b: _Builder, text: str, named: dict[str, bool]) -> None:
    """"a bookstore API": the domain's usual entities stand for what the prompt did not name."""
    domain = catalog.find_domain(normalize(text).lower())
    if domain is None or b.spec.recipe or b.spec.kind == "data_script":
        return
    assumed = [e for e in b.spec.entities if e.name not in named and e.name in domain[1]]
    pattern = next(p for p, word, _ in catalog.DOMAINS if word == domain[0])
    kind_words = r"(?:\s+taking)?\s+(?:web\s+)?(?:app|application|api|tool|site|website|page|manager|tracker|system|service|cli)\b"
    headed = re.search(rf"\b(?:{pattern}){kind_words}", normalize(text).lower())
    if headed and not assumed and not any(b.spec.entity(name) for name in domain[1]):
        wanted = human_list([plural(name).replace("_", " ") for name in domain[1]])
        b.add(f"{article(domain[0].lower())} project", UNMET, [],
              f"it keeps {human_list([e.plural for e in b.spec.entities])}, not {wanted}")
        return
    if assumed:
        plurals = human_list([e.plural.replace("_", " ") for e in assumed])
        b.add(f"{article(domain[0].lower())} project", MET, b.where(*(e.plural for e in assumed)),
              f"no records named; it keeps {plurals}, the usual ones")


_FEATURE_EVIDENCE = {
    "auth": (r"auth", ("Bearer", "password")),
    "pagination": (r"$^", ("offset", "limit", "--page", "page")),
    "search": (r"$^", ("search", "query", "q=", '"q"')),
    "sorting": (r"$^", ("sort", "order_by")),
}


def _features(b: _Builder, text: str) -> None:
    flat = normalize(text).lower()
    for feature, label in FEATURE_LABELS.items():
        if not re.search(FEATURE_RULES[feature], flat):
            continue
        if feature in b.spec.features:
            paths, needles = _FEATURE_EVIDENCE[feature]
            where = b.where(*needles, paths=paths)
            b.add(label, MET if where else UNMET, where, None if where else "no file implements it")
        else:
            detail = f"the offline generator adds {label} to REST APIs" + (" and command-line tools" if feature != "auth" else "")
            b.add(label, UNMET, [], f"{detail}, not to a {KIND_LABELS[b.spec.kind]}")


def _store(b: _Builder, text: str, assumptions: list[str]) -> None:
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


def _recipe(b: _Builder, text: str, assumptions: list[str]) -> None:
    flat = normalize(text).lower()
    if b.spec.kind == "webpage" and b.spec.recipe:
        if any(a.endswith("assumed a landing page") for a in assumptions):
            b.add("the page the prompt describes", SUBSTITUTED, _main_files(b),
                  "a landing page with a contact form: the offline generator recognised no page it writes")
        else:
            b.add(kinds.of(b.spec).describe(b.spec), MET, _main_files(b))
        sections = b.spec.options.get("sections") or []
        if sections:
            b.add(f"sections {human_list(sections)}", MET, b.where(paths=r"index\.html$"),
                  "each a section of the page, with sample cards to replace")
    elif b.spec.recipe in recipes.RECIPES:
        recipe = recipes.RECIPES[b.spec.recipe]
        own = _RECIPE_OWN_WORDS.get(recipe.key)
        if own and not re.search(own, flat):
            b.add(f"the {recipe.title.lower()} the prompt describes", SUBSTITUTED,
                  b.where(paths=rf"{recipe.module}\.py$"), f"the offline generator's {recipe.title.lower()} "
                  f"({recipe.description}) is the nearest thing it writes")
            return
        b.add(recipe.description, MET, b.where(paths=rf"{recipe.module}\.py$"))
        for target in re.findall(_MISSING_IN_RECIPE.get(recipe.key, r"$^"), flat):
            b.add(f"{target}", UNMET, [], f"the offline generator's {recipe.title.lower()} does not cover it")
    elif b.spec.kind == "data_script":
        options = b.spec.options
        metrics = human_list([f"{name} of {column}" if column else name for name, column in options["metrics"]])
        grouping = f" per {options['group_by']}" if options["group_by"] else ""
        report = f"read {options['input']} and report {metrics}{grouping}"
        named_input = re.search(r"\b[\w-]+\.(?:csv|tsv)\b|\bcolumns?\b", text.lower())
        if any(a.startswith("no measure named") for a in assumptions) or not named_input:
            b.add("the data processing the prompt describes", SUBSTITUTED, _main_files(b),
                  f"no measure recognised: the script reads {options['input']} and reports {metrics}{grouping}")
        else:
            b.add(report, MET, _main_files(b))
        for label, pattern in _DATA_OPERATIONS:
            if re.search(pattern, flat):
                b.add(label, UNMET, [], "the offline generator's CSV scripts report counts, totals, averages, "
                      "minimums and maximums, optionally per column value, and nothing else")


# what a recipe does: a prompt that names none of it ("a markdown to HTML converter") gets a substitute
_RECIPE_OWN_WORDS = {
    "converter": r"\b(?:celsius|fahrenheit|kelvin|temperatures?|units?|kilomet\w+|km|miles?|pounds?|lbs?|kg|kilograms?"
    r"|grams?|meters?|metres?|feet|foot|inch\w*|lengths?|weights?|ounces?|yards?|distances?)\b",
    "validators": r"\b(?:emails?|e mails?|urls?|links?|ip|ipv4|ip address\w*|card numbers?|credit cards?|luhn)\b",
    "strings": r"\b(?:slug\w*|camel ?case|snake ?case|kebab|case conversion|truncat\w+|palindrom\w*|string|strings|text)\b",
    "statistics": r"\b(?:mean|median|mode|averages?|standard deviation|stdev|variance|percentiles?|statistics|stats)\b",
}
# a recipe's request that names what the recipe does not do
_MISSING_IN_RECIPE = {
    "validators": r"\b(iban\w*|phone numbers?|postcodes?|zip codes?|isbns?|uuids?|passwords?|dates?|json|xml|ssns?"
    r"|vat numbers?|domains?|ipv6|mac address\w*|hex colou?rs?|usernames?)\b",
    "converter": r"\b(currenc\w+|dollars?|euros?|volumes?|liters?|litres?|gallons?|speeds?|time zones?|timezones?"
    r"|bytes|megabytes|areas?|pressure|energy|roman numerals?|bases?|binary|hexadecimal)\b",
    "statistics": r"\b(correlation|regression|histograms?|moving averages?|z ?scores?|quartiles?|outliers?)\b",
    "strings": r"\b(wrap\w*|pad\w*|capitali[sz]\w*|templat\w+|markdown|html escap\w*|levenshtein|edit distance)\b",
}
_DATA_OPERATIONS = [
    ("remove duplicate rows", r"\b(?:duplicat\w+|dedup\w*)\b"),
    ("filter rows", r"\bfilter\w* (?:rows|records|lines|out)\b|\bonly (?:rows|records) (?:where|with)\b"),
    ("merge or join files", r"\b(?:merg\w+|join\w*|combin\w+) (?:two |multiple |several )?(?:csv |files?|tables?|datasets?)"),
    ("clean the data", r"\bclean\w*\b|\bempty (?:lines|rows|cells)\b|\bmissing values\b|\bnormali[sz]\w+\b"),
    ("convert to another format", r"\bto (?:json|excel|xlsx|parquet|xml|sql)\b|\bconvert\w* (?:\w+ )?(?:csv|file)"),
    ("parse log files", r"\blog files?\b|\bstatus codes\b|\baccess logs?\b"),
    ("charts or plots", r"\b(?:charts?|plots?|graphs?|visuali[sz]\w+|matplotlib)\b"),
    ("sort the rows", r"\bsort\w* (?:the )?(?:rows|records|lines|data|file)\b"),
]


# -- details the generator looks for ------------------------------------------

_ROUTE_RE = re.compile(r"\b(GET|POST|PUT|PATCH|DELETE)\s+(/[\w/{}:<>.-]*)", re.IGNORECASE)
_UNIQUE_RE = re.compile(r"\bunique (\w+)s?\b")
_OPTION_RE = re.compile(r"(?<![\w-])(--[a-z][\w-]*)")
_FUNCTION_RES = [
    re.compile(r"\b([a-z_][a-z0-9_]{2,})\(\)"),
    re.compile(r"\b(?:functions?|methods?) (?:called|named) [`'\"]?([a-z_][a-z0-9_]{2,})"),
    # "with deposit and withdraw methods"
    re.compile(r"\b(?:with|has|have|provides?|exposes?|offers?) (?:the |a )?((?:[a-z_][a-z0-9_]{2,})"
               r"(?:(?:,| and|, and) [a-z_][a-z0-9_]{2,})*) (?:methods|functions)\b"),
]
# "with add, list and done commands"
_COMMANDS_RE = re.compile(r"\b(?:with|has|have|supports?|offers?) (?:the |a )?((?:[a-z_][a-z0-9_]{1,})"
                          r"(?:(?:,| and|, and|,? or) [a-z_][a-z0-9_]{1,})*) (?:sub ?)?commands\b")
_FUNCTION_STOP = frozenset("with and the some few helper utility useful common basic simple static class".split())
# (request text, pattern over the normalized text, is it met when the project has ...)
_OPERATIONS: list[tuple[str, str, str | None]] = [
    ("rate limiting", r"\brate ?limit\w*|\bthrottl\w*", None),
    ("CORS", r"\bcors\b", None),
    ("HTTPS / TLS", r"\bhttps\b|\btls\b|\bssl\b", None),
    ("roles and permissions", r"\broles?\b|\bpermissions?\b|\badmins? (?:only|can)\b|\brbac\b", None),
    ("encryption", r"\bencrypt\w*", None),
    ("password hashing", r"\bhash\w* passwords?\b|\bpasswords? (?:are |must be |should be )?hash\w*|\bbcrypt\b|\bargon2?\b", "auth"),
    ("a Dockerfile", r"\bdocker\w*\b|\bcontainer\w*\b", None),
    ("deployment", r"\bkubernetes\b|\bk8s\b|\bdeploy(?:ed|ment)? (?:to|on)\b|\bheroku\b|\baws\b|\bgcp\b|\bazure\b", None),
    ("continuous integration", r"\bci\b|\bgithub actions\b|\bpipeline\b", None),
    ("caching", r"\bcach\w+\b", None),
    ("sending email or notifications", r"\bsends? (?:an? )?(?:emails?|notifications?|sms)\b|\bnotif\w+\b|\bemail (?:alerts?|reminders?)\b", None),
    ("file uploads", r"\buploads?\b|\bupload\w*\b|\bimages? (?:upload|storage)\b", None),
    ("payments", r"\bstripe\b|\bpaypal\b|\bpayment (?:gateway|processing|provider)\b|\bcheckout\b", None),
    ("logging", r"\blog(?:ging|s)? (?:every|all|each|requests?)\b|\bstructured logs?\b|\baudit log\b", None),
    ("translations", r"\bi18n\b|\btranslat\w+\b|\bmultilingual\b|\blocali[sz]ation\b", None),
    ("background jobs or scheduling", r"\bcron\b|\bscheduled? (?:jobs?|tasks?)\b|\bbackground (?:jobs?|tasks?|workers?)\b|\bcelery\b", None),
    ("calling external services or APIs", (
        r"\bfetch\w* (?:\w+ ){0,4}from (?:an? |the )?(?:external |third party |public |remote )?"
        r"(?:apis?|services?|web|internet|url)\b|\bthird party apis?\b|\bexternal apis?\b|\bwebhooks?\b"
    ), None),
    ("account e-mail flows (verification, password reset)", (
        r"\bemail verification\b|\bverif\w+ (?:their |the )?emails?\b"
        r"|\bpassword resets?\b|\breset (?:their |the |a )?passwords?\b|\bforgot\w* passwords?\b"
    ), None),
    ("two-factor or social login", (
        r"\btwo factor\b|\b2fa\b|\bmfa\b|\b(?:google|github|facebook|social) (?:login|sign ?in)\b"
        r"|\bsign in with (?:google|github|apple)\b"
    ), None),
    ("records that belong to each user", (
        r"\beach user (?:only )?(?:sees|has|owns|gets|can see)\b|\btheir own\b|\bper user\b|\bowned by\b"
        r"|\bonly (?:the|their) (?:owner|author)\b|\bprivate to\b"
    ), None),
    ("a shopping cart", r"\b(?:shopping )?carts?\b|\bbaskets?\b", None),
    ("redirecting a short link to its URL", r"\b(?:url|link) shorten\w*|\bshort (?:links?|urls?)\b|\bredirect\w*\b", None),
    ("SMS or push notifications", r"\bsms\b|\btext messages?\b|\bpush notifications?\b|\breminders?\b", None),
    ("analytics", r"\banalytics\b|\bclick (?:counts?|tracking)\b|\bdashboards?\b", None),
    ("markdown rendering", r"\bmarkdown\b", None),
    ("a user interface", r"\bfrontend\b|\bfront end\b|\bui\b|\buser interface\b|\bweb interface\b", "webpage"),
]


def _details(b: _Builder, text: str, applied: list[Applied]) -> None:
    lowered = text.lower()
    flat = normalize(text).lower()
    for method, path in _ROUTE_RE.findall(text):
        method = method.upper()
        if _crud_route(b.spec, method, path):
            b.add(f"{method} {path}", MET, b.where(paths=r"routes\.py$|main\.py$"))
        else:
            b.add(f"{method} {path}", UNMET, [], "the offline generator writes the create, list, read, update and "
                  "delete routes of each resource, and no others")
    for rule in applied:
        if rule.entities:
            paths = "|".join(re.escape(p) for p in rule.entities)
            routes = r"|routes\.py$" if rule.routes else ""
            b.add(rule.text, MET, b.where(paths=rf"models\.py${routes}|test_({paths})\.py$"))
        else:
            b.add(rule.text, UNMET, [], rule.why_not)
    for match in _UNIQUE_RE.finditer(flat):
        b.add(f"{match.group(1)} must be unique", UNMET, [], "the offline generator does not enforce uniqueness")
    _dropped_fields(b, lowered)
    for option in _OPTION_RE.findall(lowered):
        where = b.where(f'"{option}"', f"'{option}'")
        b.add(f"option {option}", MET if where else UNMET, where,
              None if where else "the command line the offline generator writes has no such option")
    for found in _COMMANDS_RE.findall(lowered):
        for name in re.split(r",? and |, |,? or ", found):
            if name in _FUNCTION_STOP or b.spec.kind != "cli":
                continue
            where = b.where(f'add_parser("{name}"')
            b.add(f"command {name}", MET if where else UNMET, where,
                  None if where else "the command-line tool has no such command")
    for pattern in _FUNCTION_RES:
        for name in [n for found in pattern.findall(lowered) for n in re.split(r",? and |, ", found)]:
            if name in _FUNCTION_STOP:
                continue
            where = b.where(f"def {name}(")
            b.add(f"function {name}", MET if where else UNMET, where,
                  None if where else "the offline generator did not write a function of that name")
    for label, pattern, met_by in _OPERATIONS:
        if label == "markdown rendering" and b.spec.kind == "library":
            continue  # the string helpers' own gaps are the recipe's to say
        if re.search(pattern, flat):
            met = met_by is not None and (b.spec.has(met_by) or b.spec.kind == met_by)
            if met:
                b.add(label, MET, _main_files(b))
            else:
                b.add(label, UNMET, [], "the offline generator does not write this")
    _searches(b, flat)
    _sorts(b, flat)
    like = re.search(r"\blike ([A-Z][\w.]+)", text)
    if like and like.group(1).lower() not in ("python", "json", "csv", "sqlite"):
        b.add(f"like {like.group(1)}", SUBSTITUTED, _main_files(b),
              f"a project that keeps the records named, not {like.group(1)}'s behaviour")
    clone = re.search(r"\b(\w+) clone\b", flat)
    if clone:
        b.add(f"a {clone.group(1)} clone", SUBSTITUTED, _main_files(b),
              f"a project that keeps the records named, not {clone.group(1)}'s behaviour (feeds, following, "
              "notifications, ...)")
    if re.search(r"\b(?:tests?|tested|testing|pytest|unit tests?)\b", flat):
        tests = b.where(paths=r"^tests/")
        b.add("tests", MET if tests else UNMET, tests, None if tests else "no tests were written")
    _unused_list_items(b, flat)


_ITEM_NOISE = frozenset(
    "a an the some any all each every their its my our your basic simple full complete optional proper nice good"
    " clean modern small big new own fields field columns column with".split()
)


def _unused_list_items(b: _Builder, flat: str) -> None:
    """An item of a "with ..." list that became no entity, field, feature or section: "a shopping cart"."""
    known = {w for e in b.spec.entities for w in (e.name, e.plural, *(f.name for f in e.fields))}
    known |= {singular(w) for w in known} | {w for s in b.spec.options.get("sections") or [] for w in s.split()}
    covered = " ".join(item.text.lower() for item in b.items)
    for match in re.finditer(r"\bwith ([^.;:()]+)", flat):
        for item in re.split(r",|\band\b|\bor\b", match.group(1)):
            words = [w for w in item.split() if w not in _ITEM_NOISE]
            if not words or len(words) > 3 or not all(w.isalpha() for w in words):
                continue
            if any(w in known or singular(w) in known or w in covered for w in words):
                continue
            if recognised(item) or _detail_in(item) or catalog.find_domain(item) or any(
                re.search(rule, item) for rule in FEATURE_RULES.values()
            ):
                continue
            b.add(" ".join(words), UNMET, [], "the offline generator made nothing of it")


def _sorts(b: _Builder, flat: str) -> None:
    """ "sorted by score": sorting takes any field of an entity; a field no entity has cannot be sorted on."""
    fields = {f.name for e in b.spec.entities for f in e.fields}
    for match in re.finditer(r"\b(?:sort|sorted|sorting|order|ordered|rank|ranked) by (?:the |their |its )?(\w+)", flat):
        word = match.group(1)
        if identifier(word) in fields or identifier(singular(word)) in fields or word in ("date", "name", "default"):
            continue
        b.add(match.group(0), UNMET, [], f"no entity has a field {word} to sort on")


def _searches(b: _Builder, flat: str) -> None:
    """ "search by ingredient": the search covers each entity's text fields; another field is not searched."""
    text_fields = {f.name for e in b.spec.entities for f in e.fields if f.type == "str"}
    for match in re.finditer(r"\b(?:search|searchable|filter|find)\w* (?:by|for|on|using) (?:the |their |its )?(\w+)", flat):
        word = match.group(1)
        if not b.spec.has("search") or word in ("name", "keyword", "keywords", "text", "title"):
            continue
        if identifier(word) in text_fields or identifier(singular(word)) in text_fields:
            continue
        b.add(match.group(0), UNMET, [], f"the search looks in the text fields ({human_list(sorted(text_fields))}), "
              f"and none of them is {word}")


def _crud_route(spec: ProjectSpec, method: str, path: str) -> bool:
    """Whether ``METHOD /path`` is one of the routes every resource of a generated REST API has."""
    segments = [s for s in path.strip("/").split("/") if s]
    if spec.kind != "rest_api" or not segments or segments[0] not in {e.plural for e in spec.entities}:
        return False
    if len(segments) == 1:
        return method in ("GET", "POST")
    return len(segments) == 2 and bool(re.fullmatch(r"[{<:].*|id", segments[1])) and method in ("GET", "PUT", "PATCH", "DELETE")


def _unread_fields(b: _Builder, flat: str, named: dict[str, bool]) -> None:
    """Words listed as an entity's fields ("talks with title, speaker and track") that are not among its fields."""
    for entity in b.spec.entities:
        if not named.get(entity.name):
            continue
        words = rf"(?:{re.escape(entity.plural.replace('_', ' '))}|{re.escape(entity.name.replace('_', ' '))})"
        for match in re.finditer(rf"\b{words}\b (?:with|having|has|have|\()\s*([^.;:)]+)", flat):
            fields = {f.name for f in entity.fields}
            entity_words = {w for e in b.spec.entities for w in (e.name, e.plural)}
            for item in re.split(r",|\band\b", match.group(1)):
                tokens = [t for t in item.split() if t not in ("a", "an", "the", "its", "their", "optional")]
                if any(t in entity_words or singular(t) in entity_words or t in ("with", "has", "have", "having")
                       for t in tokens):
                    break  # the next entity's clause: "patients have name, appointments have date"
                if not tokens or len(tokens) > 3 or any(re.search(rule, item) for rule in FEATURE_RULES.values()):
                    continue
                name = "_".join(tokens)
                if name in fields or tokens[0] in fields or any(name in f or f in name for f in fields):
                    continue
                if catalog.TYPE_WORDS.get(tokens[0]) or b.spec.entity(tokens[-1]) or not name.replace("_", "").isalpha():
                    continue
                b.add(f"field {name} of {entity.plural}", UNMET, [],
                      "the offline generator did not read it as a field")


def _dropped_fields(b: _Builder, lowered: str) -> None:
    """snake_case names in the prompt ("recorded_at") that became neither an entity, a field nor an option."""
    known = {w for e in b.spec.entities for w in (e.name, e.plural, *(f.name for f in e.fields))}
    known |= {n for pattern in _FUNCTION_RES for found in pattern.findall(lowered) for n in re.split(r",? and |, ", found)}
    known |= {group for group in [b.spec.options.get("group_by")] if group}
    for word in dict.fromkeys(re.findall(r"(?<![\w.-])([a-z][a-z0-9]*(?:_[a-z0-9]+)+)(?![\w(.-])", lowered)):
        if word not in known and word.removesuffix(".csv") not in known:
            b.add(f"field {word}", UNMET, [], "the offline generator did not read it as a field of any entity")


# -- sentences no request came from -------------------------------------------

_FILLER_RE = re.compile(
    r"^(?:please|thanks?|thank you|hi|hello|hey|ok|okay|cheers)\b|^(?:make it|keep it|it should be|should be) "
    r"(?:simple|clean|nice|good|fast|quick|small)\W*$"
)


def _sentences(b: _Builder, texts: list[str]) -> None:
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
            if recognised(key) or words & names or in_items or _detail_in(sentence):
                _behaviour(b, key)
                continue
            b.add(sentence.rstrip(".!;"), UNMET, [], "the offline generator did not act on this")


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
}


def _behaviour(b: _Builder, clause_text: str) -> None:
    """A recognised sentence can still ask for more: "…, where each user only sees their own tasks"."""
    allowed = _KIND_VERBS.get(b.spec.recipe or "", set()) | _KIND_VERBS.get(b.spec.kind, set())
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
        if not covered:
            b.add(lowered, UNMET, [], "the offline generator writes nothing that does this")


def _overlap(one: str, other: str) -> bool:
    """Two texts share a word of five letters or more (the same request worded twice)."""
    words = {w for w in re.findall(r"[a-z]{5,}", one)}
    return bool(words & set(re.findall(r"[a-z]{5,}", other)))


def _detail_in(sentence: str) -> bool:
    flat = normalize(sentence).lower()
    patterns = [_ROUTE_RE.pattern, _OPTION_RE.pattern, *(p.pattern for p in RELATION_RES), RULE_RE.pattern,
                ACTION_RE.pattern, *(p for _, p, _ in _OPERATIONS)]
    return any(re.search(p, flat if p is not _ROUTE_RE.pattern else sentence, re.IGNORECASE) for p in patterns) or bool(
        catalog.find_domain(flat)
    )
