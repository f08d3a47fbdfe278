"""The errors the CMS expects, each with a stable `ErrorCode` clients can branch on.

The exception tree and the codes each class carries:

CMSError                   code                standard_code (extensions.code)
 ├── UnknownTenant         UNKNOWN_TENANT      BAD_USER_INPUT
 ├── TenantRequired        TENANT_REQUIRED     BAD_USER_INPUT
 ├── InvalidInput          INVALID_INPUT       BAD_USER_INPUT
 ├── LimitExceeded         LIMIT_EXCEEDED      LIMIT_EXCEEDED
 │    └── TooManyAttempts  TOO_MANY_ATTEMPTS   LIMIT_EXCEEDED (sign-in and link attempts)
 ├── NotFound              NOT_FOUND           NOT_FOUND
 ├── AuthenticationFailed  UNAUTHENTICATED     UNAUTHENTICATED (HTTP 401)
 ├── PermissionDenied      PERMISSION_DENIED   FORBIDDEN
 │    └── SignInRequired   SIGN_IN_REQUIRED    FORBIDDEN (a person's own data, sessions)
 ├── SignInFailed          SIGN_IN_FAILED      UNAUTHENTICATED (in a payload, not HTTP 401)
 ├── InvalidLink           INVALID_LINK        BAD_USER_INPUT
 ├── Conflict              CONFLICT            BAD_USER_INPUT
 ├── RuleBroken            (its rule's code)   BAD_USER_INPUT
 │     a programme's rule, with the numbers: PACKAGE_LIMIT_REACHED, BUDGET_EXCEEDED,
 │     OUTSIDE_WINDOW, NOT_ELIGIBLE; and INVALID_TRANSITION for a step the state forbids
 │     (INVALID_SUBMISSION_STEP for a gender-data submission's)
 └── ValidationFailed      VALIDATION_FAILED   BAD_USER_INPUT
       one FieldError per problem, each with its code: REQUIRED, INVALID, INVALID_*, TOO_LONG,
       TOO_DEEP, UNSAFE_HTML, OUT_OF_RANGE, NAIVE_DATETIME, END_BEFORE_START, DUPLICATE, IN_USE,
       NOT_FOUND; for memberships INVALID_INVITATION, WRONG_PASSWORD, LAST_ADMIN; for
       uploads NOT_A_FILE, EMPTY_FILE, FILE_TOO_LARGE, and the ImageProblem codes
       of media.operations (UNSUPPORTED_FORMAT, DAMAGED_IMAGE, TOO_MANY_PIXELS, POLYGLOT) or
       DAMAGED_FILE for a PDF; for gender data UNKNOWN_DIMENSION, YEAR_NOT_COVERED,
       UNKNOWN_INDICATOR, UNKNOWN_CELL, NOT_A_NUMBER, NEGATIVE_FIGURE, NOT_WHOLE_NUMBER,
       TOO_MANY_DECIMALS, PARTS_DO_NOT_ADD_UP, STAGE_ABOVE_PREVIOUS, INVALID_CSV,
       NOT_AN_INSTITUTE

In a GraphQL error, `extensions.code` is the name clients and tools already act on
(`standard_code`: BAD_USER_INPUT, UNAUTHENTICATED, FORBIDDEN, …) and `extensions.reason` keeps
our precise code when it says more (`{"code": "BAD_USER_INPUT", "reason": "INVALID_INPUT"}`).
Mutation payload errors keep their precise codes. The HTTP layer (`schema/http.py`) answers
requests it cannot execute with the request codes (BAD_REQUEST, METHOD_NOT_ALLOWED, …) and the
GraphQL ones (GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED, …) from the same enum.

Anything else that escapes a resolver is unexpected: it is logged and answered with a
generic message (INTERNAL_SERVER_ERROR), never a stack trace or SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar


class ErrorCode(StrEnum):
    """Every code the API answers with, in `extensions.code`, `extensions.reason` or a
    payload's `errors { code }`; each member's value is the string clients see."""

    description: str

    def __new__(cls, value: str, description: str) -> ErrorCode:
        member = str.__new__(cls, value)
        # `_value_` is how the enum module lets `__new__` set a member's value (enum HOWTO).
        member._value_ = value
        member.description = description
        return member

    # The request: refused by the HTTP layer before any GraphQL is read.
    BAD_REQUEST = "BAD_REQUEST", "The HTTP request is not a well-formed GraphQL request."
    METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED", "Use GET or POST; a mutation needs POST."
    NOT_ACCEPTABLE = "NOT_ACCEPTABLE", "The Accept header allows neither JSON response type."
    UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE", "POST JSON, or multipart for uploads."
    # The document and its operation.
    GRAPHQL_PARSE_FAILED = "GRAPHQL_PARSE_FAILED", "The document is not valid GraphQL syntax."
    GRAPHQL_VALIDATION_FAILED = (
        "GRAPHQL_VALIDATION_FAILED",
        "The document does not validate against the schema.",
    )
    OPERATION_RESOLUTION_FAILURE = (
        "OPERATION_RESOLUTION_FAILURE",
        "The operation name names no operation of the document.",
    )
    # Persisted queries (Apollo's protocol: `extensions.persistedQuery.sha256Hash`).
    PERSISTED_QUERY_NOT_FOUND = (
        "PERSISTED_QUERY_NOT_FOUND",
        "No document has this sha256Hash here: send the request again with its `query`.",
    )
    PERSISTED_QUERY_HASH_MISMATCH = (
        "PERSISTED_QUERY_HASH_MISMATCH",
        "The sha256Hash is not the SHA-256 of the `query` sent with it.",
    )
    PERSISTED_QUERY_REQUIRED = (
        "PERSISTED_QUERY_REQUIRED",
        "Only registered documents run here (CMS_TRUSTED_DOCUMENTS); send a registered hash.",
    )
    # The GraphQL-world names of `extensions.code` (Apollo's and most clients').
    BAD_USER_INPUT = "BAD_USER_INPUT", "Input the API cannot use; `reason` says which rule."
    UNAUTHENTICATED = "UNAUTHENTICATED", "A bad, unknown or revoked bearer token."
    FORBIDDEN = "FORBIDDEN", "The caller may not do this (`reason` PERMISSION_DENIED)."
    NOT_FOUND = "NOT_FOUND", "An id or slug names nothing the caller can see."
    LIMIT_EXCEEDED = "LIMIT_EXCEEDED", "Over a limit: size, depth, aliases, tokens or cost."
    INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR", "An unexpected failure, logged on the server."
    # Reasons for refusing a request's input (`extensions.reason`).
    NUL_CHARACTER = "NUL_CHARACTER", "The request contains a NUL character."
    INVALID_UNICODE = "INVALID_UNICODE", "The request contains a lone UTF-16 surrogate."
    LIST_TOO_LONG = "LIST_TOO_LONG", "A list variable holds more items than allowed."
    UNKNOWN_TENANT = "UNKNOWN_TENANT", "The Host or X-CMS-Tenant header names no tenant."
    INVALID_INPUT = "INVALID_INPUT", "An argument the API cannot use (a bad cursor, page size…)."
    # Whole operations.
    TENANT_REQUIRED = "TENANT_REQUIRED", "The write needs a tenant (X-CMS-Tenant or its domain)."
    PERMISSION_DENIED = "PERMISSION_DENIED", "The caller's role does not allow the operation."
    CONFLICT = "CONFLICT", "The item changed since the expectedVersion the write was based on."
    VALIDATION_FAILED = "VALIDATION_FAILED", "Input breaks rules; each field error has its code."
    # One input field.
    REQUIRED = "REQUIRED", "A required field is missing or empty."
    INVALID = "INVALID", "The value has the wrong type or form."
    INVALID_CHOICE = "INVALID_CHOICE", "The value is not one of the allowed choices."
    INVALID_COUNTRY = "INVALID_COUNTRY", "Not a two-letter country code."
    INVALID_EMAIL = "INVALID_EMAIL", "Not an email address."
    INVALID_LANGUAGE = "INVALID_LANGUAGE", "Not a language tag such as en or pt-BR."
    INVALID_PATH = "INVALID_PATH", "Not a page path, or a move under the page itself."
    INVALID_SLUG = "INVALID_SLUG", "Not lower-case letters, digits and single hyphens."
    INVALID_TIMEZONE = "INVALID_TIMEZONE", "Not an IANA timezone name."
    INVALID_URL = "INVALID_URL", "Not an http(s) URL with a host name."
    NAIVE_DATETIME = "NAIVE_DATETIME", "A date and time without a timezone offset."
    END_BEFORE_START = "END_BEFORE_START", "The end is before the start."
    OUT_OF_RANGE = "OUT_OF_RANGE", "A number or date outside the allowed range."
    TOO_LONG = "TOO_LONG", "Longer text or list than allowed."
    TOO_DEEP = "TOO_DEEP", "Rich text nests elements deeper than allowed."
    UNSAFE_HTML = "UNSAFE_HTML", "Rich text contains scripts, event handlers or the like."
    DUPLICATE = "DUPLICATE", "Another item of the tenant already has this slug, path or name."
    IN_USE = "IN_USE", "Other items still refer to this one."
    # Uploads (`uploadImage`, `uploadFile`).
    NOT_A_FILE = "NOT_A_FILE", "The file was not sent as a multipart upload."
    EMPTY_FILE = "EMPTY_FILE", "The file is empty."
    FILE_TOO_LARGE = "FILE_TOO_LARGE", "The file is over the upload limit (CMS_MAX_UPLOAD_MB)."
    UNSUPPORTED_FORMAT = "UNSUPPORTED_FORMAT", "The bytes are not in a format we accept."
    DAMAGED_IMAGE = "DAMAGED_IMAGE", "The image is truncated or damaged."
    DAMAGED_FILE = "DAMAGED_FILE", "The file (a PDF) is damaged and cannot be read."
    TOO_MANY_PIXELS = "TOO_MANY_PIXELS", "The image has too many pixels (a decompression bomb?)."
    POLYGLOT = "POLYGLOT", "An image with other data (markup, an archive) hidden in it."
    # Programmes: the state machine of applications and the programme's rules (issue 15).
    INVALID_TRANSITION = (
        "INVALID_TRANSITION",
        "The application is not in a state this step starts from (e.g. approving a draft).",
    )
    PACKAGE_LIMIT_REACHED = (
        "PACKAGE_LIMIT_REACHED",
        "The CoP already has as many applications submitted or beyond as the programme allows "
        "(withdrawn and rejected ones do not count).",
    )
    BUDGET_EXCEEDED = (
        "BUDGET_EXCEEDED",
        "Approving would take the CoP's approved budget over the programme's budget per CoP.",
    )
    OUTSIDE_WINDOW = "OUTSIDE_WINDOW", "Submitted outside the programme's application window."
    NOT_ELIGIBLE = (
        "NOT_ELIGIBLE",
        "A contracted person has no current attestation as a listed Change Catalyst or expert "
        "of the programme.",
    )
    # Delivery to sites (webhooks, site routes, preview links).
    UNSAFE_TARGET = (
        "UNSAFE_TARGET",
        "A webhook URL whose host is loopback, private or link-local, or does not resolve.",
    )
    INVALID_PATTERN = "INVALID_PATTERN", "Not a route pattern such as /news/{slug}."
    INVALID_PREVIEW_TOKEN = (
        "INVALID_PREVIEW_TOKEN",
        "The preview token is malformed, forged, expired or for another tenant.",
    )
    # Memberships and invitations (issue 16).
    INVALID_INVITATION = (
        "INVALID_INVITATION",
        "The invitation token is unknown, expired, revoked or already used.",
    )
    WRONG_PASSWORD = (
        "WRONG_PASSWORD",
        "The password given is not the account's (the current one, or that of the existing "
        "account an invitation is for).",
    )
    LAST_ADMIN = (
        "LAST_ADMIN",
        "The change would leave the tenant without an admin membership it had.",
    )
    # Joining a community: join requests and enquiries (issue 16).
    NOT_ACCEPTING = (
        "NOT_ACCEPTING",
        "The tenant takes no join requests (or, for enquiries, has no contact address).",
    )
    STALE_PRIVACY_VERSION = (
        "STALE_PRIVACY_VERSION",
        "The privacy text changed since the client showed it: show the current one again.",
    )
    INVALID_CONFIRMATION_TOKEN = (
        "INVALID_CONFIRMATION_TOKEN",
        "The confirmation link is malformed, expired, already used or for another tenant.",
    )
    # Accounts and sessions (issue 16).
    SIGN_IN_FAILED = (
        "SIGN_IN_FAILED",
        "The address and password do not match an open account (which of them is not said).",
    )
    INVALID_LINK = (
        "INVALID_LINK",
        "The e-mailed sign-in or password-reset link is unknown, used or expired.",
    )
    TOO_SHORT = "TOO_SHORT", "Shorter text than allowed (a password under 10 characters)."
    SIGN_IN_REQUIRED = "SIGN_IN_REQUIRED", "This is for a person signed in (a session token)."
    TOO_MANY_ATTEMPTS = (
        "TOO_MANY_ATTEMPTS",
        "Too many attempts from this address or client; wait for the window to pass.",
    )
    # Gender-aggregated data (issue 17): a framework's definition, an institute's figures, its
    # CSV and the submission workflow.
    UNKNOWN_DIMENSION = (
        "UNKNOWN_DIMENSION",
        "An indicator is broken down by a dimension the framework does not define.",
    )
    YEAR_NOT_COVERED = (
        "YEAR_NOT_COVERED",
        "No published framework version covers the reporting year.",
    )
    UNKNOWN_INDICATOR = "UNKNOWN_INDICATOR", "The framework version has no indicator of this code."
    UNKNOWN_CELL = "UNKNOWN_CELL", "The indicator has no cell of this key (e.g. A|women)."
    NOT_A_NUMBER = "NOT_A_NUMBER", "A figure that is not a number."
    NEGATIVE_FIGURE = "NEGATIVE_FIGURE", "A count or full-time equivalent below zero."
    NOT_WHOLE_NUMBER = "NOT_WHOLE_NUMBER", "A headcount with a fraction: headcounts are whole."
    TOO_MANY_DECIMALS = (
        "TOO_MANY_DECIMALS",
        "A full-time equivalent with more than two decimals.",
    )
    PARTS_DO_NOT_ADD_UP = (
        "PARTS_DO_NOT_ADD_UP",
        "A total given beside its parts is not their sum.",
    )
    STAGE_ABOVE_PREVIOUS = (
        "STAGE_ABOVE_PREVIOUS",
        "A funnel stage (e.g. shortlisted) larger than the stage before it (applicants).",
    )
    INVALID_CSV = (
        "INVALID_CSV",
        "The CSV is not the template's shape: its header line or a row's four columns.",
    )
    INVALID_SUBMISSION_STEP = (
        "INVALID_SUBMISSION_STEP",
        "The submission is not in a state this step starts from (e.g. validating a draft).",
    )
    NOT_AN_INSTITUTE = (
        "NOT_AN_INSTITUTE",
        "The organisation is not a member of the tenant's network, so no token or person of "
        "the tenant may act for it.",
    )


class CMSError(Exception):
    """An expected failure with a stable machine-readable code."""

    code: ClassVar[ErrorCode]
    # The GraphQL-world name for this kind of failure (Apollo's and most clients' codes).
    standard_code: ClassVar[ErrorCode] = ErrorCode.BAD_USER_INPUT

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class UnknownTenant(CMSError):
    """A Host or X-CMS-Tenant header that names no tenant."""

    code = ErrorCode.UNKNOWN_TENANT


class TenantRequired(CMSError):
    """A write addressed to no tenant (neither X-CMS-Tenant nor a tenant's domain)."""

    code = ErrorCode.TENANT_REQUIRED


class InvalidInput(CMSError):
    """An argument the API cannot use (a malformed cursor, first > 100, …)."""

    code = ErrorCode.INVALID_INPUT


class LimitExceeded(CMSError):
    """A request over a configured limit (depth, aliases, tokens, search size, …)."""

    code = ErrorCode.LIMIT_EXCEEDED
    standard_code = ErrorCode.LIMIT_EXCEEDED


class NotFound(CMSError):
    """An id or slug that names nothing visible to the caller."""

    code = ErrorCode.NOT_FOUND
    standard_code = ErrorCode.NOT_FOUND


class AuthenticationFailed(CMSError):
    """A bad, unknown or revoked bearer token (HTTP 401)."""

    code = ErrorCode.UNAUTHENTICATED
    standard_code = ErrorCode.UNAUTHENTICATED


class PermissionDenied(CMSError):
    """A caller whose role in the tenant does not allow the operation."""

    code = ErrorCode.PERMISSION_DENIED
    standard_code = ErrorCode.FORBIDDEN


class TooManyAttempts(LimitExceeded):
    """More sign-in or link attempts by one address or one client than a window allows."""

    code = ErrorCode.TOO_MANY_ATTEMPTS


class SignInRequired(PermissionDenied):
    """An operation on a person's own account by a caller who is not a signed-in person."""

    code = ErrorCode.SIGN_IN_REQUIRED


class SignInFailed(CMSError):
    """A sign-in that did not succeed: one answer whatever the reason, so it tells nothing."""

    code = ErrorCode.SIGN_IN_FAILED
    standard_code = ErrorCode.UNAUTHENTICATED


class InvalidLink(CMSError):
    """An e-mailed one-time token that is unknown, already used or expired."""

    code = ErrorCode.INVALID_LINK


class Conflict(CMSError):
    """A write based on a stale version (`expectedVersion`)."""

    code = ErrorCode.CONFLICT


@dataclass(frozen=True)
class FieldError:
    """One problem with one input field; `field` uses the API's camelCase name."""

    field: str
    message: str
    code: ErrorCode


class ValidationFailed(CMSError):
    """Input that breaks rules, with one FieldError per problem."""

    code = ErrorCode.VALIDATION_FAILED

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))
        self.errors = errors


class RuleBroken(CMSError):
    """A step a programme's rules or an application's state forbid, naming the rule and the
    numbers (`limit`, `used`, `requested`; amounts in cents of `currency`)."""

    code = ErrorCode.INVALID_TRANSITION

    def __init__(
        self,
        code: ErrorCode,
        message: str,
        *,
        limit: int | None = None,
        used: int | None = None,
        requested: int | None = None,
        currency: str | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code  # type: ignore[misc]  # each instance names its own rule
        self.limit = limit
        self.used = used
        self.requested = requested
        self.currency = currency
