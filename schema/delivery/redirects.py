"""Redirects in the API: lookups by an old slug or path, and the `redirects` list for sites."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from tortoise.models import Model

from cms import models
from cms.errors import InvalidInput
from cms.services.kinds import KINDS
from cms.services.redirects import KEY_MAX, key_of
from cms.tenancy import Scope, visible_q
from cms.urls import routes_of
from schema.context import Info
from schema.core.payloads import require_tenant

REDIRECTS_MAX = 1000


async def redirected(
    info: Info, model: type[Model], kind: str, key: str, *, tenant: str | None = None
) -> Any | None:
    """The item that once had `key`, through the lookup's own visibility rule, marked with it."""
    if len(key) > KEY_MAX:
        return None
    scope = info.context.scope
    owner = scope.tenant_id
    if tenant is not None:
        row = await info.context.directory.by_slug(tenant)
        owner = row.id if row is not None else None
    if owner is None:
        return None
    found = await models.Redirect.get_or_none(tenant_id=owner, content_type=kind, old_key=key)
    if found is None:
        return None
    shareable = hasattr(model, "shared")
    item = await model.filter(
        visible_q(scope, shareable=shareable), id=found.object_id, tenant_id=owner
    ).first()
    if item is not None:
        item.redirected_from = key  # read by Content.redirectedFrom
    return item


@strawberry.type(description="An old address of an item and where it is now.")
class RedirectType:
    kind: str = strawberry.field(description="The item's kind (NewsItem, Page, …).")
    old_key: str = strawberry.field(description="The old slug (a page: its old path).")
    new_key: str = strawberry.field(description="The slug (or path) it has now.")
    old_url: str = strawberry.field(description="The old public URL (cms/urls.py's patterns).")
    new_url: str = strawberry.field(description="The public URL now.")


class RedirectQuery:
    """The redirect rules of this site."""

    @strawberry.field(
        description=f"This site's old slugs and paths of live items, oldest first (at most "
        f"{REDIRECTS_MAX} per call; pass `offset` for more)."
    )
    async def redirects(
        self,
        info: Info,
        first: Annotated[int, strawberry.argument(description="How many.")] = 100,
        offset: Annotated[int, strawberry.argument(description="How many to skip.")] = 0,
    ) -> list[RedirectType]:
        tenant = require_tenant(info)
        if not 0 < first <= REDIRECTS_MAX or offset < 0:
            raise InvalidInput(f"`first` must be 1 to {REDIRECTS_MAX}, `offset` at least 0.")
        scope = info.context.scope
        rows = (
            await models.Redirect.filter(tenant_id=tenant.id)
            .order_by("id")
            .offset(offset)
            .limit(first)
        )
        wanted: dict[str, set[int]] = {}
        for row in rows:
            wanted.setdefault(row.content_type, set()).add(row.object_id)
        items: dict[tuple[str, int], models.ContentModel] = {}
        for kind_name, ids in wanted.items():
            kind = KINDS.get(kind_name)
            if kind is None:
                continue
            public = Scope(tenant=scope.tenant, now=scope.now, preview=False)
            for item in await kind.model.filter(
                visible_q(public, shareable=kind.shareable), id__in=ids, tenant_id=tenant.id
            ):
                items[(kind_name, item.id)] = item
        routes = await routes_of(tenant)
        answer = []
        for row in rows:
            found = items.get((row.content_type, row.object_id))
            if found is None:
                continue  # a draft's or deleted item's old address is nobody's business
            is_page = row.content_type == "Page"
            old = {"path": row.old_key} if is_page else {"slug": row.old_key}
            answer.append(
                RedirectType(
                    kind=row.content_type,
                    old_key=row.old_key,
                    new_key=key_of(found),
                    old_url=routes.url(row.content_type, object_id=found.id, **old),
                    new_url=routes.of(row.content_type, found),
                )
            )
        return answer
