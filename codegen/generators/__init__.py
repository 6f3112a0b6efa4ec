"""Pluggable generators; the engine picks one from CODEGEN_PROVIDER.

``build_generator`` is the one place that reads the whole ``Settings``: it hands the generator it
builds only that generator's slice (``settings.llm`` for the openai provider).
"""

from __future__ import annotations

from codegen.config import Settings
from codegen.generators.base import (
    GeneratedFile,
    GenerationError,
    GenerationRequest,
    GenerationResult,
    Generator,
    Reporter,
)

__all__ = [
    "GeneratedFile",
    "GenerationError",
    "GenerationRequest",
    "GenerationResult",
    "Generator",
    "Reporter",
    "build_generator",
    "describe",
]

# what a language model behind CODEGEN_PROVIDER=openai is asked to write
_LLM_DESCRIPTION = {
    "writes": ["any project the model can write: APIs, command-line tools, libraries, scripts, web pages"],
    "languages": ["python", "javascript", "typescript", "html", "css", "go", "java", "rust", "other languages"],
    "examples": [
        "Create a REST API for a bookstore with books, authors and orders, with JWT authentication",
        "A command-line tool in Go that renames photos by the date they were taken",
        "A web page with a to-do list that keeps its items in localStorage",
        "A Python library with a priority queue and a trie, with tests",
    ],
    "follow_up_examples": ["Add pagination to every list endpoint", "Add a due_date field to tasks"],
}


def build_generator(settings: Settings) -> Generator:
    if settings.provider == "openai":
        from codegen.generators.openai import OpenAIGenerator

        return OpenAIGenerator(settings.llm)
    from codegen.generators.template import TemplateGenerator

    return TemplateGenerator()


def describe(settings: Settings) -> dict:
    """What the configured generator writes, and prompts that work with it (GET /api/generator)."""
    if settings.provider == "openai":
        return {"provider": "openai", **_LLM_DESCRIPTION}
    from codegen.generators.template import DESCRIPTION

    return {"provider": "template", **DESCRIPTION}
