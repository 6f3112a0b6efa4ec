"""The template files themselves: that they ship, and that what they render is well-formed, lint-clean code.

The kinds' fixed text lives in codegen/generators/template/templates/<kind>/*.tmpl,
read with importlib.resources. A file left out of setup.cfg's package_data would
work from the source tree and fail in an installed copy, so the package is built
the way an installation builds it and rendered from there.

A template is checked after rendering: every Python file of a set of projects
that between them use every template is compiled and run through pyflakes,
chosen over ruff because it is pure Python, needs no configuration and reports
only what is wrong (undefined or unused names, redefinitions), never style,
which the generated code does not have to share with ours. JSON, TOML, INI and
HTML are parsed, and JavaScript by node where it is installed. Every line of every
template without a placeholder must appear in one of those projects, so no
template escapes the check. And the kinds that render them: one class per kind of
project, each a Kind.
"""

from __future__ import annotations

import asyncio
import configparser
import io
import json
import shutil
import subprocess
import sys
import tomllib
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path

import pytest
from pyflakes.api import check
from pyflakes.reporter import Reporter

from codegen.generators.base import GenerationError, GenerationRequest
from codegen.generators.template import EXAMPLES, TemplateGenerator, kinds, templates
from codegen.generators.template.kinds.kind import Kind
from codegen.generators.template.model import KIND_LABELS
from codegen.lifecycle import Mode
from tests.generators.measured_prompts import MEASURED, REFUSED
from tests.generators.test_template_projects import CASES

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = resources.files(templates)

# prompts that reach the variants the measured prompts and the cases leave out
EXTRA_PROMPTS = [
    "A script that reads people.csv with columns name, city and age, drops duplicate rows, keeps only rows where city "
    "is Paris and shows the top 2 by age",
    "Read visits.csv with columns page and duration and count visits per page where page is home, sorted by count",
    *(f"A {framework} API for customers and invoices (number, region, amount, due_date, paid); invoices belong to a "
      "customer; number must be unique; GET /summary returns the total amount per region; a route that lists overdue "
      "invoices" for framework in ("FastAPI", "Flask", "aiohttp")),
    "A python library with a function that computes sha256 checksums of files",
    "a python module with string helpers: slugify and camel case",
    "A Python library that validates email addresses and credit card numbers",
    "A python library to generate random passwords",
    "A python library that evaluates arithmetic expressions",
    "A python library to count words in a text",
    "A command line tool that prints prime numbers, fibonacci numbers and factorials",
    "A python library of common algorithms",
    "A command line tool for common algorithms like fizzbuzz and caesar cipher",
    "A python library for unit conversion between celsius and fahrenheit",
    "A python library to compute mean, median and standard deviation",
    "A command line password generator",
    "a CLI calculator that evaluates math expressions",
    "a CLI that computes the median and standard deviation of numbers",
    "a CLI with string helpers like slugify",
    "a CLI that validates email addresses",
    "A Flask API for invoices with code and amount, paginated, sorted and searchable, with login",
    "An aiohttp API for tickets with title, priority and done, paginated, sorted and searchable, with login, "
    "where users can close a ticket",
    "A FastAPI API for parcels with weight and sent_at, paginated, sorted and searchable, with login; "
    "weight must be positive; users can archive a parcel",
    "A CLI to manage books with title and pages, with search, sorting and pagination",
    # every section a landing page knows by name (templates/webpage/sections/)
    "A landing page for a bakery with a menu, opening hours, pricing, faq, testimonials and a gallery",
    "A homepage for a law firm with our team, location, about us and services",
    "A landing page for a chess club with a hero image, date, countdown, weekly timetable, coaches, photo gallery and "
    "a newsletter signup form",
]


def _all_templates() -> dict[str, str]:
    """Every template file in the package, "<kind>/<name>" -> text."""
    found = {}

    def walk(folder, prefix: str) -> None:
        for entry in folder.iterdir():
            if entry.is_dir() and entry.name != "__pycache__":
                walk(entry, f"{prefix}{entry.name}/")
            elif entry.name.endswith((".tmpl", ".toml")):
                found[prefix + entry.name] = entry.read_text(encoding="utf-8")

    walk(TEMPLATES, "")
    return found


def _named_by_manifests() -> list[str]:
    recipes = templates.manifest("recipes")
    named = []
    for key, recipe in recipes.items():
        # a recipe of parts has a module and its tests per part instead of one source and one tests file
        own = [p["module"] for p in recipe.get("parts", ())] + [f"test_{p['module']}" for p in recipe.get("parts", ())]
        own += ["cli", "cli_tests"] + ([] if recipe.get("parts") else ["source", "tests"])
        named += [f"recipes/{key}/{name}.py.tmpl" for name in own]
    named += [f"webpage/{variant['script']}" for variant in templates.manifest("webpage").values()]
    return ["recipes/manifest.toml", "webpage/manifest.toml", *named]


@pytest.fixture(scope="module")
def projects() -> list[dict[str, str]]:
    """The projects of every measured prompt that is served, the examples, the cases and the extra prompts."""
    generator = TemplateGenerator()
    prompts = [m.prompt for m in MEASURED if m.verdict != REFUSED] + EXAMPLES + EXTRA_PROMPTS
    requests = [(prompt, []) for prompt in prompts] + [(case.prompt, list(case.requirements)) for case in CASES]

    async def nothing(*_: object) -> None:
        return None

    async def generate_all() -> list[dict[str, str]]:
        generated = []
        for prompt, requirements in requests:
            context = {"additional_requirements": requirements} if requirements else {}
            request = GenerationRequest(generation_id="t", prompt=prompt, mode=Mode.UNIFIED, context=context)
            try:
                result = await generator.generate(request, nothing)
            except GenerationError:
                continue  # a prompt a later version refuses: the others still cover the templates
            generated.append({f.path: f.content for f in result.files})
        return generated

    return asyncio.run(generate_all())


def test_every_kind_implements_the_protocol() -> None:
    assert set(kinds.KINDS) == set(KIND_LABELS)
    for name, kind in kinds.KINDS.items():
        assert isinstance(kind, Kind) and kind.name == name


def test_every_file_the_manifests_name_exists() -> None:
    files = _all_templates()
    missing = [name for name in _named_by_manifests() if name not in files]
    assert not missing, missing
    for name in _named_by_manifests():
        kind, _, rest = name.partition("/")
        assert templates.text(kind, rest).strip()


def test_an_installed_copy_finds_every_template(tmp_path: Path) -> None:
    """setup.cfg's package_data ships every template: the package built as pip builds it renders every kind."""
    # the build backend pyproject.toml names; a Python 3.11 virtualenv has it, newer ones may not
    pytest.importorskip("setuptools", reason="setuptools builds the package")
    # a clean copy of the sources, so no egg-info left by an earlier build lists the files instead of package_data
    source, build = tmp_path / "source", tmp_path / "build"
    shutil.copytree(ROOT / "codegen", source / "codegen", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("setup.cfg", "pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    subprocess.run(
        [sys.executable, "-c", "from setuptools import setup; setup()", "-q", "build_py", "--build-lib", str(build)],
        cwd=source, check=True, capture_output=True,
    )
    built = build / "codegen" / "generators" / "template" / "templates"
    missing = [name for name in _all_templates() if not (built / name).is_file()]
    assert not missing, f"not in package_data: {missing}"
    prompts = ["A Flask API for notes with login", "a CLI that converts celsius to fahrenheit", "a landing page for a bakery",
               "a python library with string helpers like slugify", "Process orders.csv and report total revenue per country"]
    script = (
        "import asyncio, codegen, sys\n"
        "from codegen.generators.base import GenerationRequest\n"
        "from codegen.generators.template import TemplateGenerator\n"
        "from codegen.lifecycle import Mode\n"
        f"assert codegen.__file__.startswith({str(build)!r}), codegen.__file__\n"
        "async def nothing(*_): pass\n"
        f"for prompt in {prompts!r}:\n"
        "    request = GenerationRequest(generation_id='t', prompt=prompt, mode=Mode.UNIFIED, context={})\n"
        "    result = asyncio.run(TemplateGenerator().generate(request, nothing))\n"
        "    assert len(result.files) > 3, prompt\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True,
                          env={"PYTHONPATH": str(build), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr


def test_rendered_python_compiles_and_lints_clean(projects: list[dict[str, str]]) -> None:
    problems = []
    for files in projects:
        for path, content in files.items():
            if path.endswith(".py"):
                compile(content, path, "exec")
                problems += _pyflakes(content, path)
    assert not problems, "\n".join(problems[:20])


def test_rendered_data_and_pages_are_well_formed(projects: list[dict[str, str]]) -> None:
    checked = 0
    for files in projects:
        for path, content in files.items():
            if path.endswith(".json"):
                json.loads(content)
            elif path.endswith(".toml"):
                tomllib.loads(content)
            elif path.endswith(".ini"):
                configparser.ConfigParser().read_string(content)
            elif path.endswith(".html"):
                _BalancedTags(path).check(content)
            else:
                continue
            checked += 1
    assert checked >= len(projects)
    for name, text in _all_templates().items():
        if name.endswith(".toml"):
            tomllib.loads(text)


@pytest.mark.skipif(shutil.which("node") is None, reason="no node to parse JavaScript with")
def test_rendered_scripts_parse(projects: list[dict[str, str]], tmp_path: Path) -> None:
    scripts = sorted({content for files in projects for path, content in files.items() if path.endswith(".js")})
    assert scripts
    for number, script in enumerate(scripts):
        path = tmp_path / f"script{number}.js"
        path.write_text(script, encoding="utf-8")
        checked = subprocess.run(["node", "--check", str(path)], capture_output=True, text=True)
        assert checked.returncode == 0, checked.stderr


def test_every_template_is_rendered_by_the_checked_projects(projects: list[dict[str, str]]) -> None:
    """Each fixed line (no ``$``) of each template appears in a generated file, so the checks above saw it."""
    written = {line.strip() for files in projects for content in files.values() for line in content.splitlines()}
    unseen = {}
    for name, text in _all_templates().items():
        if name.endswith(".toml"):
            continue
        lines = [line.strip() for line in text.splitlines() if line.strip() and "$" not in line]
        missing = [line for line in lines if line not in written]
        if missing:
            unseen[name] = missing[:3]
    assert not unseen, unseen


def _pyflakes(content: str, path: str) -> list[str]:
    out, err = io.StringIO(), io.StringIO()
    check(content, path, Reporter(out, err))
    return [*out.getvalue().splitlines(), *err.getvalue().splitlines()]


class _BalancedTags(HTMLParser):
    """Every element that needs a closing tag is closed, in order."""

    VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path
        self.open: list[str] = []

    def check(self, text: str) -> None:
        assert text.lstrip().lower().startswith("<!doctype html>"), self.path
        self.feed(text)
        self.close()
        assert not self.open, f"{self.path}: not closed: {self.open}"

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open[-1] == tag, f"{self.path}: </{tag}> closes {self.open[-1:]}"
        self.open.pop()
