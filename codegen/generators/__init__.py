"""Pluggable generators; the engine picks one from CODEGEN_PROVIDER."""

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
]


def build_generator(settings: Settings) -> Generator:
    if settings.provider == "openai":
        from codegen.generators.openai import OpenAIGenerator

        return OpenAIGenerator(settings)
    from codegen.generators.template import TemplateGenerator

    return TemplateGenerator(settings)
