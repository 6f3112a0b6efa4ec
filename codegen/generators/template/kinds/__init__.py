"""One module per kind of project; each completes a spec, describes it and renders it.

A kind module provides ``complete(spec, context)`` (fill in what the prompt
left open), ``describe(spec)`` (the plan message), ``capabilities(spec)``
(what a follow-up may change: "entities", "fields", features, "framework",
"store") and ``render_files(spec)`` (path -> content).
"""

from __future__ import annotations

from types import ModuleType

from codegen.generators.template.kinds import cli, data_script, library, rest_api, webpage
from codegen.generators.template.model import SPEC_FILE, Context, ProjectSpec
from codegen.generators.template.recipes import RECIPES

_KINDS: dict[str, ModuleType] = {
    "rest_api": rest_api,
    "cli": cli,
    "webpage": webpage,
    "library": library,
    "data_script": data_script,
}


def complete(spec: ProjectSpec, context: Context) -> None:
    _KINDS[spec.kind].complete(spec, context)


def capabilities(spec: ProjectSpec) -> frozenset[str]:
    return _KINDS[spec.kind].capabilities(spec)


def recipe_title(spec: ProjectSpec) -> str | None:
    """The title of the utility a project is built around ("Unit Converter"), if any."""
    if spec.recipe in RECIPES:
        return RECIPES[spec.recipe].title
    return webpage.TITLES.get(spec.recipe) if spec.kind == "webpage" else None


def describe(spec: ProjectSpec) -> str:
    return _KINDS[spec.kind].describe(spec)


def render_project(spec: ProjectSpec) -> dict[str, str]:
    """Every file of the project, the spec file included, in path order."""
    files = _KINDS[spec.kind].render_files(spec)
    files[SPEC_FILE] = spec.to_json()
    return dict(sorted(files.items()))
