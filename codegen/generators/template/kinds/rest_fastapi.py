"""The FastAPI flavour of a REST API."""

from __future__ import annotations

import json

from codegen.generators.template import templates
from codegen.generators.template.kinds.rest_common import (
    Dialect,
    Framework,
    actions_block,
    default_database,
    list_result,
    list_select,
    open_store,
    reports_block,
    reports_import,
    secret_key_line,
    store_import,
)
from codegen.generators.template.model import ProjectSpec
from codegen.generators.template.render import indent, module

_AUTH_IMPORTS = ["from app.accounts import USERS", "from app.auth import current_user", "from app.auth import router as auth_router"]


def main(spec: ProjectSpec) -> str:
    auth = spec.has("auth")
    lines = [
        f'"""The {spec.title} application: ``uvicorn app.main:create_app --factory``."""',
        "",
        "import os",
        *(["import secrets"] if auth else []),
        "from contextlib import asynccontextmanager",
        "",
        f"from fastapi import {'Depends, ' if auth else ''}FastAPI, Request",
        "from fastapi.responses import JSONResponse",
        "",
        *sorted([  # the app's own imports, in isort's order
            *(_AUTH_IMPORTS if auth else []),
            "from app.models import RESOURCES",
            f"from app.routes import crud_router{', report_router' if spec.options.get('reports') else ''}",
            store_import(spec),
            "from app.validation import InvalidData",
        ]),
        "",
        default_database(spec),
    ]
    signature = "database_path: str | None = None" + (", secret_key: str | None = None" if auth else "")
    body = templates.fill(
        "rest_api", "fastapi_create_app.py.tmpl",
        signature=signature,
        store=indent(open_store(spec), 4),
        title=json.dumps(spec.title),
        secret=indent(secret_key_line("app.state.secret_key"), 4) if auth else "",
        auth_router="    app.include_router(auth_router)\n" if auth else "",
        dependencies=", dependencies=[Depends(current_user)]" if auth else "",
        reports=f"    app.include_router(report_router(){', dependencies=[Depends(current_user)]' if auth else ''})\n"
        if spec.options.get("reports") else "",
    )
    return module("\n".join(lines), body)


def routes(spec: ProjectSpec) -> str:
    paginated = spec.has("pagination")
    params = ["store: StoreDep"]
    if paginated:
        params += ["limit: Annotated[int, Query(ge=1, le=100)] = 20", "offset: Annotated[int, Query(ge=0)] = 0"]
    if spec.has("search"):
        params.append('q: Annotated[str | None, Query(description="text to look for in the text fields")] = None')
    if spec.has("sorting"):
        params.append('sort: Annotated[str | None, Query(description="a field; -field sorts descending")] = None')
    sort_line = "field, descending = resource.sort_key(sort)\n" if spec.has("sorting") else ""
    list_body = indent(sort_line + list_select(spec, "store") + f"return {list_result(spec)}\n", 8)
    header = [
        '"""CRUD routes, built once per resource from its models."""',
        "",
        f"from typing import Annotated{', Generic, TypeVar' if paginated else ''}",
        "",
        f"from fastapi import APIRouter, Depends, HTTPException, {'Query, ' * (len(params) > 1)}Request, Response",
        *(["from pydantic import BaseModel"] if paginated else []),
        "",
        "from app.models import Resource",
        *reports_import(spec),
        "from app.store import Store",
        *(["", 'T = TypeVar("T")'] if paginated else []),
    ]
    page_model = templates.text("rest_api", "fastapi_page_model.py.tmpl")
    body = templates.fill(
        "rest_api", "fastapi_routes.py.tmpl",
        list_model="Paginated[read_model]" if paginated else "list[read_model]",
        list_params=params[0] if len(params) == 1 else "\n" + indent("".join(f"{p},\n" for p in params), 8) + "    ",
        list_return="dict" if paginated else "list[dict]",
        list_body=list_body,
        actions=actions_block(spec, "fastapi"),
    )
    return module("\n".join(header), page_model if paginated else "", body + reports_block(spec, "fastapi"))


# the same fields in each rest_<framework>.py, each with its own values (a deliberate parallel)
FRAMEWORK = Framework(
    name="fastapi",
    requirements=("fastapi", "uvicorn", "httpx", "pydantic", "pytest"),
    dialect=Dialect(def_="def", aw="", status="status_code", json="resp.json()"),
    run="uvicorn app.main:create_app --factory --reload  # then open http://127.0.0.1:8000/docs",
    layout=[
        ("app/main.py", "`create_app()`: the FastAPI application"),
        ("app/routes.py", "the CRUD routes, built for each resource"),
    ],
    main=main,
    routes=routes,
    test_imports="from fastapi.testclient import TestClient\n",
)
