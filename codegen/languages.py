"""What a file is written in, from its name: the one map.

The value is the ``language`` of a file in the API (shared/API.md) and the language written on
the fences of files shown to a language model. It imports nothing of ours, so every layer may use it.
"""

from __future__ import annotations

from pathlib import PurePosixPath

_BY_SUFFIX = {
    ".py": "python", ".js": "javascript", ".mjs": "javascript", ".ts": "typescript", ".tsx": "typescript",
    ".jsx": "javascript", ".html": "html", ".htm": "html", ".css": "css", ".json": "json", ".md": "markdown",
    ".toml": "toml", ".yaml": "yaml", ".yml": "yaml", ".sql": "sql", ".sh": "shell", ".txt": "text",
    ".cfg": "ini", ".ini": "ini", ".csv": "csv", ".go": "go", ".rs": "rust", ".java": "java", ".rb": "ruby",
    ".xml": "xml", ".svg": "xml", ".env": "dotenv",
}  # fmt: skip
_BY_NAME = {"Dockerfile": "dockerfile", "Makefile": "makefile", ".gitignore": "text", "requirements.txt": "text"}
# other names models write on a fence for a language of the map
_ALIASES = {"bash": "shell", "sh": "shell", "zsh": "shell", "tsx": "typescript", "jsx": "javascript"}
UNKNOWN = "text"


def known_language(path: str) -> str | None:
    """The language of ``path`` when its name or extension tells, else None."""
    name = PurePosixPath(path).name
    return _BY_NAME.get(name) or _BY_SUFFIX.get(PurePosixPath(name).suffix.lower())


def language_for(path: str) -> str:
    """The language of ``path``; ``text`` when its name does not tell."""
    return known_language(path) or UNKNOWN


def language_named(word: str) -> str:
    """The language a fence's info word means (``bash`` is ``shell``); the word itself when not an alias."""
    word = word.lower()
    return _ALIASES.get(word, word)
