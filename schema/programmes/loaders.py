"""Loaders of the programme workflow, one query per relation per request.

What an application holds (lines, thread, steps, links) is only loaded for applications the
reader was allowed to reach (`schema.programmes.visibility`); packages, rules and outcomes of
resources are public programme data; resources go through the reader's visibility.
"""

from __future__ import annotations

from typing import Any

from cms import models
from cms.models import OutcomeState
from cms.tenancy import Scope, visible_q
from schema.core.loaders import ByIdLoader, Loader, VisibleByIdLoader, grouped


class SupportPackageByIdLoader(ByIdLoader[models.SupportPackage]):
    def __init__(self) -> None:
        super().__init__(models.SupportPackage)


class RulesByProgrammeIdLoader(Loader[int, models.ProgrammeRules | None]):
    async def fetch(self, keys: list[int]) -> list[models.ProgrammeRules | None]:
        rows = await models.ProgrammeRules.filter(programme_id__in=keys)
        by_id = {r.programme_id: r for r in rows}
        return [by_id.get(k) for k in keys]


class RowsByApplicationIdLoader(Loader[int, list[Any]]):
    """Rows of a model with an `application_id`, in `order`."""

    def __init__(self, model: Any, *order: str) -> None:
        self.model, self.order = model, order
        super().__init__()

    async def fetch(self, keys: list[int]) -> list[list[Any]]:
        rows = await self.model.filter(application_id__in=keys).order_by(*self.order)
        return grouped(keys, [(row.application_id, row) for row in rows])


class LinkedIdsByApplicationIdLoader(Loader[int, list[int]]):
    """The ids an application links to through one of its link tables."""

    def __init__(self, relation: str) -> None:
        self.relation = relation
        super().__init__()

    async def fetch(self, keys: list[int]) -> list[list[int]]:
        rows = await models.Application.filter(id__in=keys).values(
            "id", linked=f"{self.relation}__id"
        )
        groups: dict[int, list[int]] = {k: [] for k in keys}
        for row in rows:
            if row["linked"] is not None:
                groups[row["id"]].append(row["linked"])
        return [sorted(groups[k]) for k in keys]


class ResourcesByPackageIdLoader(Loader[int, list[models.Resource]]):
    """A package's linked resources that the reader may see."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        super().__init__()

    async def fetch(self, keys: list[int]) -> list[list[models.Resource]]:
        links = await models.SupportPackage.filter(id__in=keys).values(
            "id", resource="resources__id"
        )
        ids = sorted({r["resource"] for r in links if r["resource"] is not None})
        rows = (
            await models.Resource.filter(visible_q(self.scope, shareable=True), id__in=ids)
            if ids
            else []
        )
        by_id = {r.id: r for r in rows}
        pairs = [(r["id"], by_id[r["resource"]]) for r in links if r["resource"] in by_id]
        return grouped(keys, sorted(pairs, key=lambda pair: (pair[1].title, pair[1].id)))


class AcceptedOutcomesByResourceIdLoader(Loader[int, list[tuple[Any, Any]]]):
    """A resource's provenance: its accepted outcomes with their applications."""

    async def fetch(self, keys: list[int]) -> list[list[tuple[Any, Any]]]:
        outcomes = await models.Outcome.filter(
            resource_id__in=keys, state=OutcomeState.ACCEPTED
        ).order_by("decided_at", "id")
        ids = sorted({o.application_id for o in outcomes})
        applications = {a.id: a for a in await models.Application.filter(id__in=ids)} if ids else {}
        groups: dict[int, list[tuple[Any, Any]]] = {k: [] for k in keys}
        for outcome in outcomes:
            groups[outcome.resource_id].append((outcome, applications[outcome.application_id]))
        return [groups[k] for k in keys]


class AttestationsByProfileIdLoader(Loader[int, list[models.Attestation]]):
    """A profile's attestations, newest first (revoked and expired ones too)."""

    async def fetch(self, keys: list[int]) -> list[list[models.Attestation]]:
        rows = await models.Attestation.filter(profile_id__in=keys).order_by("-valid_from", "-id")
        return grouped(keys, [(row.profile_id, row) for row in rows])


class TenantIdsUnderLoader(Loader[int, list[int]]):
    """A tenant's id with those of every tenant below it (three levels at most, one query
    per level)."""

    async def fetch(self, keys: list[int]) -> list[list[int]]:
        result: list[list[int]] = []
        for key in keys:
            found, level = [key], [key]
            for _ in range(8):
                rows: list[Any] = await models.Tenant.filter(parent_id__in=level).values_list(
                    "id", flat=True
                )
                level = [r for r in rows if r not in found]
                if not level:
                    break
                found.extend(level)
            result.append(found)
        return result


class ProgrammeLoaders:
    """The programme domain's loaders of one request."""

    def __init__(self, scope: Scope) -> None:
        self.package_by_id = SupportPackageByIdLoader()
        self.rules_by_programme_id = RulesByProgrammeIdLoader()
        self.resource_by_id = VisibleByIdLoader(scope, models.Resource, shareable=True)
        self.resources_by_package_id = ResourcesByPackageIdLoader(scope)
        self.lines_by_application_id = RowsByApplicationIdLoader(
            models.BudgetLine, "position", "id"
        )
        self.comments_by_application_id = RowsByApplicationIdLoader(
            models.ApplicationComment, "created_at", "id"
        )
        self.transitions_by_application_id = RowsByApplicationIdLoader(
            models.ApplicationTransition, "created_at", "id"
        )
        self.outcomes_by_application_id = RowsByApplicationIdLoader(models.Outcome, "id")
        self.people_by_application_id = LinkedIdsByApplicationIdLoader("people")
        self.resources_by_application_id = LinkedIdsByApplicationIdLoader("resources")
        self.mentors_by_application_id = LinkedIdsByApplicationIdLoader("mentors")
        self.provenance_by_resource_id = AcceptedOutcomesByResourceIdLoader()
        self.attestations_by_profile_id = AttestationsByProfileIdLoader()
        self.tenant_ids_under = TenantIdsUnderLoader()
