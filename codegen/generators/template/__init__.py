"""The offline template generator (placeholder until the generators issue lands)."""

from __future__ import annotations

import re

from codegen.config import Settings
from codegen.generators.base import GeneratedFile, GenerationRequest, GenerationResult, Reporter
from codegen.lifecycle import Mode, Stage


class TemplateGenerator:
    name = "template"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def generate(self, request: GenerationRequest, report: Reporter) -> GenerationResult:
        if request.mode == Mode.PHASED:
            await report(Stage.PLANNING, 0.1, "Planning the project")
            await report(Stage.ARCHITECTURE, 0.25, "Choosing the layout")
        files = dict(request.parent_files or {})
        slug = re.sub(r"[^a-z0-9]+", "_", request.prompt.lower()).strip("_")[:40] or "app"
        files["README.md"] = f"# {slug}\n\n{request.prompt}\n"
        await report(Stage.GENERATING, 0.5, "Writing README.md")
        files["main.py"] = f'"""{slug}"""\n\n\ndef main() -> None:\n    print("hello")\n'
        await report(Stage.GENERATING, 0.7, "Writing main.py")
        return GenerationResult(files=[GeneratedFile(p, c) for p, c in sorted(files.items())])
