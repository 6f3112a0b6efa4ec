"""Small, complete programs for prompts that ask for a utility rather than records.

Each recipe is a module of pure functions with its tests, plus an argparse
front end with its tests. A command-line project uses both; a library uses
the module alone. The recipes and their texts are files:
templates/recipes/manifest.toml and templates/recipes/<key>/*.py.tmpl, where
``$package`` is the project's package name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from codegen.generators.template import templates
from codegen.generators.template.model import Context
from codegen.generators.template.words import plural, singular


@dataclass(frozen=True)
class Recipe:
    key: str
    title: str  # "Unit Converter"
    description: str  # "converts temperatures, lengths and weights"
    pattern: str  # regex over the prompt's normalized words
    module: str  # module name inside the package
    exports: tuple[str, ...]
    source: str
    tests: str
    cli: str
    cli_tests: str
    cli_usage: str  # README lines, with $package for the command
    library_usage: str  # README snippet
    parts: tuple[dict, ...] = ()  # name, request, pattern, defines, module, exports (+ their texts)
    wins_over: tuple[str, ...] = ()  # recipes this one is chosen over when both match
    parts_verb: str = ""  # "implements" (a stack): before the named parts' names, in a library of some parts
    assumed_kind: str = ""  # the kind of project a prompt that names this recipe but no kind gets ("write fizzbuzz")


def named_parts(recipe: Recipe, flat: str) -> list[dict]:
    """The parts of ``recipe`` the prompt names ("a stack and a queue")."""
    return [part for part in recipe.parts if re.search(part["pattern"], flat)]


def accounted(key: str | None, flat: str) -> str:
    """What the named parts of recipe ``key`` account for: their phrases in the prompt and their requests'
    words, so that "binary search tree" asks for no search feature and "LRU cache" for no caching."""
    recipe = RECIPES.get(key or "")
    if recipe is None:
        return ""
    named = named_parts(recipe, flat)
    return " ".join([*(m.group(0) for part in named for m in re.finditer(part["pattern"], flat)),
                     *(part["request"] for part in named)])


def part_spans(key: str | None, flat: str) -> list[tuple[int, int]]:
    """Where the parts of recipe ``key`` are named in ``flat``: what their words say there ("the brackets are
    valid") is what the part does, not a rule for the project to check."""
    recipe = RECIPES.get(key or "")
    return [m.span() for part in (recipe.parts if recipe else ()) for m in re.finditer(part["pattern"], flat)]


# words that say how or for whom a program is made, not what it does: never the name of another program
_PLAIN = frozenset(
    "a an the this that my our your his her their its of for with and or in on at by from to as"
    " web browser online html css js javascript vanilla react vue svelte angular typescript ts cli command line"
    " terminal console python library module package app application page website site tool utility program script"
    " simple basic small tiny little quick easy nice clean modern minimal minimalist beautiful pretty good great"
    " new own working functional full complete custom personal interactive responsive standalone single digital"
    " secure safe fast reliable robust efficient lightweight free"
    " build make create write want need implement give me i".split()
)
# a noun of a program that does something ("calculator", "timer", "converter"): the words just before it name what
_AGENT_RE = re.compile(r"^(?:calculator|converter|generator|counter|checker|validator|parser|analy[sz]er|formatter"
                       r"|encoder|decoder|timer|stopwatch|clock|watch|splitter|solver|hasher)s?$")


def _described(word: str, described: set[str]) -> bool:
    return word.isdigit() or word in _PLAIN or bool({word, singular(word), plural(word)} & described)


def other_program(pattern: str, description: str, flat: str, *, whole: bool = False) -> str | None:
    """The program the prompt names where ``pattern`` matches, when its words say it is another one than the one
    ``description`` says the recipe is: "tip calculator", "mortgage payment calculator", "BMI calculator" (the
    words before a calculator, timer or converter name what it is for). With ``whole`` (a page, whose pattern
    names other programs too) every word of the name and what it counts to must be the description's as well:
    "pomodoro timer", "clock", "countdown to our wedding". None when the name is the recipe's own."""
    match = re.search(pattern, flat)
    if match is None:
        return None
    described = set(re.findall(r"[a-z0-9]+", description.lower()))
    start, end = match.span()
    while more := re.match(rf"\s(?:{pattern})", flat[end:]):  # "countdown timer": the whole name
        end += more.end()
    named = flat[start:end].split()
    before: list[str] = []
    if _AGENT_RE.search(named[-1]):  # the words just before it: "tip", "mortgage payment"; not "a", "web", "vue"
        for word in reversed(re.split(r"[^a-z0-9' -]", flat[:start])[-1].split()[-2:]):
            if word in _PLAIN or word.isdigit():
                break
            before.insert(0, word)
    other = [w for w in before if not _described(w, described)]
    if whole:
        other += [w for w in named if not _described(w, described) and "".join(named) not in described]
        target = re.match(r"\s(?:to|until|till) (?:the |our |my |your |a |an )?([a-z]+)", flat[end:])
        if target and not _described(target.group(1), described):  # "countdown to our wedding": to a date
            other.append(target.group(1))
            end += target.end()
    if not other:
        return None
    return " ".join([*before, *flat[start:end].split()])


def fill(text: str, package: str) -> str:
    """A recipe text for the project's package (``$package``)."""
    return text.replace("$package", package)


def detect(flat: str) -> Recipe | None:
    """The recipe a prompt asks for, if any: the earliest one named, unless another named one wins over it."""
    best = None
    matched = []
    for recipe in RECIPES.values():
        match = re.search(recipe.pattern, flat)
        if match:
            matched.append(recipe)
            if best is None or match.start() < best[0]:
                best = (match.start(), recipe)
    if best is None:
        return None
    return next((recipe for recipe in matched if best[1].key in recipe.wins_over), best[1])


def chosen(context: Context) -> Recipe | None:
    """The recipe a project is built around: the one the prompt names, unless the prompt is about keeping records.
    Parts it names are no fields of records ("sorting algorithms: merge sort and quicksort")."""
    recipe = detect(context.flat)
    if recipe is None or context.names_management:
        return None
    return recipe if named_parts(recipe, context.flat) or not context.explicit_fields else None


def selected(recipe: Recipe, flat: str) -> list[str]:
    """The modules of the parts a library is written with: those the prompt names, or all when it names none."""
    return [part["module"] for part in named_parts(recipe, flat) or recipe.parts]


def modules(recipe: Recipe, parts: list[str] | None) -> list[tuple[str, tuple[str, ...], str, str]]:
    """(module, exports, source, tests) of each module a project of ``recipe`` holds: the recipe's one module,
    or the parts named in ``parts`` (all of them when None)."""
    if not recipe.parts:
        return [(recipe.module, recipe.exports, recipe.source, recipe.tests)]
    return [(part["module"], tuple(part["exports"]), part["source"], part["tests"])
            for part in recipe.parts if parts is None or part["module"] in parts]


def _text(key: str, name: str) -> str:
    return templates.text("recipes", f"{key}/{name}.py.tmpl")


def _load() -> dict[str, Recipe]:
    recipes = {}
    for key, entry in templates.manifest("recipes").items():
        # a recipe of parts has a module and its tests per part instead of one of each
        own = ("cli", "cli_tests") if entry.get("parts") else ("source", "tests", "cli", "cli_tests")
        texts = {"source": "", "tests": "", **{name: _text(key, name) for name in own}}
        for part in entry.get("parts", ()):
            part.update(source=_text(key, part["module"]), tests=_text(key, f"test_{part['module']}"))
        if entry.get("parts"):  # named by its own words or by any of its parts' ("binary search")
            entry["pattern"] = "|".join([entry["pattern"], *(part["pattern"] for part in entry["parts"])])
        listed = {name: tuple(entry.get(name, ())) for name in ("exports", "parts", "wins_over")}
        recipes[key] = Recipe(key=key, **{**entry, **listed}, **texts)
    return recipes


RECIPES = _load()
