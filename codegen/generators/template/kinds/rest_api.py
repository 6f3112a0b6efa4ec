"""REST APIs: CRUD for each entity, optional token auth, SQLite storage.

The framework-independent files (models, storage, validation, security,
tests, README) are written here; each framework module provides the app
(``main``), the routes (``routes``), the auth glue (``AUTH``) and the test
fixtures (``fixtures``).
"""

from __future__ import annotations

from string import Template

from codegen.generators.template import render, templates
from codegen.generators.template.kinds import rest_aiohttp, rest_fastapi, rest_flask
from codegen.generators.template.kinds.rest_common import Dialect
from codegen.generators.template.model import (
    FEATURE_LABELS,
    FRAMEWORK_LABELS,
    Context,
    EntitySpec,
    ProjectSpec,
    default_entities,
)
from codegen.generators.template.render import code, py_dict, sample_record
from codegen.generators.template.words import article, camel, human_list, title

FRAMEWORKS = {"fastapi": rest_fastapi, "flask": rest_flask, "aiohttp": rest_aiohttp}


def complete(spec: ProjectSpec, context: Context) -> None:
    default_entities(spec, context, what="resources")


def capabilities(spec: ProjectSpec) -> frozenset[str]:
    return frozenset({"entities", "fields", "framework", "store", *FEATURE_LABELS})


def describe(spec: ProjectSpec) -> str:
    parts = [f"{article(FRAMEWORK_LABELS[spec.framework])} REST API with {', '.join(e.plural for e in spec.entities)}"]
    parts += [FEATURE_LABELS[f] for f in spec.features]
    if spec.store == "memory":
        parts.append("in-memory store")
    return "; ".join(parts)


def render_files(spec: ProjectSpec) -> dict[str, str]:
    framework = FRAMEWORKS[spec.framework]
    files = {
        "app/__init__.py": render.package_docstring(spec),
        "app/models.py": _models(spec),
        "app/store.py": STORE,
        "app/validation.py": VALIDATION,
        "pytest.ini": render.pytest_ini(*framework.PYTEST_OPTIONS),
        "requirements.txt": render.requirements(*framework.REQUIREMENTS),
        "README.md": _readme(spec, framework),
        "app/main.py": framework.main(spec),
        "app/routes.py": framework.routes(spec),
        "tests/conftest.py": framework.fixtures(spec),
    }
    if spec.has("auth"):
        files["app/auth.py"] = framework.AUTH
        files["app/accounts.py"] = ACCOUNTS
        files["tests/test_auth.py"] = _auth_tests(spec, framework.DIALECT)
    for entity in spec.entities:
        files[f"tests/test_{entity.plural}.py"] = _entity_tests(spec, entity, framework.DIALECT)
    return files


# -- app/models.py -------------------------------------------------------------


# a field named like its type ("date: date | None = None") hides the type in the class body: such
# models import the module instead and write dt.date
_SHADOWING = frozenset({"date", "datetime"})


def _shadowed(entity_fields: list) -> bool:
    return any(f.name in _SHADOWING for f in entity_fields)


def _annotation(field, *, partial: bool, module_types: bool = False) -> str:
    python_type = render.PY_TYPES[field.type]
    if module_types and field.type in _SHADOWING:
        python_type = f"dt.{python_type}"
    checks = {k: v for k, v in field.rules.items() if k not in ("choices", "default")}
    if "choices" in field.rules:
        python_type = "Literal[" + ", ".join(render.py_value(c) for c in field.rules["choices"]) + "]"
    if checks:
        python_type = f"Annotated[{python_type}, Field({', '.join(f'{k}={v!r}' for k, v in checks.items())})]"
    if partial:
        return f"{python_type} | None = None"
    if "default" in field.rules:
        return f"{python_type} = {render.py_value(field.rules['default'])}"
    if field.type == "bool":
        return f"{python_type} = False"
    return python_type if field.required else f"{python_type} | None = None"


def _model_classes(entity: EntitySpec, module_types: bool) -> str:
    name, label = camel(entity.name), title(entity.name).lower()
    full = "\n".join(f"    {f.name}: {_annotation(f, partial=False, module_types=module_types)}" for f in entity.fields)
    partial = "\n".join(f"    {f.name}: {_annotation(f, partial=True, module_types=module_types)}" for f in entity.fields)
    create_doc = f"{article(label).capitalize()} as clients send it (POST and PUT)."
    patch_doc = f"A partial update of {article(label)} (PATCH): only the fields sent change."
    return (
        f'class {name}In(BaseModel):\n    """{create_doc}"""\n\n{full}\n\n\n'
        f'class {name}Patch(BaseModel):\n    """{patch_doc}"""\n\n{partial}\n\n\n'
        f'class {name}({name}In):\n    """A stored {label}."""\n\n    id: int\n'
    )


def _resource_entry(spec: ProjectSpec, entity: EntitySpec) -> str:
    name = camel(entity.name)
    args = [f'"{entity.plural}"', f'"{title(entity.name)}"', f"{name}In", f"{name}Patch", name]
    if spec.has("search"):
        text_fields = [f.name for f in entity.fields if f.type == "str"]
        args.append(f"search_fields={_tuple(text_fields)}")
    if spec.has("sorting"):
        args.append(f"sort_fields={_tuple([f.name for f in entity.fields])}")
    actions = (spec.options.get("actions") or {}).get(entity.plural)
    if actions:
        entries = "".join(f"({render.py_value(n)}, {render.py_value(f)}, {v!r}), " for n, f, v in actions)
        args.append(f"actions=({entries.rstrip(' ')})")
    line = f"    Resource({', '.join(args)}),"
    if len(line) <= 100:
        return line
    return "    Resource(\n" + "".join(f"        {arg},\n" for arg in args) + "    ),"


def _tuple(names: list[str]) -> str:
    inner = ", ".join(f'"{n}"' for n in names)
    return f"({inner},)" if len(names) == 1 else f"({inner})"


def _models(spec: ProjectSpec) -> str:
    fields = render.all_fields(spec)
    resource_fields = []
    methods = [RESOURCE_PATCHED]
    if spec.has("search"):
        resource_fields.append("    search_fields: tuple[str, ...] = ()  # text fields matched by ?q=")
    if spec.has("sorting"):
        resource_fields.append("    sort_fields: tuple[str, ...] = ()  # fields accepted by ?sort=")
        methods.append(RESOURCE_SORT_KEY)
    if spec.options.get("actions"):
        resource_fields.append(
            "    # (name, field, value): POST /<resource>/<id>/<name> sets the true/false field to value\n"
            "    actions: tuple[tuple[str, str, bool], ...] = ()"
        )
    header = code(
        '''
        """Request and response models of every resource, and what the routes need to serve them."""

        from dataclasses import dataclass
        '''
    )
    typing = sorted({"Annotated" for f in fields if set(f.rules) - {"choices", "default"}}
                    | {"Literal" for f in fields if "choices" in f.rules})
    typing_import = f"from typing import {', '.join(typing)}\n" if typing else ""
    pydantic = "BaseModel, Field" if "Annotated" in typing else "BaseModel"
    module_types = _shadowed(fields)
    dates = "import datetime as dt\n" if module_types else render.module_imports(fields)
    imports = dates + typing_import
    imports += f"\nfrom pydantic import {pydantic}\n\nfrom app.validation import "
    imports += "InvalidData, validated\n" if spec.has("sorting") else "validated\n"
    classes = "\n\n".join(_model_classes(entity, module_types) for entity in spec.entities)
    resource = Template(RESOURCE).substitute(
        fields="\n".join(resource_fields) + ("\n" if resource_fields else ""),
        methods="\n".join(methods),
    )
    entries = "\n".join(_resource_entry(spec, entity) for entity in spec.entities)
    return f"{header}{imports}\n\n{classes}\n\n{resource.rstrip()}\n\n\nRESOURCES = (\n{entries}\n)\n"


RESOURCE = code(
    '''
    @dataclass(frozen=True)
    class Resource:
        """One resource: its URL segment (also its table), its label and its models."""

        name: str
        label: str
        create: type[BaseModel]
        patch: type[BaseModel]
        read: type[BaseModel]
    $fields
    $methods
    '''
)

RESOURCE_PATCHED = '''    def patched(self, current: dict, changes: dict) -> dict:
        """``current`` with ``changes`` applied, checked as a whole (raises InvalidData)."""
        merged = {key: value for key, value in current.items() if key != "id"} | changes
        return validated(self.create, merged)
'''

RESOURCE_SORT_KEY = '''    def sort_key(self, sort: str | None) -> tuple[str | None, bool]:
        """``?sort=title`` -> ("title", ascending); ``-title`` sorts descending."""
        if sort is None:
            return None, False
        field = sort.removeprefix("-")
        if field not in self.sort_fields:
            choices = ", ".join(self.sort_fields)
            raise InvalidData(
                [{"type": "enum", "loc": ["query", "sort"], "msg": f"Input should be one of: {choices}", "input": sort}]
            )
        return field, sort.startswith("-")
'''

# -- static modules -------------------------------------------------------------

STORE = code(
    r'''
    """SQLite storage: one table per resource, one JSON document per row.

    Documents are checked by the models in app/models.py before they get here,
    so adding a field to a resource needs no migration. The connection is shared
    by the request threads and guarded by a lock.
    """

    import json
    import sqlite3
    import threading


    class Store:
        def __init__(self, path: str, tables: list[str]) -> None:
            self._db = sqlite3.connect(path, check_same_thread=False)
            self._lock = threading.Lock()
            self._tables = frozenset(tables)
            with self._lock, self._db:
                for table in tables:
                    self._db.execute(
                        f'CREATE TABLE IF NOT EXISTS "{table}" (id INTEGER PRIMARY KEY AUTOINCREMENT, data TEXT NOT NULL)'
                    )

        def close(self) -> None:
            self._db.close()

        def create(self, table: str, data: dict, *, unique: str | None = None) -> dict | None:
            """Insert ``data``; None when ``unique`` names a field whose value is already taken."""
            self._check(table, unique)
            with self._lock, self._db:
                if unique is not None and self._find(table, unique, data[unique]) is not None:
                    return None
                cursor = self._db.execute(f'INSERT INTO "{table}" (data) VALUES (?)', (json.dumps(data),))
            return {"id": cursor.lastrowid, **data}

        def get(self, table: str, item_id: int) -> dict | None:
            self._check(table)
            with self._lock:
                row = self._db.execute(f'SELECT id, data FROM "{table}" WHERE id = ?', (item_id,)).fetchone()
            return _document(row)

        def find(self, table: str, field: str, value: object) -> dict | None:
            """The first document whose ``field`` equals ``value``."""
            self._check(table, field)
            with self._lock:
                return self._find(table, field, value)

        def select(
            self,
            table: str,
            *,
            offset: int = 0,
            limit: int | None = None,
            search: str | None = None,
            search_fields: tuple[str, ...] = (),
            sort: str | None = None,
            descending: bool = False,
        ) -> tuple[list[dict], int]:
            """Documents in order, and how many match ``search`` in all."""
            self._check(table, sort, *search_fields)
            where, params = "", []
            if search and search_fields:
                where = " WHERE " + " OR ".join(f"json_extract(data, '$.{f}') LIKE ? ESCAPE '\\'" for f in search_fields)
                pattern = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
                params = [f"%{pattern}%"] * len(search_fields)
            order = "id"
            if sort is not None:
                order = f"json_extract(data, '$.{sort}') {'DESC' if descending else 'ASC'}, id"
            with self._lock:
                total = self._db.execute(f'SELECT COUNT(*) FROM "{table}"{where}', params).fetchone()[0]
                rows = self._db.execute(
                    f'SELECT id, data FROM "{table}"{where} ORDER BY {order} LIMIT ? OFFSET ?',
                    [*params, -1 if limit is None else limit, offset],
                ).fetchall()
            return [_document(row) for row in rows], total

        def update(self, table: str, item_id: int, data: dict) -> dict | None:
            """Replace a document; None when there is none with this id."""
            self._check(table)
            with self._lock, self._db:
                cursor = self._db.execute(f'UPDATE "{table}" SET data = ? WHERE id = ?', (json.dumps(data), item_id))
            return {"id": item_id, **data} if cursor.rowcount else None

        def delete(self, table: str, item_id: int) -> bool:
            self._check(table)
            with self._lock, self._db:
                cursor = self._db.execute(f'DELETE FROM "{table}" WHERE id = ?', (item_id,))
            return cursor.rowcount > 0

        def _find(self, table: str, field: str, value: object) -> dict | None:
            row = self._db.execute(
                f"SELECT id, data FROM \"{table}\" WHERE json_extract(data, '$.{field}') = ?", (value,)
            ).fetchone()
            return _document(row)

        def _check(self, table: str, *fields: str | None) -> None:
            # table and field names end up in SQL text: only known tables and plain identifiers pass
            if table not in self._tables:
                raise KeyError(f"unknown table {table!r}")
            for name in fields:
                if name is not None and not name.isidentifier():
                    raise ValueError(f"invalid field name {name!r}")


    def _document(row: tuple | None) -> dict | None:
        if row is None:
            return None
        return {"id": row[0], **json.loads(row[1])}
    '''
)

VALIDATION = code(
    '''
    """Checking request data against the models, the same way for every route."""

    from pydantic import BaseModel, ValidationError


    class InvalidData(ValueError):
        """Data that does not fit; ``detail`` lists the problems in pydantic's shape."""

        def __init__(self, detail: list[dict]) -> None:
            super().__init__("invalid data")
            self.detail = detail


    def validated(model: type[BaseModel], data: object, *, partial: bool = False) -> dict:
        """``data`` checked against ``model``, as JSON-ready values (only the fields sent when ``partial``)."""
        if not isinstance(data, dict):
            problem = {"type": "model_attributes_type", "loc": ["body"], "msg": "Input should be an object", "input": data}
            raise InvalidData([problem])
        try:
            return model.model_validate(data).model_dump(mode="json", exclude_unset=partial)
        except ValidationError as exc:
            problems = exc.errors(include_url=False, include_context=False)
            raise InvalidData([{**problem, "loc": ["body", *problem["loc"]]} for problem in problems]) from None


    def query_int(value: str | None, *, name: str, default: int, minimum: int, maximum: int | None = None) -> int:
        """A whole-number query parameter within bounds (raises InvalidData)."""
        if value is None:
            return default
        try:
            number = int(value)
        except ValueError:
            number = None
        if number is None or number < minimum or (maximum is not None and number > maximum):
            bounds = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
            message = f"Input should be a whole number {bounds}"
            raise InvalidData([{"type": "int_parsing", "loc": ["query", name], "msg": message, "input": value}])
        return number
    '''
)

ACCOUNTS = code(
    '''
    """User accounts: registration, login and access tokens (HS256 JSON Web Tokens).

    Framework-independent; app/auth.py connects it to the routes. Passwords are
    stored as salted scrypt hashes.
    """

    import base64
    import hashlib
    import hmac
    import json
    import secrets
    import time

    from pydantic import BaseModel, Field

    from app.store import Store

    USERS = "auth_users"  # the table of accounts
    TOKEN_TTL_SECONDS = 3600
    # scrypt cost: about 50 ms a hash, slow enough to make guessing expensive (the tests lower it)
    SCRYPT_PARAMS = {"n": 2**14, "r": 8, "p": 1}


    class Credentials(BaseModel):
        username: str = Field(min_length=3, max_length=64)
        password: str = Field(min_length=8, max_length=128)


    def register(store: Store, username: str, password: str) -> dict | None:
        """The new account, or None when the username is taken."""
        user = store.create(USERS, {"username": username, "password_hash": hash_password(password)}, unique="username")
        return None if user is None else _public(user)


    def login(store: Store, secret: str, username: str, password: str) -> dict | None:
        """An access token for valid credentials, else None."""
        user = store.find(USERS, "username", username)
        if user is None or not verify_password(password, user["password_hash"]):
            return None
        return {"access_token": create_token(user["id"], secret), "token_type": "bearer", "expires_in": TOKEN_TTL_SECONDS}


    def authenticate(store: Store, secret: str, token: str) -> dict | None:
        """The account a valid access token was issued to, else None."""
        user_id = decode_token(token, secret)
        user = store.get(USERS, user_id) if user_id is not None else None
        return None if user is None else _public(user)


    def bearer_token(authorization: str | None) -> str:
        """The token of an ``Authorization: Bearer <token>`` header, else an empty string."""
        scheme, _, token = (authorization or "").partition(" ")
        return token.strip() if scheme.lower() == "bearer" else ""


    def hash_password(password: str) -> str:
        salt = secrets.token_bytes(16)
        digest = hashlib.scrypt(password.encode(), salt=salt, **SCRYPT_PARAMS)
        return f"scrypt${salt.hex()}${digest.hex()}"


    def verify_password(password: str, stored: str) -> bool:
        _, salt, digest = stored.split("$")
        candidate = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), **SCRYPT_PARAMS)
        return hmac.compare_digest(candidate.hex(), digest)


    def create_token(user_id: int, secret: str, ttl: int = TOKEN_TTL_SECONDS) -> str:
        header = _encode({"alg": "HS256", "typ": "JWT"})
        payload = _encode({"sub": str(user_id), "exp": int(time.time()) + ttl})
        return f"{header}.{payload}.{_sign(f'{header}.{payload}', secret)}"


    def decode_token(token: str, secret: str) -> int | None:
        """The user id of a valid, unexpired token, else None."""
        parts = token.split(".")
        if len(parts) != 3 or not hmac.compare_digest(_sign(f"{parts[0]}.{parts[1]}", secret), parts[2]):
            return None
        try:
            claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
            if claims["exp"] < time.time():
                return None
            return int(claims["sub"])
        except (ValueError, KeyError, TypeError):
            return None


    def _public(user: dict) -> dict:
        return {"id": user["id"], "username": user["username"]}


    def _encode(data: dict) -> str:
        raw = json.dumps(data, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


    def _sign(message: str, secret: str) -> str:
        digest = hmac.new(secret.encode(), message.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    '''
)

# -- tests -----------------------------------------------------------------------


def _entity_tests(spec: ProjectSpec, entity: EntitySpec, dialect: Dialect) -> str:
    url = f"/{entity.plural}"
    first = entity.fields[0]
    changed = sample_record(entity, 1)
    blocks = [
        f'"""Tests of the {url} endpoints."""\n\nPAYLOAD = {py_dict(sample_record(entity))}\nCHANGED = {py_dict(changed)}\n',
        dialect.fill(
            """
            $def create(client, payload=PAYLOAD):
                resp = ${aw}client.post("$url", json=payload)
                assert resp.$status == 201
                return $json


            $def test_create_and_read(client):
                created = ${aw}create(client)
                assert isinstance(created["id"], int)
                assert {key: created[key] for key in PAYLOAD} == PAYLOAD
                resp = ${aw}client.get(f"$url/{created['id']}")
                assert resp.$status == 200
                assert $json == created


            $def test_replace(client):
                created = ${aw}create(client)
                resp = ${aw}client.put(f"$url/{created['id']}", json=CHANGED)
                assert resp.$status == 200
                assert $json == {**CHANGED, "id": created["id"]}


            $def test_patch_changes_only_the_fields_sent(client):
                created = ${aw}create(client)
                resp = ${aw}client.patch(f"$url/{created['id']}", json={"$first": CHANGED["$first"]})
                assert resp.$status == 200
                assert $json == {**created, "$first": CHANGED["$first"]}


            $def test_delete(client):
                created = ${aw}create(client)
                resp = ${aw}client.delete(f"$url/{created['id']}")
                assert resp.$status == 204
                resp = ${aw}client.get(f"$url/{created['id']}")
                assert resp.$status == 404


            $def test_unknown_id_is_404(client):
                assert (${aw}client.get("$url/999")).$status == 404
                assert (${aw}client.put("$url/999", json=PAYLOAD)).$status == 404
                assert (${aw}client.patch("$url/999", json={})).$status == 404
                assert (${aw}client.delete("$url/999")).$status == 404
            """,
            url=url,
            first=first.name,
        ),
        _list_test(spec, url, dialect),
    ]
    blocks += _invalid_tests(entity, url, dialect)
    blocks += _rule_tests(entity, url, dialect)
    for name, field, value in (spec.options.get("actions") or {}).get(entity.plural, []):
        blocks.append(dialect.fill(templates.text("rest_api", "test_action.py.tmpl"), url=url, action=name,
                                   field=field, before=repr(not value), after=repr(value)))
    items = f'{dialect.json}["items"]' if spec.has("pagination") else dialect.json
    if spec.has("search"):
        blocks.append(_search_test(entity, url, dialect, items))
    if spec.has("sorting"):
        blocks.append(_sort_test(entity, url, dialect, items))
    return "\n\n".join(block.rstrip("\n") + "\n" for block in blocks if block)


def _list_test(spec: ProjectSpec, url: str, dialect: Dialect) -> str:
    if not spec.has("pagination"):
        return dialect.fill(
            """
            $def test_list(client):
                first = ${aw}create(client)
                second = ${aw}create(client, CHANGED)
                resp = ${aw}client.get("$url")
                assert resp.$status == 200
                assert $json == [first, second]
            """,
            url=url,
        )
    return dialect.fill(
        """
        $def test_list_is_paginated(client):
            created = [${aw}create(client, payload) for payload in (PAYLOAD, CHANGED, PAYLOAD)]
            resp = ${aw}client.get("$url?limit=2&offset=1")
            assert resp.$status == 200
            assert $json == {"items": created[1:], "total": 3, "limit": 2, "offset": 1}
            resp = ${aw}client.get("$url")
            assert [item["id"] for item in ${json}["items"]] == [item["id"] for item in created]


        $def test_list_rejects_a_bad_page_size(client):
            assert (${aw}client.get("$url?limit=0")).$status == 422
            assert (${aw}client.get("$url?offset=-1")).$status == 422
        """,
        url=url,
    )


def _rule_tests(entity: EntitySpec, url: str, dialect: Dialect) -> list[str]:
    """A test per rule the prompt asked for: a value that breaks it gets 422; a default is filled in."""
    tests = []
    for field in entity.fields:
        for check, bad in render.violating_values(field):
            tests.append(dialect.fill(templates.text("rest_api", "test_rule.py.tmpl"), url=url,
                                      field=field.name, check=check, bad=render.py_value(bad)))
        if "default" in field.rules:
            tests.append(dialect.fill(templates.text("rest_api", "test_default.py.tmpl"), url=url,
                                      field=field.name, default=render.py_value(field.rules["default"])))
    return tests


def _invalid_tests(entity: EntitySpec, url: str, dialect: Dialect) -> list[str]:
    tests = []
    required = next((f for f in entity.fields if f.required), None)
    if required is not None:
        tests.append(
            dialect.fill(
                """
                $def test_missing_required_field_is_rejected(client):
                    payload = {key: value for key, value in PAYLOAD.items() if key != "$field"}
                    resp = ${aw}client.post("$url", json=payload)
                    assert resp.$status == 422
                """,
                url=url,
                field=required.name,
            )
        )
    typed = next((f for f in entity.fields if f.type != "str"), entity.fields[0])
    tests.append(
        dialect.fill(
            """
            $def test_wrong_type_is_rejected(client):
                resp = ${aw}client.post("$url", json={**PAYLOAD, "$field": $bad})
                assert resp.$status == 422
            """,
            url=url,
            field=typed.name,
            bad=render.py_value(render.bad_value(typed)),
        )
    )
    return tests


def _search_test(entity: EntitySpec, url: str, dialect: Dialect, items: str) -> str:
    text = next((f for f in entity.fields if f.type == "str" and "Changed" in str(render.sample_value(f, 1))), None)
    if text is None:
        return ""
    return dialect.fill(
        """
        $def test_search(client):
            ${aw}create(client)
            wanted = ${aw}create(client, CHANGED)
            resp = ${aw}client.get("$url?q=changed")
            assert resp.$status == 200
            assert $items == [wanted]
        """,
        url=url,
        items=items,
    )


def _sort_test(entity: EntitySpec, url: str, dialect: Dialect, items: str) -> str:
    field = entity.fields[0].name
    return dialect.fill(
        """
        $def test_sort(client):
            ${aw}create(client)
            ${aw}create(client, CHANGED)
            resp = ${aw}client.get("$url?sort=$field")
            values = [item["$field"] for item in $items]
            assert values == sorted(values)
            resp = ${aw}client.get("$url?sort=-$field")
            values = [item["$field"] for item in $items]
            assert values == sorted(values, reverse=True)
            assert (${aw}client.get("$url?sort=no_such_field")).$status == 422
        """,
        url=url,
        field=field,
        items=items,
    )


def _auth_tests(spec: ProjectSpec, dialect: Dialect) -> str:
    url = f"/{spec.entities[0].plural}"
    return dialect.fill(
        '''
        """Tests of registration, login and protected routes."""

        $def test_requests_without_a_valid_token_are_rejected(anon_client):
            assert (${aw}anon_client.get("$url")).$status == 401
            resp = ${aw}anon_client.get("$url", headers={"Authorization": "Bearer not-a-token"})
            assert resp.$status == 401


        $def test_register_login_and_me(anon_client, credentials):
            resp = ${aw}anon_client.post("/auth/register", json=credentials)
            assert resp.$status == 201
            assert $json["username"] == credentials["username"]
            resp = ${aw}anon_client.post("/auth/login", json=credentials)
            assert resp.$status == 200
            token = $json["access_token"]
            resp = ${aw}anon_client.get("/auth/me", headers={"Authorization": f"Bearer {token}"})
            assert resp.$status == 200
            assert $json["username"] == credentials["username"]
            resp = ${aw}anon_client.get("$url", headers={"Authorization": f"Bearer {token}"})
            assert resp.$status == 200


        $def test_username_is_unique(anon_client, credentials):
            assert (${aw}anon_client.post("/auth/register", json=credentials)).$status == 201
            assert (${aw}anon_client.post("/auth/register", json=credentials)).$status == 409


        $def test_wrong_password_is_rejected(anon_client, credentials):
            ${aw}anon_client.post("/auth/register", json=credentials)
            wrong = {**credentials, "password": "not the password"}
            assert (${aw}anon_client.post("/auth/login", json=wrong)).$status == 401


        $def test_short_password_is_rejected(anon_client):
            resp = ${aw}anon_client.post("/auth/register", json={"username": "someone", "password": "short"})
            assert resp.$status == 422
        ''',
        url=url,
    )


# -- README -----------------------------------------------------------------------


def _readme(spec: ProjectSpec, framework) -> str:
    routes = []
    if spec.has("auth"):
        routes += [
            "| `POST /auth/register` | create an account: `{\"username\", \"password\"}` (password at least 8 characters) |",
            "| `POST /auth/login` | `{\"username\", \"password\"}` gives `{\"access_token\", \"token_type\": \"bearer\"}` |",
            "| `GET /auth/me` | the account of the token |",
        ]
    for entity in spec.entities:
        url, label = f"/{entity.plural}", title(entity.name).lower()
        routes += [
            f"| `GET {url}` | list {entity.plural.replace('_', ' ')} |",
            f"| `POST {url}` | create {article(label)} (201) |",
            f"| `GET {url}/{{id}}` | one {label} (404 if unknown) |",
            f"| `PUT {url}/{{id}}` | replace {article(label)} |",
            f"| `PATCH {url}/{{id}}` | change some fields of {article(label)} |",
            f"| `DELETE {url}/{{id}}` | delete {article(label)} (204) |",
        ]
    list_notes = []
    if spec.has("pagination"):
        list_notes.append(
            "Lists are paginated: `?limit=` (1-100, default 20) and `?offset=` (default 0); the answer is "
            '`{"items": [...], "total": n, "limit": l, "offset": o}`.'
        )
    if spec.has("search"):
        list_notes.append("`?q=text` keeps the items whose text fields contain `text` (case-insensitive).")
    if spec.has("sorting"):
        list_notes.append("`?sort=field` sorts by a field; `?sort=-field` sorts in descending order.")
    if spec.has("auth"):
        list_notes.append(
            "Every resource route needs `Authorization: Bearer <access_token>`; without a valid token the answer is 401."
        )
    resources = "\n\n".join(f"### {title(e.plural)}\n\n{render.fields_table(e)}" for e in spec.entities)
    default_db = "app.db" if spec.store == "sqlite" else ":memory:"
    config = [f"- `DATABASE_PATH`: the SQLite file (default `{default_db}`; `:memory:` keeps nothing)."]
    if spec.has("auth"):
        config.append("- `SECRET_KEY`: signs the access tokens (default: a random key, so tokens end with the process).")
    features = [FEATURE_LABELS[f] for f in spec.features]
    stack = f"{FRAMEWORK_LABELS[spec.framework]}, pydantic and SQLite" + (f"; {human_list(features)}" if features else "")
    return render.readme(
        spec,
        f"Built with {stack}.",
        "## Run\n\n```sh\npip install -r requirements.txt\n" + framework.RUN + "\n```",
        "## Test\n\n```sh\npip install -r requirements.txt\npytest\n```",
        "## Endpoints\n\n| route | what it does |\n|---|---|\n" + "\n".join(routes),
        "\n\n".join(list_notes),
        "## Resources\n\nEvery item also has an `id` (integer, set by the server). Errors are "
        '`{"detail": ...}`; invalid data gives 422 with the list of problems.\n\n' + resources,
        "## Configuration\n\n" + "\n".join(config),
        "## Layout\n\n" + "\n".join(f"- `{path}`: {what}" for path, what in framework.LAYOUT)
        + "\n- `app/models.py`: the pydantic models of each resource\n- `app/store.py`: SQLite storage"
        + "\n- `app/validation.py`: request checks shared by the routes\n- `tests/`: pytest tests, one file per resource",
    )
