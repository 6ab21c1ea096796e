"""Domain errors: each carries a stable kebab-case ``code`` and maps to one HTTP status."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldProblem:
    field: str
    message: str


class DomainError(Exception):
    code = "domain-error"
    status = 400
    title = "The request could not be completed"

    def __init__(self, detail: str, *, problems: list[FieldProblem] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.problems = problems or []


class NotFound(DomainError):
    code = "not-found"
    status = 404
    title = "Not found"


class Conflict(DomainError):
    code = "conflict"
    status = 409
    title = "Conflict"


class InvalidInput(DomainError):
    code = "invalid-input"
    status = 422
    title = "Invalid input"

    @classmethod
    def on(cls, field: str, message: str) -> InvalidInput:
        return cls(f"{field}: {message}", problems=[FieldProblem(field, message)])


class NotAuthenticated(DomainError):
    code = "not-authenticated"
    status = 401
    title = "Sign-in required"


class PermissionDenied(DomainError):
    code = "permission-denied"
    status = 403
    title = "Not allowed"


class RateLimited(DomainError):
    code = "rate-limited"
    status = 429
    title = "Too many attempts"

    def __init__(self, detail: str, *, retry_after: int | None = None) -> None:
        super().__init__(detail)
        self.retry_after = retry_after  # seconds, sent as Retry-After
