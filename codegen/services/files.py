"""What a generated file is written in, from its name (the map is codegen/languages.py)."""

from __future__ import annotations

from codegen.languages import language_for

__all__ = ["language_for"]
