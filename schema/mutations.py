"""The root Mutation: create, update and delete per kind, and the workflow of any item.

Expected failures (validation, not found, conflict, permission) come back as `errors` in the
payload with a stable `code`; the resolvers only translate between GraphQL and cms.services.
"""

# No `from __future__ import annotations` here: the resolvers are made in loops and strawberry
# must see their real input and payload classes, not names.

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import strawberry

from cms import models
from cms.errors import CMSError, ErrorCode, FieldError, NotFound, TenantRequired, ValidationFailed
from cms.services import content, tags
from cms.services.kinds import KINDS, Kind
from schema.content import EventType, NewsItemType, PageType, ResourceType, TagType, VideoType
from schema.context import Info
from schema.errors import ErrorCodeEnum
from schema.ids import from_global_id
from schema.inputs import CREATE_INPUTS, SPECS, UPDATE_INPUTS, CreateTagInput, UpdateTagInput
from schema.nodes import Content
from schema.people import OrganisationType, ProfileType

WRAPPERS: dict[str, Callable[[Any], Any]] = {
    "Resource": ResourceType.from_model,
    "Video": VideoType.from_model,
    "Profile": ProfileType.from_model,
    "Organisation": OrganisationType.from_model,
    "Event": EventType.from_model,
    "NewsItem": NewsItemType.from_model,
    "Page": PageType.from_model,
}
NODE_TYPES: dict[str, Any] = {
    "Resource": ResourceType, "Video": VideoType, "Profile": ProfileType,
    "Organisation": OrganisationType, "Event": EventType, "NewsItem": NewsItemType,
    "Page": PageType,
}  # fmt: skip


@strawberry.type(description="Why a mutation did not happen; `field` names the input field.")
class MutationError:
    field: str | None = strawberry.field(description="The input field at fault, if one is.")
    message: str = strawberry.field(description="What is wrong, for a person.")
    code: ErrorCode = strawberry.field(
        graphql_type=ErrorCodeEnum,
        description="Stable code: VALIDATION codes such as REQUIRED, TOO_LONG, DUPLICATE, "
        "UNSAFE_HTML; NOT_FOUND; CONFLICT; PERMISSION_DENIED; TENANT_REQUIRED.",
    )


def _errors(error: CMSError) -> list[MutationError]:
    if isinstance(error, ValidationFailed):
        return [MutationError(field=e.field, message=e.message, code=e.code) for e in error.errors]
    return [MutationError(field=error.field, message=error.message, code=error.code)]


def _lower(name: str) -> str:
    return name[0].lower() + name[1:]


def _payload(kind: str) -> type:
    node_field = _lower(kind)
    namespace = {
        "__annotations__": {node_field: NODE_TYPES[kind] | None, "errors": list[MutationError]},
        node_field: strawberry.field(default=None, description=f"The {kind} as saved."),
        "errors": strawberry.field(default_factory=list, description="Empty on success."),
    }
    cls = type(f"{kind}Payload", (), namespace)
    return strawberry.type(cls, description=f"The result of a {kind} mutation.")


PAYLOADS = {kind: _payload(kind) for kind in SPECS}


@strawberry.type(description="The result of a workflow mutation on any content item.")
class ContentPayload:
    node: Content | None = strawberry.field(default=None, description="The item as saved.")
    errors: list[MutationError] = strawberry.field(
        default_factory=list, description="Empty on success."
    )


@strawberry.type(description="The result of a delete.")
class DeletePayload:
    deleted_id: strawberry.ID | None = strawberry.field(
        default=None, description="Id of the removed item."
    )
    errors: list[MutationError] = strawberry.field(
        default_factory=list, description="Empty on success."
    )


@strawberry.type(description="The result of a tag mutation.")
class TagPayload:
    tag: TagType | None = strawberry.field(default=None, description="The tag as saved.")
    errors: list[MutationError] = strawberry.field(
        default_factory=list, description="Empty on success."
    )


_MAX_ID = 2**31 - 1


def _pk(global_id: Any, expected: str | tuple[str, ...], field: str) -> int:
    decoded = from_global_id(str(global_id))
    allowed = (expected,) if isinstance(expected, str) else expected
    # A key past 32 bits names no row, and PostgreSQL refuses to compare an int column to it.
    if decoded is None or decoded[0] not in allowed or not 0 < decoded[1] <= _MAX_ID:
        raise NotFound(f"`{field}` is not the id of a {' or '.join(allowed)}.", field=field)
    return decoded[1]


def _values(kind: str, data: Any) -> dict[str, Any]:
    """The input's set fields as service values: global ids become database ids."""
    values: dict[str, Any] = {}
    problems: list[FieldError] = []
    for spec in SPECS[kind]:
        value = getattr(data, spec.name, strawberry.UNSET)
        if value is strawberry.UNSET:
            continue
        if spec.id_of is not None and value is not None:
            field = "".join(w if i == 0 else w.title() for i, w in enumerate(spec.name.split("_")))
            try:
                if isinstance(value, list):
                    value = [_pk(v, spec.id_of, field) for v in value]
                else:
                    value = _pk(value, spec.id_of, field)
            except NotFound as error:
                problems.append(FieldError(field, error.message, error.code))
                continue
        values[spec.name] = value
    if problems:
        raise ValidationFailed(problems)
    return values


def _tenant_required(info: Info) -> models.Tenant:
    tenant = info.context.scope.tenant
    if tenant is None:
        raise TenantRequired(
            "Address a tenant (X-CMS-Tenant header or its domain) to create in it."
        )
    return tenant


def _principal(info: Info) -> Any:
    principal = info.context.principal
    if principal is None:
        from cms.errors import PermissionDenied

        raise PermissionDenied("Writing needs an API token (Authorization: Bearer …).")
    return principal


async def _attempt(
    work: Callable[[], Awaitable[Any]],
    success: Callable[[Any], Any],
    failure: Callable[[list[MutationError]], Any],
) -> Any:
    try:
        result = await work()
    except CMSError as error:
        return failure(_errors(error))
    return success(result)


def _create_field(kind: Kind) -> Any:
    input_type, payload = CREATE_INPUTS[kind.name], PAYLOADS[kind.name]
    node_field, wrap = _lower(kind.name), WRAPPERS[kind.name]

    async def resolve(info: Info, input: input_type) -> payload:  # type: ignore[valid-type]
        async def work() -> Any:
            return await content.create(
                _principal(info), _tenant_required(info), kind, _values(kind.name, input)
            )

        return await _attempt(
            work, lambda row: payload(**{node_field: wrap(row)}), lambda e: payload(errors=e)
        )

    return strawberry.mutation(resolver=resolve, description=f"Create a {kind.name} (a draft).")


def _update_field(kind: Kind) -> Any:
    input_type, payload = UPDATE_INPUTS[kind.name], PAYLOADS[kind.name]
    node_field, wrap = _lower(kind.name), WRAPPERS[kind.name]

    async def resolve(info: Info, id: strawberry.ID, input: input_type) -> payload:  # type: ignore[valid-type]
        async def work() -> Any:
            values = _values(kind.name, input)
            return await content.update(
                _principal(info), kind, _pk(id, kind.name, "id"), values, input.expected_version
            )

        return await _attempt(
            work, lambda row: payload(**{node_field: wrap(row)}), lambda e: payload(errors=e)
        )

    return strawberry.mutation(
        resolver=resolve,
        description=f"Change a {kind.name}; a stale expectedVersion is a CONFLICT.",
    )


def _delete_field(kind: Kind) -> Any:
    async def resolve(info: Info, id: strawberry.ID) -> DeletePayload:
        async def work() -> Any:
            await content.delete(_principal(info), kind, _pk(id, kind.name, "id"))
            return id

        return await _attempt(
            work,
            lambda deleted: DeletePayload(deleted_id=deleted),
            lambda e: DeletePayload(errors=e),
        )

    return strawberry.mutation(
        resolver=resolve, description=f"Delete a {kind.name}; its revisions are kept."
    )


def _content(id: strawberry.ID) -> tuple[Kind, int]:
    pk = _pk(id, tuple(KINDS), "id")
    decoded = from_global_id(str(id))
    assert decoded is not None
    return KINDS[decoded[0]], pk


async def _workflow(
    info: Info, id: strawberry.ID, operation: Callable[..., Awaitable[Any]], *args: Any
) -> ContentPayload:
    async def work() -> Any:
        kind, pk = _content(id)
        return kind, await operation(_principal(info), kind, pk, *args)

    return await _attempt(
        work,
        lambda result: ContentPayload(node=WRAPPERS[result[0].name](result[1])),
        lambda e: ContentPayload(errors=e),
    )


@strawberry.type(description="Workflow and tag mutations; per-kind ones are added below.")
class WorkflowMutation:
    @strawberry.mutation(description="Publish now, or at `at` (a future time schedules it).")
    async def publish(
        self, info: Info, id: strawberry.ID, at: datetime | None = None
    ) -> ContentPayload:
        return await _workflow(info, id, content.publish, at)

    @strawberry.mutation(description="Take an item back to draft.")
    async def unpublish(self, info: Info, id: strawberry.ID) -> ContentPayload:
        return await _workflow(info, id, content.unpublish)

    @strawberry.mutation(description="Retire an item from the public without deleting it.")
    async def archive(self, info: Info, id: strawberry.ID) -> ContentPayload:
        return await _workflow(info, id, content.archive)

    @strawberry.mutation(description="Restore an earlier revision's content as a new version.")
    async def revert_to_revision(
        self, info: Info, id: strawberry.ID, revision: int
    ) -> ContentPayload:
        return await _workflow(info, id, content.revert, revision)

    @strawberry.mutation(description="Add a tag to this site's vocabulary.")
    async def create_tag(self, info: Info, input: CreateTagInput) -> TagPayload:
        async def work() -> Any:
            return await tags.create_tag(
                _principal(info), _tenant_required(info), input.name, input.slug
            )

        return await _attempt(
            work, lambda t: TagPayload(tag=TagType.from_model(t)), lambda e: TagPayload(errors=e)
        )

    @strawberry.mutation(description="Rename a tag or change its slug.")
    async def update_tag(self, info: Info, id: strawberry.ID, input: UpdateTagInput) -> TagPayload:
        async def work() -> Any:
            return await tags.update_tag(
                _principal(info), _pk(id, "Tag", "id"), input.name, input.slug
            )

        return await _attempt(
            work, lambda t: TagPayload(tag=TagType.from_model(t)), lambda e: TagPayload(errors=e)
        )

    @strawberry.mutation(description="Remove a tag from the vocabulary and from every item.")
    async def delete_tag(self, info: Info, id: strawberry.ID) -> DeletePayload:
        async def work() -> Any:
            await tags.delete_tag(_principal(info), _pk(id, "Tag", "id"))
            return id

        return await _attempt(
            work, lambda d: DeletePayload(deleted_id=d), lambda e: DeletePayload(errors=e)
        )


def build_mutation(*parts: type) -> type:
    """The Mutation type: workflow and tags, create/update/delete for each kind, then `parts`
    (other domains' mutation classes, e.g. uploads)."""
    namespace: dict[str, Any] = {}
    for kind in KINDS.values():
        snake = "".join(f"_{c.lower()}" if c.isupper() else c for c in kind.name).lstrip("_")
        namespace[f"create_{snake}"] = _create_field(kind)
        namespace[f"update_{snake}"] = _update_field(kind)
        namespace[f"delete_{snake}"] = _delete_field(kind)
    cls = type("Mutation", (WorkflowMutation, *parts), namespace)
    return strawberry.type(cls, description="Writes: every one needs an API token of the tenant.")


__all__ = ["build_mutation"]
