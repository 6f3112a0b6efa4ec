"""Reading files out of an answer line by line, also while it streams."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol

from codegen.generators.llm_output.json_form import JSON_PATH, read_json_form
from codegen.generators.llm_output.parsed import ParsedFile, ParsedOutput
from codegen.generators.llm_output.paths import path_from_heading, path_from_info, path_from_intro, safe_path

_FENCE = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
# the info string of the block where a unified answer gives its requirements checklist (```` ```json checklist ````):
# not a file, its text is kept apart for codegen.generators.llm_checklist
_CHECKLIST_INFO = re.compile(r"^\s*(?:json\s+)?checklist\s*$", re.I)
_DELETE_LINE = re.compile(
    r"^\s*(?:[-*+]\s+)?[*_]{0,2}(?:delete|deleted|remove|removed)(?:\s+file)?[*_]{0,2}\s*:\s*[*_]{0,2}\s*"
    r"`?(?P<path>[^`*\s]+)`?\s*[*_]{0,2}\s*$",
    re.I,
)


@dataclass
class _Block:
    fence: str
    path: str | None  # normalised; None for an anonymous block
    # the model named a path outside the project: the content is dropped
    unsafe: bool = False
    # the requirements checklist block: kept out of the files
    checklist: bool = False
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
        if self._listener is None or block is None or block.unsafe or block.checklist:
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
            read_json_form("".join(self._text), self._out)
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
        elif block.path is None and not block.unsafe and not block.checklist:
            self._json_hint(line)
        block.lines.append(line)
        if self._listener is not None and not block.unsafe and not block.checklist:
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
        for raw in JSON_PATH.findall(line):
            path = safe_path(raw)
            if path is not None:
                self._announce(path)

    def _open_block(self, fence: str, info: str) -> None:
        previous = self._previous_line
        if _CHECKLIST_INFO.match(info):
            self._previous_line = ""
            self._block = _Block(fence=fence, path=None, checklist=True)
            return
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
        if block.checklist:
            if closed:
                self._out.checklist = content
            return
        if closed and self._listener is not None:
            self._listener.end(block.path)
        if block.path is not None:
            self._out.files.pop(block.path, None)  # a rewritten file counts in its latest position
            self._out.files[block.path] = ParsedFile(block.path, content, closed)
        else:
            self._out.anonymous_blocks.append((content, closed))


def parse_files(text: str) -> ParsedOutput:
    parser = FileStreamParser()
    parser.feed(text)
    return parser.finish()
