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

from codegen.generators.llm_output.json_form import load_json_object
from codegen.generators.llm_output.parsed import ParsedFile, ParsedOutput
from codegen.generators.llm_output.paths import (
    language_fits,
    looks_like_path,
    path_from_heading,
    path_from_info,
    path_from_intro,
    safe_path,
)
from codegen.generators.llm_output.plan import Plan, PlannedFile, parse_plan
from codegen.generators.llm_output.stream import FileStreamParser, TextListener, parse_files

__all__ = [
    "FileStreamParser",
    "ParsedFile",
    "ParsedOutput",
    "Plan",
    "PlannedFile",
    "TextListener",
    "language_fits",
    "load_json_object",
    "looks_like_path",
    "parse_files",
    "parse_plan",
    "path_from_heading",
    "path_from_info",
    "path_from_intro",
    "safe_path",
]
