"""The domain's errors and every text a user may read in one.

Services, the store and ``auth`` raise these; they know nothing of HTTP. Only the API layer
(``codegen/api/http_errors.py``) turns them into status codes and headers.
"""

from __future__ import annotations

# -- what a user reads --------------------------------------------------------------------

NOT_AUTHENTICATED = "Not authenticated"
INVALID_CREDENTIALS = "Invalid email or password"
EMAIL_TAKEN = "Email already registered"
SIGN_IN_THROTTLED = "Too many failed sign-in attempts. Please wait before retrying."
REGISTER_THROTTLED = "Too many registrations from this address. Please wait before retrying."
HASHING_BUSY = "Too many sign-in requests at the moment. Please retry shortly."

PROJECT_NOT_FOUND = "Project not found"
GENERATION_NOT_FOUND = "Generation not found"
FILE_NOT_FOUND = "Not Found"
PARENT_NOT_FOUND = "Parent generation not found"
PARENT_REQUIRED = "parent_generation_id is required when is_iteration is true"
PARENT_NOT_COMPLETED = (
    "Parent generation is not completed (status: {status}); only a completed generation can be iterated on"
)
NO_PARENT_TO_DIFF = "Generation has no parent; pass ?against=<generation_id> to compare with another generation"
IDEMPOTENCY_KEY_REUSED = (
    "Idempotency-Key was already used with a different request body; use a new key for a new request"
)

GENERATE_RATE_LIMITED = (
    "Too many generation requests. Maximum {limit} requests per minute. Please wait before retrying."
)
TOO_MANY_ACTIVE = (
    "Too many active generations. At most {limit} may be pending or processing at once; "
    "wait for one to finish or cancel one."
)
BUDGET_EXHAUSTED = "Daily token budget exhausted ({budget} tokens per day). It renews at midnight UTC."

ALREADY_TERMINAL = "Generation is already {status} and cannot be cancelled"
NOT_COMPLETED_DOWNLOAD = (
    "Generation is not completed (status: {status}); files can be downloaded once it completes"
)
NOT_COMPLETED_DIFF = "Generation is not completed (status: {status}); its diff is available once it completes"
BASE_NOT_COMPLETED = (
    "Generation {generation_id} to compare with is not completed (status: {status}); "
    "only completed generations can be compared"
)

INVALID_STREAM_TOKEN = "Invalid or expired stream token"
TOKEN_RATE_LIMITED = "Too many token requests. Maximum {limit} requests per minute. Please wait before retrying."
TOO_MANY_STREAMS = "Too many open streams. At most {limit} per user; close one before opening another."
STREAM_FAILED = "Generation has failed. Error: {error}. Cannot stream."
STREAM_CANCELLED = "Generation was cancelled. Cannot stream."
STREAM_COMPLETED = "Generation has already completed. Cannot stream."

INVALID_PREVIEW = "Invalid or expired preview link"
NO_PAGE = "This generation has no index.html to preview"
PREVIEW_NOT_COMPLETED = (
    "Generation is not completed (status: {status}); only its finished page can be previewed"
)

SERVICE_UNAVAILABLE = "Service temporarily unavailable"


# -- the errors ---------------------------------------------------------------------------


class DomainError(Exception):
    """A request the rules refuse; ``message`` is what the user reads."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    """Unknown, or another user's."""


class Conflict(DomainError):
    """Not possible in the object's current state."""


class InvalidInput(DomainError):
    """Well-formed, but not something the rules accept."""


class IdempotencyKeyReused(DomainError):
    """An Idempotency-Key sent again with another request."""

    def __init__(self, key: str) -> None:
        super().__init__(IDEMPOTENCY_KEY_REUSED)
        self.key = key


class Unauthenticated(DomainError):
    """No valid credentials: a missing or bad token, or a link that expired."""

    def __init__(self, message: str = NOT_AUTHENTICATED) -> None:
        super().__init__(message)


class InvalidCredentials(Unauthenticated):
    """A sign-in with a wrong email or password."""

    def __init__(self) -> None:
        super().__init__(INVALID_CREDENTIALS)


class RateLimited(DomainError):
    """Too many requests; the caller may retry after ``retry_after`` seconds."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Unavailable(DomainError):
    """This process cannot take the request right now; retry after ``retry_after`` seconds."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
