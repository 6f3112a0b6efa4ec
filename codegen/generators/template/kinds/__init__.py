"""The kinds of project, each a class implementing the Kind protocol (kinds/kind.py), looked up by spec.kind.

A kind completes a spec (fills in what the prompt left open), describes it,
says what a follow-up may change and renders it into files.
"""

from __future__ import annotations

from codegen.generators.template.kinds.cli import CommandLineTool
from codegen.generators.template.kinds.data_script import DataScript
from codegen.generators.template.kinds.kind import Kind
from codegen.generators.template.kinds.library import Library
from codegen.generators.template.kinds.rest_api import RestApi
from codegen.generators.template.kinds.webpage import WebPage
from codegen.generators.template.model import SPEC_FILE, ProjectSpec

KINDS: dict[str, Kind] = {kind.name: kind for kind in (RestApi(), CommandLineTool(), WebPage(), Library(), DataScript())}


def of(spec: ProjectSpec) -> Kind:
    return KINDS[spec.kind]


def render_project(spec: ProjectSpec) -> dict[str, str]:
    """Every file of the project, the spec file included, in path order."""
    files = of(spec).render_files(spec)
    files[SPEC_FILE] = spec.to_json()
    return dict(sorted(files.items()))
