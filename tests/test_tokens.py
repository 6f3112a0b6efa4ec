"""TokenService: a verified token is remembered, but never past its expiry."""

from __future__ import annotations

import time
import uuid

import jwt
import pytest

from codegen import auth
from codegen.errors import ApiError


def test_a_remembered_token_still_expires():
    tokens = auth.TokenService("k" * 64, ttl_seconds=3600)
    user_id = uuid.uuid4()
    expires = int(time.time()) + 1
    token = jwt.encode({"sub": str(user_id), "exp": expires}, "k" * 64, algorithm="HS256")
    assert tokens.subject(f"Bearer {token}") == user_id
    assert tokens.subject(f"Bearer {token}") == user_id  # from memory
    time.sleep(max(0.0, expires - time.time()) + 0.05)  # the expiry itself is what is under test
    with pytest.raises(ApiError) as caught:
        tokens.subject(f"Bearer {token}")
    assert caught.value.status == 401


def test_a_token_signed_with_another_key_is_never_remembered():
    tokens = auth.TokenService("k" * 64, ttl_seconds=3600)
    forged = jwt.encode({"sub": str(uuid.uuid4()), "exp": int(time.time()) + 60}, "x" * 64, algorithm="HS256")
    for _ in range(2):
        with pytest.raises(ApiError):
            tokens.subject(f"Bearer {forged}")
