"""The requirements checklist of a language-model generation.

The model is asked for the checklist: in phased mode with the plan, in
unified mode in the same answer as the files (a ```` ```json checklist ````
block, which the file parser keeps out of the files). For each distinct
request of the prompt it says whether the project meets it, substitutes
something else for it or leaves it out, and which files do it. Once the
files are written, the claims are checked against them: a request said to
be met whose files were not written (or that names none) is not presented as
met. Without a checklist from the model (an unreadable one, or none given),
each request of the prompt is listed as unchecked, never as met.

Once the project's own tests ran (the engine, ``against_tests``), the
requests still claimed met are held against the result: failing tests that
name a request's files make it unmet; tests that did not run leave it met
but say it was not verified, and why.
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


UNIFIED_RULES = """

After the last file, list every distinct request of the user's prompt and additional requirements \
(the kind of program, language, framework, each entity with its fields, relations, each named route, \
action, command, option or function, each rule, storage, authentication) in one block fenced as \
```json checklist, saying for each whether the files you wrote meet it, substitute something else \
for it (say what) or leave it out (say why), and which of your files do it:

```json checklist
{"requirements": [{"text": "<the request, in the user's words>", "status": "met" | "substituted" | "unmet", \
"where": ["<path>", ...], "detail": "<what instead, or why not; null when met>"}]}
```"""


def from_plan(text: str) -> list[dict[str, Any]] | None:
    """The checklist in a planning answer, or None when it has none."""
    return _items(load_json_object(text))


def from_answer(block: str | None) -> list[dict[str, Any]] | None:
    """The checklist of a unified answer (the text of its ```json checklist block), or None without one."""
    if block is None:
        return None
    data = load_json_object(block)
    # a bare list of items is a checklist too
    return _items({"requirements": data} if isinstance(data, list) else data)


def _items(data: Any) -> list[dict[str, Any]] | None:
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


# a failing or erroring test in pytest's short summary: "FAILED tests/test_books.py::test_create - assert ..."
_FAILED_TEST = re.compile(r"^(?:FAILED|ERROR) (\S+)", re.M)


def against_tests(checklist: list[dict[str, Any]], tests: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The checklist with its ``met`` claims held against the project's test result (the contract's ``tests``).

    - ``failed``: each met request whose files the failing output names becomes ``unmet``, "its tests
      failed: <test>" (the first failing test of its own files, else the first failing test); when the
      output names none of the met requests' files, every met request does.
    - ``not_run`` or ``error``: met requests stay met, and their detail says they were not verified by
      tests and why.
    - ``passed``, or no result: unchanged.
    """
    tests = tests or {}
    status = tests.get("status")
    if status not in ("failed", "not_run", "error"):
        return checklist
    met = [item for item in checklist if item["status"] == MET]
    if status != "failed":
        reason = tests.get("reason") or "no reason was given"
        why = "not verified by tests: " + (reason if status == "not_run" else f"they could not finish ({reason})")
        return [
            {**item, "detail": f"{item['detail']}; {why}" if item["detail"] else why} if item["status"] == MET else item
            for item in checklist
        ]
    output = str(tests.get("output") or "")
    failing = list(dict.fromkeys(_FAILED_TEST.findall(output)))
    blamed = {id(item) for item in met if any(_names(output, path) for path in item["where"])}
    blamed = blamed or {id(item) for item in met}
    result = []
    for item in checklist:
        if id(item) not in blamed:
            result.append(item)
            continue
        own = [name for name in failing if name.split("::", 1)[0] in item["where"]]
        first = (own or failing or [_failed_counts(tests)])[0]
        result.append({**item, "status": UNMET, "detail": f"its tests failed: {first}"})
    return result


def _names(output: str, path: str) -> bool:
    """The output names ``path`` (relative, or at the end of an absolute path), not a longer name."""
    return re.search(rf"(?<![\w.-]){re.escape(path)}(?![\w.-])", output) is not None


def _failed_counts(tests: dict[str, Any]) -> str:
    failed, errors = int(tests.get("failed") or 0), int(tests.get("errors") or 0)
    parts = [f"{failed} failed"] + ([f"{errors} error{'s' * (errors != 1)}"] if errors else [])
    return ", ".join(parts)
