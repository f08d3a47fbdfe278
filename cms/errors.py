"""The errors the CMS expects, each with a stable code clients can branch on.

CMSError
 ├── UnknownTenant        a Host or X-CMS-Tenant that names no tenant
 ├── InvalidInput         an argument the API cannot use (a malformed cursor, first > 100, …)
 ├── LimitExceeded        a request over a configured limit (depth, aliases, tokens, body size)
 └── NotFound             an id or slug that names nothing visible to the caller

Anything else that escapes a resolver is unexpected: it is logged and answered with a
generic message, never a stack trace or SQL.
"""

from __future__ import annotations


class CMSError(Exception):
    """An expected failure with a stable machine-readable code."""

    code = "ERROR"

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


class NotFound(CMSError):
    code = "NOT_FOUND"
