"""Helpers shared by the renderers of every kind of project."""

from __future__ import annotations

import json
import math
import textwrap

from codegen.generators.template.model import EntitySpec, FieldSpec, ProjectSpec

# The only third-party packages a generated project may list: one virtualenv
# holding all of them runs the tests of every project the generator writes.
REQUIREMENTS = {
    "aiohttp": "aiohttp>=3.9",
    "fastapi": "fastapi>=0.110",
    "flask": "flask>=3.0",
    "httpx": "httpx>=0.27",
    "pydantic": "pydantic>=2.6",
    "pytest": "pytest>=8.0",
    "pytest-aiohttp": "pytest-aiohttp>=1.0",
    "uvicorn": "uvicorn>=0.29",
}

PY_TYPES = {"str": "str", "int": "int", "float": "float", "bool": "bool", "date": "date", "datetime": "datetime"}
JS_INPUT_TYPES = {"str": "text", "int": "number", "float": "number", "bool": "checkbox", "date": "date", "datetime": "datetime-local"}
TYPE_DESCRIPTIONS = {
    "str": "text",
    "int": "integer",
    "float": "number",
    "bool": "true/false",
    "date": "date (YYYY-MM-DD)",
    "datetime": "date and time (ISO 8601 with offset)",
}

_SAMPLES = {
    "int": (3, 7),
    "float": (9.5, 12.25),
    "bool": (True, False),
    "date": ("2024-05-01", "2024-06-15"),
    "datetime": ("2024-05-01T12:00:00Z", "2024-06-15T08:30:00Z"),
}
_BAD_VALUES = {"int": "not a number", "float": "not a number", "bool": "not a bool", "date": "not a date", "datetime": "not a date"}


def code(text: str) -> str:
    """A template block: dedented, without the leading newline, ending in one newline."""
    return textwrap.dedent(text).strip("\n") + "\n"


def module(*blocks: str) -> str:
    """Top-level blocks of a Python module, two blank lines apart; empty blocks are left out."""
    return "\n\n\n".join(block.strip("\n") for block in blocks if block.strip()) + "\n"


def indent(text: str, spaces: int) -> str:
    return textwrap.indent(text, " " * spaces)


def sample_value(field: FieldSpec, variant: int = 0) -> object:
    """A valid value for ``field`` (within its rules); variants 0 and 1 differ, variant 0 sorts after 1 for text."""
    value = _plain_sample(field, variant)
    return _within_rules(field, value, variant) if field.rules else value


def violating_values(field: FieldSpec) -> list[tuple[str, object]]:
    """(check, value) pairs of values that break each of the field's rules."""
    rules, step = field.rules, 1 if field.type == "int" else 0.5
    values: list[tuple[str, object]] = []
    if "choices" in rules:
        values.append(("choices", "not-one-of-" + "-".join(rules["choices"])))
    for key, check, offset in (("ge", "minimum", -step), ("gt", "minimum", 0), ("le", "maximum", step), ("lt", "maximum", 0)):
        if key in rules:
            values.append((check, rules[key] + offset))
    if rules.get("min_length", 0) >= 1:
        values.append(("min_length", "x" * (rules["min_length"] - 1)))
    if "max_length" in rules:
        values.append(("max_length", "x" * (rules["max_length"] + 1)))
    return values


def _within_rules(field: FieldSpec, value: object, variant: int) -> object:
    rules = field.rules
    if "choices" in rules:
        choices = sorted(rules["choices"])
        return choices[-1] if variant == 0 else choices[0]
    if field.type in ("int", "float"):
        step = 1 if field.type == "int" else 0.5
        low = max(rules.get("ge", -math.inf), rules.get("gt", -math.inf) + step)
        high = min(rules.get("le", math.inf), rules.get("lt", math.inf) - step)
        samples = [_plain_sample(field, v) for v in (0, 1)]
        if all(low <= s <= high for s in samples):
            return value
        first = low if low > -math.inf else high - step
        number = min(first + step * variant, high)
        return int(number) if field.type == "int" else float(number)
    if field.type == "str" and isinstance(value, str):
        value = value + "x" * max(0, rules.get("min_length", 0) - len(value))
        if "max_length" in rules:
            value = value[: rules["max_length"]]
    return value


def _plain_sample(field: FieldSpec, variant: int) -> object:
    if field.type == "str":
        word = field.name.replace("_", " ")
        if "email" in field.name:
            return ("ada@example.com", "grace@example.com")[variant]
        if field.name in ("url", "website") or field.name.endswith("_url"):
            return ("https://example.com/one", "https://example.com/two")[variant]
        return f"{('Sample', 'Changed')[variant]} {word}"
    return _SAMPLES[field.type][variant]


def bad_value(field: FieldSpec) -> object:
    """A value of the wrong type for ``field``."""
    return _BAD_VALUES.get(field.type, 12345)


def sample_record(entity: EntitySpec, variant: int = 0) -> dict:
    return {f.name: sample_value(f, variant) for f in entity.fields}


def py_dict(data: dict, level: int = 0) -> str:
    """``data`` as a Python literal, one key a line."""
    if not data:
        return "{}"
    pad = "    " * (level + 1)
    lines = [f"{pad}{json.dumps(k)}: {py_value(v)}," for k, v in data.items()]
    return "{\n" + "\n".join(lines) + "\n" + "    " * level + "}"


def py_string(text: str, *, width: int = 88, level: int = 0) -> str:
    """A string literal, split into implicitly joined lines in parentheses when long."""
    literal = json.dumps(text)
    if len(literal) <= width:
        return literal
    parts = textwrap.wrap(text, width=width - 8, drop_whitespace=False)
    pad = "    " * (level + 1)
    return "(\n" + "".join(f"{pad}{json.dumps(part)}\n" for part in parts) + "    " * level + ")"


def py_value(value: object) -> str:
    if isinstance(value, str):
        return json.dumps(value)
    return repr(value)


def requirements(*names: str) -> str:
    return "".join(f"{REQUIREMENTS[name]}\n" for name in sorted(names))


def pytest_ini(*extra: str) -> str:
    lines = ["[pytest]", "testpaths = tests", "pythonpath = .", *extra]
    return "\n".join(lines) + "\n"


def fields_table(entity: EntitySpec) -> str:
    """A Markdown table of an entity's fields."""
    rows = ["| field | type | required |", "|---|---|---|"]
    rows += [f"| `{f.name}` | {TYPE_DESCRIPTIONS[f.type]} | {'yes' if f.required else 'no'} |" for f in entity.fields]
    return "\n".join(rows)


def package_docstring(spec: ProjectSpec) -> str:
    summary = textwrap.fill(f"{spec.summary}.", width=88)
    return f'"""{spec.title}.\n\n{summary}\n"""\n'


# the README section of every project whose tests need only its requirements and pytest
README_TEST = "## Test\n\n```sh\npip install -r requirements.txt\npytest\n```"


def readme(spec: ProjectSpec, *sections: str) -> str:
    body = "\n\n".join(section.strip("\n") for section in sections if section)
    return f"# {spec.title}\n\n{spec.summary}.\n\n{body}\n"


def module_imports(entity_fields: list[FieldSpec]) -> str:
    """``from datetime import ...`` for the date types a set of fields uses, else empty."""
    needed = sorted({f.type for f in entity_fields} & {"date", "datetime"})
    return f"from datetime import {', '.join(needed)}\n" if needed else ""


def all_fields(spec: ProjectSpec) -> list[FieldSpec]:
    return [f for entity in spec.entities for f in entity.fields]
