"""Loaders of the stakeholder database: organisations and profiles, a resource's authors."""

from __future__ import annotations

from typing import Any

from tortoise.queryset import ValuesQuery

from cms.models import Organisation, Profile
from cms.tenancy import Scope, visible_q
from schema.core.loaders import Loader, VisibleByIdLoader, grouped
from schema.core.rows import columns
from schema.core.statements import STATEMENTS


class OrganisationByIdLoader(VisibleByIdLoader[Organisation]):
    def __init__(self, scope: Scope) -> None:
        super().__init__(scope, Organisation, shareable=True)


class ProfileByIdLoader(VisibleByIdLoader[Profile]):
    def __init__(self, scope: Scope) -> None:
        super().__init__(scope, Profile, shareable=True)


class ProfilesByResourceIdLoader(Loader[int, list[Any]]):
    """A resource's authors in byline order, those the reader may see: one statement, the
    visible profiles joined to their author links."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        super().__init__()

    async def fetch(self, keys: list[int]) -> list[list[Any]]:
        rows = await STATEMENTS.rows(
            (Profile, "authors-of-resources"), _authors, self.scope, (keys,), _AUTHOR_COLUMNS
        )
        return grouped(keys, [(row.__dict__.pop("owner_id"), row) for row in rows])


def _authors(scope: Scope, resource_ids: list[int]) -> ValuesQuery[Any]:
    return (
        Profile.filter(
            visible_q(scope, shareable=True), authored_links__resource_id__in=resource_ids
        )
        .order_by("authored_links__position", "authored_links__id")
        .values(*columns(Profile, None), owner_id="authored_links__resource_id")
    )


_AUTHOR_COLUMNS = ("*", "owner_id")  # the key of `_authors`' columns: all, and the owner
