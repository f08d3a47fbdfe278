"""The errors the CMS expects, each with a stable code clients can branch on.

CMSError
 ├── UnknownTenant        a Host or X-CMS-Tenant that names no tenant
 ├── InvalidInput         an argument the API cannot use (a malformed cursor, first > 100, …)
 ├── LimitExceeded        a request over a configured limit (depth, aliases, tokens, body size)
 ├── NotFound             an id or slug that names nothing visible to the caller
 ├── AuthenticationFailed a bad, unknown or revoked bearer token (HTTP 401)
 ├── PermissionDenied     a caller whose role in the tenant does not allow the operation
 ├── Conflict             a write based on a stale version (`expectedVersion`)
 └── ValidationFailed     input that breaks a rule, with one FieldError per problem

In a GraphQL error, `extensions.code` is the name clients and tools already act on
(`standard_code`: BAD_USER_INPUT, UNAUTHENTICATED, FORBIDDEN, …) and `extensions.reason` keeps
our precise code when it says more (`{"code": "BAD_USER_INPUT", "reason": "INVALID_INPUT"}`).
Mutation payload errors keep their domain codes.

Anything else that escapes a resolver is unexpected: it is logged and answered with a
generic message, never a stack trace or SQL.
"""

from __future__ import annotations

from dataclasses import dataclass


class CMSError(Exception):
    """An expected failure with a stable machine-readable code."""

    code = "ERROR"
    # The GraphQL-world name for this kind of failure (Apollo's and most clients' codes).
    standard_code = "BAD_USER_INPUT"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class UnknownTenant(CMSError):
    code = "UNKNOWN_TENANT"


class InvalidInput(CMSError):
    code = "INVALID_INPUT"


class LimitExceeded(CMSError):
    code = "LIMIT_EXCEEDED"
    standard_code = "LIMIT_EXCEEDED"


class NotFound(CMSError):
    code = "NOT_FOUND"
    standard_code = "NOT_FOUND"


class AuthenticationFailed(CMSError):
    code = "UNAUTHENTICATED"
    standard_code = "UNAUTHENTICATED"


class PermissionDenied(CMSError):
    code = "PERMISSION_DENIED"
    standard_code = "FORBIDDEN"


class Conflict(CMSError):
    code = "CONFLICT"


@dataclass(frozen=True)
class FieldError:
    """One problem with one input field; `field` uses the API's camelCase name."""

    field: str
    message: str
    code: str


class ValidationFailed(CMSError):
    code = "VALIDATION_FAILED"

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))
        self.errors = errors
