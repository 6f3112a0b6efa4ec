"""The aiohttp flavour of a REST API."""

from __future__ import annotations

from string import Template

from codegen.generators.template.kinds.rest_common import (
    actions_block,
    Dialect,
    conftest,
    default_database,
    list_query,
    list_result,
    list_select,
    open_store,
    secret_key_line,
    validation_imports,
)
from codegen.generators.template.model import ProjectSpec
from codegen.generators.template.render import code, indent, module

REQUIREMENTS = ("aiohttp", "pydantic", "pytest", "pytest-aiohttp")
PYTEST_OPTIONS = ("asyncio_mode = auto", "asyncio_default_fixture_loop_scope = function")
DIALECT = Dialect(def_="async def", aw="await ", status="status", json="(await resp.json())")
RUN = "python -m app.main  # http://127.0.0.1:8080 (PORT to change it)"
LAYOUT = [
    ("app/main.py", "`create_app()`: the aiohttp application and its JSON error middleware"),
    ("app/routes.py", "the CRUD routes, built for each resource"),
]


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
            *(_AUTH_IMPORTS if auth else []),
            "from app.models import RESOURCES",
            "from app.routes import STORE, crud_routes",
            "from app.store import Store",
            "from app.validation import InvalidData",
            "",
            default_database(spec),
        ]
    )
    middleware = code(
        '''
        @web.middleware
        async def json_errors(request: web.Request, handler) -> web.StreamResponse:
            """Every error as {"detail": ...}: invalid data, unknown routes, wrong methods."""
            try:
                return await handler(request)
            except InvalidData as exc:
                return web.json_response({"detail": exc.detail}, status=422)
            except web.HTTPException as exc:
                if exc.status < 400 or exc.content_type == "application/json":
                    raise
                headers = {name: value for name, value in exc.headers.items() if name.lower() == "allow"}
                return web.json_response({"detail": exc.reason}, status=exc.status, headers=headers)
        '''
    )
    middlewares = "json_errors, require_token(protected)" if auth else "json_errors"
    create_app = Template(
        code(
            '''
            def create_app($signature) -> web.Application:
            $protected    app = web.Application(middlewares=[$middlewares])
            $store    app[STORE] = store
            $secret    app.on_cleanup.append(close_store)
            $auth_routes    for resource in RESOURCES:
                    app.router.add_routes(crud_routes(resource))
                return app


            async def close_store(app: web.Application) -> None:
                app[STORE].close()


            if __name__ == "__main__":
                web.run_app(create_app(), port=int(os.environ.get("PORT", "8080")))
            '''
        )
    ).substitute(
        signature="database_path: str | None = None" + (", secret_key: str | None = None" if auth else ""),
        middlewares=middlewares,
        protected='    protected = tuple(f"/{resource.name}" for resource in RESOURCES)\n' if auth else "",
        store=indent(open_store(spec), 4),
        secret=indent(secret_key_line("app[SECRET_KEY]"), 4) if auth else "",
        auth_routes="    app.router.add_routes(auth_routes)\n" if auth else "",
    )
    return module(header, middleware, create_app)


def routes(spec: ProjectSpec) -> str:
    header = code(
        f'''
        """CRUD routes, built once per resource from its models.

        The store answers from a local SQLite database in well under a millisecond,
        so the handlers call it directly instead of through a thread pool.
        """

        import json

        from aiohttp import web

        from app.models import Resource
        from app.store import Store
        from app.validation import {validation_imports(spec)}

        STORE = web.AppKey("store", Store)
        '''
    )
    list_body = list_query(spec, "request.query") + list_select(spec, "store")
    list_body += f"return web.json_response({list_result(spec)})\n"
    body = Template(ROUTES).substitute(
        list_body=indent(list_body, 8), actions=actions_block(spec, "aiohttp"), more=" + actions" if spec.options.get("actions") else ""
    )
    return module(header, body)


ROUTES = code(
    r'''
    def json_error(error: type[web.HTTPException], detail: str, **headers: str) -> web.HTTPException:
        """An HTTP error with the body {"detail": ...}."""
        return error(text=json.dumps({"detail": detail}), content_type="application/json", headers=headers or None)


    async def json_body(request: web.Request) -> object:
        """The JSON body, or None when it is not JSON (the model check then rejects it)."""
        try:
            return await request.json()
        except json.JSONDecodeError:
            return None


    def crud_routes(resource: Resource) -> list[web.RouteDef]:
        def found(request: web.Request) -> dict:
            item = request.app[STORE].get(resource.name, int(request.match_info["item_id"]))
            if item is None:
                raise json_error(web.HTTPNotFound, f"{resource.label} not found")
            return item

        async def create(request: web.Request) -> web.Response:
            data = validated(resource.create, await json_body(request))
            return web.json_response(request.app[STORE].create(resource.name, data), status=201)

        async def list_items(request: web.Request) -> web.Response:
            store = request.app[STORE]
    $list_body
        async def read(request: web.Request) -> web.Response:
            return web.json_response(found(request))

        async def replace(request: web.Request) -> web.Response:
            current = found(request)
            data = validated(resource.create, await json_body(request))
            return web.json_response(request.app[STORE].update(resource.name, current["id"], data))

        async def update(request: web.Request) -> web.Response:
            current = found(request)
            changes = validated(resource.patch, await json_body(request), partial=True)
            data = resource.patched(current, changes)
            return web.json_response(request.app[STORE].update(resource.name, current["id"], data))

        async def delete(request: web.Request) -> web.Response:
            current = found(request)
            request.app[STORE].delete(resource.name, current["id"])
            return web.Response(status=204)

    $actions    collection, one = f"/{resource.name}", rf"/{resource.name}/{{item_id:\d+}}"
        return [
            web.post(collection, create),
            web.get(collection, list_items),
            web.get(one, read),
            web.put(one, replace),
            web.patch(one, update),
            web.delete(one, delete),
        ]$more
    '''
)

AUTH = code(
    '''
    """Registration, login and the bearer-token check of protected routes."""

    from aiohttp import web

    from app.accounts import Credentials, authenticate, bearer_token, login, register
    from app.routes import STORE, json_body, json_error
    from app.validation import validated

    SECRET_KEY = web.AppKey("secret_key", str)


    def current_user(request: web.Request) -> dict:
        token = bearer_token(request.headers.get("Authorization"))
        user = authenticate(request.app[STORE], request.app[SECRET_KEY], token)
        if user is None:
            raise json_error(web.HTTPUnauthorized, "Not authenticated", **{"WWW-Authenticate": "Bearer"})
        return user


    def require_token(protected: tuple[str, ...]):
        """A middleware answering 401 to requests under the ``protected`` paths without a valid token."""

        @web.middleware
        async def middleware(request: web.Request, handler) -> web.StreamResponse:
            if any(request.path == path or request.path.startswith(path + "/") for path in protected):
                current_user(request)
            return await handler(request)

        return middleware


    async def register_account(request: web.Request) -> web.Response:
        body = validated(Credentials, await json_body(request))
        user = register(request.app[STORE], body["username"], body["password"])
        if user is None:
            raise json_error(web.HTTPConflict, "Username already taken")
        return web.json_response(user, status=201)


    async def log_in(request: web.Request) -> web.Response:
        body = validated(Credentials, await json_body(request))
        token = login(request.app[STORE], request.app[SECRET_KEY], body["username"], body["password"])
        if token is None:
            raise json_error(web.HTTPUnauthorized, "Invalid username or password", **{"WWW-Authenticate": "Bearer"})
        return web.json_response(token)


    async def me(request: web.Request) -> web.Response:
        return web.json_response(current_user(request))


    auth_routes = [
        web.post("/auth/register", register_account),
        web.post("/auth/login", log_in),
        web.get("/auth/me", me),
    ]
    '''
)


def fixtures(spec: ProjectSpec) -> str:
    # the credentials and fast-hashing fixtures come from rest_common.conftest
    if spec.has("auth"):
        clients = code(
            '''
            @pytest.fixture
            async def anon_client(aiohttp_client):
                return await aiohttp_client(create_app(database_path=":memory:", secret_key="test-secret"))


            @pytest.fixture
            async def client(anon_client, credentials):
                """A client sending the access token of a registered user."""
                await anon_client.post("/auth/register", json=credentials)
                resp = await anon_client.post("/auth/login", json=credentials)
                token = (await resp.json())["access_token"]
                anon_client.session.headers["Authorization"] = f"Bearer {token}"
                return anon_client
            '''
        )
    else:
        clients = code(
            '''
            @pytest.fixture
            async def client(aiohttp_client):
                return await aiohttp_client(create_app(database_path=":memory:"))
            '''
        )
    return conftest(spec, clients)
