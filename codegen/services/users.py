"""Accounts: register, log in (throttled), who am I."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from uuid import UUID

from codegen import auth
from codegen.db import Database
from codegen.errors import (
    EMAIL_TAKEN, REGISTER_THROTTLED, SIGN_IN_THROTTLED, Conflict, InvalidCredentials, RateLimited, Unauthenticated,
)
from codegen.records import AccessToken, Registered, User
from codegen.store import security
from codegen.store import users as store


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
) -> Registered:
    if throttle.register_per_minute:
        subject = UUID(bytes=_key("address", address)[:16])
        wait = await security.register_hit(db, subject, throttle.register_per_minute)
        if wait:
            raise RateLimited(REGISTER_THROTTLED, wait)
    # hashed before the insert whether or not the email is taken, so both answers take as long
    async with gate.slot():
        password_hash = await auth.hash_password(password)
    user = await store.insert(db, uuid.uuid4(), email.strip(), password_hash)
    if user is None:
        raise Conflict(EMAIL_TAKEN)
    tokens.remember(user.id)
    token = _access_token(tokens, user.id)
    return Registered(user.id, user.email, user.created_at, token.access_token, token.token_type, token.expires_in)


async def login(
    db: Database, tokens: auth.TokenService, gate: auth.HashingGate, throttle: Throttle,
    email: str, password: str, address: str,
) -> AccessToken:
    account = _key("account", email.strip().lower())
    keys, free = [account], [throttle.account_free_attempts]
    if throttle.address_free_attempts:
        keys.append(_key("address", address))
        free.append(throttle.address_free_attempts)
    wait = await security.auth_attempt(db, keys, free, throttle.first_wait_seconds, throttle.max_wait_seconds)
    if wait:
        raise RateLimited(SIGN_IN_THROTTLED, wait)
    found = await store.by_email(db, email.strip())
    async with gate.slot():
        valid = await auth.verify_password(found.password_hash if found else None, password)
    if not valid:
        raise InvalidCredentials()
    assert found is not None
    await security.auth_succeeded(db, account, keys[1] if len(keys) > 1 else None)
    if auth.needs_rehash(found.password_hash):
        async with gate.slot():
            new_hash = await auth.hash_password(password)
        await store.update_password_hash(db, found.id, new_hash)
    tokens.remember(found.id)
    return _access_token(tokens, found.id)


async def current_user(db: Database, tokens: auth.TokenService, authorization: str | None) -> UUID:
    """The id of the user behind a valid token for an existing account, else Unauthenticated."""
    user_id = tokens.subject(authorization)
    if not tokens.is_known(user_id):
        if await store.get(db, user_id) is None:
            raise Unauthenticated()
        tokens.remember(user_id)
    return user_id


async def profile(db: Database, user_id: UUID) -> User:
    user = await store.get(db, user_id)
    if user is None:
        raise Unauthenticated()
    return user


def _access_token(tokens: auth.TokenService, user_id: UUID) -> AccessToken:
    return AccessToken(tokens.issue(user_id), "bearer", tokens.ttl_seconds)
