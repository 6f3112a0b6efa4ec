"""What the model is asked: the system prompts, the request, files shown as context, repair requests."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Collection

from codegen.generators import llm_checklist
from codegen.generators.base import GenerationRequest
from codegen.generators.llm_output import Plan
from codegen.generators.openai.answers import FileProblem
from codegen.languages import language_for

_FORMAT_RULES = """\
Write every file like this: a line `### <path>`, then a fenced code block whose \
info string is the language and `path=<path>`, holding the COMPLETE file:

### app/main.py
```python path=app/main.py
<the complete content of app/main.py>
```

Rules:
- Write every file in full. Never abbreviate and never write placeholders such as \
"...", "rest of code unchanged", "existing code here" or "TODO: implement".
- Paths are relative to the project root, with forward slashes; never absolute, never with "..".
- If a file itself contains ``` lines (a README with examples), fence it with four backticks ````.
- Keep any explanation short and before the first file."""

WRITER_SYSTEM = "You are a senior software engineer who writes complete, working, tested projects.\n\n" + _FORMAT_RULES

ITERATION_RULES = """
You are changing an existing project whose files are shown below. Write only the \
files you add or change, each one complete. To delete a file, write a line \
`DELETE: <path>` outside any code block. Files you do not mention stay as they are."""

PLANNER_SYSTEM = """\
You are a senior software architect. Plan the files of the project the user asks for: \
a small, complete, runnable project with its source, its tests, its dependency list \
and a README. Order the files so that each comes after the files it uses.
Reply with only a JSON object, no prose and no code:
{"summary": "<one sentence>", "files": [{"path": "<relative path>", "purpose": "<what it holds>"}], \
"requirements": [...]}
""" + llm_checklist.PLANNER_RULES

ITERATION_PLANNER_SYSTEM = """\
You are a senior software architect. The user asks for a change to the existing \
project whose files are shown below. List only the files to create, modify or delete.
Reply with only a JSON object, no prose and no code:
{"summary": "<one sentence>", "files": [{"path": "<relative path>", "purpose": "<the change>", \
"action": "create" | "modify" | "delete"}], "requirements": [...]}
""" + llm_checklist.PLANNER_RULES


def request_text(request: GenerationRequest) -> str:
    label = "Follow-up request" if request.is_iteration else "Request"
    parts = [f"{label}:\n{request.prompt.strip()}"]
    if request.additional_requirements:
        parts.append("Additional requirements:\n" + "\n".join(f"- {r}" for r in request.additional_requirements))
    return "\n\n".join(parts)


def _fence_for(content: str) -> str:
    longest = max((len(m) for m in re.findall(r"^ {0,3}(`{3,})", content, re.M)), default=2)
    return "`" * (longest + 1)


def render_file(path: str, content: str) -> str:
    fence = _fence_for(content)
    language = language_for(path)
    body = content if content.endswith("\n") or not content else content + "\n"
    return f"### {path}\n{fence}{language} path={path}\n{body}{fence}"


def render_files(files: dict[str, str], char_limit: int, *, first: Collection[str] = ()) -> str:
    """Files as the model should write them, ``first`` first, within ``char_limit``; omitted ones are named."""
    order = sorted(files, key=lambda p: (p not in first, p))
    shown: list[str] = []
    omitted: list[str] = []
    used = 0
    for path in order:
        block = render_file(path, files[path])
        if used + len(block) > char_limit:
            omitted.append(path)
            continue
        shown.append(block)
        used += len(block)
    if omitted:
        shown.append("Not shown here, to stay within the token budget: " + ", ".join(omitted))
    return "\n\n".join(shown)


def tests_repair_request(request: GenerationRequest, files: dict[str, str], failure: str, char_limit: int) -> str:
    """Ask for the files that make the project's failing tests pass: the failure, then the files it names."""
    involved = {path for path in files if path in failure or posixpath.basename(path) in failure}
    return "\n\n".join([
        request_text(request),
        "The project's files (those the failure names first):\n\n" + render_files(files, char_limit, first=involved),
        "Its own tests fail. The end of the test run's output:\n\n" + render_file("test-output.txt", failure),
        "Fix the cause. Change the code, or a test only where the test itself is wrong. Write only the files you "
        "change, each complete, in the required format.",
    ])


def plan_text(plan: Plan) -> str:
    lines = []
    for item in plan.files:
        action = " (delete)" if item.action == "delete" else ""
        lines.append(f"- {item.path}{action}: {item.purpose}" if item.purpose else f"- {item.path}{action}")
    return "\n".join(lines)


def repair_request(problems: list[FileProblem], *, continue_after: bool) -> str:
    lines = ["Your answer cannot be used as it is:"]
    lines += [f"- {p.describe()}" for p in problems]
    lines.append(
        "Send again every file named above, each complete from its first to its last line, "
        "in the required format (### path, then a fenced block with path=...). "
        "No placeholders and no abbreviations."
    )
    if continue_after:
        lines.append("Then continue with any files the project still needs.")
    return "\n".join(lines)
