"""The file plan in a planning answer."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from codegen.generators.llm_output.json_form import item_path, json_items, load_json_object
from codegen.generators.llm_output.paths import looks_like_path, safe_path


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
    items = json_items(data, "files")
    entries: list[tuple[str, str, str]] = []
    summary = str(data.get("summary") or "") if isinstance(data, dict) else ""
    for item in items or []:
        raw = item if isinstance(item, str) else item_path(item)
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
