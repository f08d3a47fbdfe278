"""Loaders of the gender-data domain, one query per relation per request.

They load by keys the reader has already reached through `schema.genderdata.visibility`
(a submission's framework and version; a framework's versions, with drafts only when the key
asks for them, which the resolver does for stewards alone).
"""

from __future__ import annotations

from cms import models
from schema.core.loaders import Loader


class DataFrameworkByIdLoader(Loader[int, models.DataFramework | None]):
    async def fetch(self, keys: list[int]) -> list[models.DataFramework | None]:
        rows = {r.id: r for r in await models.DataFramework.filter(id__in=keys)}
        return [rows.get(k) for k in keys]


class FrameworkVersionByIdLoader(Loader[int, models.FrameworkVersion | None]):
    async def fetch(self, keys: list[int]) -> list[models.FrameworkVersion | None]:
        rows = {r.id: r for r in await models.FrameworkVersion.filter(id__in=keys)}
        return [rows.get(k) for k in keys]


class VersionsByFrameworkIdLoader(Loader[tuple[int, bool], list[models.FrameworkVersion]]):
    """A framework's versions by number; the key's flag says whether drafts are included."""

    async def fetch(self, keys: list[tuple[int, bool]]) -> list[list[models.FrameworkVersion]]:
        ids = sorted({framework for framework, _ in keys})
        rows = await models.FrameworkVersion.filter(framework_id__in=ids).order_by("number")
        return [
            [
                row
                for row in rows
                if row.framework_id == framework
                and (drafts or row.status is models.VersionStatus.PUBLISHED)
            ]
            for framework, drafts in keys
        ]


class GenderDataLoaders:
    """The gender-data domain's loaders of one request."""

    def __init__(self) -> None:
        self.framework_by_id = DataFrameworkByIdLoader()
        self.version_by_id = FrameworkVersionByIdLoader()
        self.versions_by_framework_id = VersionsByFrameworkIdLoader()
