"""The words of a recognised sentence that nothing accounts for.

A sentence the parser recognised (it names a kind, an entity, a rule, ...) can
still hold a clause whose substance nothing in the project answers: "price can
never go below zero" read as a field price and nothing else, "users give stars
between one and five", "attendees who can sign up for a workshop". Each such
clause becomes a request of its own, unmet, instead of vanishing.

A word is *accounted for* when it is a stop word (a function word, a verb or
adjective every request has: "build", "simple", "my"), a word of the kind of
project or of its recipe, when a pattern the parser acted on matched over it
(a kind, a framework, a feature, a store, a recipe, a domain, a CSV
operation, what the project is for, ...), or when it names something of the
project or the checklist (an entity, a field, a section, an option, the words
of any request already listed, met or not). Rules, relations and actions
count only through the requests they listed: a rule the parser did not read
leaves its words. What is left of a clause (nouns, verbs, numbers, adjectives
that constrain) is what the generator did not act on. A clause that an
operation or a behaviour already listed as a request of its own is that
request's.
"""

from __future__ import annotations

import re

from codegen.generators.template import catalog, recipes
from codegen.generators.template.checklist import request_words
from codegen.generators.template.checklist.details import TESTS_RE
from codegen.generators.template.checklist.items import MET, UNMET, Builder
from codegen.generators.template.kinds import data_operations, page_sections
from codegen.generators.template.prompt_parser import (
    _GENERIC_KIND_WORDS, _KIND_RULES, _OTHER_DATABASES, _OTHER_FRAMEWORKS, FEATURE_RULES, FRAMEWORK_RULES, STORE_RULES,
)
from codegen.generators.template.words import ascii_letters, plural, singular

DETAIL = "the offline generator did not act on this"

# function words: they carry no request of their own
_FUNCTION_WORDS = (
    "a an the this that these those it its itself they them their theirs there here i me my mine myself we us our"
    " ours you your yours he him his she her hers one's someone somebody anyone anything something everything"
    " and or but nor so also too as if then than else either neither both plus"
    " of in on at to for from by with without into onto over under about through via within across along upon"
    " is are was were be been being am do does did doing done has have had having will would shall should can"
    " could may might must cannot can't won't don't doesn't isn't aren't shouldn't"
    " what which who whom whose where when while how why whether"
    " all any each every some such same other another own lot lots bit kind way"
    " just really very quite pretty rather please thanks thank hi hello hey ok okay possibly maybe perhaps"
    " etc eg ie e g i e like such"
)
# the verbs of asking for software at all, and of the records every generated project keeps
_REQUEST_WORDS = (
    "build builds building built create creates creating created make makes making made write writes writing written"
    " want wants wanted need needs needed implement implements implementing implemented develop develops code coded"
    " generate generates generated give gives giving given let lets allow allows allowing help helps"
    " use uses using used provide provides providing include includes including included contain contains containing"
    " support supports supporting supported offer offers expose exposes exposing get gets set up setup put"
    " add adds adding added edit edits editing edited update updates updating updated delete deletes deleting deleted"
    " remove removes removing removed list lists listing listed view views viewing see sees show shows showing"
    " display displays read reads reading keep keeps keeping kept store stores storing stored save saves saving saved"
    " manage manages managing managed track tracks tracking tracked record records recording recorded"
    " organize organizes organise organises handle handles handling hold holds holding enter enters browse"
    " work works working able accept accepts accepting accepted take takes taking"
)
# the words of what kind of thing is asked for, which the kind request and its files answer
_THING_WORDS = (
    "app apps application applications api apis tool tools program programs script scripts service services system"
    " systems platform project projects page pages website websites site sites software code backend server"
    " python py version simple small basic little quick tiny minimal lightweight easy nice clean good great"
    " new modern full complete proper personal fully working functional complete ready production example"
    " thing things stuff form called named"
    # who uses it, as the parser's "<who> can <verb>" reads them: the verb is the request, not the one who does it
    " user users people person visitor visitors customer customers member members admin admins guest guests"
    " student students employee employees editor editors"
)
# the words of what each kind of project is made of, which its files answer
_KIND_WORDS = {
    "rest_api": "get post put patch delete route routes endpoint endpoints request requests response responses json"
    " return returns answer answers respond responds"
    " database db data resource resources entity entities crud fk",
    "cli": "command commands flag flags option options argument arguments terminal shell file files json line lines"
    " prints print output",
    "library": "function functions class classes method methods module modules package packages helper helpers"
    " utility utilities import file files return returns check checks checking whether"
    " take takes taking accept accepts input inputs output outputs argument arguments parameter parameters",
    "data_script": "csv file files column columns row rows line lines data read load loads process processes print"
    " prints output outputs write writes result results report reports compute computes computing calculate"
    " calculates group grouped groups each item items entry entries record records value values",
    "webpage": "form forms button buttons browser section sections html css javascript js localstorage local storage"
    " placeholder placeholders",
}
STOP_WORDS = frozenset(f"{_FUNCTION_WORDS} {_REQUEST_WORDS} {_THING_WORDS}".split())

# clauses, for naming what is left where it stands
_CLAUSE_RE = re.compile(r"[,;:()]|\s(?:where|which|who|so that|such that|while|but|and then|then)\s")

# verbs of keeping records ("students submit assignments", "users log workouts"), which a project of records does
_RECORD_VERBS = frozenset("log logs note notes post posts submit submits enter enters write writes".split())

# what a project is for: "for a yoga studio", "to manage a warehouse's stock" (not "for renaming photos", an
# activity, and not a "for each"), and the nouns before its kind ("a membership API", "a coffee shop landing
# page"), except a noun of doing ("a photo renamer CLI", "a link shortener API"): the project is that one's
_SUBJECT_RE = (
    r"\b(?:for|manage|managing|track|tracking|keep track of|organize|organise) (?:a|an|the|my|our|your|his|her|their)"
    r"(?: (?!(?:with|and|or|where|that|which|who|to|in|on|of|by|from|each|every|all|any)\b)[a-z]+(?:'s)?){1,3}\b"
)
_BEFORE_KIND_RE = (
    r"\b(?:(?!(?:a|an|the|my|and|or|with|that|of|to|for)\b)[a-z]+(?<!er)(?<!or) ){1,2}"
    r"(?=(?:rest )?(?:api|app|application|service|backend|website|site|webpage|page|cli|tool|library|module|package"
    r"|system|platform|tracker|manager|database|dashboard|program|script)\b)"
)

# an example value ("sizes like 1.5 MB", "versions such as 1.2.3"): it shows what is meant, the words before say it
_EXAMPLE_RE = r"\b(?:like|such as|e g|eg|for example|for instance) [\w.:/-]*\d[\w.:/-]*(?: [a-z]{1,3}\b)?"


def _patterns(b: Builder) -> list[str]:
    """The patterns of what the parser and the checklist read, whose matches account for their words."""
    patterns = [_SUBJECT_RE, _BEFORE_KIND_RE, _EXAMPLE_RE,
        *(pattern for rules in _KIND_RULES.values() for pattern, _ in rules),
        *(pattern for pattern, _ in [*_GENERIC_KIND_WORDS, *FRAMEWORK_RULES, *STORE_RULES]),
        _OTHER_FRAMEWORKS, _OTHER_DATABASES, *FEATURE_RULES.values(), TESTS_RE,
        *(pattern for pattern, _, _ in catalog.DOMAINS),
    ]
    recipe = recipes.RECIPES.get(b.spec.recipe or "")
    if recipe is not None:
        patterns += [recipe.pattern, *(part["pattern"] for part in recipe.parts)]
        patterns += [request_words.RECIPE_OWN_WORDS.get(recipe.key, r"$^"),
                     request_words.MISSING_IN_RECIPE.get(recipe.key, r"$^")]
        # a converter converts both ways ("to roman numerals and back", "between celsius and fahrenheit")
        # a function's input ("a word", "two words are anagrams", "a title", "the gcd of two numbers")
        inputs = {"strings": r"\b(?:two )?(?:words?|strings?|texts?|sentences?|phrases?|titles?)\b",
                  "numbers": r"\b(?:two |an? )?(?:numbers?|integers?)\b"}
        patterns += [inputs.get(recipe.key, r"$^")]
        # what a recipe reports, in the words people write it ("4xx/5xx responses", "hits per IP")
        patterns += [{"access_log": r"\b[1-5]xx\b|\b(?:hits|visits|errors|ip addresses|urls?|endpoints|pages|percent\w*|shares?|answers?|responses?)\b"}.get(recipe.key, r"$^")]
        patterns += [r"\b(?:and|them|it) back\b|\bboth ways\b|\bvice versa\b|\bbetween \w+ and \w+"]
    if b.spec.kind == "webpage" and b.spec.recipe:
        patterns += [variant["pattern"] for variant in page_sections.VARIANTS.values() if "pattern" in variant]
    if b.spec.kind == "data_script":
        patterns += [p.pattern for p in (data_operations._DEDUPE_RE, data_operations._WHERE_RE,
                                         data_operations._SORT_RE, data_operations._TOP_RE)]
        patterns += [r"\b(?:keep\w* )?only (?:the )?(?:rows|records|lines|entries)\b"]
        patterns += [r"\b(?:total|sum|average|mean|median|count|number|minimum|maximum|min|max)s?\b(?: of)?"
                     r"|\b(?:per|by|grouped by|for each|in each) \w+"]
    if any(not report.get("parent") for report in b.spec.options.get("reports") or []):
        from codegen.generators.template import report_routes

        patterns += [report_routes._AGGREGATE_RE.pattern, report_routes._LIST_RE.pattern]
    return patterns


def _named_words(b: Builder) -> set[str]:
    """Words that name something of the project or of the checklist."""
    names: set[str] = set()
    for entity in b.spec.entities:
        for name in (entity.name, entity.plural, *(f.name for f in entity.fields)):
            names |= set(name.split("_")) | {name}
    for section in b.spec.options.get("sections") or []:
        names |= set(section.split())
    for cards in (b.spec.options.get("cards") or {}).values():  # a section's cards by name ("Free, Pro")
        names |= {word.lower() for card in cards for word in card.split()}
    for item in b.items:
        names |= set(re.findall(r"[a-z0-9]+", item.text.lower()))
    names |= set(b.spec.slug.split("_"))  # "a CLI called shelfie" is the package shelfie
    names |= set(_KIND_WORDS.get(b.spec.kind, "").split()) | {w.lower() for w in catalog.TYPE_WORDS}
    if b.spec.kind == "webpage" and b.spec.recipe == "landing":
        names |= page_sections.LANDING_WORDS
    recipe = recipes.RECIPES.get(b.spec.recipe or "")
    if recipe is not None:
        # the parts the project holds: a library of some parts does not answer the words of the others
        held = b.spec.options.get("parts")
        parts = [p for p in recipe.parts if held is None or p["module"] in held]
        what = [recipe.title, *(f"{p['name']} {p['request']} {' '.join(p['exports'])}" for p in parts)]
        if len(parts) == len(recipe.parts):
            what += [recipe.description, *recipe.exports]
        what = [text.replace("_", " ") for text in what]
        if b.spec.kind == "cli":  # its options: "of a given length" is --length
            what += re.findall(r"--([a-z][a-z-]*)", recipe.cli_usage)
        names |= set(re.findall(r"[a-z0-9]+", " ".join(what).lower()))
    from codegen.generators.template.checklist.sentences import _KIND_VERBS

    names |= _KIND_VERBS.get(b.spec.recipe or "", set()) | _KIND_VERBS.get(b.spec.kind, set())
    names |= _RECORD_VERBS if b.spec.entities else set()
    names |= {w for value in b.spec.options.values() if isinstance(value, str) for w in re.findall(r"[a-z0-9]+", value)}
    return names


def _accounted(word: str, names: set[str]) -> bool:
    word = word.removesuffix("'s")
    forms = {word, singular(word), plural(word), word.removesuffix("s"), word.removesuffix("ed"),
             word.removesuffix("d"), word.removesuffix("ing"), word.removesuffix("ing") + "e",
             word.removesuffix("e") + "ing", word.removesuffix("ion") + "ed", word.replace("people", "person")}
    return bool(forms & STOP_WORDS) or bool(forms & names)


def unaccounted(b: Builder, key: str) -> list[tuple[str, list[str]]]:
    """The clauses of the normalized sentence ``key`` with words nothing accounts for, and those words."""
    key = ascii_letters(key)  # "café" is the cafe the patterns know
    covered = [False] * len(key)
    for pattern in _patterns(b):
        for match in re.finditer(pattern, key):
            for i in range(match.start(), match.end()):
                covered[i] = True
    names = _named_words(b)
    found: list[tuple[str, list[str]]] = []
    start = 0
    bounds = [(m.start(), m.end()) for m in _CLAUSE_RE.finditer(key)] + [(len(key), len(key))]
    for end, after in bounds:
        clause = key[start:end]
        left = []
        for match in re.finditer(r"[a-z][a-z0-9']*|\d+(?:\.\d+)?", clause):
            word = match.group(0).strip("'")
            at = start + match.start()
            if all(covered[at:at + len(match.group(0))]) or _accounted(word, names):
                continue
            if len(word) < 2 and not word.isdigit():
                continue
            left.append(word)
        if left:
            found.append((clause.strip(" .!?"), left))
        start = after
    return found


def _claimed(clause: str, listed: list[str]) -> bool:
    """Whether a request already listed stands for the whole clause: an operation whose pattern matches in it
    ("only admins can delete patients" is "roles and permissions"), or a request that holds the clause ("patients
    book appointments and receive sms reminders", listed as a behaviour nothing does); not a shorter request the
    clause holds ("sku must be unique" in "sku must be unique and quantity can't be negative")."""
    from codegen.generators.template.checklist import details

    operations = [(label, pattern) for label, pattern, _ in details._OPERATIONS] + request_words.DATA_OPERATIONS
    if any(label.lower() in listed and re.search(pattern, clause) for label, pattern in operations):
        return True
    return any(clause in text for text in listed)


# an error answer every generated REST API gives, and the tests that check it: "return 404 when the id is not
# found" (each item route), "return 401 on a missing or invalid token" (with authentication)
_SERVED_STATUSES = [
    ("404", re.compile(r"\b404\b.*\b(?:not found|not exist|doesn t exist|unknown|missing|no such)\b"
                       r"|\b(?:not found|not exist|unknown id)\b.*\b404\b")),
    ("401", re.compile(r"\b401\b.*\b(?:missing|invalid|no|expired|without)\b(?: \w+)? (?:token|jwt|credentials)"
                       r"|\b(?:missing|invalid|no|without)\b(?: \w+)? (?:token|jwt|credentials)\b.*\b401\b")),
]


# what a "not found" answer is about: "404 if the pantry does not exist", "404 when project or client is not
# found", "404 for an unknown wedding"
_SUBJECT_RES = [
    re.compile(r"\b(?:if|when|whenever|for)\s+(?:the |a |an |that |this |its |their |any )?"
               r"([a-z_]+(?: (?:or|and) (?:the |a |an )?[a-z_]+)*)(?: [a-z_]+)?\s+(?:is |are |was |were |does |do )?"
               r"(?:not|doesn t|don t|isn t|aren t|cannot be|can t be)\s+(?:be )?(?:found|exists?)\b"),
    re.compile(r"\b(?:unknown|nonexistent|non existent|no such)\s+([a-z_]+)"),
]
# words of any record: every generated resource answers 404 for them
_ANY_RECORD = frozenset(
    "id ids record records item items resource resources entity entities object objects row rows one ones thing"
    " things requested given path url".split()
)


def missing_subjects(b: Builder, clause: str) -> list[str]:
    """The records a 404 answer is about that the project does not keep: "return 404 if the pantry does not
    exist" in a project without pantries is no answer it gives."""
    missing: list[str] = []
    if not re.search(r"\b404\b", clause):
        return missing
    function_words = frozenset(_FUNCTION_WORDS.split())
    for pattern in _SUBJECT_RES:
        for match in pattern.finditer(clause.replace("'", " ")):
            for word in re.split(r" (?:or|and) (?:the |a |an )?", match.group(1)):
                if word in _ANY_RECORD or word in function_words or b.spec.entity(word) is not None:
                    continue
                if word not in missing:
                    missing.append(word)
    return missing


def served_status(b: Builder, clause: str) -> list[str]:
    """The generated tests that check the error answer ``clause`` asks for, if the project gives it."""
    if b.spec.kind != "rest_api" or missing_subjects(b, clause):
        return []
    codes = set(re.findall(r"\b[1-5]\d\d\b", clause))
    for status, pattern in _SERVED_STATUSES:
        # every code the clause names must be this one: "409 on conflict and 404 if ..." is not all served
        if codes <= {status} and pattern.search(clause.replace("'", " ")):
            tests = [path for path in b.where(f"== {status}") if path.startswith("tests/")]
            if tests:
                return tests
    return []


def account(b: Builder, key: str) -> None:
    """Each clause of ``key`` with words nothing accounts for becomes a request, unmet."""
    listed = [item.text.lower() for item in b.items]
    for clause, words in unaccounted(b, key):
        if _claimed(clause, listed):
            continue
        served = served_status(b, clause)
        if served:
            b.add(clause, MET, served)
            continue
        b.add(clause, UNMET, [], unserved_why(b, clause, words))


def unserved_why(b: Builder, clause: str, words: list[str] | None = None) -> str:
    """Why a clause is not served: the records an error answer is about that the project does not keep, else the
    words nothing answers."""
    missing = missing_subjects(b, clause) if b.spec.kind == "rest_api" else []
    if missing:
        return f"{DETAIL}: the project keeps no {' or '.join(plural(w) for w in missing)}, so it gives no such answer"
    return f"{DETAIL} (nothing in the project answers {', '.join(dict.fromkeys(words))})" if words else DETAIL
