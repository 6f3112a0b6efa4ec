"""TokenService (a verified token is remembered, but never past its expiry; iss and aud) and the secret's safe defaults."""

from __future__ import annotations

import os
import stat
import time
import uuid
from pathlib import Path

import jwt
import pytest

from codegen import auth
from codegen.config import load_settings
from codegen.errors import ApiError
from tests.helpers import sign_token


def test_a_remembered_token_still_expires():
    tokens = auth.TokenService("k" * 64, ttl_seconds=3600)
    user_id = uuid.uuid4()
    expires = int(time.time()) + 1
    token = sign_token("k" * 64, sub=str(user_id), exp=expires)
    assert tokens.subject(f"Bearer {token}") == user_id
    assert tokens.subject(f"Bearer {token}") == user_id  # from memory
    time.sleep(max(0.0, expires - time.time()) + 0.05)  # the expiry itself is what is under test
    with pytest.raises(ApiError) as caught:
        tokens.subject(f"Bearer {token}")
    assert caught.value.status == 401


def test_a_token_signed_with_another_key_is_never_remembered():
    tokens = auth.TokenService("k" * 64, ttl_seconds=3600)
    forged = sign_token("x" * 64, sub=str(uuid.uuid4()), exp=int(time.time()) + 60)
    for _ in range(2):
        with pytest.raises(ApiError):
            tokens.subject(f"Bearer {forged}")


def test_a_token_without_our_issuer_or_audience_is_refused():
    tokens = auth.TokenService("k" * 64, ttl_seconds=3600)
    user_id = uuid.uuid4()
    exp = int(time.time()) + 60
    assert tokens.subject(f"Bearer {tokens.issue(user_id)}") == user_id
    ours = {"iss": auth.TokenService.issuer, "aud": auth.TokenService.audience}
    for claims in ({"aud": ours["aud"]}, {"iss": ours["iss"]}, {**ours, "iss": "another-service"},
                   {**ours, "aud": "another-api"}):
        token = jwt.encode({"sub": str(user_id), "exp": exp, **claims}, "k" * 64, algorithm="HS256")
        with pytest.raises(ApiError):
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
