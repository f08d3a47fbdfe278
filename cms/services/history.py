"""Revision, audit entry and outbox event: written by every write, in its transaction."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

from cms import models
from cms.auth import Principal
from cms.models import DelimitedListField
from cms.services import generations
from cms.services.kinds import Kind


def _json(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value


async def snapshot(kind: Kind, row: models.ContentModel) -> dict[str, Any]:
    """Everything an editor can set on the item, relations included, as JSON."""
    fields_map = kind.model._meta.fields_map
    data: dict[str, Any] = {}
    for name in kind.editable:
        value = getattr(row, name)
        field = fields_map[name]
        if isinstance(field, DelimitedListField):  # a fresh row still holds the "" default
            value = field.to_python_value(value)
        data[name] = _json(value)
    data.update(slug=row.slug, status=_json(row.status), published_at=_json(row.published_at))
    for ref in kind.refs:
        data[f"{ref.field}_id"] = getattr(row, f"{ref.field}_id")
    if kind.tags:
        tagged = {f"{kind.link('tags').related_name}__id": row.id}
        data["tags"] = sorted(await models.Tag.filter(**tagged).values_list("slug", flat=True))
    if kind.authors:
        data["authors"] = list(
            await models.ResourceAuthor.filter(resource_id=row.id)
            .order_by("position", "id")
            .values_list("profile_id", flat=True)
        )
    if kind.attachments:
        attached = {f"{kind.link('attachments').related_name}__id": row.id}
        data["attachments"] = sorted(
            await models.File.filter(**attached).values_list("id", flat=True)
        )
    return data


def token_id(principal: Principal) -> int | None:
    """The token row of a principal; the system principal (seeds, imports) and people have
    none (a person's writes carry `account_id`)."""
    return principal.token_id or None


async def record(
    principal: Principal,
    operation: str,
    content_type: str,
    tenant_id: int,
    object_id: int,
    *,
    version: int | None = None,
    state: dict[str, Any] | None = None,
) -> None:
    """Write what the operation leaves behind; a revision only when there is a state to keep.

    The content generation is bumped here too, so every write that leaves a trace also tells
    cached public answers, in the same transaction, that they may be out of date.
    """
    await generations.content_changed(content_type, tenant_id, object_id, operation, state)
    if state is not None and version is not None:
        await models.Revision.create(
            tenant_id=tenant_id,
            content_type=content_type,
            object_id=object_id,
            version=version,
            operation=operation,
            snapshot=state,
            token_id=token_id(principal),
            author_name=principal.name,
            account_id=principal.account_id,
        )
    await models.AuditEntry.create(
        tenant_id=tenant_id,
        token_id=token_id(principal),
        token_name=principal.name,
        account_id=principal.account_id,
        action=operation,
        content_type=content_type,
        object_id=object_id,
        version=version,
    )
    await models.OutboxEvent.create(
        tenant_id=tenant_id,
        content_type=content_type,
        object_id=object_id,
        operation=operation,
    )


async def audit(
    principal: Principal, action: str, content_type: str, tenant_id: int, object_id: int
) -> None:
    """An audit entry alone, for writes that are not content (webhooks, site routes): they have
    no revision, and no outbox event since nothing derived depends on them."""
    await models.AuditEntry.create(
        tenant_id=tenant_id,
        token_id=token_id(principal),
        token_name=principal.name,
        account_id=principal.account_id,
        action=action,
        content_type=content_type,
        object_id=object_id,
    )
