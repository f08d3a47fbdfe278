"""Loaders of the stakeholder database: organisations and profiles, a resource's authors."""

from __future__ import annotations

from typing import Any

from tortoise.queryset import QuerySet

from cms.models import Organisation, Profile, ResourceAuthor
from cms.tenancy import Scope
from schema.core.loaders import NOBODY, Loader, VisibleByIdLoader, grouped
from schema.core.statements import STATEMENTS


class OrganisationByIdLoader(VisibleByIdLoader[Organisation]):
    def __init__(self, scope: Scope) -> None:
        super().__init__(scope, Organisation, shareable=True)


class ProfileByIdLoader(VisibleByIdLoader[Profile]):
    def __init__(self, scope: Scope) -> None:
        super().__init__(scope, Profile, shareable=True)


class ProfilesByResourceIdLoader(Loader[int, list[Profile]]):
    """A resource's authors in byline order, those the reader may see."""

    def __init__(self, profile_by_id: ProfileByIdLoader) -> None:
        self.profile_by_id = profile_by_id
        super().__init__()

    async def fetch(self, keys: list[int]) -> list[list[Profile]]:
        links = await STATEMENTS.rows(
            (ResourceAuthor, "of-resources"), _links, NOBODY, (keys,), LINK_COLUMNS
        )
        profiles = await self.profile_by_id.load_many(sorted({ln.profile_id for ln in links}))
        by_id = {p.id: p for p in profiles if p is not None}
        return grouped(
            keys,
            [(ln.resource_id, by_id[ln.profile_id]) for ln in links if ln.profile_id in by_id],
        )


LINK_COLUMNS = ("resource_id", "profile_id")


def _links(scope: Scope, resource_ids: list[int]) -> QuerySet[Any]:
    return ResourceAuthor.filter(resource_id__in=resource_ids).order_by("position", "id")
