"""Command-line tools (argparse): a utility recipe, or a manager of records kept in a JSON file."""

from __future__ import annotations

import json

from codegen.generators.template import recipes, render, templates
from codegen.generators.template.model import Context, EntitySpec, FieldSpec, ProjectSpec, default_entities
from codegen.generators.template.render import module
from codegen.generators.template.words import human_list, title

_FEATURE_NOTES = {"pagination": "paginated lists", "search": "search", "sorting": "sorting"}


class CommandLineTool:
    """Command-line tools (the Kind protocol)."""

    name = "cli"

    def complete(self, spec: ProjectSpec, context: Context) -> None:
        recipe = recipes.chosen(context)
        if recipe:
            spec.recipe, spec.entities, spec.features = recipe.key, [], []
            return
        default_entities(spec, context, what="records")

    def capabilities(self, spec: ProjectSpec) -> frozenset[str]:
        if spec.recipe:
            return frozenset()
        return frozenset({"entities", "fields", "pagination", "search", "sorting"})

    def describe(self, spec: ProjectSpec) -> str:
        if spec.recipe:
            return f"an argparse command-line tool that {recipes.RECIPES[spec.recipe].description}"
        text = f"an argparse command-line tool managing {', '.join(e.plural for e in spec.entities)} in a JSON file"
        return "; ".join([text, *(_FEATURE_NOTES[f] for f in spec.features)])

    def recipe_title(self, spec: ProjectSpec) -> str | None:
        return recipes.RECIPES[spec.recipe].title if spec.recipe else None

    def render_files(self, spec: ProjectSpec) -> dict[str, str]:
        package = spec.slug
        files = {
            f"{package}/__init__.py": render.package_docstring(spec),
            f"{package}/__main__.py": templates.fill("cli", "main.py.tmpl", package=package),
            "pytest.ini": render.pytest_ini(),
            "requirements.txt": render.requirements("pytest"),
        }
        if spec.recipe:
            files.update(_recipe_files(spec, recipes.RECIPES[spec.recipe]))
        else:
            files.update(_manager_files(spec))
        return files


# -- a recipe ------------------------------------------------------------------


def _recipe_files(spec: ProjectSpec, recipe: recipes.Recipe) -> dict[str, str]:
    package = spec.slug
    usage = recipe.cli_usage.replace("$package", f"python -m {package}")
    held = recipes.modules(recipe, None)  # the command line uses every part of a recipe of parts
    files = {f"{package}/{module}.py": recipes.fill(source, package) for module, _, source, _ in held}
    files[f"{package}/cli.py"] = recipes.fill(recipe.cli, package)
    files.update({f"tests/test_{module}.py": recipes.fill(tests, package) for module, _, _, tests in held})
    files["tests/test_cli.py"] = recipes.fill(recipe.cli_tests, package)
    layout = "".join(f"- `{package}/{module}.py`: the functions, usable without the command line\n" for module, *_ in held)
    files["README.md"] = render.readme(
        spec,
        f"A command-line tool that {recipe.description}. Standard library only.",
        f"## Use\n\n```sh\n{usage}\npython -m {package} --help\n```",
        render.README_TEST,
        f"## Layout\n\n{layout}- `{package}/cli.py`: the argparse front end\n- `tests/`: pytest tests",
    )
    return files


# -- a record manager ----------------------------------------------------------


def _manager_files(spec: ProjectSpec) -> dict[str, str]:
    package = spec.slug
    files = {
        f"{package}/models.py": _models(spec),
        f"{package}/store.py": STORE,
        f"{package}/cli.py": _cli(spec),
        "tests/conftest.py": recipes.fill(CONFTEST, package),
        "README.md": _readme(spec),
    }
    for entity in spec.entities:
        files[f"tests/test_{entity.plural}.py"] = _tests(spec, entity)
    return files


def _models(spec: ProjectSpec) -> str:
    entries = []
    for entity in spec.entities:
        fields = "".join(f"        {_field_literal(f)},\n" for f in entity.fields)
        entries.append(f'    "{entity.plural}": (\n{fields}    ),\n')
    return MODELS.replace("$collections", "".join(entries))


def _field_literal(field: FieldSpec) -> str:
    return f'Field("{field.name}", "{field.type}"' + (")" if field.required else ", required=False)")


MODELS = templates.text("cli", "models.py.tmpl")

STORE = templates.text("cli", "store.py.tmpl")

CONFTEST = templates.text("cli", "conftest.py.tmpl")


# the list command's options and steps, one template pair per feature, in this order
_LIST_FEATURES = ("search", "sorting", "pagination")


def _cli(spec: ProjectSpec) -> str:
    features = [feature for feature in _LIST_FEATURES if spec.has(feature)]
    list_options = "".join(templates.text("cli", f"list_{feature}_options.py.tmpl") for feature in features)
    list_steps = "".join(templates.text("cli", f"list_{feature}_steps.py.tmpl") for feature in features)
    header = templates.fill(
        "cli", "cli_header.py.tmpl", package=spec.slug, env=f"{spec.slug.upper()}_DB",
        description=render.py_string(spec.summary),
    )
    listing = 'listing = actions.add_parser("list", help="list the records")'
    if not list_options:
        listing = 'actions.add_parser("list", help="list the records")'
    parser = CLI_PARSER.replace("$listing", listing).replace("$list_options", render.indent(list_options, 8))
    actions = CLI_ACTIONS.replace("$list_steps", render.indent(list_steps, 4))
    return module(header, parser, actions)


CLI_PARSER = templates.text("cli", "cli_parser.py.tmpl")

CLI_ACTIONS = templates.text("cli", "cli_actions.py.tmpl")

# -- tests and README ------------------------------------------------------------


def _cli_text(field: FieldSpec, variant: int) -> tuple[str, object]:
    """What to type for ``field`` and the value it becomes."""
    if field.type == "datetime":
        value = ("2024-05-01T12:00:00+00:00", "2024-06-15T08:30:00+00:00")[variant]
        return value, value
    value = render.sample_value(field, variant)
    if field.type == "bool":
        return ("true" if value else "false"), value
    return str(value), value


def _options(entity: EntitySpec, variant: int) -> tuple[list[str], dict]:
    args, expected = [], {}
    for field in entity.fields:
        text, value = _cli_text(field, variant)
        args += ["--" + field.name.replace("_", "-"), text]
        expected[field.name] = value
    return args, expected


def _tests(spec: ProjectSpec, entity: EntitySpec) -> str:
    name = entity.plural
    record, expected = _options(entity, 0)
    changed_args, changed = _options(entity, 1)
    first = entity.fields[0]
    first_text, first_value = _cli_text(first, 1)
    blocks = [
        f'"""Tests of the {name} commands."""\n\n'
        + ("import pytest\n\n" if any(f.required for f in entity.fields) else "")
        + f"RECORD = {json.dumps(record)}\nEXPECTED = {render.py_dict(expected)}\nCHANGED = {json.dumps(changed_args)}\n",
        templates.fill(
            "cli", "test_records.py.tmpl", name=name, option=first.name.replace("_", "-"), text=repr(first_text),
            field=first.name, value=render.py_value(first_value),
        ),
    ]
    if any(f.required for f in entity.fields):
        blocks.append(templates.fill("cli", "test_required_options.py.tmpl", name=name))
    typed = next((f for f in entity.fields if f.type not in ("str",)), None)
    if typed is not None:
        option = "--" + typed.name.replace("_", "-")
        blocks.append(templates.fill("cli", "test_invalid_value.py.tmpl", option=option, name=name))
    blocks += _list_feature_tests(spec, entity)
    return "\n\n".join(block.rstrip("\n") + "\n" for block in blocks)


def _list_feature_tests(spec: ProjectSpec, entity: EntitySpec) -> list[str]:
    name, tests = entity.plural, []
    if spec.has("pagination"):
        tests.append(templates.fill("cli", "test_list_pages.py.tmpl", name=name))
    text = next((f for f in entity.fields if f.type == "str" and "Changed" in str(render.sample_value(f, 1))), None)
    if spec.has("search") and text is not None:
        tests.append(templates.fill("cli", "test_list_search.py.tmpl", name=name))
    if spec.has("sorting"):
        field = entity.fields[0].name
        tests.append(templates.fill("cli", "test_list_sorted.py.tmpl", name=name, field=field))
    return tests


def _readme(spec: ProjectSpec) -> str:
    package, entity = spec.slug, spec.entities[0]
    record, _ = _options(entity, 0)
    add = " ".join([f"python -m {package} {entity.plural} add", *(a if " " not in a else f'"{a}"' for a in record)])
    list_extra = []
    if spec.has("search"):
        list_extra.append("--search TEXT")
    if spec.has("sorting"):
        list_extra.append(f"--sort {entity.fields[0].name} [--desc]")
    if spec.has("pagination"):
        list_extra.append("--limit 20 --offset 0")
    usage = "\n".join(
        [
            add,
            f"python -m {package} {entity.plural} list {' '.join(list_extra)}".rstrip(),
            f"python -m {package} {entity.plural} show 1",
            f"python -m {package} {entity.plural} update 1 --{entity.fields[0].name.replace('_', '-')} ...",
            f"python -m {package} {entity.plural} remove 1",
        ]
    )
    tables = "\n\n".join(f"### {title(e.plural)}\n\n{render.fields_table(e)}" for e in spec.entities)
    return render.readme(
        spec,
        f"A command-line tool (argparse, standard library only) that keeps {human_list([e.plural for e in spec.entities])} "
        f"in a JSON file: `{package}.json` in the current directory, or the path in `{package.upper()}_DB` or `--db`.",
        f"## Use\n\n```sh\n{usage}\n```\n\nEvery command prints the records it touches as JSON, one a line.",
        render.README_TEST,
        "## Records\n\nEach record has an `id` (set by the tool). Dates are `YYYY-MM-DD`; true/false fields take "
        "`yes`/`no`.\n\n" + tables,
    )
