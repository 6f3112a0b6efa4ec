"""Web-page previews: a short-lived signed link to a completed generation's files, served sandboxed.

The link's token is an HS256 JWT (audience ``preview``) signed with a key derived
from the JWT secret, naming the user, the generation and an expiry: any process
can check it, and nothing is stored. The page is the generated code's, so it is
served with a Content-Security-Policy that sandboxes it (opaque origin: no
access to the app's storage, even when opened outside the iframe), forbids
every network request but its own files, and lets only this app frame it.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import PurePosixPath
from uuid import UUID

import jwt

from codegen import errors
from codegen.db import Database
from codegen.errors import Conflict, InvalidInput, NotFound, Unauthenticated
from codegen.lifecycle import Status
from codegen.records import PreviewFile, PreviewLink
from codegen.store import files as file_store

_AUDIENCE = "preview"
_TYPES = {
    ".html": "text/html", ".htm": "text/html", ".css": "text/css", ".js": "text/javascript",
    ".mjs": "text/javascript", ".json": "application/json", ".svg": "image/svg+xml", ".txt": "text/plain",
}


def preview_key(jwt_secret: str) -> bytes:
    """The signing key of preview links: not the access tokens' own, so neither passes for the other."""
    return hashlib.sha256(b"codegen-preview:" + jwt_secret.encode()).digest()


async def issue(db: Database, key: bytes, user_id: UUID, generation_id: UUID, ttl_seconds: int) -> PreviewLink:
    target = await file_store.preview_target(db, user_id, generation_id)
    if target is None:
        raise NotFound(errors.GENERATION_NOT_FOUND)
    status, has_page = target
    if status != Status.COMPLETED:
        raise Conflict(errors.PREVIEW_NOT_COMPLETED.format(status=status))
    if not has_page:
        raise InvalidInput(errors.NO_PAGE)
    claims = {"sub": str(user_id), "gen": str(generation_id), "aud": _AUDIENCE, "exp": int(time.time()) + ttl_seconds}
    token = jwt.encode(claims, key, algorithm="HS256")
    return PreviewLink(f"/preview/{token}/index.html", ttl_seconds, generation_id)


async def file(db: Database, key: bytes, token: str, path: str) -> PreviewFile:
    """A file of the generation the token is for; Unauthenticated for a bad token, NotFound for no such file."""
    try:
        claims = jwt.decode(token, key, algorithms=["HS256"], audience=_AUDIENCE)
        user_id, generation_id = UUID(claims["sub"]), UUID(claims["gen"])
    except (jwt.InvalidTokenError, KeyError, ValueError):
        raise Unauthenticated(errors.INVALID_PREVIEW) from None
    content = await file_store.preview_file(db, user_id, generation_id, path)
    if content is None:
        raise NotFound(errors.FILE_NOT_FOUND)
    return PreviewFile(_TYPES.get(PurePosixPath(path).suffix.lower(), "text/plain"), content)


def content_security_policy(host: str, token: str) -> str:
    """Only the preview's own files load; no request goes anywhere else; only this app may frame it.

    The page is sandboxed, so its origin is opaque and 'self' would match nothing: its files are
    named by host and path (no scheme, so it holds behind a proxy that terminates TLS).
    """
    own = f"{host}/preview/{token}/"
    return "; ".join([
        "default-src 'none'",
        f"script-src {own} 'unsafe-inline'",
        f"style-src {own} 'unsafe-inline'",
        f"img-src {own} data:",
        f"font-src {own} data:",
        "connect-src 'none'",
        "form-action 'none'",
        "base-uri 'none'",
        "frame-ancestors 'self'",
        "sandbox allow-scripts",
    ])
