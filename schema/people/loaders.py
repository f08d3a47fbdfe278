"""Loaders of the stakeholder database: organisations and profiles, a resource's authors."""

from __future__ import annotations

from cms.models import Organisation, Profile, ResourceAuthor
from cms.tenancy import Scope
from schema.core.loaders import Loader, VisibleByIdLoader, grouped


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
        links = (
            await ResourceAuthor.filter(resource_id__in=keys)
            .order_by("position", "id")
            .values("resource_id", "profile_id")
        )
        profiles = await self.profile_by_id.load_many(sorted({ln["profile_id"] for ln in links}))
        by_id = {p.id: p for p in profiles if p is not None}
        return grouped(
            keys,
            [
                (link["resource_id"], by_id[link["profile_id"]])
                for link in links
                if link["profile_id"] in by_id
            ],
        )
