"""Factories: plain async functions that write rows with sensible defaults and overrides."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from cms import models
from cms.models import Status

_counter = itertools.count(1)
PAST = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
FUTURE = datetime(2099, 1, 1, tzinfo=UTC)
# An expiry that has passed (expires_at), like Plone's `expires` of an outdated item.
EXPIRED = datetime(2025, 1, 1, tzinfo=UTC)


def _n() -> int:
    return next(_counter)


def _published(overrides: dict[str, Any]) -> dict[str, Any]:
    status = overrides.pop("status", Status.PUBLISHED)
    defaults = {"status": status, "published_at": PAST if status == Status.PUBLISHED else None}
    defaults.update(overrides)
    return defaults


async def tenant(**overrides: Any) -> models.Tenant:
    n = _n()
    values: dict[str, Any] = {
        "slug": f"cop-{n}",
        "name": f"Community {n}",
        "kind": models.TenantKind.COP,
    }
    values.update(overrides)
    return await models.Tenant.create(**values)


async def tag(owner: models.Tenant, **overrides: Any) -> models.Tag:
    n = _n()
    values: dict[str, Any] = {"tenant": owner, "name": f"Tag {n}", "slug": f"tag-{n}"}
    values.update(overrides)
    return await models.Tag.create(**values)


async def image(owner: models.Tenant, **overrides: Any) -> models.Image:
    n = _n()
    values: dict[str, Any] = {
        "tenant": owner,
        "storage_key": f"originals/{n:08x}.jpg",
        "content_type": "image/jpeg",
        "size": 1000,
        "width": 1200,
        "height": 800,
        "alt": f"Picture {n}",
    }
    values.update(overrides)
    return await models.Image.create(**values)


async def organisation(owner: models.Tenant, **overrides: Any) -> models.Organisation:
    n = _n()
    values = {
        "tenant": owner,
        "name": f"Organisation {n}",
        "slug": f"org-{n}",
        "kind": models.OrganisationKind.UNIVERSITY,
    }
    values.update(_published(overrides))
    return await models.Organisation.create(**values)


async def profile(owner: models.Tenant, **overrides: Any) -> models.Profile:
    n = _n()
    values = {
        "tenant": owner,
        "name": f"Person {n}",
        "slug": f"person-{n}",
        "roles": ["expert"],
        "private_contact": f"person{n}@private.example.org",
    }
    values.update(_published(overrides))
    return await models.Profile.create(**values)


async def resource(
    owner: models.Tenant,
    *,
    tags: list[models.Tag] = (),  # type: ignore[assignment]
    authors: list[models.Profile] = (),  # type: ignore[assignment]
    **overrides: Any,
) -> models.Resource:
    n = _n()
    values = {
        "tenant": owner,
        "title": f"Resource {n}",
        "slug": f"resource-{n}",
        "kind": models.ResourceKind.TOOLKIT,
        "summary": f"Summary {n}",
    }
    values.update(_published(overrides))
    row = await models.Resource.create(**values)
    if tags:
        await row.tags.add(*tags)
    for position, author in enumerate(authors):
        await models.ResourceAuthor.create(resource=row, profile=author, position=position)
    return row


async def video(owner: models.Tenant, **overrides: Any) -> models.Video:
    n = _n()
    values = {
        "tenant": owner,
        "title": f"Video {n}",
        "slug": f"video-{n}",
        "provider": models.VideoProvider.YOUTUBE,
    }
    values.update(_published(overrides))
    return await models.Video.create(**values)


async def event(owner: models.Tenant, **overrides: Any) -> models.Event:
    n = _n()
    start = overrides.pop("start", datetime(2030, 3, 1, 9, tzinfo=UTC))
    values = {
        "tenant": owner,
        "title": f"Event {n}",
        "slug": f"event-{n}",
        "start": start,
        "end": overrides.pop("end", start + timedelta(hours=2)),
        "format": models.EventFormat.ONLINE,
    }
    values.update(_published(overrides))
    return await models.Event.create(**values)


async def news_item(owner: models.Tenant, **overrides: Any) -> models.NewsItem:
    n = _n()
    values = {"tenant": owner, "title": f"News {n}", "slug": f"news-{n}"}
    values.update(_published(overrides))
    return await models.NewsItem.create(**values)


async def page(owner: models.Tenant, **overrides: Any) -> models.Page:
    n = _n()
    path = overrides.pop("path", f"page-{n}")
    values = {"tenant": owner, "title": f"Page {n}", "path": path, "slug": path.rsplit("/", 1)[-1]}
    values.update(_published(overrides))
    return await models.Page.create(**values)


async def file(owner: models.Tenant, **overrides: Any) -> models.File:
    n = _n()
    values: dict[str, Any] = {
        "tenant": owner,
        "storage_key": f"files/{n:08x}.pdf",
        "content_type": "application/pdf",
        "size": 2000,
        "title": f"Document {n}",
        "filename": f"document-{n}.pdf",
    }
    values.update(overrides)
    return await models.File.create(**values)


async def token(
    owner: models.Tenant | None, role: str = "editor", *, name: str | None = None
) -> tuple[models.ApiToken, str]:
    """An API token (owner None = platform) and its value, made as `cms create-token` does."""
    from cms.services.tokens import create_token

    return await create_token(name or f"token-{_n()}", role, owner.slug if owner else None)


def bearer(value: str) -> dict[str, str]:
    """The Authorization header of a token value."""
    return {"Authorization": f"Bearer {value}"}


HISTORY_MODELS = (models.Revision, models.AuditEntry, models.OutboxEvent)
CONTENT_MODELS = (
    models.Resource,
    models.Video,
    models.Profile,
    models.Organisation,
    models.Event,
    models.NewsItem,
    models.Page,
    models.Tag,
    models.ResourceAuthor,
)


async def database_state() -> dict[str, Any]:
    """Row counts of link, history and token tables; every item as (id, version, status, slug)."""
    state: dict[str, Any] = {}
    for model in (models.ResourceAuthor, *HISTORY_MODELS, models.ApiToken):
        state[model.__name__] = await model.all().count()
    for model in CONTENT_MODELS[:7]:  # their rows, which also count them
        rows = await model.all().order_by("id").values_list("id", "version", "status", "slug")
        state[f"{model.__name__}:rows"] = [tuple(r) for r in rows]
    state["Tag:rows"] = [
        tuple(r) for r in await models.Tag.all().order_by("id").values_list("id", "name", "slug")
    ]
    return state
