"""Loaders of content: pages and their children, tags of an item, translations, revisions."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from tortoise import connections
from tortoise.expressions import Q

from cms.models import Page, Revision, Tag
from cms.services.kinds import KINDS
from cms.tenancy import Scope, visible_q
from schema.core.loaders import Loader, VisibleByIdLoader, bind_markers, grouped, grouped_rows
from schema.core.rows import Row


class PageByIdLoader(VisibleByIdLoader[Page]):
    def __init__(self, scope: Scope) -> None:
        super().__init__(scope, Page, shareable=False)


class PagesByParentIdLoader(Loader[int, list[Page]]):
    """A page's children the reader may see, in menu order."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        super().__init__()

    async def fetch(self, keys: list[int]) -> list[list[Page]]:
        rows = await Page.filter(
            visible_q(self.scope, shareable=False), parent_id__in=keys
        ).order_by("menu_order", "title", "id")
        return grouped(keys, [(row.parent_id, row) for row in rows])


class TagsByItemIdLoader(Loader[int, list[Row]]):
    """The tags of one kind's items by name, straight from its link table: the ORM's reverse
    lookup joins tag -> link -> owner with LEFT JOINs, which SQLite answers by scanning every
    tag of every tenant."""

    SQL = (
        'SELECT l."{owner}" AS owner_id, t."id", t."tenant_id", t."name", t."slug" '
        'FROM "{through}" l JOIN "tag" t ON t."id" = l."tag_id" '
        'WHERE l."{owner}" IN ({marks}) ORDER BY t."name", t."id"'
    )

    def __init__(self, through: str, owner_column: str) -> None:
        self.through, self.owner_column = through, owner_column
        super().__init__()

    async def fetch(self, keys: list[int]) -> list[list[Row]]:
        conn = connections.get("default")
        marks = bind_markers(conn.capabilities.dialect, len(keys))
        query = self.SQL.format(owner=self.owner_column, through=self.through, marks=marks)
        rows = await conn.execute_query_dict(query, list(keys))
        return grouped_rows(keys, rows, Tag)


TranslationKey = tuple[str, int, str]
"""(content kind, tenant id, translation group)"""


class TranslationsByGroupLoader(Loader[TranslationKey, list[Any]]):
    """Items of each translation group the reader may see, by language then id: one query
    per content kind asked."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        super().__init__()

    async def fetch(self, keys: list[TranslationKey]) -> list[list[Any]]:
        wanted: dict[str, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
        for type_name, tenant_id, group in keys:
            wanted[type_name][tenant_id].add(group)
        found: list[tuple[Any, Any]] = []
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
            found.extend(((type_name, row.tenant_id, row.translation_group), row) for row in rows)
        return grouped(keys, found)


class RevisionsByItemLoader(Loader[tuple[str, int], list[Revision]]):
    """The saved versions of (content kind, id) items, oldest first."""

    async def fetch(self, keys: list[tuple[str, int]]) -> list[list[Revision]]:
        by_type: dict[str, list[int]] = defaultdict(list)
        for type_name, pk in keys:
            by_type[type_name].append(pk)
        found: list[tuple[tuple[str, int], Revision]] = []
        for type_name, pks in by_type.items():  # one query per content kind asked, at most seven
            rows = await Revision.filter(content_type=type_name, object_id__in=pks).order_by(
                "version"
            )
            found.extend(((type_name, row.object_id), row) for row in rows)
        return grouped(keys, found)
