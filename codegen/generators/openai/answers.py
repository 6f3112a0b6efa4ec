"""Whether the files in a model's answer can be used: cut off, placeholders, empty, unsafe paths."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from codegen.generators.llm_output import ParsedFile, ParsedOutput, parse_files
from codegen.generators.review import find_placeholder

# files that may legitimately be empty
_EMPTY_OK = frozenset({"__init__.py", ".gitkeep", "py.typed", ".keep"})


@dataclass(frozen=True)
class FileProblem:
    # None: the problem is with the answer as a whole (no files, broken JSON)
    path: str | None
    kind: str  # truncated | placeholder | empty | unsafe | missing | format
    detail: str

    def describe(self) -> str:
        return f"{self.path}: {self.detail}" if self.path else self.detail


_PROBLEM_WORDS = {
    "truncated": "truncated content in",
    "placeholder": "placeholder content in",
    "empty": "an empty file for",
    "missing": "no content for",
    "unsafe": "paths outside the project:",
}


def check_file(path: str, file: ParsedFile, previous: str | None) -> FileProblem | None:
    """Why ``file`` must not be accepted (cut off, placeholder, empty), or None."""
    if not file.closed:
        return FileProblem(path, "truncated", "it was cut off before its end")
    marker = find_placeholder(file.content, path)
    if marker:
        detail = f"it contains placeholder text ({marker.strip()[:80]!r}) instead of code"
        return FileProblem(path, "placeholder", detail)
    if not file.content.strip() and (previous or posixpath.basename(path) not in _EMPTY_OK):
        return FileProblem(path, "empty", "it is empty")
    return None


def check_answer(parsed: ParsedOutput, finish_reason: str | None, base: dict[str, str]) -> list[FileProblem]:
    problems = [p for path, f in parsed.files.items() if (p := check_file(path, f, base.get(path)))]
    problems += [FileProblem(raw, "unsafe", "the path is outside the project") for raw in parsed.unsafe_paths]
    if parsed.broken_json:
        cut = finish_reason == "length"
        detail = "the JSON answer was cut off" if cut else "the JSON answer is not valid JSON"
        if parsed.broken_json_paths:
            detail += f" (it held {', '.join(parsed.broken_json_paths)})"
        problems.append(FileProblem(None, "truncated" if cut else "format", detail))
    elif parsed.empty and not parsed.unsafe_paths:
        problems.append(FileProblem(None, "format", "the answer holds no files in the required format"))
    return problems


def read_answer(text: str, finish_reason: str | None, base: dict[str, str]) -> tuple[ParsedOutput, list[FileProblem]]:
    """The files of an answer and what is wrong with them: parsing and checks (``ast.parse``), CPU work."""
    parsed = parse_files(text)
    return parsed, check_answer(parsed, finish_reason, base)


def repair_failed_message(problems: list[FileProblem]) -> str:
    parts = []
    for kind, words in _PROBLEM_WORDS.items():
        paths = [p.path for p in problems if p.kind == kind and p.path]
        if paths:
            parts.append(f"{words} {', '.join(dict.fromkeys(paths))}")
    general = [p.detail for p in problems if p.path is None]
    if general:
        parts.append("an unusable answer (" + "; ".join(general) + ")")
    hint = "try again, simplify the request or use a stronger model"
    if any(p.kind == "truncated" for p in problems):
        hint = "ask for a smaller change or use a model with a larger output limit"
    named = "them" if len({p.path for p in problems}) > 1 else "it"
    return f"The model produced {' and '.join(parts)} twice, even after a repair request naming {named}; {hint}."


def single_file(
    text: str, finish_reason: str | None, path: str, previous: str | None
) -> tuple[ParsedFile, FileProblem | None]:
    """The file in an answer that was asked for exactly one file, and what is wrong with it."""
    parsed = parse_files(text)
    cut = finish_reason == "length"
    candidates = list(parsed.files.values())
    chosen = parsed.files.get(path) or next(
        (f for f in candidates if posixpath.basename(f.path) == posixpath.basename(path)),
        candidates[0] if candidates else None,
    )
    if chosen is not None:
        file = ParsedFile(path, chosen.content, chosen.closed)
    elif parsed.anonymous_blocks:
        content, closed = parsed.anonymous_blocks[0]
        file = ParsedFile(path, content, closed)
    elif text.strip() and "```" not in text:
        # a bare file without a fence: complete unless the answer hit its length limit
        file = ParsedFile(path, text.strip() + "\n", closed=not cut)
    else:
        missing = FileProblem(path, "missing", "the answer holds no file content")
        return ParsedFile(path, "", closed=not cut), missing
    return file, check_file(path, file, previous)


def unresolved(
    original: list[FileProblem], repaired: ParsedOutput, repair_problems: list[FileProblem]
) -> list[FileProblem]:
    """The problems a repair answer left: files it did not resend, and its own faults."""
    missing = [p for p in original if p.path is not None and p.kind != "unsafe" and p.path not in repaired.files]
    if missing:
        # an empty repair is reported by the files it failed to resend
        repair_problems = [p for p in repair_problems if p.path is not None]
    return missing + repair_problems


def merge_repair(first: ParsedOutput, repair: ParsedOutput, problems: list[FileProblem]) -> ParsedOutput:
    """The first answer's good files with the repair's files over them."""
    bad = {p.path for p in problems}
    merged = ParsedOutput(
        files={path: f for path, f in first.files.items() if path not in bad},
        deleted=list(dict.fromkeys(first.deleted + repair.deleted)),
    )
    merged.files.update(repair.files)
    merged.checklist = repair.checklist or first.checklist
    return merged
