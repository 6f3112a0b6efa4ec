"""REST APIs: CRUD for each entity, optional token auth, SQLite storage.

The framework-independent files (models, storage, validation, security,
tests, README) are written here; each framework module provides the app
(``main``), the routes (``routes``), the auth glue (``AUTH``) and the test
fixtures (``fixtures``).
"""

from __future__ import annotations

from string import Template


from codegen.generators.template import render, templates
from codegen.generators.template.kinds import rest_aiohttp, rest_fastapi, rest_flask, rest_integrity
from codegen.generators.template.kinds.rest_common import Dialect, Framework
from codegen.generators.template.model import (
    FEATURE_LABELS,
    FRAMEWORK_LABELS,
    Context,
    EntitySpec,
    ProjectSpec,
    default_entities,
)
from codegen.generators.template.render import py_dict
from codegen.generators.template.words import article, camel, human_list, title

FRAMEWORKS: dict[str, Framework] = {
    "fastapi": rest_fastapi.FRAMEWORK,
    "flask": rest_flask.FRAMEWORK,
    "aiohttp": rest_aiohttp.FRAMEWORK,
}


class RestApi:
    """REST APIs (the Kind protocol)."""

    name = "rest_api"

    def complete(self, spec: ProjectSpec, context: Context) -> None:
        default_entities(spec, context, what="resources")

    def capabilities(self, spec: ProjectSpec) -> frozenset[str]:
        return frozenset({"entities", "fields", "framework", "store", *FEATURE_LABELS})

    def describe(self, spec: ProjectSpec) -> str:
        parts = [f"{article(FRAMEWORK_LABELS[spec.framework])} REST API with {', '.join(e.plural for e in spec.entities)}"]
        parts += [FEATURE_LABELS[f] for f in spec.features]
        if spec.store == "memory":
            parts.append("in-memory store")
        return "; ".join(parts)

    def recipe_title(self, spec: ProjectSpec) -> str | None:
        return None

    def render_files(self, spec: ProjectSpec) -> dict[str, str]:
        framework = FRAMEWORKS[spec.framework]
        files = {
            "app/__init__.py": render.package_docstring(spec),
            "app/models.py": _models(spec),
            "app/store.py": STORE,
            "app/validation.py": VALIDATION,
            "pytest.ini": render.pytest_ini(*framework.pytest_options),
            "requirements.txt": render.requirements(*framework.requirements),
            "README.md": _readme(spec, framework),
            "app/main.py": framework.main(spec),
            "app/routes.py": framework.routes(spec),
            "tests/conftest.py": framework.fixtures(spec),
        }
        if rest_integrity.checks_integrity(spec):
            files["app/integrity.py"] = rest_integrity.integrity_module(spec)
        if spec.options.get("reports"):
            files["app/reports.py"] = rest_integrity.reports_module(spec)
        if spec.has("auth"):
            files["app/auth.py"] = framework.auth()
            files["app/accounts.py"] = ACCOUNTS
            files["tests/test_auth.py"] = _auth_tests(spec, framework.dialect)
        for entity in spec.entities:
            files[f"tests/test_{entity.plural}.py"] = _entity_tests(spec, entity, framework.dialect)
        return files


# -- app/models.py -------------------------------------------------------------


# a field named like its type ("date: date | None = None") hides the type in the class body: such
# models import the module instead and write dt.date
_SHADOWING = frozenset({"date", "datetime"})


def _shadowed(entity_fields: list) -> bool:
    return any(f.name in _SHADOWING for f in entity_fields)


def _annotation(field, *, partial: bool, module_types: bool = False) -> str:
    python_type = render.PY_TYPES[field.type]
    if module_types and field.type in _SHADOWING:
        python_type = f"dt.{python_type}"
    checks = {k: v for k, v in field.rules.items() if k not in ("choices", "default")}
    if "choices" in field.rules:
        python_type = "Literal[" + ", ".join(render.py_value(c) for c in field.rules["choices"]) + "]"
    if checks:
        python_type = f"Annotated[{python_type}, Field({', '.join(f'{k}={v!r}' for k, v in checks.items())})]"
    if partial:
        return f"{python_type} | None = None"
    if "default" in field.rules:
        return f"{python_type} = {render.py_value(field.rules['default'])}"
    if field.type == "bool":
        return f"{python_type} = False"
    return python_type if field.required else f"{python_type} | None = None"


def _model_classes(entity: EntitySpec, module_types: bool) -> str:
    name, label = camel(entity.name), title(entity.name).lower()
    full = "\n".join(f"    {f.name}: {_annotation(f, partial=False, module_types=module_types)}" for f in entity.fields)
    partial = "\n".join(f"    {f.name}: {_annotation(f, partial=True, module_types=module_types)}" for f in entity.fields)
    create_doc = f"{article(label).capitalize()} as clients send it (POST and PUT)."
    patch_doc = f"A partial update of {article(label)} (PATCH): only the fields sent change."
    return (
        f'class {name}In(BaseModel):\n    """{create_doc}"""\n\n{full}\n\n\n'
        f'class {name}Patch(BaseModel):\n    """{patch_doc}"""\n\n{partial}\n\n\n'
        f'class {name}({name}In):\n    """A stored {label}."""\n\n    id: int\n'
    )


def _resource_entry(spec: ProjectSpec, entity: EntitySpec) -> str:
    name = camel(entity.name)
    args = [f'"{entity.plural}"', f'"{title(entity.name)}"', f"{name}In", f"{name}Patch", name]
    if spec.has("search"):
        text_fields = [f.name for f in entity.fields if f.type == "str"]
        args.append(f"search_fields={_tuple(text_fields)}")
    if spec.has("sorting"):
        args.append(f"sort_fields={_tuple([f.name for f in entity.fields])}")
    actions = (spec.options.get("actions") or {}).get(entity.plural)
    if actions:
        entries = "".join(f"({render.py_value(n)}, {render.py_value(f)}, {v!r}), " for n, f, v in actions)
        args.append(f"actions=({entries.rstrip(' ')})")
    line = f"    Resource({', '.join(args)}),"
    if len(line) <= 100:
        return line
    return "    Resource(\n" + "".join(f"        {arg},\n" for arg in args) + "    ),"


def _tuple(names: list[str]) -> str:
    inner = ", ".join(f'"{n}"' for n in names)
    return f"({inner},)" if len(names) == 1 else f"({inner})"


def _models(spec: ProjectSpec) -> str:
    fields = render.all_fields(spec)
    resource_fields = []
    methods = [RESOURCE_PATCHED]
    if spec.has("search"):
        resource_fields.append("    search_fields: tuple[str, ...] = ()  # text fields matched by ?q=")
    if spec.has("sorting"):
        resource_fields.append("    sort_fields: tuple[str, ...] = ()  # fields accepted by ?sort=")
        methods.append(RESOURCE_SORT_KEY)
    if spec.options.get("actions"):
        resource_fields.append(
            "    # (name, field, value): POST /<resource>/<id>/<name> sets the true/false field to value\n"
            "    actions: tuple[tuple[str, str, bool], ...] = ()"
        )
    header = templates.text("rest_api", "models_header.py.tmpl")
    typing = sorted({"Annotated" for f in fields if set(f.rules) - {"choices", "default"}}
                    | {"Literal" for f in fields if "choices" in f.rules})
    typing_import = f"from typing import {', '.join(typing)}\n" if typing else ""
    pydantic = "BaseModel, Field" if "Annotated" in typing else "BaseModel"
    module_types = _shadowed(fields)
    dates = "import datetime as dt\n" if module_types else render.module_imports(fields)
    imports = dates + typing_import
    imports += f"\nfrom pydantic import {pydantic}\n\nfrom app.validation import "
    imports += "InvalidData, validated\n" if spec.has("sorting") else "validated\n"
    classes = "\n\n".join(_model_classes(entity, module_types) for entity in spec.entities)
    resource = templates.fill(
        "rest_api", "resource.py.tmpl",
        fields="\n".join(resource_fields) + ("\n" if resource_fields else ""),
        methods="\n".join(methods),
    )
    entries = "\n".join(_resource_entry(spec, entity) for entity in spec.entities)
    return f"{header}{imports}\n\n{classes}\n\n{resource.rstrip()}\n\n\nRESOURCES = (\n{entries}\n)\n"


RESOURCE_PATCHED = templates.text("rest_api", "resource_patched.py.tmpl")

RESOURCE_SORT_KEY = templates.text("rest_api", "resource_sort_key.py.tmpl")

# -- static modules -------------------------------------------------------------

STORE = templates.text("rest_api", "store.py.tmpl")

VALIDATION = templates.text("rest_api", "validation.py.tmpl")

ACCOUNTS = templates.text("rest_api", "accounts.py.tmpl")

# -- tests -----------------------------------------------------------------------


def _entity_tests(spec: ProjectSpec, entity: EntitySpec, dialect: Dialect) -> str:
    url = f"/{entity.plural}"
    first = entity.fields[0]
    payload, changed, third = rest_integrity.payloads(spec, entity)
    fixture = "import pytest\n\n" if rest_integrity.links(spec).get(entity.plural) else ""
    records = f"PAYLOAD = {py_dict(payload)}\nCHANGED = {py_dict(changed)}\n"
    if third != payload:
        records += f"THIRD = {py_dict(third)}  # shares no unique value with PAYLOAD\n"
    blocks = [
        f'"""Tests of the {url} endpoints."""\n\n{fixture}{records}',
        dialect.fill(
            templates.text("rest_api", "test_crud.py.tmpl"),
            url=url,
            first=first.name,
        ),
        _list_test(spec, url, dialect, "THIRD" if third != payload else "PAYLOAD"),
    ]
    blocks += rest_integrity.entity_test_blocks(spec, entity, dialect)
    blocks += _invalid_tests(entity, url, dialect)
    blocks += _rule_tests(entity, url, dialect)
    for name, field, value in (spec.options.get("actions") or {}).get(entity.plural, []):
        blocks.append(dialect.fill(templates.text("rest_api", "test_action.py.tmpl"), url=url, action=name,
                                   field=field, before=repr(not value), after=repr(value)))
    items = f'{dialect.json}["items"]' if spec.has("pagination") else dialect.json
    if spec.has("search"):
        blocks.append(_search_test(entity, url, dialect, items))
    if spec.has("sorting"):
        blocks.append(_sort_test(entity, url, dialect, items))
    return "\n\n".join(block.rstrip("\n") + "\n" for block in blocks if block)


def _list_test(spec: ProjectSpec, url: str, dialect: Dialect, third: str) -> str:
    if not spec.has("pagination"):
        return dialect.fill(
            templates.text("rest_api", "test_list.py.tmpl"),
            url=url,
        )
    return dialect.fill(
        templates.text("rest_api", "test_list_paginated.py.tmpl"),
        url=url,
        third=third,
    )


def _rule_tests(entity: EntitySpec, url: str, dialect: Dialect) -> list[str]:
    """A test per rule the prompt asked for: a value that breaks it gets 422; a default is filled in."""
    tests = []
    for field in entity.fields:
        for check, bad in render.violating_values(field):
            tests.append(dialect.fill(templates.text("rest_api", "test_rule.py.tmpl"), url=url,
                                      field=field.name, check=check, bad=render.py_value(bad)))
        if "default" in field.rules:
            tests.append(dialect.fill(templates.text("rest_api", "test_default.py.tmpl"), url=url,
                                      field=field.name, default=render.py_value(field.rules["default"])))
    return tests


def _invalid_tests(entity: EntitySpec, url: str, dialect: Dialect) -> list[str]:
    tests = []
    required = next((f for f in entity.fields if f.required), None)
    if required is not None:
        tests.append(
            dialect.fill(
                templates.text("rest_api", "test_missing_required.py.tmpl"),
                url=url,
                field=required.name,
            )
        )
    typed = next((f for f in entity.fields if f.type != "str"), entity.fields[0])
    tests.append(
        dialect.fill(
            templates.text("rest_api", "test_wrong_type.py.tmpl"),
            url=url,
            field=typed.name,
            bad=render.py_value(render.bad_value(typed)),
        )
    )
    return tests


def _search_test(entity: EntitySpec, url: str, dialect: Dialect, items: str) -> str:
    text = next((f for f in entity.fields if f.type == "str" and "Changed" in str(render.sample_value(f, 1))), None)
    if text is None:
        return ""
    return dialect.fill(
        templates.text("rest_api", "test_search.py.tmpl"),
        url=url,
        items=items,
    )


def _sort_test(entity: EntitySpec, url: str, dialect: Dialect, items: str) -> str:
    field = entity.fields[0].name
    return dialect.fill(
        templates.text("rest_api", "test_sort.py.tmpl"),
        url=url,
        field=field,
        items=items,
    )


def _auth_tests(spec: ProjectSpec, dialect: Dialect) -> str:
    url = f"/{spec.entities[0].plural}"
    return dialect.fill(
        templates.text("rest_api", "test_auth.py.tmpl"),
        url=url,
    )


# -- README -----------------------------------------------------------------------


# the README lines chosen by feature
_README = templates.manifest("rest_api", "readme.toml")


def _report_line(report: dict) -> str:
    if report.get("parent"):
        _, _, parent = report["parent"]
        return Template(_README["routes"]["report_children"]).substitute(
            path=report["path"].replace("{item_id}", "{id}"), table=report["entity"].replace("_", " "),
            parent=parent.lower())
    if report["group_by"] is None:
        tests = [f"{field} is before today" if test == "before_today" else f"{field} is {str(value).lower()}"
                 for field, test, value in report["where"]]
        return Template(_README["routes"]["report_list"]).substitute(path=report["path"], table=report["entity"],
                                                                     what=" and ".join(tests))
    measure = f', "{report["result"]}": x' if report["measure"] else ""
    return Template(_README["routes"]["report_groups"]).substitute(path=report["path"], group=report["group_by"],
                                                                   measure=measure)


def _readme(spec: ProjectSpec, framework: Framework) -> str:
    routes = [_README["routes"]["auth"]] if spec.has("auth") else []
    for entity in spec.entities:
        label = title(entity.name).lower()
        routes.append(Template(_README["routes"]["resource"]).substitute(
            url=f"/{entity.plural}", words=entity.plural.replace("_", " "), label=label, a_label=article(label)
        ))
    routes += [_report_line(report) for report in spec.options.get("reports") or []]
    notes = [note for feature, note in _README["notes"].items() if spec.has(feature)]
    if rest_integrity.checks_integrity(spec):
        unique = [f"{field} repeats another record's" for fields in (spec.options.get("unique") or {}).values()
                  for field in fields]
        notes.append(Template(_README["notes"]["integrity"]).substitute(what=human_list(unique) or "value is taken"))
    configuration = [Template(_README["configuration"]["database"]).substitute(
        default_db="app.db" if spec.store == "sqlite" else ":memory:"
    )]
    if spec.has("auth"):
        configuration.append(_README["configuration"]["auth"])
    features = [FEATURE_LABELS[f] for f in spec.features]
    stack = f"{FRAMEWORK_LABELS[spec.framework]}, pydantic and SQLite" + (f"; {human_list(features)}" if features else "")
    body = templates.fill(
        "rest_api", "readme.md.tmpl",
        stack=stack,
        run=framework.run,
        test=render.README_TEST,
        routes="\n".join(routes),
        notes="\n" + "\n\n".join(notes) + "\n\n" if notes else "\n",
        resources="\n\n".join(f"### {title(e.plural)}\n\n{render.fields_table(e)}" for e in spec.entities),
        configuration="\n".join(configuration),
        layout="\n".join(f"- `{path}`: {what}" for path, what in framework.layout),
    )
    return render.readme(spec, body)
