"""The FastAPI flavour of a REST API."""

from __future__ import annotations

import json
from string import Template

from codegen.generators.template.kinds.rest_common import (
    actions_block,
    Dialect,
    conftest,
    default_database,
    list_result,
    list_select,
    open_store,
    secret_key_line,
)
from codegen.generators.template.model import ProjectSpec
from codegen.generators.template.render import code, indent, module

REQUIREMENTS = ("fastapi", "uvicorn", "httpx", "pydantic", "pytest")
PYTEST_OPTIONS: tuple[str, ...] = ()
DIALECT = Dialect(def_="def", aw="", status="status_code", json="resp.json()")
RUN = "uvicorn app.main:create_app --factory --reload  # then open http://127.0.0.1:8000/docs"
LAYOUT = [
    ("app/main.py", "`create_app()`: the FastAPI application"),
    ("app/routes.py", "the CRUD routes, built for each resource"),
]


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
        *(_AUTH_IMPORTS if auth else []),
        "from app.models import RESOURCES",
        "from app.routes import crud_router",
        "from app.store import Store",
        "from app.validation import InvalidData",
        "",
        default_database(spec),
    ]
    signature = "database_path: str | None = None" + (", secret_key: str | None = None" if auth else "")
    body = Template(
        code(
            """


            def create_app($signature) -> FastAPI:
            $store
                @asynccontextmanager
                async def lifespan(app: FastAPI):
                    yield
                    store.close()

                app = FastAPI(title=$title, version="0.1.0", lifespan=lifespan)
                app.state.store = store
            $secret    app.add_exception_handler(InvalidData, invalid_data)
            $auth_router    for resource in RESOURCES:
                    app.include_router(crud_router(resource)$dependencies)
                return app


            async def invalid_data(request: Request, exc: InvalidData) -> JSONResponse:
                return JSONResponse({"detail": exc.detail}, status_code=422)
            """
        )
    ).substitute(
        signature=signature,
        store=indent(open_store(spec), 4),
        title=json.dumps(spec.title),
        secret=indent(secret_key_line("app.state.secret_key"), 4) if auth else "",
        auth_router="    app.include_router(auth_router)\n" if auth else "",
        dependencies=", dependencies=[Depends(current_user)]" if auth else "",
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
        "from app.store import Store",
        *(["", 'T = TypeVar("T")'] if paginated else []),
    ]
    page_model = code(
        '''
        class Paginated(BaseModel, Generic[T]):
            """One page of a list, and how many items there are in all."""

            items: list[T]
            total: int
            limit: int
            offset: int
        '''
    )
    body = Template(ROUTES).substitute(
        list_model="Paginated[read_model]" if paginated else "list[read_model]",
        list_params=params[0] if len(params) == 1 else "\n" + indent("".join(f"{p},\n" for p in params), 8) + "    ",
        list_return="dict" if paginated else "list[dict]",
        list_body=list_body,
        actions=actions_block(spec, "fastapi"),
    )
    return module("\n".join(header), page_model if paginated else "", body)


ROUTES = code(
    '''


    def get_store(request: Request) -> Store:
        return request.app.state.store


    StoreDep = Annotated[Store, Depends(get_store)]


    def crud_router(resource: Resource) -> APIRouter:
        router = APIRouter(prefix=f"/{resource.name}", tags=[resource.name])
        create_model, patch_model, read_model = resource.create, resource.patch, resource.read

        def found(store: Store, item_id: int) -> dict:
            item = store.get(resource.name, item_id)
            if item is None:
                raise HTTPException(404, f"{resource.label} not found")
            return item

        @router.post("", response_model=read_model, status_code=201)
        def create(body: create_model, store: StoreDep) -> dict:
            return store.create(resource.name, body.model_dump(mode="json"))

        @router.get("", response_model=$list_model)
        def list_items($list_params) -> $list_return:
    $list_body
        @router.get("/{item_id}", response_model=read_model)
        def read(item_id: int, store: StoreDep) -> dict:
            return found(store, item_id)

        @router.put("/{item_id}", response_model=read_model)
        def replace(item_id: int, body: create_model, store: StoreDep) -> dict:
            found(store, item_id)
            return store.update(resource.name, item_id, body.model_dump(mode="json"))

        @router.patch("/{item_id}", response_model=read_model)
        def update(item_id: int, body: patch_model, store: StoreDep) -> dict:
            current = found(store, item_id)
            changes = body.model_dump(mode="json", exclude_unset=True)
            return store.update(resource.name, item_id, resource.patched(current, changes))

        @router.delete("/{item_id}", status_code=204)
        def delete(item_id: int, store: StoreDep) -> Response:
            if not store.delete(resource.name, item_id):
                raise HTTPException(404, f"{resource.label} not found")
            return Response(status_code=204)

    $actions    return router
    '''
)

AUTH = code(
    '''
    """Registration, login and the bearer-token check of protected routes."""

    from typing import Annotated

    from fastapi import APIRouter, Depends, HTTPException, Request
    from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

    from app.accounts import Credentials, authenticate, login, register
    from app.routes import StoreDep

    router = APIRouter(prefix="/auth", tags=["auth"])
    _bearer = HTTPBearer(auto_error=False)


    def _unauthorized(detail: str) -> HTTPException:
        return HTTPException(401, detail, headers={"WWW-Authenticate": "Bearer"})


    def current_user(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
        store: StoreDep,
    ) -> dict:
        token = credentials.credentials if credentials else ""
        user = authenticate(store, request.app.state.secret_key, token)
        if user is None:
            raise _unauthorized("Not authenticated")
        return user


    @router.post("/register", status_code=201)
    def register_account(body: Credentials, store: StoreDep) -> dict:
        user = register(store, body.username, body.password)
        if user is None:
            raise HTTPException(409, "Username already taken")
        return user


    @router.post("/login")
    def log_in(body: Credentials, request: Request, store: StoreDep) -> dict:
        token = login(store, request.app.state.secret_key, body.username, body.password)
        if token is None:
            raise _unauthorized("Invalid username or password")
        return token


    @router.get("/me")
    def me(user: Annotated[dict, Depends(current_user)]) -> dict:
        return user
    '''
)


def fixtures(spec: ProjectSpec) -> str:
    # the credentials and fast-hashing fixtures come from rest_common.conftest
    if spec.has("auth"):
        clients = code(
            '''
            @pytest.fixture
            def anon_client():
                with TestClient(create_app(database_path=":memory:", secret_key="test-secret")) as client:
                    yield client


            @pytest.fixture
            def client(anon_client, credentials):
                """A client sending the access token of a registered user."""
                anon_client.post("/auth/register", json=credentials)
                token = anon_client.post("/auth/login", json=credentials).json()["access_token"]
                anon_client.headers["Authorization"] = f"Bearer {token}"
                return anon_client
            '''
        )
    else:
        clients = code(
            '''
            @pytest.fixture
            def client():
                with TestClient(create_app(database_path=":memory:")) as client:
                    yield client
            '''
        )
    return conftest(spec, clients, framework_imports="from fastapi.testclient import TestClient\n")
