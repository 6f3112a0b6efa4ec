"""TokenService (a verified token is remembered, but never past its expiry; iss and aud) and the secret's safe defaults."""

from __future__ import annotations

import asyncio
import os
import stat
import time
import uuid
from pathlib import Path

import jwt
import pytest

from codegen import auth
from codegen.config import load_settings
from codegen.api.http_errors import from_domain
from codegen.errors import HASHING_BUSY, Unauthenticated, Unavailable
from tests.helpers import sign_token


def test_a_remembered_token_still_expires(monkeypatch):
    tokens = auth.TokenService("k" * 64, ttl_seconds=3600)
    user_id = uuid.uuid4()
    expires = int(time.time()) + 1
    token = sign_token("k" * 64, sub=str(user_id), exp=expires)
    assert tokens.subject(f"Bearer {token}") == user_id
    assert tokens.subject(f"Bearer {token}") == user_id  # from memory
    time.sleep(max(0.0, expires - time.time()) + 0.05)  # the expiry itself is what is under test
    with monkeypatch.context() as clock:
        # at the very second of exp the token is over (RFC 7519: valid only before it), memory or not
        clock.setattr(auth.time, "time", lambda: float(expires))
        with pytest.raises(Unauthenticated):
            tokens.subject(f"Bearer {token}")
    with pytest.raises(Unauthenticated) as caught:
        tokens.subject(f"Bearer {token}")
    assert from_domain(caught.value).status == 401


def test_a_tokens_signature_is_checked_once_then_remembered(monkeypatch):
    tokens = auth.TokenService("k" * 64, ttl_seconds=3600)
    user_id = uuid.uuid4()
    token = tokens.issue(user_id)
    decoded: list[str] = []
    real_decode = jwt.decode

    def counted(jwt_text, *args, **kwargs):  # the real check, counted
        decoded.append(jwt_text)
        return real_decode(jwt_text, *args, **kwargs)

    monkeypatch.setattr(auth.jwt, "decode", counted)
    for header in (f"Bearer {token}", f"Bearer {token}", f"bearer   {token} "):
        assert tokens.subject(header) == user_id
    assert decoded == [token]


def test_a_token_signed_with_another_key_is_never_remembered():
    tokens = auth.TokenService("k" * 64, ttl_seconds=3600)
    forged = sign_token("x" * 64, sub=str(uuid.uuid4()), exp=int(time.time()) + 60)
    for _ in range(2):
        with pytest.raises(Unauthenticated):
            tokens.subject(f"Bearer {forged}")


def test_an_issued_token_carries_its_subject_issue_time_and_expiry():
    tokens = auth.TokenService("k" * 64, ttl_seconds=120)
    user_id = uuid.uuid4()
    before = int(time.time())
    claims = jwt.decode(tokens.issue(user_id), "k" * 64, algorithms=["HS256"], audience=auth.TokenService.audience)
    assert set(claims) == {"sub", "iat", "exp", "iss", "aud"}
    assert claims["sub"] == str(user_id)
    assert before <= claims["iat"] <= int(time.time())
    assert claims["exp"] == claims["iat"] + 120


@pytest.mark.parametrize("header", ["Bearer {t}", "bearer {t}", "BEARER {t}", "Bearer   {t}  "])
def test_the_scheme_is_case_insensitive_and_the_token_trimmed(header):
    tokens = auth.TokenService("k" * 64, ttl_seconds=60)
    user_id = uuid.uuid4()
    assert tokens.subject(header.format(t=tokens.issue(user_id))) == user_id


@pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer ", "Basic abc", "Token {t}", "{t}"])
def test_anything_but_a_bearer_token_is_401(header):
    tokens = auth.TokenService("k" * 64, ttl_seconds=60)
    value = header.format(t=tokens.issue(uuid.uuid4())) if header else header
    with pytest.raises(Unauthenticated) as caught:
        tokens.subject(value)
    assert from_domain(caught.value).status == 401


@pytest.mark.parametrize("claims", [{"exp": 4102444800}, {"sub": "not-a-uuid", "exp": 4102444800},
                                    {"sub": str(uuid.UUID(int=1))}])
def test_a_token_without_a_user_id_or_expiry_is_401(claims):
    tokens = auth.TokenService("k" * 64, ttl_seconds=60)
    token = sign_token("k" * 64, **claims)  # our issuer and audience: only sub or exp is wrong
    with pytest.raises(Unauthenticated) as caught:
        tokens.subject(f"Bearer {token}")
    assert from_domain(caught.value).status == 401


def test_known_users_are_a_bounded_lru():
    tokens = auth.TokenService("k" * 64, ttl_seconds=60, known_users_max=2)
    a, b, c = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    assert not tokens.is_known(a)
    tokens.remember(a)
    tokens.remember(b)
    assert tokens.is_known(a)  # a is now the most recently used
    tokens.remember(c)  # over the bound: the least recently used (b) goes
    assert (tokens.is_known(a), tokens.is_known(b), tokens.is_known(c)) == (True, False, True)


def test_remembered_tokens_are_bounded_too():
    # the bound is only visible as memory, so the test reads the cache's size
    tokens = auth.TokenService("k" * 64, ttl_seconds=60, known_users_max=2)
    issued = [tokens.issue(uuid.uuid4()) for _ in range(3)]
    for token in issued:
        tokens.subject(f"Bearer {token}")
    assert list(tokens._verified) == issued[1:]


def test_the_configured_secret_wins(tmp_path):
    assert auth.resolve_jwt_secret("configured-secret-" + "k" * 32, tmp_path / "data") == "configured-secret-" + "k" * 32
    assert not (tmp_path / "data").exists()


def test_without_a_secret_a_development_one_is_kept_in_the_data_folder(tmp_path, caplog):
    data = tmp_path / "data"
    first = auth.resolve_jwt_secret(None, data)
    stored = data / "jwt-secret"
    assert stored.read_text(encoding="utf-8") == first and len(first) >= 64
    assert stored.stat().st_mode & 0o777 == 0o600
    assert auth.resolve_jwt_secret("", data) == first  # the same one on the next start
    warned = [r.getMessage() for r in caplog.records if r.name == "codegen.auth"]
    assert warned and all(m == f"CODEGEN_JWT_SECRET is not set: using a development secret kept in {stored}; "
                                "set it in production" for m in warned), warned


async def test_an_unknown_user_never_verifies_even_with_the_dummy_password():
    # the dummy hash stands in for unknown users so the answer takes as long: it must never say yes
    assert await auth.verify_password(None, "codegen-timing-equaliser") is False
    stored = await auth.hash_password("correct horse")
    assert await auth.verify_password(stored, "correct horse") is True
    assert await auth.verify_password(stored, "wrong horse") is False
    assert await auth.verify_password("not-a-hash", "correct horse") is False


def test_the_development_secret_goes_into_a_nested_or_existing_data_folder(tmp_path):
    nested = tmp_path / "a" / "b" / "data"
    secret = auth.resolve_jwt_secret(None, nested)
    assert (nested / "jwt-secret").read_text(encoding="utf-8") == secret
    existing = tmp_path / "existing"
    existing.mkdir()
    secret = auth.resolve_jwt_secret(None, existing)
    assert (existing / "jwt-secret").read_text(encoding="utf-8") == secret


def test_a_token_without_our_issuer_or_audience_is_refused():
    tokens = auth.TokenService("k" * 64, ttl_seconds=3600)
    user_id = uuid.uuid4()
    exp = int(time.time()) + 60
    assert tokens.subject(f"Bearer {tokens.issue(user_id)}") == user_id
    ours = {"iss": auth.TokenService.issuer, "aud": auth.TokenService.audience}
    for claims in ({"aud": ours["aud"]}, {"iss": ours["iss"]}, {**ours, "iss": "another-service"},
                   {**ours, "aud": "another-api"}):
        token = jwt.encode({"sub": str(user_id), "exp": exp, **claims}, "k" * 64, algorithm="HS256")
        with pytest.raises(Unauthenticated):
            tokens.subject(f"Bearer {token}")


@pytest.mark.parametrize("secret", [None, "", "x", "k" * 31])
def test_production_refuses_a_missing_or_short_secret(secret):
    env = {"CODEGEN_ENV": "production"}
    if secret is not None:
        env["CODEGEN_JWT_SECRET"] = secret
    with pytest.raises(SystemExit, match="jwt_secret"):
        load_settings(env)
    assert load_settings({**env, "CODEGEN_JWT_SECRET": "k" * 32}).jwt_secret == "k" * 32


def test_a_short_secret_is_refused_in_development_too():
    with pytest.raises(SystemExit, match="at least 32 bytes"):
        load_settings({"CODEGEN_JWT_SECRET": "x"})
    assert load_settings({}).jwt_secret is None  # development: a generated secret in the data folder


def test_the_development_secret_file_is_private_from_its_creation(tmp_path: Path):
    previous = os.umask(0)  # the most permissive umask: only the open() mode keeps the file private
    try:
        secret = auth.resolve_jwt_secret(None, tmp_path)
    finally:
        os.umask(previous)
    path = tmp_path / "jwt-secret"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(secret.encode()) >= 32
    assert auth.resolve_jwt_secret(None, tmp_path) == secret  # kept across restarts


def test_the_development_secret_is_never_written_through_a_link(tmp_path: Path):
    target = tmp_path / "elsewhere"
    target.write_text("")
    (tmp_path / "jwt-secret").symlink_to(target)
    with pytest.raises(OSError):
        auth.resolve_jwt_secret(None, tmp_path)
    assert target.read_text() == ""


async def test_the_hashing_gate_takes_exactly_concurrency_plus_queue_then_refuses():
    gate = auth.HashingGate(concurrency=1, queue=1)

    async def hash_in_the_gate(inside: asyncio.Event, release: asyncio.Event) -> None:
        async with gate.slot():
            inside.set()
            await release.wait()

    for _ in range(2):  # the second round: every place was given back
        inside, release = asyncio.Event(), asyncio.Event()
        first = asyncio.create_task(hash_in_the_gate(inside, release))
        await inside.wait()
        queued = asyncio.create_task(hash_in_the_gate(asyncio.Event(), release))  # the one place in the queue
        await asyncio.sleep(0)  # one turn of the loop: it takes its place and waits for the hashing slot
        assert not queued.done()
        with pytest.raises(Unavailable) as refused:
            async with gate.slot():
                pass
        assert (str(refused.value), refused.value.retry_after) == (HASHING_BUSY, auth.HASHING_BUSY_RETRY_AFTER)
        release.set()
        await asyncio.gather(first, queued)


def test_a_kept_development_secret_of_the_minimum_length_is_used_and_a_shorter_one_refused(tmp_path: Path):
    at_least = auth.JWT_SECRET_MIN_BYTES
    (tmp_path / "jwt-secret").write_text("s" * at_least + "\n", encoding="utf-8")
    assert auth.resolve_jwt_secret(None, tmp_path) == "s" * at_least
    (tmp_path / "jwt-secret").write_text("s" * (at_least - 1), encoding="utf-8")
    with pytest.raises(SystemExit) as refused:
        auth.resolve_jwt_secret(None, tmp_path)
    assert str(refused.value) == (f"{tmp_path / 'jwt-secret'} holds a JWT secret shorter than {at_least} bytes; "
                                  "delete it")


def test_by_default_a_hundred_thousand_users_are_remembered():
    # the app's TokenService takes the default bound: the memory a process may spend on known users
    tokens = auth.TokenService("k" * 64, ttl_seconds=60)
    users = [uuid.UUID(int=n) for n in range(100_001)]
    for user_id in users[:100_000]:
        tokens.remember(user_id)
    assert tokens.is_known(users[0])  # now the most recently used: users[1] is the oldest
    tokens.remember(users[100_000])
    assert not tokens.is_known(users[1])
    assert tokens.is_known(users[0]) and tokens.is_known(users[2]) and tokens.is_known(users[100_000])
