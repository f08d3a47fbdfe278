"""What every mutation answers: the changed object or typed errors, and the shared guards.

Expected failures (validation, not found, conflict, permission) come back as `errors` in the
payload with a stable `code`; resolvers only translate between GraphQL and cms.services.
"""

# No `from __future__ import annotations`: `payload_type` builds classes whose annotations
# strawberry must see as real types.

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import strawberry

from cms import models
from cms.auth import Principal
from cms.errors import CMSError, ErrorCode, PermissionDenied, TenantRequired, ValidationFailed
from cms.names import lower_first
from schema.context import Info
from schema.core.errors import ErrorCodeEnum

P = TypeVar("P")


@strawberry.type(description="Why a mutation did not happen; `field` names the input field.")
class MutationError:
    field: str | None = strawberry.field(description="The input field at fault, if one is.")
    message: str = strawberry.field(description="What is wrong, for a person.")
    code: ErrorCode = strawberry.field(
        graphql_type=ErrorCodeEnum,
        description="Stable code: VALIDATION codes such as REQUIRED, TOO_LONG, DUPLICATE, "
        "UNSAFE_HTML; NOT_FOUND; CONFLICT; PERMISSION_DENIED; TENANT_REQUIRED.",
    )


@strawberry.type(description="The result of a delete.")
class DeletePayload:
    deleted_id: strawberry.ID | None = strawberry.field(
        default=None, description="Id of the removed item."
    )
    errors: list[MutationError] = strawberry.field(
        default_factory=list, description="Empty on success."
    )


def payload_type(name: str, type_name: str, node_type: type) -> type:
    """`name { <type>: <Type>, errors }`, the result of a mutation on one type."""
    node_field = lower_first(type_name)
    namespace = {
        "__annotations__": {node_field: node_type | None, "errors": list[MutationError]},
        node_field: strawberry.field(default=None, description=f"The {type_name} as saved."),
        "errors": strawberry.field(default_factory=list, description="Empty on success."),
    }
    cls = type(name, (), namespace)
    return strawberry.type(cls, description=f"The result of a {type_name} mutation.")


def mutation_errors(error: CMSError) -> list[MutationError]:
    if isinstance(error, ValidationFailed):
        return [MutationError(field=e.field, message=e.message, code=e.code) for e in error.errors]
    return [MutationError(field=error.field, message=error.message, code=error.code)]


async def attempt(
    work: Callable[[], Awaitable[Any]],
    success: Callable[[Any], P],
    failure: Callable[[list[MutationError]], P],
) -> P:
    """The payload of `work`: `success(result)`, or `failure(errors)` for an expected error."""
    try:
        result = await work()
    except CMSError as error:
        return failure(mutation_errors(error))
    return success(result)


def require_tenant(info: Info) -> models.Tenant:
    tenant = info.context.scope.tenant
    if tenant is None:
        raise TenantRequired(
            "Address a tenant (X-CMS-Tenant header or its domain) to create in it."
        )
    return tenant


def require_principal(info: Info) -> Principal:
    principal = info.context.principal
    if principal is None:
        raise PermissionDenied("Writing needs an API token (Authorization: Bearer …).")
    return principal
