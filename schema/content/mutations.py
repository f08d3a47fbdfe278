"""Content writes: create, update and delete per kind, the workflow of any item, and tags.

Every per-kind mutation is spelled out below with its GraphQL name; the resolvers come from
one factory per operation, with input and payload types derived from the kind registry.
"""

# No `from __future__ import annotations` here: the resolvers are made by factories and
# strawberry must see their real input and payload classes, not names.

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import strawberry

from cms.errors import FieldError, NotFound, ValidationFailed
from cms.names import camel, lower_first
from cms.services import content, tags
from cms.services.kinds import KINDS, Kind
from schema.content.inputs import INPUT_FIELDS, CreateTagInput, UpdateTagInput, input_type
from schema.content.types import CONTENT_TYPES, TagType
from schema.context import Info
from schema.core.ids import database_id, from_global_id
from schema.core.nodes import Content
from schema.core.payloads import (
    DeletePayload,
    MutationError,
    attempt,
    payload_type,
    require_principal,
    require_tenant,
)

# The input and payload types of each kind's writes, by their GraphQL names.
WRITE_TYPES = {
    "Resource": ("CreateResourceInput", "UpdateResourceInput", "ResourcePayload"),
    "Video": ("CreateVideoInput", "UpdateVideoInput", "VideoPayload"),
    "Profile": ("CreateProfileInput", "UpdateProfileInput", "ProfilePayload"),
    "Organisation": ("CreateOrganisationInput", "UpdateOrganisationInput", "OrganisationPayload"),
    "Event": ("CreateEventInput", "UpdateEventInput", "EventPayload"),
    "NewsItem": ("CreateNewsItemInput", "UpdateNewsItemInput", "NewsItemPayload"),
    "Page": ("CreatePageInput", "UpdatePageInput", "PagePayload"),
}
CREATE_INPUTS = {
    kind: input_type(kind, names[0], partial=False) for kind, names in WRITE_TYPES.items()
}
UPDATE_INPUTS = {
    kind: input_type(kind, names[1], partial=True) for kind, names in WRITE_TYPES.items()
}
PAYLOADS = {
    kind: payload_type(names[2], kind, CONTENT_TYPES[kind]) for kind, names in WRITE_TYPES.items()
}


@strawberry.type(description="The result of a workflow mutation on any content item.")
class ContentPayload:
    node: Content | None = strawberry.field(default=None, description="The item as saved.")
    errors: list[MutationError] = strawberry.field(
        default_factory=list, description="Empty on success."
    )


@strawberry.type(description="The result of a tag mutation.")
class TagPayload:
    tag: TagType | None = strawberry.field(default=None, description="The tag as saved.")
    errors: list[MutationError] = strawberry.field(
        default_factory=list, description="Empty on success."
    )


def _service_values(kind: Kind, data: Any) -> dict[str, Any]:
    """The input's set fields as service values: global ids become database ids."""
    values: dict[str, Any] = {}
    problems: list[FieldError] = []
    for spec in INPUT_FIELDS[kind.name]:
        value = getattr(data, spec.name, strawberry.UNSET)
        if value is strawberry.UNSET:
            continue
        if spec.id_of is not None and value is not None:
            field = camel(spec.name)
            try:
                if isinstance(value, list):
                    value = [database_id(v, spec.id_of, field) for v in value]
                else:
                    value = database_id(value, spec.id_of, field)
            except NotFound as error:
                problems.append(FieldError(field, error.message, error.code))
                continue
        values[spec.name] = value
    if problems:
        raise ValidationFailed(problems)
    return values


def _saved(kind: Kind) -> Callable[[Any], Any]:
    """The payload of a kind holding the saved row."""
    payload, node_field = PAYLOADS[kind.name], lower_first(kind.name)
    node_type = CONTENT_TYPES[kind.name]
    return lambda row: payload(**{node_field: node_type.from_model(row)})


def create_mutation(name: str, kind: Kind) -> Any:
    input_type, payload = CREATE_INPUTS[kind.name], PAYLOADS[kind.name]

    async def resolve(info: Info, input: input_type) -> payload:  # type: ignore[valid-type]  # made from the registry
        async def work() -> Any:
            principal, tenant = require_principal(info), require_tenant(info)
            return await content.create(principal, tenant, kind, _service_values(kind, input))

        return await attempt(work, _saved(kind), lambda e: payload(errors=e))

    return strawberry.mutation(
        name=name, resolver=resolve, description=f"Create a {kind.name} (a draft)."
    )


def update_mutation(name: str, kind: Kind) -> Any:
    input_type, payload = UPDATE_INPUTS[kind.name], PAYLOADS[kind.name]

    async def resolve(info: Info, id: strawberry.ID, input: input_type) -> payload:  # type: ignore[valid-type]  # made from the registry
        async def work() -> Any:
            values = _service_values(kind, input)
            principal = require_principal(info)
            pk = database_id(id, kind.name, "id")
            expected = input.expected_version  # type: ignore[attr-defined]  # made from the registry
            return await content.update(principal, kind, pk, values, expected)

        return await attempt(work, _saved(kind), lambda e: payload(errors=e))

    return strawberry.mutation(
        name=name,
        resolver=resolve,
        description=f"Change a {kind.name}; a stale expectedVersion is a CONFLICT.",
    )


def delete_mutation(name: str, kind: Kind) -> Any:
    async def resolve(info: Info, id: strawberry.ID) -> DeletePayload:
        async def work() -> Any:
            await content.delete(require_principal(info), kind, database_id(id, kind.name, "id"))
            return id

        return await attempt(
            work,
            lambda deleted: DeletePayload(deleted_id=deleted),
            lambda e: DeletePayload(errors=e),
        )

    return strawberry.mutation(
        name=name, resolver=resolve, description=f"Delete a {kind.name}; its revisions are kept."
    )


def _content_item(id: strawberry.ID) -> tuple[Kind, int]:
    pk = database_id(id, tuple(KINDS), "id")
    decoded = from_global_id(str(id))
    assert decoded is not None
    return KINDS[decoded[0]], pk


async def _workflow(
    info: Info, id: strawberry.ID, operation: Callable[..., Awaitable[Any]], *args: Any
) -> ContentPayload:
    async def work() -> Any:
        kind, pk = _content_item(id)
        return kind, await operation(require_principal(info), kind, pk, *args)

    return await attempt(
        work,
        lambda result: ContentPayload(node=CONTENT_TYPES[result[0].name].from_model(result[1])),
        lambda e: ContentPayload(errors=e),
    )


class WorkflowMutation:
    """The workflow of any content item, and the tag vocabulary."""

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

    @strawberry.mutation(
        name="revertToRevision",
        description="Restore an earlier revision's content as a new version.",
    )
    async def revert_to_revision(
        self, info: Info, id: strawberry.ID, revision: int
    ) -> ContentPayload:
        return await _workflow(info, id, content.revert, revision)

    @strawberry.mutation(name="createTag", description="Add a tag to this site's vocabulary.")
    async def create_tag(self, info: Info, input: CreateTagInput) -> TagPayload:
        async def work() -> Any:
            principal, tenant = require_principal(info), require_tenant(info)
            return await tags.create_tag(principal, tenant, input.name, input.slug)

        return await attempt(
            work, lambda t: TagPayload(tag=TagType.from_model(t)), lambda e: TagPayload(errors=e)
        )

    @strawberry.mutation(name="updateTag", description="Rename a tag or change its slug.")
    async def update_tag(self, info: Info, id: strawberry.ID, input: UpdateTagInput) -> TagPayload:
        async def work() -> Any:
            principal = require_principal(info)
            pk = database_id(id, "Tag", "id")
            return await tags.update_tag(principal, pk, input.name, input.slug)

        return await attempt(
            work, lambda t: TagPayload(tag=TagType.from_model(t)), lambda e: TagPayload(errors=e)
        )

    @strawberry.mutation(
        name="deleteTag", description="Remove a tag from the vocabulary and from every item."
    )
    async def delete_tag(self, info: Info, id: strawberry.ID) -> DeletePayload:
        async def work() -> Any:
            await tags.delete_tag(require_principal(info), database_id(id, "Tag", "id"))
            return id

        return await attempt(
            work, lambda d: DeletePayload(deleted_id=d), lambda e: DeletePayload(errors=e)
        )


class KindMutation:
    """Create, update and delete for each content kind of the registry."""

    create_resource = create_mutation("createResource", KINDS["Resource"])
    update_resource = update_mutation("updateResource", KINDS["Resource"])
    delete_resource = delete_mutation("deleteResource", KINDS["Resource"])
    create_video = create_mutation("createVideo", KINDS["Video"])
    update_video = update_mutation("updateVideo", KINDS["Video"])
    delete_video = delete_mutation("deleteVideo", KINDS["Video"])
    create_profile = create_mutation("createProfile", KINDS["Profile"])
    update_profile = update_mutation("updateProfile", KINDS["Profile"])
    delete_profile = delete_mutation("deleteProfile", KINDS["Profile"])
    create_organisation = create_mutation("createOrganisation", KINDS["Organisation"])
    update_organisation = update_mutation("updateOrganisation", KINDS["Organisation"])
    delete_organisation = delete_mutation("deleteOrganisation", KINDS["Organisation"])
    create_event = create_mutation("createEvent", KINDS["Event"])
    update_event = update_mutation("updateEvent", KINDS["Event"])
    delete_event = delete_mutation("deleteEvent", KINDS["Event"])
    create_news_item = create_mutation("createNewsItem", KINDS["NewsItem"])
    update_news_item = update_mutation("updateNewsItem", KINDS["NewsItem"])
    delete_news_item = delete_mutation("deleteNewsItem", KINDS["NewsItem"])
    create_page = create_mutation("createPage", KINDS["Page"])
    update_page = update_mutation("updatePage", KINDS["Page"])
    delete_page = delete_mutation("deletePage", KINDS["Page"])
