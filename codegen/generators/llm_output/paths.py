"""Paths in a model's answer: which tokens name files, and which of those stay inside the project."""

from __future__ import annotations

import re
from posixpath import normpath, splitext

from codegen.generators.review import path_problem
from codegen.languages import known_language, language_named

# Files that are commonly written without an extension.
BARE_FILENAMES = frozenset(
    {"Dockerfile", "Makefile", "Procfile", "Gemfile", "Rakefile", "Jenkinsfile", "LICENSE", "Containerfile"}
)

_PATH_TOKEN = re.compile(r"^[\w@+\-./\\]+$")
_EXTENSION = re.compile(r"\.[A-Za-z][A-Za-z0-9_-]{0,15}$")
_INFO_PATH_KEY = re.compile(r"""(?:path|file|filename|title|name)\s*[=:]\s*["']?([^"'\s}]+)""", re.I)
_HEADING_PREFIX = re.compile(r"^(?:(?:#{1,6}|[-*+]|\d+[.)])\s*)+")
_LABEL_PREFIX = re.compile(r"^(?:file(?:name)?|path)\s*[:\-]\s*", re.I)
_HEADING_SUFFIX = re.compile(r"\s*\((?:new|updated|modified|changed|complete|full|created)[^)]*\)$", re.I)
_BACKTICKED = re.compile(r"`([^`\s]+)`")


def looks_like_path(token: str) -> bool:
    """A token that names a file: has a directory, an extension or is a known bare name."""
    if not token or len(token) > 255 or not _PATH_TOKEN.match(token) or token.endswith(("/", "\\")):
        return False
    name = token.replace("\\", "/").rsplit("/", 1)[-1]
    return "/" in token.replace("\\", "/") or bool(_EXTENSION.search(name)) or name in BARE_FILENAMES


def safe_path(raw: str) -> str | None:
    """Normalise a model-supplied path; None when it points outside the project."""
    path = raw.strip().strip("`'\"").replace("\\", "/")
    # "~" and ".." mean somewhere else, even where they would normalise to a path inside
    if not path or path.startswith("~") or ".." in path.split("/"):
        return None
    path = normpath(path)
    return None if path_problem(path) else path


def path_from_info(info: str) -> str | None:
    """The path named in a fence's info string (```` ```python path=app/main.py ````)."""
    match = _INFO_PATH_KEY.search(info)
    if match:
        return match.group(1)
    for token in re.split(r"[\s:{},]+", info):
        token = token.strip("\"'`")
        if looks_like_path(token):
            return token
    return None


def path_from_heading(line: str) -> str | None:
    """The path a line placed just before a fence announces, if that is all it says."""
    text = line.strip()
    if not text or len(text) > 300:
        return None
    text = _HEADING_PREFIX.sub("", text).strip("*_ ")
    text = _LABEL_PREFIX.sub("", text).strip("*_ ")
    text = _HEADING_SUFFIX.sub("", text.rstrip(":").strip()).strip("`*_ ").rstrip(":")
    return text if looks_like_path(text) else None


def path_from_intro(line: str, info: str) -> str | None:
    """The path in a prose line introducing a block ("Here is the updated `app/main.py`:").

    Weaker than a heading, so it only counts when the line names exactly one
    path, ends with a colon, and the block's language fits that path (the
    ```` ```bash ```` after "Install `requirements.txt`:" is not that file).
    """
    if not line.rstrip().rstrip("*_").endswith(":"):
        return None
    named = [token for token in _BACKTICKED.findall(line) if looks_like_path(token)]
    if len(named) != 1:
        return None
    language = info.split()[0].lower() if info.strip() else ""
    return named[0] if not language or language_fits(language, named[0]) else None



def language_fits(language: str, path: str) -> bool:
    """A fence's language word fits ``path``: its extension, its name, or the language of either."""
    name = path.rsplit("/", 1)[-1].lower()
    extension = splitext(name)[1].lstrip(".")
    return language in (extension, name) or language_named(language) == known_language(path)
