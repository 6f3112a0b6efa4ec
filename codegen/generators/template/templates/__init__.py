"""The fixed text of generated projects, one file per template, read with importlib.resources.

``<kind>/<name>.tmpl`` holds a file or a fragment as it is written into a project, with
``$name`` placeholders where the kind module fills in values. ``<kind>/*.toml``, where a kind
has one, names the variants its logic chooses between (and their files or lines).
setup.cfg's package_data ships both, so a non-editable install finds them too.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from string import Template


def text(kind: str, name: str) -> str:
    """The template ``<kind>/<name>`` (``name`` may hold a ``/``: ``converter/cli.py.tmpl``)."""
    return resources.files(__name__).joinpath(kind, *name.split("/")).read_text(encoding="utf-8")


def manifest(kind: str, name: str = "manifest.toml") -> dict:
    """The parsed TOML file ``<kind>/<name>``."""
    return tomllib.loads(text(kind, name))


def fill(kind: str, name: str, /, **values: object) -> str:
    """The template ``<kind>/<name>`` with its ``$placeholders`` filled in (``$$`` is a dollar sign)."""
    return Template(text(kind, name)).substitute(values)
