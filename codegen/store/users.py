"""Accounts (sql/queries/users.sql)."""

from __future__ import annotations

from uuid import UUID

from codegen.db import Database
from codegen.records import Account, User


async def insert(db: Database, user_id: UUID, email: str, password_hash: str) -> User | None:
    """The new user, or None when the email (compared case-insensitively) is taken."""
    row = await db.fetchrow(db.q.insert_user, user_id, email, password_hash)
    return User(**row) if row is not None else None


async def by_email(db: Database, email: str) -> Account | None:
    row = await db.fetchrow(db.q.get_user_by_email, email)
    return Account(**row) if row is not None else None


async def get(db: Database, user_id: UUID) -> User | None:
    row = await db.fetchrow(db.q.get_user, user_id)
    return User(**row) if row is not None else None


async def update_password_hash(db: Database, user_id: UUID, password_hash: str) -> None:
    await db.execute(db.q.update_password_hash, user_id, password_hash)
