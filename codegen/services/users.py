"""Accounts: register, log in (throttled), who am I."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from codegen import auth
from codegen.db import Database
from codegen.errors import (
    EMAIL_TAKEN, REGISTER_THROTTLED, SIGN_IN_THROTTLED, Conflict, InvalidCredentials, RateLimited, Unauthenticated,
)


@dataclass(frozen=True)
class Throttle:
    """Sign-in and registration limits (CODEGEN_LOGIN_*, CODEGEN_REGISTER_RATE_LIMIT)."""

    account_free_attempts: int
    address_free_attempts: int  # 0: no per-address limit
    first_wait_seconds: int
    max_wait_seconds: int
    register_per_minute: int  # 0: off


def _key(kind: str, value: str) -> bytes:
    # neither the email nor the address is stored, only what identifies their throttle state
    return hashlib.sha256(f"codegen-throttle:{kind}:{value}".encode()).digest()


async def register(
    db: Database, tokens: auth.TokenService, gate: auth.HashingGate, throttle: Throttle,
    email: str, password: str, address: str,
) -> dict[str, Any]:
    if throttle.register_per_minute:
        subject = UUID(bytes=_key("address", address)[:16])
        wait = await db.fetchval(db.q.register_hit, subject, throttle.register_per_minute)
        if wait:
            raise RateLimited(REGISTER_THROTTLED, wait)
    # hashed before the insert whether or not the email is taken, so both answers take as long
    async with gate.slot():
        password_hash = await auth.hash_password(password)
    row = await db.fetchrow(db.q.insert_user, uuid.uuid4(), email.strip(), password_hash)
    if row is None:
        raise Conflict(EMAIL_TAKEN)
    tokens.remember(row["id"])
    return {**dict(row), **_token_body(tokens, row["id"])}


async def login(
    db: Database, tokens: auth.TokenService, gate: auth.HashingGate, throttle: Throttle,
    email: str, password: str, address: str,
) -> dict[str, Any]:
    account = _key("account", email.strip().lower())
    keys, free = [account], [throttle.account_free_attempts]
    if throttle.address_free_attempts:
        keys.append(_key("address", address))
        free.append(throttle.address_free_attempts)
    wait = await db.fetchval(db.q.auth_attempt, keys, free, throttle.first_wait_seconds, throttle.max_wait_seconds)
    if wait:
        raise RateLimited(SIGN_IN_THROTTLED, wait)
    row = await db.fetchrow(db.q.get_user_by_email, email.strip())
    async with gate.slot():
        valid = await auth.verify_password(row["password_hash"] if row else None, password)
    if not valid:
        raise InvalidCredentials()
    assert row is not None
    await db.execute(db.q.auth_succeeded, account, keys[1] if len(keys) > 1 else None)
    if auth.needs_rehash(row["password_hash"]):
        async with gate.slot():
            new_hash = await auth.hash_password(password)
        await db.execute(db.q.update_password_hash, row["id"], new_hash)
    tokens.remember(row["id"])
    return _token_body(tokens, row["id"])


async def current_user(db: Database, tokens: auth.TokenService, authorization: str | None) -> UUID:
    """The id of the user behind a valid token for an existing account, else Unauthenticated."""
    user_id = tokens.subject(authorization)
    if not tokens.is_known(user_id):
        if await db.fetchval(db.q.get_user, user_id) is None:
            raise Unauthenticated()
        tokens.remember(user_id)
    return user_id


async def profile(db: Database, user_id: UUID) -> dict[str, Any]:
    row = await db.fetchrow(db.q.get_user, user_id)
    if row is None:
        raise Unauthenticated()
    return dict(row)


def _token_body(tokens: auth.TokenService, user_id: UUID) -> dict[str, Any]:
    return {"access_token": tokens.issue(user_id), "token_type": "bearer", "expires_in": tokens.ttl_seconds}
