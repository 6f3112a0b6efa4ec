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


def fill(text: str, package: str) -> str:
    """A recipe text for the project's package (``$package``)."""
    return text.replace("$package", package)


def detect(flat: str) -> Recipe | None:
    """The recipe a prompt asks for, if any (the earliest one named)."""
    best = None
    for recipe in RECIPES.values():
        match = re.search(recipe.pattern, flat)
        if match and (best is None or match.start() < best[0]):
            best = (match.start(), recipe)
    return best[1] if best else None


def chosen(context: Context) -> Recipe | None:
    """The recipe a project is built around: the one the prompt names, unless the prompt is about keeping records."""
    recipe = detect(context.flat)
    return None if recipe is None or context.manages_records else recipe


def _load() -> dict[str, Recipe]:
    recipes = {}
    for key, entry in templates.manifest("recipes").items():
        texts = {part: templates.text("recipes", f"{key}/{part}.py.tmpl") for part in ("source", "tests", "cli", "cli_tests")}
        recipes[key] = Recipe(key=key, **{**entry, "exports": tuple(entry["exports"])}, **texts)
    return recipes


RECIPES = _load()
