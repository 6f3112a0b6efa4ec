"""The Flask flavour of a REST API."""

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

_AUTH_IMPORTS = [
    "from app.accounts import USERS",
    "from app.auth import blueprint as auth_blueprint",
    "from app.auth import require_user",
]


def main(spec: ProjectSpec) -> str:
    auth = spec.has("auth")
    header = "\n".join(
        [
            f'"""The {spec.title} application: ``flask --app app.main run``."""',
            "",
            "import os",
            *(["import secrets"] if auth else []),
            "",
            "from flask import Flask, jsonify",
            "from werkzeug.exceptions import HTTPException",
            "",
            *sorted([  # the app's own imports, in isort's order
                *(_AUTH_IMPORTS if auth else []),
                "from app.models import RESOURCES",
                f"from app.routes import crud_blueprint{', reports_blueprint' if spec.options.get('reports') else ''}",
                store_import(spec),
                "from app.validation import InvalidData",
            ]),
            "",
            default_database(spec),
        ]
    )
    register = (
        "    app.register_blueprint(auth_blueprint)\n"
        "    for resource in RESOURCES:\n"
        "        blueprint = crud_blueprint(resource)\n"
        "        blueprint.before_request(require_user)\n"
        "        app.register_blueprint(blueprint)\n"
        if auth
        else "    for resource in RESOURCES:\n        app.register_blueprint(crud_blueprint(resource))\n"
    )
    create_app = templates.fill(
        "rest_api", "flask_create_app.py.tmpl",
        signature="database_path: str | None = None" + (", secret_key: str | None = None" if auth else ""),
        store=indent(open_store(spec), 4),
        secret=indent(secret_key_line('app.config["SECRET_KEY"]'), 4) if auth else "",
        register=register,
        reports=_register_reports(spec),
    )
    handlers = templates.text("rest_api", "flask_error_handlers.py.tmpl")
    return module(header, create_app, handlers)


def _register_reports(spec: ProjectSpec) -> str:
    if not spec.options.get("reports"):
        return ""
    if spec.has("auth"):
        return "    reports = reports_blueprint()\n    reports.before_request(require_user)\n    app.register_blueprint(reports)\n"
    return "    app.register_blueprint(reports_blueprint())\n"


def routes(spec: ProjectSpec) -> str:
    header = templates.fill("rest_api", "flask_routes_header.py.tmpl", validation=validation_imports(spec))
    header = header.replace("from app.models import Resource\n", "".join(
        line + "\n" for line in ["from app.models import Resource", *reports_import(spec)]))
    list_body = list_query(spec, "request.args") + list_select(spec, "get_store()") + f"return {list_result(spec)}\n"
    body = templates.fill(
        "rest_api", "flask_routes.py.tmpl",
        list_body=indent(list_body, 8), actions=actions_block(spec, "flask")
    )
    return module(header, body + reports_block(spec, "flask"))


# the same fields in each rest_<framework>.py, each with its own values (a deliberate parallel)
FRAMEWORK = Framework(
    name="flask",
    requirements=("flask", "pydantic", "pytest"),
    dialect=Dialect(def_="def", aw="", status="status_code", json="resp.get_json()"),
    run="flask --app app.main run  # http://127.0.0.1:5000",
    layout=[
        ("app/main.py", "`create_app()`: the Flask application and its JSON error handlers"),
        ("app/routes.py", "the CRUD routes, a blueprint for each resource"),
    ],
    main=main,
    routes=routes,
)
