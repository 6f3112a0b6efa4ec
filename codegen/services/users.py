"""Accounts: register, log in, who am I."""

from __future__ import annotations

import uuid
from typing import Any
from uuid import UUID

from codegen import auth
from codegen.db import Database
from codegen.errors import ApiError, conflict, unauthorized


async def register(db: Database, tokens: auth.TokenService, email: str, password: str) -> dict[str, Any]:
    password_hash = await auth.hash_password(password)
    row = await db.fetchrow(db.q.insert_user, uuid.uuid4(), email.strip(), password_hash)
    if row is None:
        raise conflict("Email already registered")
    tokens.remember(row["id"])
    return {**dict(row), **_token_body(tokens, row["id"])}


async def login(db: Database, tokens: auth.TokenService, email: str, password: str) -> dict[str, Any]:
    row = await db.fetchrow(db.q.get_user_by_email, email.strip())
    if not await auth.verify_password(row["password_hash"] if row else None, password):
        raise ApiError(401, "Invalid email or password", {"WWW-Authenticate": "Bearer"})
    assert row is not None
    if auth.needs_rehash(row["password_hash"]):
        await db.execute(db.q.update_password_hash, row["id"], await auth.hash_password(password))
    tokens.remember(row["id"])
    return _token_body(tokens, row["id"])


async def current_user(db: Database, tokens: auth.TokenService, authorization: str | None) -> UUID:
    """The id of the user behind a valid token for an existing account, else 401."""
    user_id = tokens.subject(authorization)
    if not tokens.is_known(user_id):
        if await db.fetchval(db.q.get_user, user_id) is None:
            raise unauthorized()
        tokens.remember(user_id)
    return user_id


async def profile(db: Database, user_id: UUID) -> dict[str, Any]:
    row = await db.fetchrow(db.q.get_user, user_id)
    if row is None:
        raise unauthorized()
    return dict(row)


def _token_body(tokens: auth.TokenService, user_id: UUID) -> dict[str, Any]:
    return {"access_token": tokens.issue(user_id), "token_type": "bearer", "expires_in": tokens.ttl_seconds}
