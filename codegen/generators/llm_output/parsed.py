"""What was read out of a model's answer."""

from __future__ import annotations

from dataclasses import dataclass, field


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
    # the text of the answer's ```json checklist block (a complete one), which is not a file
    checklist: str | None = None

    @property
    def empty(self) -> bool:
        return not self.files and not self.deleted

