"""The Flask flavour of a REST API."""

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

REQUIREMENTS = ("flask", "pydantic", "pytest")
PYTEST_OPTIONS: tuple[str, ...] = ()
DIALECT = Dialect(def_="def", aw="", status="status_code", json="resp.get_json()")
RUN = "flask --app app.main run  # http://127.0.0.1:5000"
LAYOUT = [
    ("app/main.py", "`create_app()`: the Flask application and its JSON error handlers"),
    ("app/routes.py", "the CRUD routes, a blueprint for each resource"),
]


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
            *(_AUTH_IMPORTS if auth else []),
            "from app.models import RESOURCES",
            "from app.routes import crud_blueprint",
            "from app.store import Store",
            "from app.validation import InvalidData",
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
    create_app = Template(
        code(
            '''
            def create_app($signature) -> Flask:
                app = Flask(__name__)
            $store    app.extensions["store"] = store
            $secret    app.register_error_handler(InvalidData, invalid_data)
                app.register_error_handler(HTTPException, http_error)
            $register    return app
            '''
        )
    ).substitute(
        signature="database_path: str | None = None" + (", secret_key: str | None = None" if auth else ""),
        store=indent(open_store(spec), 4),
        secret=indent(secret_key_line('app.config["SECRET_KEY"]'), 4) if auth else "",
        register=register,
    )
    handlers = code(
        '''
        def invalid_data(exc: InvalidData):
            return jsonify(detail=exc.detail), 422


        def http_error(exc: HTTPException):
            """Errors as {"detail": ...}: the message given when raised, else the status name."""
            detail = exc.description if exc.description != type(exc).description else exc.name
            response = jsonify(detail=detail)
            response.status_code = exc.code
            for name, value in exc.get_headers():
                if name.lower() != "content-type":
                    response.headers[name] = value
            if exc.code == 401:
                response.headers["WWW-Authenticate"] = "Bearer"
            return response
        '''
    )
    return module(header, create_app, handlers)


def routes(spec: ProjectSpec) -> str:
    header = code(
        f'''
        """CRUD routes, a blueprint per resource built from its models."""

        from flask import Blueprint, current_app, request
        from werkzeug.exceptions import NotFound

        from app.models import Resource
        from app.store import Store
        from app.validation import {validation_imports(spec)}
        '''
    )
    list_body = list_query(spec, "request.args") + list_select(spec, "get_store()") + f"return {list_result(spec)}\n"
    body = Template(ROUTES).substitute(
        list_body=indent(list_body, 8), actions=actions_block(spec, "flask")
    )
    return module(header, body)


ROUTES = code(
    '''
    def get_store() -> Store:
        return current_app.extensions["store"]


    def crud_blueprint(resource: Resource) -> Blueprint:
        blueprint = Blueprint(resource.name, __name__, url_prefix=f"/{resource.name}")

        def found(item_id: int) -> dict:
            item = get_store().get(resource.name, item_id)
            if item is None:
                raise NotFound(f"{resource.label} not found")
            return item

        @blueprint.post("")
        def create():
            data = validated(resource.create, request.get_json(silent=True))
            return get_store().create(resource.name, data), 201

        @blueprint.get("")
        def list_items():
    $list_body
        @blueprint.get("/<int:item_id>")
        def read(item_id: int):
            return found(item_id)

        @blueprint.put("/<int:item_id>")
        def replace(item_id: int):
            found(item_id)
            data = validated(resource.create, request.get_json(silent=True))
            return get_store().update(resource.name, item_id, data)

        @blueprint.patch("/<int:item_id>")
        def update(item_id: int):
            current = found(item_id)
            changes = validated(resource.patch, request.get_json(silent=True), partial=True)
            return get_store().update(resource.name, item_id, resource.patched(current, changes))

        @blueprint.delete("/<int:item_id>")
        def delete(item_id: int):
            if not get_store().delete(resource.name, item_id):
                raise NotFound(f"{resource.label} not found")
            return "", 204

    $actions    return blueprint
    '''
)

AUTH = code(
    '''
    """Registration, login and the bearer-token check of protected routes."""

    from flask import Blueprint, current_app, request
    from werkzeug.exceptions import Conflict, Unauthorized

    from app.accounts import Credentials, authenticate, bearer_token, login, register
    from app.routes import get_store
    from app.validation import validated

    blueprint = Blueprint("auth", __name__, url_prefix="/auth")


    def current_user() -> dict:
        token = bearer_token(request.headers.get("Authorization"))
        user = authenticate(get_store(), current_app.config["SECRET_KEY"], token)
        if user is None:
            raise Unauthorized("Not authenticated")
        return user


    def require_user() -> None:
        """Runs before every protected route: 401 without a valid access token.

        A before_request hook must return None: Flask would answer with anything else.
        """
        current_user()


    @blueprint.post("/register")
    def register_account():
        body = validated(Credentials, request.get_json(silent=True))
        user = register(get_store(), body["username"], body["password"])
        if user is None:
            raise Conflict("Username already taken")
        return user, 201


    @blueprint.post("/login")
    def log_in():
        body = validated(Credentials, request.get_json(silent=True))
        token = login(get_store(), current_app.config["SECRET_KEY"], body["username"], body["password"])
        if token is None:
            raise Unauthorized("Invalid username or password")
        return token


    @blueprint.get("/me")
    def me():
        return current_user()
    '''
)


def fixtures(spec: ProjectSpec) -> str:
    # the credentials and fast-hashing fixtures come from rest_common.conftest
    if spec.has("auth"):
        clients = code(
            '''
            @pytest.fixture
            def anon_client():
                app = create_app(database_path=":memory:", secret_key="test-secret")
                yield app.test_client()
                app.extensions["store"].close()


            @pytest.fixture
            def client(anon_client, credentials):
                """A client sending the access token of a registered user."""
                anon_client.post("/auth/register", json=credentials)
                token = anon_client.post("/auth/login", json=credentials).get_json()["access_token"]
                anon_client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
                return anon_client
            '''
        )
    else:
        clients = code(
            '''
            @pytest.fixture
            def client():
                app = create_app(database_path=":memory:")
                yield app.test_client()
                app.extensions["store"].close()
            '''
        )
    return conftest(spec, clients)
