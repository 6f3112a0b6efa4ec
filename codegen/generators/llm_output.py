"""Reading files out of a language model's answer.

Models are asked for fenced blocks whose info string carries the path
(```` ```python path=app/main.py ````) but answer in many dialects, so the
parser also accepts:

- a bare path or ``lang:path`` as the info string (```` ```app/main.py ````);
- a path on the line just before the fence: ``### app/main.py``,
  ``**app/main.py**``, ``# File: app/main.py``, ``Here is `app/main.py`:``;
- a JSON object ``{"files": [{"path": ..., "content": ...}]}``, bare or inside
  a ```` ```json ```` fence;
- ``DELETE: path`` lines (or ``"deleted": true`` in JSON) for removed files.

Parsing is line by line so that the same parser, fed while the answer
streams, tells which file the model has started writing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from posixpath import normpath, splitext
from typing import Any, Protocol

import orjson

from codegen.generators.review import path_problem

# Files that are commonly written without an extension.
BARE_FILENAMES = frozenset(
    {"Dockerfile", "Makefile", "Procfile", "Gemfile", "Rakefile", "Jenkinsfile", "LICENSE", "Containerfile"}
)

LANGUAGES = {
    ".py": "python", ".js": "javascript", ".ts": "typescript", ".tsx": "tsx", ".jsx": "jsx",
    ".md": "markdown", ".json": "json", ".toml": "toml", ".yml": "yaml", ".yaml": "yaml",
    ".html": "html", ".css": "css", ".sh": "bash", ".sql": "sql", ".txt": "text", ".cfg": "ini",
    ".ini": "ini", ".go": "go", ".rs": "rust", ".java": "java",
}  # fmt: skip

_FENCE = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
_PATH_TOKEN = re.compile(r"^[\w@+\-./\\]+$")
_EXTENSION = re.compile(r"\.[A-Za-z][A-Za-z0-9_-]{0,15}$")
_INFO_PATH_KEY = re.compile(r"""(?:path|file|filename|title|name)\s*[=:]\s*["']?([^"'\s}]+)""", re.I)
_HEADING_PREFIX = re.compile(r"^(?:(?:#{1,6}|[-*+]|\d+[.)])\s*)+")
_LABEL_PREFIX = re.compile(r"^(?:file(?:name)?|path)\s*[:\-]\s*", re.I)
_HEADING_SUFFIX = re.compile(r"\s*\((?:new|updated|modified|changed|complete|full|created)[^)]*\)$", re.I)
_BACKTICKED = re.compile(r"`([^`\s]+)`")
_DELETE_LINE = re.compile(
    r"^\s*(?:[-*+]\s+)?[*_]{0,2}(?:delete|deleted|remove|removed)(?:\s+file)?[*_]{0,2}\s*:\s*[*_]{0,2}\s*"
    r"`?(?P<path>[^`*\s]+)`?\s*[*_]{0,2}\s*$",
    re.I,
)
_JSON_PATH = re.compile(r'"path"\s*:\s*"([^"\\]+)"')


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


def language_for(path: str) -> str:
    """The fence language of a path ("" when unknown)."""
    return LANGUAGES.get(splitext(path)[1].lower(), "")


def language_fits(language: str, path: str) -> bool:
    name = path.rsplit("/", 1)[-1].lower()
    extension = splitext(name)[1].lstrip(".")
    return language in (extension, name, language_for(path))


@dataclass
class ParsedFile:
    path: str
    content: str
    # False when the answer ended inside this file's fence: the file is truncated
    closed: bool = True


@dataclass
class ParsedOutput:
    files: dict[str, ParsedFile] = field(default_factory=dict)
    deleted: list[str] = field(default_factory=list)
    # paths the model used that point outside the project (as written by the model)
    unsafe_paths: list[str] = field(default_factory=list)
    # fenced blocks without a path: (content, closed)
    anonymous_blocks: list[tuple[str, bool]] = field(default_factory=list)
    # the answer looked like the JSON form but did not parse (cut off or malformed)
    broken_json: bool = False
    # paths named in a broken JSON answer, to tell the model which files to resend
    broken_json_paths: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.files and not self.deleted


@dataclass
class _Block:
    fence: str
    path: str | None  # normalised; None for an anonymous block
    # the model named a path outside the project: the content is dropped
    unsafe: bool = False
    lines: list[str] = field(default_factory=list)
    # depth of fences opened inside this block (a README's own code examples)
    nested: int = 0


class TextListener(Protocol):
    """Told the content of fenced blocks as it streams (``path`` None for a block without one)."""

    def begin(self, path: str | None) -> None: ...

    def append(self, path: str | None, text: str) -> None: ...

    def end(self, path: str | None) -> None: ...


class FileStreamParser:
    """Incremental parser: ``feed`` text as it streams, ``finish`` for the result.

    ``feed`` returns the paths of the files that started in that text, so
    callers can report "Writing app/main.py" while the model is still writing.
    A ``listener`` gets each block's content as it arrives, the unfinished
    line included unless it may still turn out to be a fence: what it is told
    of a block that closes is exactly that file's content.
    """

    def __init__(self, listener: TextListener | None = None) -> None:
        self._listener = listener
        # characters of the unfinished line already told to the listener
        self._told = 0
        self._partial = ""
        self._block: _Block | None = None
        self._previous_line = ""  # the last non-blank line outside a block
        self._out = ParsedOutput()
        self._started: list[str] = []
        self._announced: set[str] = set()
        self._text: list[str] = []

    def feed(self, text: str) -> list[str]:
        self._text.append(text)
        self._partial += text
        *lines, self._partial = self._partial.split("\n")
        for line in lines:
            self._line(line.rstrip("\r"))
            self._told = 0
        self._tell_partial()
        started, self._started = self._started, []
        return started

    def _tell_partial(self) -> None:
        block, partial = self._block, self._partial
        if self._listener is None or block is None or block.unsafe:
            return
        text = partial.lstrip(" ")
        if len(partial) - len(text) <= 3 and (not text or text[0] in "`~"):
            return  # may be a fence: wait for the whole line
        end = len(partial.rstrip("\r"))  # a line's final \r is not content
        if end > self._told:
            self._listener.append(block.path, partial[self._told:end])
            self._told = end

    def finish(self) -> ParsedOutput:
        if self._partial:
            self._line(self._partial.rstrip("\r"))
            self._partial = ""
        if self._block is not None:
            self._close_block(closed=False)
        if not self._out.files:
            self._read_json_form("".join(self._text))
        return self._out

    def _announce(self, path: str) -> None:
        if path not in self._announced:
            self._announced.add(path)
            self._started.append(path)

    def _line(self, line: str) -> None:
        fence = _FENCE.match(line)
        block = self._block
        if block is None:
            if fence:
                self._open_block(fence.group("fence"), fence.group("info"))
            else:
                self._outside_line(line)
            return
        if fence and fence.group("fence")[0] == block.fence[0] and len(fence.group("fence")) >= len(block.fence):
            info = fence.group("info").strip()
            if not info:
                if block.nested:
                    block.nested -= 1
                else:
                    self._close_block(closed=True)
                    return
            elif block.nested == 0 and path_from_info(info):
                # a new file began before this one's fence closed: this one is cut off
                self._close_block(closed=False)
                self._open_block(fence.group("fence"), fence.group("info"))
                return
            else:
                block.nested += 1
        elif block.path is None and not block.unsafe:
            self._json_hint(line)
        block.lines.append(line)
        if self._listener is not None and not block.unsafe:
            self._listener.append(block.path, (line + "\n")[self._told:])

    def _outside_line(self, line: str) -> None:
        if not line.strip():
            return
        deleted = _DELETE_LINE.match(line)
        if deleted:
            path = safe_path(deleted.group("path"))
            if path is None:
                self._out.unsafe_paths.append(deleted.group("path"))
            elif path not in self._out.deleted:
                self._out.deleted.append(path)
        self._json_hint(line)
        self._previous_line = line

    def _json_hint(self, line: str) -> None:
        for raw in _JSON_PATH.findall(line):
            path = safe_path(raw)
            if path is not None:
                self._announce(path)

    def _open_block(self, fence: str, info: str) -> None:
        previous = self._previous_line
        raw = path_from_info(info) or path_from_heading(previous) or path_from_intro(previous, info)
        self._previous_line = ""
        path = safe_path(raw) if raw is not None else None
        unsafe = raw is not None and path is None
        if unsafe:
            self._out.unsafe_paths.append(raw)
        self._block = _Block(fence=fence, path=path, unsafe=unsafe)
        if path is not None:
            self._announce(path)
        if self._listener is not None and not unsafe:
            self._listener.begin(path)

    def _close_block(self, *, closed: bool) -> None:
        block, self._block = self._block, None
        assert block is not None
        content = "\n".join(block.lines)
        if content and closed:
            content += "\n"
        if block.unsafe:
            return
        if closed and self._listener is not None:
            self._listener.end(block.path)
        if block.path is not None:
            self._out.files.pop(block.path, None)  # a rewritten file counts in its latest position
            self._out.files[block.path] = ParsedFile(block.path, content, closed)
        else:
            self._out.anonymous_blocks.append((content, closed))

    def _read_json_form(self, text: str) -> None:
        candidates = [text] + [content for content, _ in self._out.anonymous_blocks]
        looked_like_json = False
        for candidate in candidates:
            data = load_json_object(candidate)
            if data is None:
                looked_like_json = looked_like_json or ('"files"' in candidate and "{" in candidate)
                continue
            if self._take_json_files(data):
                return
        if looked_like_json:
            self._out.broken_json = True
            self._out.broken_json_paths = [p for p in (safe_path(r) for r in _JSON_PATH.findall(text)) if p]

    def _take_json_files(self, data: Any) -> bool:
        items = _json_items(data, "files")
        if isinstance(data, dict) and items is None and "path" in data:
            items = [data]
        if items is None:
            return False
        found = False
        for item in items:
            raw = _item_path(item)
            if raw is None:
                continue
            path = safe_path(raw)
            if path is None:
                self._out.unsafe_paths.append(raw)
                found = True
                continue
            if item.get("deleted") is True or str(item.get("action", "")).lower() == "delete":
                self._out.deleted.append(path)
            elif isinstance(item.get("content"), str):
                self._out.files[path] = ParsedFile(path, item["content"])
            else:
                continue
            found = True
        deleted = data.get("deleted") if isinstance(data, dict) else None
        for raw in deleted if isinstance(deleted, list) else []:
            path = safe_path(raw) if isinstance(raw, str) else None
            if path is not None and path not in self._out.deleted:
                self._out.deleted.append(path)
                found = True
        return found


def _json_items(data: Any, key: str) -> list[Any] | None:
    """The list under ``key`` of a JSON answer, or the answer itself when it is a list."""
    items = data.get(key) if isinstance(data, dict) else data
    return items if isinstance(items, list) else None


def _item_path(item: Any) -> str | None:
    if not isinstance(item, dict):
        return None
    raw = item.get("path") or item.get("file") or item.get("filename")
    return raw if isinstance(raw, str) else None


def parse_files(text: str) -> ParsedOutput:
    parser = FileStreamParser()
    parser.feed(text)
    return parser.finish()


def load_json_object(text: str) -> Any | None:
    """The JSON value in ``text``: the whole text, a fenced block, or its outermost braces."""
    stripped = text.strip()
    attempts = [stripped]
    fenced = re.search(r"^ {0,3}(`{3,}|~{3,})[^\n]*\n(.*?)^ {0,3}\1\s*$", stripped, re.S | re.M)
    if fenced:
        attempts.append(fenced.group(2))
    first, last = stripped.find("{"), stripped.rfind("}")
    if 0 <= first < last:
        attempts.append(stripped[first : last + 1])
    for attempt in attempts:
        try:
            return orjson.loads(attempt)
        except orjson.JSONDecodeError:
            continue
    return None


@dataclass(frozen=True)
class PlannedFile:
    path: str
    purpose: str = ""
    # "write" (create or replace) or "delete"
    action: str = "write"


@dataclass
class Plan:
    files: list[PlannedFile]
    summary: str = ""
    unsafe_paths: list[str] = field(default_factory=list)

    @property
    def to_write(self) -> list[PlannedFile]:
        return [f for f in self.files if f.action == "write"]

    @property
    def to_delete(self) -> list[str]:
        return [f.path for f in self.files if f.action == "delete"]


# "- app/main.py: the entry point", "2. `tests/test_app.py` - tests"
_PLAN_LINE = re.compile(
    r"^\s*(?:[-*+]\s+|\d+[.)]\s+)?[*_`]*(?P<path>[^\s`*:]+)[*_`]*\s*(?:[:\-\u2013\u2014]\s*(?P<purpose>.*))?$"
)
_DELETE_ACTIONS = frozenset({"delete", "remove", "deleted", "removed"})


def parse_plan(text: str) -> Plan | None:
    """The file plan in a planning answer: JSON (preferred) or a list of paths, one a line.

    None when the answer holds no plan; a plan with no files when it says so in JSON.
    """
    data = load_json_object(text)
    items = _json_items(data, "files")
    entries: list[tuple[str, str, str]] = []
    summary = str(data.get("summary") or "") if isinstance(data, dict) else ""
    for item in items or []:
        raw = item if isinstance(item, str) else _item_path(item)
        if raw is None:
            continue
        details = item if isinstance(item, dict) else {}
        purpose = str(details.get("purpose") or details.get("description") or "")
        entries.append((raw, purpose, str(details.get("action") or "write").lower()))
    if data is None:
        for line in text.splitlines():
            match = _PLAN_LINE.match(line)
            if match and looks_like_path(match.group("path")):
                entries.append((match.group("path"), (match.group("purpose") or "").strip(), "write"))
    if not entries and items is None:
        return None
    plan = Plan(files=[], summary=summary)
    seen: set[str] = set()
    for raw, purpose, action in entries:
        path = safe_path(raw)
        if path is None:
            plan.unsafe_paths.append(raw)
        elif path not in seen:
            seen.add(path)
            plan.files.append(PlannedFile(path, purpose, "delete" if action in _DELETE_ACTIONS else "write"))
    return plan
