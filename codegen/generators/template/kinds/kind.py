"""The protocol every kind of project implements; kinds/__init__.py looks them up by name."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from codegen.generators.template.model import Context, ProjectSpec


@runtime_checkable
class Kind(Protocol):
    name: str  # the spec's ``kind``: "rest_api", "cli", ...

    def complete(self, spec: ProjectSpec, context: Context) -> None:
        """Fill in what the prompt left open (entities, a recipe, a variant), saying so in ``context.assumptions``."""

    def capabilities(self, spec: ProjectSpec) -> frozenset[str]:
        """What a follow-up may change: "entities", "fields", features, "framework", "store"."""

    def describe(self, spec: ProjectSpec) -> str:
        """The plan message: what will be built."""

    def recipe_title(self, spec: ProjectSpec) -> str | None:
        """The title of the utility a project is built around ("Unit Converter"), if any."""

    def render_files(self, spec: ProjectSpec) -> dict[str, str]:
        """Every file of the project but the spec file, path -> content."""
