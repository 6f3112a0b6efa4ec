"""Who the benchmark's requests come from and what they ask for: the users, their tokens, the prompts."""

from __future__ import annotations

import hashlib
import uuid

from codegen.auth import TokenService

# the servers the benchmark starts sign with it, so the benchmark signs its users' tokens itself
JWT_SECRET = "bench-secret-" + uuid.uuid4().hex
PROMPTS = [
    "Create a REST API with authentication",
    "Build an online store with a shopping cart and checkout",
    "Make a clinic appointment booking system for patients",
    "Write a budget tracker with expense categories",
    "Create a quiz app for students with a leaderboard",
    "Build a chat forum for a small community",
    "Make a chess tournament API with players and matches",
    "Create a todo list API with due dates",
]
# every benchmark user's password; the benchmark never logs in, it signs tokens with the server's secret
USER_PASSWORD = "bench-password"


def user_id(i: int) -> uuid.UUID:
    """The id the benchmark gives its i-th user (pgbench computes the same in SQL)."""
    return uuid.UUID(hashlib.md5(f"bench-user-{i}".encode()).hexdigest())


def tokens_for(n: int) -> list[str]:
    service = TokenService(JWT_SECRET, 24 * 3600)
    return [service.issue(user_id(i)) for i in range(n)]
