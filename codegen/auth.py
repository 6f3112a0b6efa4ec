"""Password hashing (argon2), JWTs (HS256) and the authenticated user of a request."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import time
from collections import OrderedDict
from collections.abc import AsyncIterator
from pathlib import Path
from uuid import UUID

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from codegen.config import JWT_SECRET_MIN_BYTES
from codegen.errors import HASHING_BUSY, Unauthenticated, Unavailable

log = logging.getLogger(__name__)

HASHING_BUSY_RETRY_AFTER = 1

_hasher = PasswordHasher()
# verified when the email is unknown, so that answer takes as long as a wrong password
_DUMMY_HASH = _hasher.hash("codegen-timing-equaliser")


async def hash_password(password: str) -> str:
    # argon2 is deliberately slow: keep it off the event loop
    return await asyncio.to_thread(_hasher.hash, password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    def verify() -> bool:
        try:
            return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
        except (VerificationError, InvalidHashError):
            return False

    return await asyncio.to_thread(verify)


class HashingGate:
    """At most ``concurrency`` password hashes at once in this process and ``queue`` more waiting;
    beyond that a sign-in is refused (Unavailable: 503) at once, before it costs any CPU or memory (argon2id takes
    about 64 MiB and a third of a second of a core per hash)."""

    def __init__(self, concurrency: int, queue: int) -> None:
        self._slots = asyncio.Semaphore(concurrency)
        self._limit = concurrency + queue
        self._inside = 0

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        if self._inside >= self._limit:
            raise Unavailable(HASHING_BUSY, HASHING_BUSY_RETRY_AFTER)
        self._inside += 1
        try:
            async with self._slots:
                yield
        finally:
            self._inside -= 1


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def resolve_jwt_secret(configured: str | None, data_dir: Path) -> str:
    """The configured secret, or a development secret kept in the data folder.

    The file is created with O_EXCL and mode 0600 in one call: never readable by others, not even
    for an instant, and never written through a link someone placed there.
    """
    if configured:
        return configured
    path = data_dir / "jwt-secret"
    data_dir.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except FileExistsError:
        with os.fdopen(os.open(path, os.O_RDONLY | os.O_NOFOLLOW), encoding="utf-8") as file:
            secret = file.read().strip()
        if len(secret.encode()) < JWT_SECRET_MIN_BYTES:
            raise SystemExit(f"{path} holds a JWT secret shorter than {JWT_SECRET_MIN_BYTES} bytes; delete it") from None
    else:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(secret)
    log.warning(
        "CODEGEN_JWT_SECRET is not set: using a development secret kept in %s; set it in production",
        path,
    )
    return secret


class TokenService:
    """Issues and checks access tokens; remembers which user ids exist."""

    algorithm = "HS256"
    # a token of another service that shares the secret is not one of ours
    issuer = "codegen"
    audience = "codegen-api"

    def __init__(self, secret: str, ttl_seconds: int, known_users_max: int = 100_000) -> None:
        self._secret = secret
        self.ttl_seconds = ttl_seconds
        # token -> (user id, exp): a token's signature is checked once, its expiry on every use
        self._verified: OrderedDict[str, tuple[UUID, float]] = OrderedDict()
        # users are never deleted, so a user seen once stays valid; bounded LRU
        self._known_users: OrderedDict[UUID, None] = OrderedDict()
        self._known_users_max = known_users_max

    def issue(self, user_id: UUID) -> str:
        now = int(time.time())
        claims = {
            "sub": str(user_id), "iat": now, "exp": now + self.ttl_seconds, "iss": self.issuer, "aud": self.audience,
        }
        return jwt.encode(claims, self._secret, algorithm=self.algorithm)

    def subject(self, authorization: str | None) -> UUID:
        """The user id of a valid ``Bearer`` token, else Unauthenticated."""
        if not authorization:
            raise Unauthenticated()
        scheme, _, token = authorization.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise Unauthenticated()
        verified = self._verified.get(token)
        if verified is not None and verified[1] > time.time():
            return verified[0]
        try:
            claims = jwt.decode(
                token, self._secret, algorithms=[self.algorithm], issuer=self.issuer, audience=self.audience,
                options={"require": ["exp", "sub", "iss", "aud"]},
            )
            user_id = UUID(str(claims["sub"]))
            expires = float(claims["exp"])
        except (jwt.PyJWTError, ValueError, TypeError):
            raise Unauthenticated() from None
        self._verified[token] = (user_id, expires)
        if len(self._verified) > self._known_users_max:
            self._verified.popitem(last=False)
        return user_id

    def is_known(self, user_id: UUID) -> bool:
        if user_id in self._known_users:
            self._known_users.move_to_end(user_id)
            return True
        return False

    def remember(self, user_id: UUID) -> None:
        self._known_users[user_id] = None
        if len(self._known_users) > self._known_users_max:
            self._known_users.popitem(last=False)
