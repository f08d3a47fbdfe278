"""Every DataLoader, named by what it answers and its key; built fresh for each request.

Loaders answer in key order with None or [] for misses, and apply the reader's visibility
rules themselves, so a relation can never reveal what a list or lookup would hide.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader
from tortoise import connections
from tortoise.expressions import Q
from tortoise.models import Model

from cms.models import (
    File,
    Image,
    Organisation,
    Page,
    Profile,
    ResourceAuthor,
    Revision,
    Tag,
    Tenant,
)
from cms.services.kinds import KINDS
from cms.tenancy import Scope, visible_q

M = TypeVar("M", bound=Model)

TAG_FIELDS = ("id", "tenant_id", "name", "slug", "created_at", "updated_at")
FILE_FIELDS = (
    "id",
    "tenant_id",
    "storage_key",
    "content_type",
    "size",
    "title",
    "filename",
    "source_uid",
    "created_at",
    "updated_at",
)


def _in_key_order(keys: Sequence[int], rows: Sequence[M]) -> list[M | None]:
    by_id = {row.pk: row for row in rows}
    return [by_id.get(key) for key in keys]


class Loaders:
    """One request's loaders; never shared across requests, so their caches cannot go stale."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.tenant_by_id = DataLoader(self._tenants)
        self.children_by_tenant_id = DataLoader(self._children_by_tenant_id)
        self.image_by_id = DataLoader(self._by_id(Image))
        self.file_by_id = DataLoader(self._by_id(File))
        self.organisation_by_id = DataLoader(self._visible_by_id(Organisation, shareable=True))
        self.profile_by_id = DataLoader(self._visible_by_id(Profile, shareable=True))
        self.page_by_id = DataLoader(self._visible_by_id(Page, shareable=False))
        self.children_by_page_id = DataLoader(self._children_by_page_id)
        self.authors_by_resource_id = DataLoader(self._authors_by_resource_id)
        self.attachments_by_resource_id = DataLoader(self._attachments_by_resource_id)
        self.tags_by_resource_id = DataLoader(self._tags_by("resource_tag", "resource_id"))
        self.tags_by_video_id = DataLoader(self._tags_by("video_tag", "video_id"))
        self.tags_by_event_id = DataLoader(self._tags_by("event_tag", "event_id"))
        self.tags_by_news_item_id = DataLoader(self._tags_by("news_tag", "news_item_id"))
        self.memberships_by_organisation_id = DataLoader(self._memberships)
        self.revisions_by_item = DataLoader(_revisions_of)
        self.translations_by_group = DataLoader(self._translations_by_group)

    async def _tenants(self, keys: list[int]) -> list[Tenant | None]:
        return _in_key_order(keys, await Tenant.filter(id__in=keys))

    async def _children_by_tenant_id(self, keys: list[int]) -> list[list[Tenant]]:
        rows = await Tenant.filter(parent_id__in=keys).order_by("name", "id")
        grouped: dict[int, list[Tenant]] = defaultdict(list)
        for row in rows:
            grouped[row.parent_id].append(row)
        return [grouped.get(key, []) for key in keys]

    @staticmethod
    def _by_id(model: type[M]) -> Any:
        async def load(keys: list[int]) -> list[M | None]:
            return _in_key_order(keys, await model.filter(id__in=keys))

        return load

    def _visible_by_id(self, model: type[M], *, shareable: bool) -> Any:
        async def load(keys: list[int]) -> list[M | None]:
            rows = await model.filter(visible_q(self.scope, shareable=shareable), id__in=keys)
            return _in_key_order(keys, rows)

        return load

    async def _children_by_page_id(self, keys: list[int]) -> list[list[Page]]:
        rows = await Page.filter(
            visible_q(self.scope, shareable=False), parent_id__in=keys
        ).order_by("menu_order", "title", "id")
        grouped: dict[int, list[Page]] = defaultdict(list)
        for row in rows:
            grouped[row.parent_id].append(row)
        return [grouped.get(key, []) for key in keys]

    async def _authors_by_resource_id(self, keys: list[int]) -> list[list[Profile]]:
        links = (
            await ResourceAuthor.filter(resource_id__in=keys)
            .order_by("position", "id")
            .values("resource_id", "profile_id")
        )
        profiles = await self.profile_by_id.load_many(sorted({ln["profile_id"] for ln in links}))
        by_id = {p.id: p for p in profiles if p is not None}
        grouped: dict[int, list[Profile]] = defaultdict(list)
        for link in links:
            profile = by_id.get(link["profile_id"])
            if profile is not None:
                grouped[link["resource_id"]].append(profile)
        return [grouped.get(key, []) for key in keys]

    async def _attachments_by_resource_id(self, keys: list[int]) -> list[list[File]]:
        rows = (
            await File.filter(resources__id__in=keys)
            .order_by("id")
            .values(*FILE_FIELDS, owner_id="resources__id")
        )
        return _group(keys, rows, File)

    @staticmethod
    def _tags_by(through: str, owner_column: str) -> Any:
        # Straight from the link table: the ORM's reverse lookup joins tag -> link -> owner
        # with LEFT JOINs, which SQLite answers by scanning every tag of every tenant.
        sql = (
            'SELECT l."{owner}" AS owner_id, t."id", t."tenant_id", t."name", t."slug" '
            'FROM "{through}" l JOIN "tag" t ON t."id" = l."tag_id" '
            'WHERE l."{owner}" IN ({marks}) ORDER BY t."name", t."id"'
        )

        async def load(keys: list[int]) -> list[list[Tag]]:
            conn = connections.get("default")
            marks = _placeholders(conn.capabilities.dialect, len(keys))
            query = sql.format(owner=owner_column, through=through, marks=marks)
            rows = await conn.execute_query_dict(query, list(keys))
            return _group(keys, rows, Tag)

        return load

    async def _translations_by_group(self, keys: list[tuple[str, int, str]]) -> list[list[Any]]:
        """Items of each (content type, tenant, translation group) the reader may see, by
        language then id: one query per content kind asked."""
        wanted: dict[str, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
        for type_name, tenant_id, group in keys:
            wanted[type_name][tenant_id].add(group)
        grouped: dict[tuple[str, int, str], list[Any]] = defaultdict(list)
        for type_name, by_tenant in wanted.items():
            kind = KINDS[type_name]
            # Each tenant's own groups only: the same string in another tenant links nothing.
            where = Q(
                *(Q(tenant_id=t, translation_group__in=sorted(g)) for t, g in by_tenant.items()),
                join_type=Q.OR,
            )
            rows = await kind.model.filter(
                where, visible_q(self.scope, shareable=kind.shareable)
            ).order_by("language", "id")
            for row in rows:
                grouped[(type_name, row.tenant_id, row.translation_group)].append(row)
        return [grouped.get(key, []) for key in keys]

    async def _memberships(self, keys: list[int]) -> list[list[Tenant]]:
        rows = (
            await Tenant.filter(member_organisations__id__in=keys)
            .order_by("name")
            .values("id", owner_id="member_organisations__id")
        )
        tenants = await self.tenant_by_id.load_many(sorted({r["id"] for r in rows}))
        by_id = {t.id: t for t in tenants if t is not None}
        grouped: dict[int, list[Tenant]] = defaultdict(list)
        for row in rows:
            grouped[row["owner_id"]].append(by_id[row["id"]])
        return [grouped.get(key, []) for key in keys]


async def _revisions_of(keys: list[tuple[str, int]]) -> list[list[Revision]]:
    by_type: dict[str, list[int]] = defaultdict(list)
    for type_name, pk in keys:
        by_type[type_name].append(pk)
    grouped: dict[tuple[str, int], list[Revision]] = defaultdict(list)
    for type_name, pks in by_type.items():  # one query per content kind asked, at most seven
        rows = await Revision.filter(content_type=type_name, object_id__in=pks).order_by("version")
        for row in rows:
            grouped[(type_name, row.object_id)].append(row)
    return [grouped.get(key, []) for key in keys]


def _placeholders(dialect: str, count: int) -> str:
    """Bind markers for `count` values in the SQL dialect of the connection."""
    if dialect == "postgres":
        return ", ".join(f"${i}" for i in range(1, count + 1))
    return ", ".join("?" * count)


def _group(keys: Sequence[int], rows: Sequence[dict[str, Any]], model: type[M]) -> list[list[M]]:
    """Rows of `values()` with an `owner_id`, as unsaved model instances grouped by owner."""
    grouped: dict[int, list[M]] = defaultdict(list)
    for row in rows:
        owner_id = row.pop("owner_id")
        grouped[owner_id].append(model(**row))
    return [grouped.get(key, []) for key in keys]
