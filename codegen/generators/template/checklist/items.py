"""A checklist item (a request and how it was served) and the builder that collects them for one project."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from codegen.generators.template.model import ProjectSpec

MET, SUBSTITUTED, UNMET = "met", "substituted", "unmet"

NOT_FILES = ("README.md", "codegen.json")  # never named as where a request is met
MAX_WHERE = 4  # files named per request, at most


@dataclass
class Requirement:
    text: str
    status: str
    where: list[str] = field(default_factory=list)
    detail: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Builder:
    spec: ProjectSpec
    files: dict[str, str]
    items: list[Requirement] = field(default_factory=list)

    def add(self, text: str, status: str, where: list[str] | None = None, detail: str | None = None) -> None:
        key = text.lower()
        if any(item.text.lower() == key for item in self.items):
            return
        self.items.append(Requirement(text, status, where or [], detail))

    def where(self, *needles: str, paths: str | None = None) -> list[str]:
        """Files (not the README or the spec) that contain any of ``needles``, or whose path matches ``paths``."""
        by_path = [path for path in self.files if path not in NOT_FILES and paths and re.search(paths, path)]
        by_content = [
            path
            for path, content in self.files.items()
            if path not in NOT_FILES and path not in by_path and any(needle in content for needle in needles)
        ]
        return (by_path + by_content)[:MAX_WHERE]

    def code(self) -> str:
        return "\n".join(c for p, c in self.files.items() if p not in NOT_FILES and not p.startswith("tests/"))


def main_files(b: Builder) -> list[str]:
    """The project's own code files (not tests, the README or the spec), the first few."""
    code = [p for p in b.files if p not in NOT_FILES and not p.startswith("tests/") and p.endswith((".py", ".html", ".js"))]
    return code[:MAX_WHERE]


