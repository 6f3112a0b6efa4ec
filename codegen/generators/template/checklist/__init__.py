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

from codegen.generators.base import GenerationError
from codegen.generators.template import recipes
from codegen.generators.template.checklist import crosscheck, details, domains, requests, sentences, substitutes
from codegen.generators.template.checklist.items import MAX_WHERE, MET, NOT_FILES, SUBSTITUTED, UNMET, Builder, Requirement
from codegen.generators.template.checklist.requests import GENERIC_KIND_RE
from codegen.generators.template.languages import WEB_LANGUAGES, asked_languages, unsupported_kinds
from codegen.generators.template.model import KIND_LABELS, ProjectSpec
from codegen.generators.template.rules import Applied
from codegen.generators.template.words import human_list, normalize

# what the template generator can write, for error messages and GET /api/generator
WRITES = [
    "REST API (FastAPI, Flask, aiohttp) with SQLite or in-memory storage, token auth, pagination, search, sorting, "
    "validation rules, unique fields, checked links, state actions and report routes (counts or totals per field)",
    "command-line tool (records in a JSON file, or a converter, word counter, checksum, password generator, calculator)",
    "Python library (records, validators, string helpers, statistics, converters, number functions: primes, "
    "Fibonacci, factorial, gcd, lcm; data structures: stack, queue, "
    "linked list, LRU cache, priority queue, trie, binary search tree; roman numerals, INI config, byte sizes; "
    "algorithms: merge overlapping intervals, binary search, merge sort, quicksort, balanced brackets, two sum, "
    "flatten a nested list, FizzBuzz, Caesar cipher, leap years)",
    "CSV data script (dedupe, filter by a column's value, totals, averages, counts per column, sort, top N)",
    "static web page (HTML, CSS, JavaScript: a records app, a landing page, a calculator, a stopwatch)",
]
LANGUAGES = ["python", "html", "css", "javascript"]
CAN_DO = (
    "The offline template generator writes, in Python (web pages in HTML, CSS and JavaScript): "
    "REST APIs (FastAPI, Flask or aiohttp), command-line tools, Python libraries, CSV data scripts and static web pages"
)


_CODE_ONLY = re.compile(r"\b(?:functions?|class|classes|modules?|librar(?:y|ies)|packages?|npm)\b")
_PAGE_WORDS = re.compile(r"\b(?:pages?|html|site|website|browser|dom|component|widget|form|app|ui|frontend|front end)\b")


def check_servable(prompt: str, kind_scores: dict[str, int]) -> None:
    """Fail, saying what it can do, when the prompt asks for a language or a kind of program it cannot write."""
    languages = asked_languages(prompt)
    names = {ask.language for ask in languages}
    web = kind_scores.get("webpage", 0) >= 3 and not any(kind_scores.get(k, 0) >= 3 for k in KIND_LABELS if k != "webpage")
    # "a function in javascript that returns a tree": JavaScript code of its own, not a web page's script
    lowered = prompt.lower()
    web = web and not (_CODE_ONLY.search(lowered) and not _PAGE_WORDS.search(lowered))
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
    b = Builder(spec, files)
    text = "\n".join([prompt, *requirements])
    requests.kind(b, text, kind_named)
    requests.language(b, prompt, requirements)
    requests.framework(b, text, assumptions)
    requests.entities(b, entities_named)
    details.unread_fields(b, normalize(text).lower(), entities_named)
    domains.domain(b, text, entities_named)
    domains.assumed_records(b, assumptions)
    requests.features(b, text)
    requests.store(b, text, assumptions)
    requests.recipe(b, text, assumptions)
    details.detailed(b, text, applied)
    crosscheck.check(b, text)
    sentences.unrecognised(b, [prompt, *requirements])
    substitutes.mark(b, text, entities_named, _generic)
    return b.items


def fail_if_nothing_served(items: list[Requirement], prompt: str) -> None:
    """Fail when nothing of substance was served: a kind of project, a language or tests alone are not an answer."""
    if any(item.status == MET and not _generic(item.text) for item in items):
        return
    missed = [item.text for item in items if item.status != MET]
    why = f" (not served: {human_list(missed[:4])})" if missed else ""
    functions = ""
    if FUNCTION_RE.search(normalize(prompt).lower()):
        functions = f". The functions it writes: {FUNCTIONS}"
    raise GenerationError(f'Cannot serve "{" ".join(prompt.split())[:160]}"{why}{functions}. {CAN_DO}.')


# "write a function that ...": the functions the generator writes are its recipes'
FUNCTION_RE = re.compile(r"\bfunctions?\b")
_FUNCTION_RECIPES = ("numbers", "strings", "validators", "converter", "statistics", "formats", "algorithms")
FUNCTIONS = human_list([f"{name}()" for key in _FUNCTION_RECIPES
                        for name in recipes.RECIPES[key].exports or [e for p in recipes.RECIPES[key].parts
                                                                     for e in p["exports"]]
                        if name[0].islower()])  # functions, not classes or constants


_GENERIC_TEXTS = frozenset({"tests", "written in python", *(f"a {label}".lower() for label in KIND_LABELS.values())})


def _generic(text: str) -> bool:
    """A request that says what kind of thing to write but not what it should do."""
    lowered = text.lower()
    words = lowered.split(" ", 1)
    return lowered in _GENERIC_TEXTS or lowered.startswith("use ") or (
        len(words) == 2 and words[0] in ("a", "an") and bool(GENERIC_KIND_RE.fullmatch(words[1]))
    )


def for_iteration(changes: list[str], written: list[str]) -> list[Requirement]:
    where = [path for path in written if path not in NOT_FILES][:MAX_WHERE]
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


