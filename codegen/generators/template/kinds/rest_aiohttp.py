"""The aiohttp flavour of a REST API."""

from __future__ import annotations

from codegen.generators.template import templates
from codegen.generators.template.kinds.rest_common import (
    Dialect,
    Framework,
    actions_block,
    default_database,
    list_query,
    list_result,
    list_select,
    open_store,
    reports_block,
    reports_import,
    secret_key_line,
    store_import,
    validation_imports,
)
from codegen.generators.template.model import ProjectSpec
from codegen.generators.template.render import indent, module

_AUTH_IMPORTS = ["from app.accounts import USERS", "from app.auth import SECRET_KEY, auth_routes, require_token"]


def main(spec: ProjectSpec) -> str:
    auth = spec.has("auth")
    header = "\n".join(
        [
            f'"""The {spec.title} application: ``python -m app.main``."""',
            "",
            "import os",
            *(["import secrets"] if auth else []),
            "",
            "from aiohttp import web",
            "",
            *sorted([  # the app's own imports, in isort's order
                *(_AUTH_IMPORTS if auth else []),
                "from app.models import RESOURCES",
                f"from app.routes import STORE, crud_routes{', report_routes' if spec.options.get('reports') else ''}",
                *(["from app.reports import REPORTS"] if auth and spec.options.get("reports") else []),
                store_import(spec),
                "from app.validation import InvalidData",
            ]),
            "",
            default_database(spec),
        ]
    )
    middleware = templates.text("rest_api", "aiohttp_json_errors.py.tmpl")
    middlewares = "json_errors, require_token(protected)" if auth else "json_errors"
    create_app = templates.fill(
        "rest_api", "aiohttp_create_app.py.tmpl",
        signature="database_path: str | None = None" + (", secret_key: str | None = None" if auth else ""),
        middlewares=middlewares,
        protected=_protected(spec) if auth else "",
        reports="    app.router.add_routes(report_routes())\n" if spec.options.get("reports") else "",
        store=indent(open_store(spec), 4),
        secret=indent(secret_key_line("app[SECRET_KEY]"), 4) if auth else "",
        auth_routes="    app.router.add_routes(auth_routes)\n" if auth else "",
    )
    return module(header, middleware, create_app)


def _protected(spec: ProjectSpec) -> str:
    reports = " + tuple(report.path for report in REPORTS)" if spec.options.get("reports") else ""
    return f'    protected = tuple(f"/{{resource.name}}" for resource in RESOURCES){reports}\n'


def routes(spec: ProjectSpec) -> str:
    header = templates.fill("rest_api", "aiohttp_routes_header.py.tmpl", validation=validation_imports(spec))
    header = header.replace("from app.models import Resource\n", "".join(
        line + "\n" for line in ["from app.models import Resource", *reports_import(spec)]))
    list_body = list_query(spec, "request.query") + list_select(spec, "store")
    list_body += f"return web.json_response({list_result(spec)})\n"
    body = templates.fill(
        "rest_api", "aiohttp_routes.py.tmpl",
        list_body=indent(list_body, 8), actions=actions_block(spec, "aiohttp"), more=" + actions" if spec.options.get("actions") else ""
    )
    return module(header, body + reports_block(spec, "aiohttp"))


# the same fields in each rest_<framework>.py, each with its own values (a deliberate parallel)
FRAMEWORK = Framework(
    name="aiohttp",
    requirements=("aiohttp", "pydantic", "pytest", "pytest-aiohttp"),
    dialect=Dialect(def_="async def", aw="await ", status="status", json="(await resp.json())"),
    run="python -m app.main  # http://127.0.0.1:8080 (PORT to change it)",
    layout=[
        ("app/main.py", "`create_app()`: the aiohttp application and its JSON error middleware"),
        ("app/routes.py", "the CRUD routes, built for each resource"),
    ],
    main=main,
    routes=routes,
    pytest_options=("asyncio_mode = auto", "asyncio_default_fixture_loop_scope = function"),
)
