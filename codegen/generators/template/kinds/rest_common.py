"""Pieces of REST code that every framework writes the same way."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from string import Template

from codegen.generators.template import templates
from codegen.generators.template.kinds.rest_integrity import checks_integrity
from codegen.generators.template.model import ProjectSpec
from codegen.generators.template.render import code, indent, module


@dataclass(frozen=True)
class Dialect:
    """How the tests of one framework call its test client."""

    def_: str  # "def" or "async def"
    aw: str  # "" or "await "
    status: str  # the status attribute of a response
    json: str  # the expression giving the JSON body of ``resp``

    def fill(self, template: str, **values: str) -> str:
        names = {"def": self.def_, "aw": self.aw, "status": self.status, "json": self.json}
        return Template(code(template)).substitute(names, **values)


@dataclass(frozen=True)
class Framework:
    """One web framework's part of a REST API; rest_api.py writes the rest the same way for all.

    Its fixed texts are templates/rest_api/<name>_*.py.tmpl.
    """

    name: str  # "fastapi", "flask", "aiohttp"
    requirements: tuple[str, ...]  # keys of render.REQUIREMENTS
    dialect: Dialect
    run: str  # the README's command that starts the app
    layout: list[tuple[str, str]]  # the README's (path, what it holds) of the framework's files
    main: Callable[[ProjectSpec], str]  # app/main.py
    routes: Callable[[ProjectSpec], str]  # app/routes.py
    pytest_options: tuple[str, ...] = ()  # extra pytest.ini lines
    test_imports: str = ""  # tests/conftest.py's import of the framework's test client

    def auth(self) -> str:
        """app/auth.py"""
        return templates.text("rest_api", f"{self.name}_auth.py.tmpl")

    def fixtures(self, spec: ProjectSpec) -> str:
        """tests/conftest.py: the client fixtures, after the shared credentials and fast-hashing fixtures
        when the project has accounts."""
        auth = spec.has("auth")
        header = (
            '"""Fixtures: a fresh application with an in-memory database for every test."""\n\n'
            + "import pytest\n" + self.test_imports + "\n"
            + ("from app import accounts\n" if auth else "") + "from app.main import create_app"
        )
        clients = templates.text("rest_api", f"{self.name}_clients{'_auth' if auth else ''}.py.tmpl")
        return module(header, _AUTH_FIXTURES if auth else "", clients)


def open_store(spec: ProjectSpec) -> str:
    """Lines of ``create_app`` opening the store as ``store``."""
    tables = "[resource.name for resource in RESOURCES]" + (" + [USERS]" if spec.has("auth") else "")
    store = "CheckedStore" if checks_integrity(spec) else "Store"
    return (
        'path = database_path or os.environ.get("DATABASE_PATH", DEFAULT_DATABASE)\n'
        f"store = {store}(path, {tables})\n"
    )


def store_import(spec: ProjectSpec) -> str:
    """The import of the store class ``open_store`` uses."""
    return "from app.integrity import CheckedStore" if checks_integrity(spec) else "from app.store import Store"


def reports_block(spec: ProjectSpec, framework: str) -> str:
    """The end of app/routes.py registering the report routes, if any."""
    return templates.text("rest_api", f"reports_{framework}.py.tmpl") if spec.options.get("reports") else ""


def reports_import(spec: ProjectSpec) -> list[str]:
    return ["from app.reports import REPORTS, Report"] if spec.options.get("reports") else []


def default_database(spec: ProjectSpec) -> str:
    return f'DEFAULT_DATABASE = "{"app.db" if spec.store == "sqlite" else ":memory:"}"'


def secret_key_line(target: str) -> str:
    return f'{target} = secret_key or os.environ.get("SECRET_KEY") or secrets.token_urlsafe(32)\n'


def list_query(spec: ProjectSpec, args: str) -> str:
    """Lines reading the list parameters from the mapping ``args`` (Flask and aiohttp)."""
    lines = []
    if spec.has("pagination"):
        lines += [
            f'limit = query_int({args}.get("limit"), name="limit", default=20, minimum=1, maximum=100)',
            f'offset = query_int({args}.get("offset"), name="offset", default=0, minimum=0)',
        ]
    if spec.has("search"):
        lines.append(f'q = {args}.get("q")')
    if spec.has("sorting"):
        lines.append(f'field, descending = resource.sort_key({args}.get("sort"))')
    return "".join(line + "\n" for line in lines)


def list_select(spec: ProjectSpec, store: str) -> str:
    """Lines selecting the list from ``store`` into ``items`` (and ``total``)."""
    arguments = []
    if spec.has("pagination"):
        arguments += ["offset=offset", "limit=limit"]
    if spec.has("search"):
        arguments += ["search=q", "search_fields=resource.search_fields"]
    if spec.has("sorting"):
        arguments += ["sort=field", "descending=descending"]
    target = "items, total" if spec.has("pagination") else "items, _"
    if not arguments:
        return f"{target} = {store}.select(resource.name)\n"
    inner = indent("".join(f"{argument},\n" for argument in ["resource.name", *arguments]), 4)
    return f"{target} = {store}.select(\n{inner})\n"


def list_result(spec: ProjectSpec) -> str:
    if spec.has("pagination"):
        return '{"items": items, "total": total, "limit": limit, "offset": offset}'
    return "items"


def validation_imports(spec: ProjectSpec) -> str:
    return "query_int, validated" if spec.has("pagination") else "validated"


_AUTH_FIXTURES = templates.text("rest_api", "auth_fixtures.py.tmpl")


def actions_block(spec: ProjectSpec, framework: str) -> str:
    """The lines of a resource's routes that add its actions (POST /<resource>/<id>/<action>), if any."""
    if not spec.options.get("actions"):
        return ""
    return templates.text("rest_api", f"actions_{framework}.py.tmpl")
