"""The JSON form of an answer: ``{"files": [{"path": ..., "content": ...}]}``, bare or fenced."""

from __future__ import annotations

import re
from typing import Any

import orjson

from codegen.generators.llm_output.parsed import ParsedFile, ParsedOutput
from codegen.generators.llm_output.paths import safe_path

JSON_PATH = re.compile(r'"path"\s*:\s*"([^"\\]+)"')


def read_json_form(text: str, out: ParsedOutput) -> None:
    """Take the files of an answer in the JSON form into ``out`` (an answer, or one of its unnamed blocks)."""
    candidates = [text] + [content for content, _ in out.anonymous_blocks]
    looked_like_json = False
    for candidate in candidates:
        data = load_json_object(candidate)
        if data is None:
            looked_like_json = looked_like_json or ('"files"' in candidate and "{" in candidate)
            continue
        if _take_json_files(data, out):
            return
    if looked_like_json:
        out.broken_json = True
        out.broken_json_paths = [p for p in (safe_path(r) for r in JSON_PATH.findall(text)) if p]


def _take_json_files(data: Any, out: ParsedOutput) -> bool:
    items = json_items(data, "files")
    if isinstance(data, dict) and items is None and "path" in data:
        items = [data]
    if items is None:
        return False
    found = False
    for item in items:
        raw = item_path(item)
        if raw is None:
            continue
        path = safe_path(raw)
        if path is None:
            out.unsafe_paths.append(raw)
            found = True
            continue
        if item.get("deleted") is True or str(item.get("action", "")).lower() == "delete":
            out.deleted.append(path)
        elif isinstance(item.get("content"), str):
            out.files[path] = ParsedFile(path, item["content"])
        else:
            continue
        found = True
    deleted = data.get("deleted") if isinstance(data, dict) else None
    for raw in deleted if isinstance(deleted, list) else []:
        path = safe_path(raw) if isinstance(raw, str) else None
        if path is not None and path not in out.deleted:
            out.deleted.append(path)
            found = True
    return found


def json_items(data: Any, key: str) -> list[Any] | None:
    """The list under ``key`` of a JSON answer, or the answer itself when it is a list."""
    items = data.get(key) if isinstance(data, dict) else data
    return items if isinstance(items, list) else None


def item_path(item: Any) -> str | None:
    if not isinstance(item, dict):
        return None
    raw = item.get("path") or item.get("file") or item.get("filename")
    return raw if isinstance(raw, str) else None



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
