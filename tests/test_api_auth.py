"""Auth routes (register, login, me) and the 401 rules of API.md."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import time
import uuid
from dataclasses import dataclass
from datetime import datetime

import aiohttp
import asyncpg
import jwt
import orjson
import pytest

from codegen.config import Settings
from tests.helpers import (
    Answer,
    ApiClient,
    item_at,
    sign_token,
)

NOT_AUTHENTICATED = {"detail": "Not authenticated"}


# -- fixtures ------------------------------------------------------------------------------------


@dataclass
class Member:
    token: str
    user_id: str
    settings: Settings


@pytest.fixture
def anon(api: ApiClient, http: aiohttp.ClientSession) -> ApiClient:
    """A client without a token (never the same object as ``user``)."""
    return ApiClient(http, api.base_url)


@pytest.fixture
async def member(api: ApiClient, db_conn: asyncpg.Connection, settings: Settings) -> Member:
    """An existing user and a token as the server signs them (made directly: argon2 is slow, and the
    tests that use it are about tokens, not registration)."""
    user_id = uuid.uuid4()
    await db_conn.execute("INSERT INTO users (id, email, password_hash) VALUES ($1, $2, 'x')", user_id, new_email())
    now = int(time.time())
    token = sign_token(settings.jwt_secret, sub=str(user_id), iat=now, exp=now + 3600)
    me = await api.call("GET", "/api/auth/me", headers=bearer(token))
    assert me.status == 200 and me.body["id"] == str(user_id)
    return Member(token, str(user_id), settings)


def new_email() -> str:
    return f"u-{uuid.uuid4().hex[:12]}@example.com"


# -- helpers ------------------------------------------------------------------------------------


def assert_aware_timestamp(value: str) -> None:
    assert value.endswith(("Z", "+00:00")), value
    assert datetime.fromisoformat(value).utcoffset() is not None


def assert_not_authenticated(answer: Answer) -> None:
    assert answer.status == 401, answer.body
    assert answer.body == NOT_AUTHENTICATED
    assert answer.headers.get("WWW-Authenticate") == "Bearer"


def b64url(data: bytes | dict) -> str:
    raw = data if isinstance(data, bytes) else orjson.dumps(data)
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# -- register ---------------------------------------------------------------------------------


async def test_register_returns_201_with_the_contract_shape(anon: ApiClient) -> None:
    email = new_email()
    answer = await anon.call("POST", "/api/auth/register", {"email": email, "password": "longenough"})
    assert answer.status == 201, answer.body
    assert set(answer.body) == {"id", "email", "created_at", "access_token", "token_type", "expires_in"}
    assert answer.body["email"] == email
    assert answer.body["token_type"] == "bearer"
    assert answer.body["expires_in"] > 0
    uuid.UUID(answer.body["id"])
    assert_aware_timestamp(answer.body["created_at"])
    claims = jwt.decode(answer.body["access_token"], options={"verify_signature": False})
    assert claims["sub"] == answer.body["id"]
    assert claims["exp"] - claims["iat"] == answer.body["expires_in"]
    me = await anon.call("GET", "/api/auth/me", headers=bearer(answer.body["access_token"]))
    assert me.status == 200
    assert me.body == {k: answer.body[k] for k in ("id", "email", "created_at")}


async def test_register_twice_is_409(anon: ApiClient) -> None:
    email = new_email()
    first = await anon.call("POST", "/api/auth/register", {"email": email, "password": "password1"})
    assert first.status == 201
    again = await anon.call("POST", "/api/auth/register", {"email": email, "password": "password2"})
    assert again.status == 409
    assert again.body == {"detail": "Email already registered"}


async def test_emails_are_case_insensitive(anon: ApiClient) -> None:
    local = uuid.uuid4().hex[:8]
    first = await anon.call("POST", "/api/auth/register", {"email": f"A{local}@x.io", "password": "password1"})
    assert first.status == 201, first.body
    again = await anon.call("POST", "/api/auth/register", {"email": f"a{local}@X.io", "password": "password2"})
    assert again.status == 409
    assert again.body == {"detail": "Email already registered"}

    login = await anon.call("POST", "/api/auth/login", {"email": f"a{local.upper()}@X.IO", "password": "password1"})
    assert login.status == 200, login.body
    me = await anon.call("GET", "/api/auth/me", headers=bearer(login.body["access_token"]))
    assert me.status == 200
    assert me.body["id"] == first.body["id"]
    # the second password was never stored
    wrong = await anon.call("POST", "/api/auth/login", {"email": f"A{local}@x.io", "password": "password2"})
    assert wrong.status == 401


async def test_simultaneous_registrations_of_one_email(anon: ApiClient) -> None:
    email = new_email()
    variants = [email, email.upper(), email.title(), email, email.upper()]
    answers = await asyncio.gather(
        *(anon.call("POST", "/api/auth/register", {"email": e, "password": "password1"}) for e in variants)
    )
    assert sorted(a.status for a in answers) == [201, 409, 409, 409, 409]
    assert all(a.body == {"detail": "Email already registered"} for a in answers if a.status == 409)


@pytest.mark.parametrize(
    ("body", "loc", "type_"),
    [
        ({"password": "longenough"}, ["body", "email"], "missing"),
        ({"email": "x@example.com"}, ["body", "password"], "missing"),
        ({"email": "x@example.com", "password": "short"}, ["body", "password"], "string_too_short"),
        ({"email": "x@example.com", "password": "p" * 1025}, ["body", "password"], "string_too_long"),
        ({"email": "not-an-email", "password": "longenough"}, ["body", "email"], "string_pattern_mismatch"),
        ({"email": 5, "password": "longenough"}, ["body", "email"], "string_type"),
        ({"email": "x@example.com", "password": None}, ["body", "password"], "string_type"),
        ({"email": "x\x00y@example.com", "password": "longenough"}, ["body", "email"], "value_error"),
        ({"email": "x@example.com", "password": "long\x00enough"}, ["body", "password"], "value_error"),
    ],
)
async def test_register_validation(anon: ApiClient, body: dict, loc: list, type_: str) -> None:
    answer = await anon.call("POST", "/api/auth/register", body)
    assert item_at(answer, loc)["type"] == type_


async def test_register_missing_field_is_the_fastapi_item(anon: ApiClient) -> None:
    answer = await anon.call("POST", "/api/auth/register", {"email": "x@example.com"})
    assert answer.status == 422
    assert answer.body == {
        "detail": [{"type": "missing", "loc": ["body", "password"], "msg": "Field required",
                    "input": {"email": "x@example.com"}}]
    }


async def test_register_short_password_is_the_fastapi_item(anon: ApiClient) -> None:
    answer = await anon.call("POST", "/api/auth/register", {"email": "x@example.com", "password": "short"})
    assert answer.status == 422
    assert answer.body == {
        "detail": [{"type": "string_too_short", "loc": ["body", "password"],
                    # FastAPI's shape, except that a password is never echoed (docs/security.md)
                    "msg": "String should have at least 8 characters", "input": "[redacted]", "ctx": {"min_length": 8}}]
    }


async def test_nul_in_a_password_is_422_not_500(anon: ApiClient) -> None:
    answer = await anon.call("POST", "/api/auth/register", {"email": new_email(), "password": "abc\x00defgh"})
    assert item_at(answer, ["body", "password"]) == {
        "type": "value_error", "loc": ["body", "password"], "msg": "Value error, must not contain NUL characters",
        "input": "[redacted]", "ctx": {"error": "must not contain NUL characters"},
    }
    login = await anon.call("POST", "/api/auth/login", {"email": "a\x00b@example.com", "password": "abcdefgh"})
    assert item_at(login, ["body", "email"])["type"] == "value_error"


@pytest.mark.parametrize("raw", [b"", b"{not json", b"\xff\xfe", b'{"email": "a@b.io", "password": "x'])
async def test_register_body_not_json(anon: ApiClient, raw: bytes) -> None:
    answer = await anon.call("POST", "/api/auth/register", data=raw, headers={"Content-Type": "application/json"})
    assert item_at(answer, ["body"])["type"] == "json_invalid"


@pytest.mark.parametrize("raw", [b"[]", b'"a@b.io"', b"null", b"42"])
async def test_register_body_not_an_object(anon: ApiClient, raw: bytes) -> None:
    answer = await anon.call("POST", "/api/auth/register", data=raw, headers={"Content-Type": "application/json"})
    item = item_at(answer, ["body"])
    assert item["type"] in ("model_type", "model_attributes_type", "dict_type")
    assert item["input"] == orjson.loads(raw)


# -- login ------------------------------------------------------------------------------------


async def test_login_returns_a_working_token(anon: ApiClient) -> None:
    email = new_email()
    registered = await anon.call("POST", "/api/auth/register", {"email": email, "password": "s3cret-pass"})
    answer = await anon.call("POST", "/api/auth/login", {"email": email, "password": "s3cret-pass"})
    assert answer.status == 200
    assert set(answer.body) == {"access_token", "token_type", "expires_in"}
    assert answer.body["token_type"] == "bearer"
    claims = jwt.decode(answer.body["access_token"], options={"verify_signature": False})
    assert claims["sub"] == registered.body["id"]
    assert claims["exp"] - claims["iat"] == answer.body["expires_in"]
    me = await anon.call("GET", "/api/auth/me", headers=bearer(answer.body["access_token"]))
    assert me.status == 200
    assert me.body["email"] == email


async def test_login_failures_are_401(anon: ApiClient) -> None:
    email = new_email()
    await anon.call("POST", "/api/auth/register", {"email": email, "password": "right-password"})
    for login in (
        {"email": email, "password": "wrong-password"},
        {"email": email, "password": "right-password "},
        {"email": new_email(), "password": "right-password"},
        {"email": email.upper(), "password": "RIGHT-PASSWORD"},
    ):
        answer = await anon.call("POST", "/api/auth/login", login)
        assert answer.status == 401, login
        assert answer.body == {"detail": "Invalid email or password"}


async def test_login_validation(anon: ApiClient) -> None:
    answer = await anon.call("POST", "/api/auth/login", {"email": "x@example.com"})
    assert item_at(answer, ["body", "password"])["type"] == "missing"
    answer = await anon.call("POST", "/api/auth/login", data=b"nope", headers={"Content-Type": "application/json"})
    assert item_at(answer, ["body"])["type"] == "json_invalid"
    answer = await anon.call("POST", "/api/auth/login", [])
    assert item_at(answer, ["body"])["type"] in ("model_type", "model_attributes_type")


# -- me and the 401 rules -----------------------------------------------------------------------


async def test_me(user: ApiClient) -> None:
    answer = await user.call("GET", "/api/auth/me")
    assert answer.status == 200
    assert set(answer.body) == {"id", "email", "created_at"}
    assert answer.body["email"] == user.email
    assert answer.body["id"] == jwt.decode(user.token, options={"verify_signature": False})["sub"]
    assert_aware_timestamp(answer.body["created_at"])


def hs256(secret: str, **claims: object) -> str:
    return sign_token(secret, **claims)


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "Bearer ", "Bearer not-a-jwt", "Bearer a.b.c", "Bearer ...", "Token abc", "Basic dXNlcjpwYXNz"],
)
async def test_missing_or_malformed_authorization(anon: ApiClient, authorization: str | None) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    assert_not_authenticated(await anon.call("GET", "/api/auth/me", headers=headers))


async def test_wrong_scheme_with_a_valid_token(anon: ApiClient, member: Member) -> None:
    for header in (f"Basic {member.token}", f"Token {member.token}", member.token, f"Bearer{member.token}"):
        assert_not_authenticated(await anon.call("GET", "/api/auth/me", headers={"Authorization": header}))
    # the scheme itself is case-insensitive (RFC 7235)
    answer = await anon.call("GET", "/api/auth/me", headers={"Authorization": f"bearer {member.token}"})
    assert answer.status == 200


async def test_expired_token(anon: ApiClient, member: Member) -> None:
    now = int(time.time())
    token = hs256(member.settings.jwt_secret, sub=member.user_id, iat=now - 7200, exp=now - 3600)
    assert_not_authenticated(await anon.call("GET", "/api/auth/me", headers=bearer(token)))
    # the same claims, not expired: accepted, so it was the expiry that counted
    fresh = hs256(member.settings.jwt_secret, sub=member.user_id, iat=now, exp=now + 3600)
    assert (await anon.call("GET", "/api/auth/me", headers=bearer(fresh))).status == 200


async def test_token_signed_with_another_key(anon: ApiClient, member: Member) -> None:
    token = hs256("another-secret-" + "k" * 64, sub=member.user_id, exp=int(time.time()) + 600)
    assert_not_authenticated(await anon.call("GET", "/api/auth/me", headers=bearer(token)))


async def test_alg_none_token(anon: ApiClient, member: Member) -> None:
    claims = {"sub": member.user_id, "exp": int(time.time()) + 600}
    for header in ({"alg": "none", "typ": "JWT"}, {"alg": "None"}, {"alg": "NONE"}):
        token = f"{b64url(header)}.{b64url(claims)}."
        assert_not_authenticated(await anon.call("GET", "/api/auth/me", headers=bearer(token)))


async def test_other_algorithm_with_the_right_secret(anon: ApiClient, member: Member) -> None:
    # HS512 with the server's own secret: still refused, only HS256 is accepted
    signing_input = f"{b64url({'alg': 'HS512', 'typ': 'JWT'})}.{b64url({'sub': member.user_id, 'exp': int(time.time()) + 600})}"
    signature = hmac.new(member.settings.jwt_secret.encode(), signing_input.encode(), hashlib.sha512).digest()
    token = f"{signing_input}.{b64url(signature)}"
    assert_not_authenticated(await anon.call("GET", "/api/auth/me", headers=bearer(token)))


async def test_tampered_payload(anon: ApiClient, user: ApiClient) -> None:
    header, _payload, signature = user.token.split(".")
    forged = b64url({"sub": str(uuid.uuid4()), "exp": int(time.time()) + 600})
    assert_not_authenticated(await anon.call("GET", "/api/auth/me", headers=bearer(f"{header}.{forged}.{signature}")))


@pytest.mark.parametrize(
    "claims",
    [{"sub": "not-a-uuid"}, {"sub": ""}, {}, {"sub": "USER", "no_exp": True}, {"sub": "USER", "exp": "soon"}],
    ids=["sub-not-uuid", "sub-empty", "no-sub", "no-exp", "exp-not-a-number"],
)
async def test_token_with_bad_claims(anon: ApiClient, member: Member, claims: dict) -> None:
    claims = dict(claims)
    if claims.get("sub") == "USER":
        claims["sub"] = member.user_id
    if not claims.pop("no_exp", False):
        claims.setdefault("exp", int(time.time()) + 600)
    token = b".".join(
        [b64url({"alg": "HS256", "typ": "JWT"}).encode(), b64url(claims).encode()]
    ).decode()
    signature = hmac.new(member.settings.jwt_secret.encode(), token.encode(), hashlib.sha256).digest()
    assert_not_authenticated(await anon.call("GET", "/api/auth/me", headers=bearer(f"{token}.{b64url(signature)}")))


async def test_valid_signature_for_a_user_that_does_not_exist(anon: ApiClient, member: Member) -> None:
    headers = bearer(hs256(member.settings.jwt_secret, sub=str(uuid.uuid4()), exp=int(time.time()) + 600))
    for method, path, body in [
        ("GET", "/api/auth/me", None),
        ("GET", "/api/generations", None),
        ("GET", f"/api/generations/{uuid.uuid4()}", None),
        ("GET", "/api/projects", None),
        ("POST", "/api/projects", {"name": "x"}),
        ("POST", "/api/generations/generate", {"prompt": "Create a REST API with authentication"}),
    ]:
        assert_not_authenticated(await anon.call(method, path, body, headers=headers))


# a fixed id, not uuid4() here: a parameter is part of the test's id, which must be the same in
# every collection (mutmut runs a mutant's tests by the ids an earlier collection listed)
_NO_SUCH_ID = "6d7f3f0e-1b1a-4c55-9d6e-0c0de0000017"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/auth/me"),
        ("POST", "/api/generations/generate"),
        ("GET", "/api/generations"),
        ("GET", f"/api/generations/{_NO_SUCH_ID}"),
        ("GET", "/api/projects"),
        ("POST", "/api/projects"),
        ("GET", f"/api/projects/{_NO_SUCH_ID}"),
        ("DELETE", f"/api/projects/{_NO_SUCH_ID}"),
        ("GET", "/auth/me"),
        ("POST", "/generations/generate"),
        ("GET", "/generations"),
        ("GET", "/projects"),
    ],
)
async def test_every_private_route_needs_a_token(anon: ApiClient, method: str, path: str) -> None:
    assert_not_authenticated(await anon.call(method, path, {"prompt": "Create a REST API", "name": "x"}))


async def test_authentication_comes_before_validation(anon: ApiClient) -> None:
    # a stranger learns nothing from the validator: 401, not 422
    assert_not_authenticated(await anon.call("POST", "/api/generations/generate", {"prompt": "short"}))
    assert_not_authenticated(await anon.call("GET", "/api/generations/not-a-uuid"))
    assert_not_authenticated(await anon.call("GET", "/api/generations?limit=0"))


# -- without the /api prefix --------------------------------------------------------------------


async def test_auth_routes_answer_without_the_prefix(anon: ApiClient) -> None:
    email = new_email()
    registered = await anon.call("POST", "/auth/register", {"email": email, "password": "longenough"})
    assert registered.status == 201
    login = await anon.call("POST", "/auth/login", {"email": email, "password": "longenough"})
    assert login.status == 200
    me = await anon.call("GET", "/auth/me", headers=bearer(login.body["access_token"]))
    assert me.status == 200
    assert me.body["email"] == email
    dup = await anon.call("POST", "/auth/register", {"email": email.upper(), "password": "longenough"})
    assert dup.status == 409
    assert dup.body == {"detail": "Email already registered"}
    bad = await anon.call("POST", "/auth/login", {"email": email, "password": "wrong-password"})
    assert bad.status == 401
    assert bad.body == {"detail": "Invalid email or password"}
    assert_not_authenticated(await anon.call("GET", "/auth/me"))
