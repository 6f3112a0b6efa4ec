"""Review checks run on every generated snapshot, whatever the generator.

``check_files`` is the cheap static review (syntax, placeholders, paths, sizes);
the project's own tests run in the engine's sandbox (codegen/engine/sandbox.py),
never here. ``find_placeholder`` is also used by the LLM provider to reject
truncated files before asking for a repair.
"""

from __future__ import annotations

import ast
import json
import re
import tomllib
from pathlib import PurePosixPath

from codegen.generators.base import GeneratedFile

try:  # PyYAML is optional; without it YAML gets a minimal structural check
    import yaml
except ImportError:  # pragma: no cover - depends on the environment
    yaml = None

# Phrases models write instead of code. Each must be specific enough not to
# match ordinary prose or code ("the rest of the code lives in app/" is fine).
_PLACEHOLDER_PATTERNS = [
    r"rest of (?:the |this |your )?(?:code|file|implementation|module|class|function|methods?|page|component)"
    r"\s*(?:is |remains |stays |goes )?(?:unchanged|the same|as (?:it was|before)|omitted|here)",
    r"(?:existing|previous|original|remaining|other) (?:code|implementation|methods|functions|logic|content"
    r"|imports|routes|handlers|tests|styles)\s*(?:remains? |stays? |is |are )?"
    r"(?:unchanged|the same|as before|omitted|here)",
    r"(?:\.\.\.|…)[ \t(\[]*"
    r"(?:existing|previous|original|remaining|rest of|same as|unchanged|omitted|more code|other code)",
    r"\b(?:TODO|FIXME)\b[ \t:\-]*"
    r"(?:implement\b|fill in|write (?:the )?(?:code|implementation)|add (?:the )?(?:implementation|logic|code)\b)",
    r"(?:your|the|actual) (?:code|implementation|logic) goes here",
    r"(?:insert|add|put) (?:your )?(?:code|implementation|logic) here",
    r"^[ \t]*(?:#|//)[ \t]*your (?:code|implementation|logic) here",
    r"(?:omitted|truncated|shortened) for brevity",
    r"same as (?:before|above|the (?:original|previous)(?: version| file)?)\s*(?:\.\.\.|…|-->|\*/|$)",
]
_PLACEHOLDER_RE = re.compile("|".join(f"(?:{p})" for p in _PLACEHOLDER_PATTERNS), re.IGNORECASE | re.MULTILINE)

# a line holding nothing but an ellipsis, possibly as a comment: "...", "// ...", "# …", "<!-- ... -->"
_ELLIPSIS_LINE_RE = re.compile(r"^[ \t]*(?:#|//|/\*|<!--)?[ \t]*(?:\.\.\.|…)[ \t]*(?:\*/|-->)?[ \t]*$", re.MULTILINE)
_ELLIPSIS_COMMENT_RE = re.compile(r"^[ \t]*(?:#)[ \t]*(?:\.\.\.|…)[ \t]*$", re.MULTILINE)

# files where a bare "..." line means "code left out"; prose and YAML ("..." ends a document) are exempt
_CODE_SUFFIXES = frozenset(
    ".js .mjs .cjs .ts .tsx .jsx .css .scss .html .htm .java .go .rs .c .h .cpp .hpp .cs .rb .php .sh .sql"
    " .kt .swift .vue .svelte".split()
)


def find_placeholder(content: str, path: str | None = None) -> str | None:
    """The placeholder marker found in ``content``, else None.

    ``path`` (optional) tells the file type: a bare ``...`` line is only a
    placeholder in code, and Python gets an exact check through its AST.
    Without a path, content that parses as Python is treated as Python.
    """
    match = _PLACEHOLDER_RE.search(content)
    if match:
        return _line_of(content, match)
    suffix = PurePosixPath(path).suffix.lower() if path else None
    if suffix in (".py", ".pyi") or (suffix is None and _parses_as_python(content)):
        return _python_ellipsis_placeholder(content)
    if suffix is None or suffix in _CODE_SUFFIXES:
        match = _ELLIPSIS_LINE_RE.search(content)
        if match:
            return match.group(0).strip()
    return None


def _line_of(content: str, match: re.Match[str]) -> str:
    """The whole line holding ``match``, shortened, as the marker to show."""
    start = content.rfind("\n", 0, match.start()) + 1
    end = content.find("\n", match.end())
    line = content[start : end if end != -1 else len(content)].strip()
    return line if len(line) <= 80 else match.group(0).strip()


def _parses_as_python(source: str) -> bool:
    try:
        ast.parse(source)
    except (SyntaxError, ValueError):
        return False
    return True


def _python_ellipsis_placeholder(source: str) -> str | None:
    """A ``...`` statement standing for left-out code.

    ``...`` alone in a body (stubs, protocols, ``def f(): ...``) and as a value
    (``Callable[..., int]``, ``x = ...``) are legitimate; a ``...`` statement
    next to other statements in the same body is not.
    """
    comment = _ELLIPSIS_COMMENT_RE.search(source)
    if comment:
        return comment.group(0).strip()
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):  # ValueError: NUL bytes
        # the syntax check reports the file; still flag the obvious case
        match = _ELLIPSIS_LINE_RE.search(source)
        return match.group(0).strip() if match else None
    for node in ast.walk(tree):
        for body in _bodies(node):
            statements = body[1:] if body and _is_docstring(body[0]) else body
            if len(statements) > 1 and any(_is_ellipsis(stmt) for stmt in statements):
                return "..."
    return None


def _bodies(node: ast.AST) -> list[list[ast.stmt]]:
    bodies = []
    for name in ("body", "orelse", "finalbody"):
        value = getattr(node, name, None)
        if isinstance(value, list) and value and isinstance(value[0], ast.stmt):
            bodies.append(value)
    return bodies


def _is_ellipsis(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and stmt.value.value is Ellipsis


def _is_docstring(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str)


def path_problem(path: str) -> str | None:
    """Why ``path`` cannot be a file of the project, else None."""
    if not path or not path.strip():
        return "empty path"
    if "\\" in path:
        return "backslash in path"
    if any(ord(ch) < 32 for ch in path):
        return "control character in path"
    if path.startswith("/") or re.match(r"^[A-Za-z]:", path):
        return "absolute path"
    parts = path.split("/")
    if ".." in parts:
        return "path leaves the project (..)"
    if any(part in ("", ".") for part in parts):
        return "path is not normalized (empty or '.' segment)"
    return None


def check_files(files: list[GeneratedFile], *, max_file_bytes: int = 200_000, max_files: int = 200) -> list[str]:
    """Human-readable problems of a snapshot; empty when all is well."""
    problems: list[str] = []
    if not files:
        problems.append("the project has no files")
    if len(files) > max_files:
        problems.append(f"too many files: {len(files)} (the limit is {max_files})")
    seen: set[str] = set()
    for file in files:
        label = file.path or "<empty path>"
        bad_path = path_problem(file.path)
        if bad_path:
            problems.append(f"{label}: {bad_path}")
        elif file.path in seen:
            problems.append(f"{label}: duplicate path")
        seen.add(file.path)
        size = len(file.content.encode("utf-8"))
        if size > max_file_bytes:
            problems.append(f"{label}: {size} bytes, over the {max_file_bytes}-byte limit")
            continue
        syntax = _syntax_problem(file.path, file.content)
        if syntax:
            problems.append(f"{label}: {syntax}")
        marker = find_placeholder(file.content, file.path)
        if marker:
            problems.append(f"{label}: placeholder instead of code ({marker!r})")
    return problems


def _syntax_problem(path: str, content: str) -> str | None:
    suffix = PurePosixPath(path).suffix.lower()
    if suffix in (".py", ".pyi"):
        try:
            ast.parse(content, filename=path)
        except SyntaxError as exc:
            return f"Python syntax error at line {exc.lineno}: {exc.msg}"
        except ValueError as exc:  # NUL bytes on Python 3.11
            return f"Python syntax error: {exc}"
    elif suffix == ".json" or suffix == ".ipynb":
        try:
            json.loads(content)
        except json.JSONDecodeError as exc:
            return f"invalid JSON at line {exc.lineno}: {exc.msg}"
    elif suffix == ".toml":
        try:
            tomllib.loads(content)
        except tomllib.TOMLDecodeError as exc:
            return f"invalid TOML: {exc}"
    elif suffix in (".yaml", ".yml"):
        return _yaml_problem(content)
    return None


def _yaml_problem(content: str) -> str | None:
    if yaml is not None:
        try:
            list(yaml.safe_load_all(content))
        except yaml.YAMLError as exc:
            return f"invalid YAML: {' '.join(str(exc).split())}"
        return None
    for number, line in enumerate(content.splitlines(), start=1):
        if line[: len(line) - len(line.lstrip())].count("\t"):
            return f"invalid YAML at line {number}: tab in indentation"
    return None
