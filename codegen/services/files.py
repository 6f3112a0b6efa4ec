"""What a generated file is written in, from its name."""

from __future__ import annotations

from pathlib import PurePosixPath

_BY_SUFFIX = {
    ".py": "python", ".js": "javascript", ".mjs": "javascript", ".ts": "typescript", ".tsx": "typescript",
    ".jsx": "javascript", ".html": "html", ".htm": "html", ".css": "css", ".json": "json", ".md": "markdown",
    ".toml": "toml", ".yaml": "yaml", ".yml": "yaml", ".sql": "sql", ".sh": "shell", ".txt": "text",
    ".cfg": "ini", ".ini": "ini", ".csv": "csv", ".go": "go", ".rs": "rust", ".java": "java", ".rb": "ruby",
    ".xml": "xml", ".svg": "xml", ".env": "dotenv",
}
_BY_NAME = {"Dockerfile": "dockerfile", "Makefile": "makefile", ".gitignore": "text", "requirements.txt": "text"}


def language_for(path: str) -> str:
    name = PurePosixPath(path).name
    return _BY_NAME.get(name) or _BY_SUFFIX.get(PurePosixPath(name).suffix.lower(), "text")
