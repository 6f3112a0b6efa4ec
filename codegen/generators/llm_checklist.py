"""The requirements checklist of a language-model generation.

The planner is asked for the checklist with the plan: each distinct request
of the prompt, whether the project will meet it, substitute it or leave it
out, and the files that will do it. Once the files are written, the claims
are checked against them: a request said to be met whose files were not
written (or that names none) is not presented as met. Without a checklist
from the model (unified mode, an unreadable plan), each request of the
prompt is listed as unchecked, never as met.
"""

from __future__ import annotations

import re
from typing import Any

from codegen.generators.llm_output import load_json_object, safe_path

MET, SUBSTITUTED, UNMET = "met", "substituted", "unmet"
_STATUSES = (MET, SUBSTITUTED, UNMET)
_MAX_ITEMS = 60

PLANNER_RULES = """\
Also list every distinct request of the user's prompt and additional requirements \
(the kind of program, language, framework, each entity with its fields, relations, \
each named route, action, command, option or function, each rule, storage, \
authentication) under "requirements", saying for each whether the planned project \
meets it, substitutes something else for it (say what) or leaves it out (say why), \
and which planned files do it:
"requirements": [{"text": "<the request, in the user's words>", "status": "met" | "substituted" | "unmet", \
"files": ["<planned path>", ...], "detail": "<what instead, or why not; null when met>"}]"""


def from_plan(text: str) -> list[dict[str, Any]] | None:
    """The checklist in a planning answer, or None when it has none."""
    data = load_json_object(text)
    items = data.get("requirements") if isinstance(data, dict) else None
    if not isinstance(items, list):
        return None
    checklist = []
    for item in items[:_MAX_ITEMS]:
        if not isinstance(item, dict) or not str(item.get("text") or "").strip():
            continue
        status = str(item.get("status") or "").lower()
        files = item.get("files") or item.get("where") or []
        paths = [p for p in (safe_path(str(f)) for f in files if isinstance(f, str)) if p]
        detail = item.get("detail")
        checklist.append({
            "text": " ".join(str(item["text"]).split())[:500],
            "status": status if status in _STATUSES else UNMET,
            "where": paths,
            "detail": " ".join(str(detail).split())[:500] if detail else None,
        })
    return checklist


def checked(checklist: list[dict[str, Any]] | None, files: dict[str, str], prompt: str,
            requirements: list[str]) -> list[dict[str, Any]]:
    """The model's checklist held against the files written; the prompt's requests unchecked without one."""
    if checklist is None:
        return [
            {"text": text, "status": UNMET, "where": [],
             "detail": "not checked: the model gave no checklist for this generation; read the files"}
            for text in _requests(prompt, requirements)
        ]
    result = []
    for item in checklist:
        where = [path for path in item["where"] if path in files]
        missing = [path for path in item["where"] if path not in files]
        if item["status"] == MET and (missing or not where):
            why = f"the files it names were not written ({', '.join(missing)})" if missing else "it names no file"
            result.append({**item, "status": UNMET, "where": where, "detail": f"the model said met, but {why}"})
        elif item["status"] != MET and not item["detail"]:
            result.append({**item, "where": where, "detail": "the model gave no reason"})
        else:
            result.append({**item, "where": where})
    return result


def _requests(prompt: str, requirements: list[str]) -> list[str]:
    sentences = [s.strip().rstrip(".!;") for s in re.split(r"(?<=[.!?;])\s+|\n+", prompt) if s.strip()]
    return list(dict.fromkeys([*sentences, *(r.strip() for r in requirements if r.strip())]))[:_MAX_ITEMS]
