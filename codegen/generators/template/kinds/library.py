"""Python libraries: a utility recipe, or typed records with an in-memory collection."""

from __future__ import annotations

from codegen.generators.template import recipes, render, templates
from codegen.generators.template.model import Context, EntitySpec, FieldSpec, ProjectSpec, default_entities
from codegen.generators.template.words import camel, human_list

# the Python type and the name used in error messages, per field type
_PY_CHECKS = {
    "str": ("str", "text"),
    "int": ("int", "a whole number"),
    "float": ("(int, float)", "a number"),
    "bool": ("bool", "true or false"),
    "date": ("date", "a date"),
    "datetime": ("datetime", "a date and time"),
}


class Library:
    """Python libraries (the Kind protocol)."""

    name = "library"

    def complete(self, spec: ProjectSpec, context: Context) -> None:
        recipe = recipes.chosen(context)
        if recipe:
            spec.recipe, spec.entities = recipe.key, []
            if recipe.parts:
                spec.options["parts"] = recipes.selected(recipe, context.flat)
            return
        default_entities(spec, context, what="record types")

    def capabilities(self, spec: ProjectSpec) -> frozenset[str]:
        return frozenset() if spec.recipe else frozenset({"entities", "fields"})

    def describe(self, spec: ProjectSpec) -> str:
        if spec.recipe:
            return f"a Python library that {_description(spec, recipes.RECIPES[spec.recipe])}"
        return f"a Python library of typed records ({', '.join(e.plural for e in spec.entities)}) with an in-memory collection"

    def recipe_title(self, spec: ProjectSpec) -> str | None:
        return recipes.RECIPES[spec.recipe].title if spec.recipe else None

    def render_files(self, spec: ProjectSpec) -> dict[str, str]:
        files = {"pytest.ini": render.pytest_ini(), "requirements.txt": render.requirements("pytest")}
        if spec.recipe:
            files.update(_recipe_files(spec, recipes.RECIPES[spec.recipe]))
        else:
            files.update(_record_files(spec))
        return files


def _init(spec: ProjectSpec, imports: list[tuple[str, tuple[str, ...]]]) -> str:
    lines = [f"from {spec.slug}.{module} import {', '.join(sorted(names))}" for module, names in imports]
    exported = sorted(name for _, names in imports for name in names)
    all_names = "".join(f'    "{name}",\n' for name in exported)
    return render.package_docstring(spec) + "\n" + "\n".join(sorted(lines)) + f"\n\n__all__ = [\n{all_names}]\n"


def _description(spec: ProjectSpec, recipe: recipes.Recipe) -> str:
    """What the library does: the recipe's description, or the parts it was written with ("implements a trie")."""
    parts = spec.options.get("parts")
    if not recipe.parts or parts is None or len(parts) == len(recipe.parts):
        return recipe.description
    names = human_list([p["name"] for p in recipe.parts if p["module"] in parts])
    return f"{recipe.parts_verb} {names}, with tests".lstrip()


def _recipe_files(spec: ProjectSpec, recipe: recipes.Recipe) -> dict[str, str]:
    package = spec.slug
    held = recipes.modules(recipe, spec.options.get("parts"))
    exports = [name for _, names, _, _ in held for name in names]
    usage = "\n\n".join(recipes.fill(part["usage"], package) for part in recipe.parts
                        if any(part["module"] == module for module, *_ in held)) or recipe.library_usage
    files = {f"{package}/__init__.py": _init(spec, [(module, names) for module, names, _, _ in held])}
    for module, _, source, tests in held:
        files[f"{package}/{module}.py"] = recipes.fill(source, package)
        files[f"tests/test_{module}.py"] = recipes.fill(tests, package)
    files["README.md"] = render.readme(
        spec,
        f"A Python library that {_description(spec, recipe)}. Standard library only.",
        f"## Use\n\n```python\n{recipes.fill(usage, package)}\n```",
        render.README_TEST,
        "## API\n\n" + "\n".join(f"- `{name}`" for name in exports),
    )
    return files


# -- typed records ---------------------------------------------------------------


def _record_files(spec: ProjectSpec) -> dict[str, str]:
    package = spec.slug
    names = tuple(camel(e.name) for e in spec.entities)
    files = {
        f"{package}/__init__.py": _init(spec, [("collection", ("Collection", "NotFound")), ("models", names)]),
        f"{package}/models.py": _models(spec),
        f"{package}/collection.py": COLLECTION,
        "README.md": _readme(spec),
    }
    for entity in spec.entities:
        files[f"tests/test_{entity.plural}.py"] = _tests(spec, entity)
    return files


def _field_line(field: FieldSpec) -> str:
    python_type = render.PY_TYPES[field.type]
    if field.type == "bool":
        return f"    {field.name}: bool = False"
    return f"    {field.name}: {python_type}" if field.required else f"    {field.name}: {python_type} | None = None"


def _dataclass(entity: EntitySpec) -> str:
    # fields without a default come first, as dataclasses require
    ordered = sorted(entity.fields, key=lambda f: not (f.required and f.type != "bool"))
    checks = []
    for field in entity.fields:
        python_type, label = _PY_CHECKS[field.type]
        optional = ", optional=True" if not field.required and field.type != "bool" else ""
        checks.append(f'        _check(self, "{field.name}", {python_type}, "{label}"{optional})')
    return (
        f"@dataclass(frozen=True)\nclass {camel(entity.name)}:\n"
        + "\n".join(_field_line(f) for f in ordered)
        + "\n    id: int | None = None\n\n    def __post_init__(self) -> None:\n"
        + "\n".join(checks)
        + "\n"
    )


def _models(spec: ProjectSpec) -> str:
    header = templates.text("library", "models_header.py.tmpl") + render.module_imports(render.all_fields(spec))
    check = templates.text("library", "models_footer.py.tmpl")
    return render.module(header, *(_dataclass(e) for e in spec.entities), check)


COLLECTION = templates.text("library", "collection.py.tmpl")


def _py_sample(field: FieldSpec, variant: int) -> str:
    value = render.sample_value(field, variant)
    if field.type == "date":
        year, month, day = (int(part) for part in str(value).split("-"))
        return f"date({year}, {month}, {day})"
    if field.type == "datetime":
        day, time = str(value).rstrip("Z").split("T")
        year, month, dom = (int(part) for part in day.split("-"))
        hour, minute, _ = (int(part) for part in time.split(":"))
        return f"datetime({year}, {month}, {dom}, {hour}, {minute}, tzinfo=timezone.utc)"
    return render.py_value(value)


def _tests(spec: ProjectSpec, entity: EntitySpec) -> str:
    cls = camel(entity.name)
    types = {f.type for f in entity.fields}
    datetime_imports = sorted({"date"} & types | ({"datetime", "timezone"} if "datetime" in types else set()))
    values = "".join(f'    "{f.name}": {_py_sample(f, 0)},\n' for f in entity.fields)
    first = entity.fields[0]
    typed = next((f for f in entity.fields if f.type != "str"), first)
    imports = (f"from datetime import {', '.join(datetime_imports)}\n\n" if datetime_imports else "") + "import pytest\n\n"
    imports += f"from {spec.slug} import Collection, NotFound, {cls}\n"
    body = templates.fill(
        "library", "test_records.py.tmpl", cls=cls, plural=entity.plural, field=first.name, changed=_py_sample(first, 1),
        typed=typed.name, bad=render.py_value(render.bad_value(typed)),
    )
    return f'"""Tests of {cls} and its collection."""\n\n{imports}\nVALUES = {{\n{values}}}\n\n\n{body}'


def _readme(spec: ProjectSpec) -> str:
    entity = spec.entities[0]
    cls = camel(entity.name)
    args = ", ".join(f"{f.name}={_py_sample(f, 0)}" for f in entity.fields if f.required and f.type != "bool")
    usage = templates.fill(
        "library", "readme_usage.md.tmpl", package=spec.slug, cls=cls, plural=entity.plural, args=args,
        field=entity.fields[0].name, changed=_py_sample(entity.fields[0], 1),
    )
    tables = "\n\n".join(f"### {camel(e.name)}\n\n{render.fields_table(e)}" for e in spec.entities)
    return render.readme(
        spec,
        f"A Python library (standard library only) of typed records: {human_list([camel(e.name) for e in spec.entities])}. "
        "Records are frozen dataclasses that reject values of the wrong type; a `Collection` keeps them "
        "with ids and saves them to JSON.",
        f"## Use\n\n```python\n{usage.rstrip()}\n```",
        render.README_TEST,
        "## Records\n\n" + tables,
    )
