"""Root fields of the programme workflow.

Public: a programme's rules, its support packages and a summary without money per CoP, and
the candidates of its stakeholder database. Private: applications, only through
`readable_applications_q` (their CoP's tokens and its overseers').
"""

from __future__ import annotations

from typing import Annotated

import strawberry
from tortoise.expressions import Q, Subquery

from cms import models
from cms.errors import InvalidInput
from cms.models import ApplicationState, DelimitedListField, Tenant
from cms.services.attestations import current_q
from cms.tenancy import knowledge_base_q, readable_q
from schema.context import Info
from schema.core.enums import ProfileRole, ThematicArea
from schema.core.ids import MAX_PK, from_global_id
from schema.core.lists import After, Before, First, Last, page_of_models
from schema.core.pagination import Connection, Ordering
from schema.people.types import ProfileType
from schema.programmes.types import (
    ApplicationType,
    PackageSummary,
    ProgrammeRulesType,
    ProgrammeSummary,
    SupportPackageType,
)
from schema.programmes.visibility import readable_applications_q

MAX_FIRST = 100
NEWEST = Ordering(name="CREATED_AT:DESC", fields=(("created_at", True),))
ProgrammeSlug = Annotated[
    str | None,
    strawberry.argument(
        description="The programme's slug; default: the programme of the addressed tenant."
    ),
]


async def programme_for(info: Info, slug: str | None) -> Tenant | None:
    """The programme named, or the one the addressed tenant belongs to."""
    directory = info.context.directory
    tenant = await directory.by_slug(slug) if slug is not None else info.context.scope.tenant
    if tenant is None:
        return None
    for candidate in [tenant.id, *directory.ancestor_ids(tenant)]:
        row = await directory.by_id(candidate)
        if row is not None and row.kind == models.TenantKind.PROGRAMME:
            return row
    return None


async def current_attestations(info: Info, profile_id: int) -> list[models.Attestation]:
    now = info.context.scope.now
    rows = await info.context.loaders.programmes.attestations_by_profile_id.load(profile_id)
    return [
        r
        for r in rows
        if r.revoked_at is None
        and r.valid_from <= now
        and (r.valid_until is None or r.valid_until > now)
    ]


def _first(first: int) -> int:
    if not 0 < first <= MAX_FIRST:
        raise InvalidInput(f"`first` must be from 1 to {MAX_FIRST}.", field="first")
    return first


class ProgrammeQuery:
    """Programme rules, support packages, applications, candidates."""

    @strawberry.field(description="A programme's rules for applications (public).")
    async def programme_rules(
        self, info: Info, programme: ProgrammeSlug = None
    ) -> ProgrammeRulesType | None:
        tenant = await programme_for(info, programme)
        if tenant is None:
            return None
        row = await info.context.loaders.programmes.rules_by_programme_id.load(tenant.id)
        return ProgrammeRulesType.from_model(row) if row else None

    @strawberry.field(description="A programme's support packages, by number (public).")
    async def support_packages(
        self, info: Info, programme: ProgrammeSlug = None
    ) -> list[SupportPackageType]:
        tenant = await programme_for(info, programme)
        if tenant is None:
            return []
        rows = await models.SupportPackage.filter(programme_id=tenant.id).order_by("number")
        return [SupportPackageType.from_model(r) for r in rows]

    @strawberry.field(
        description="What a programme delivered: per package, and the number of CoPs supported "
        "(public; no money per CoP)."
    )
    async def programme_summary(
        self, info: Info, programme: ProgrammeSlug = None
    ) -> ProgrammeSummary | None:
        tenant = await programme_for(info, programme)
        if tenant is None:
            return None
        packages = await models.SupportPackage.filter(programme_id=tenant.id).order_by("number")
        counted = (
            ApplicationState.APPROVED,
            ApplicationState.IN_DELIVERY,
            ApplicationState.COMPLETED,
        )
        rows = await models.Application.filter(programme_id=tenant.id, state__in=counted).values(
            "package_id", "state", "cop_id"
        )
        summaries = []
        for package in packages:
            states = [r["state"] for r in rows if r["package_id"] == package.id]
            summaries.append(
                PackageSummary(
                    package=SupportPackageType.from_model(package),
                    approved=states.count(ApplicationState.APPROVED),
                    in_delivery=states.count(ApplicationState.IN_DELIVERY),
                    delivered=states.count(ApplicationState.COMPLETED),
                )
            )
        return ProgrammeSummary(cops_supported=len({r["cop_id"] for r in rows}), packages=summaries)

    @strawberry.field(
        description="Applications the caller may read: its CoP's, or those of the CoPs under "
        "its hub or programme, within the addressed tenant; newest first. Empty for the public."
    )
    async def applications(
        self,
        info: Info,
        states: list[ApplicationState] | None = None,
        package: Annotated[
            int | None, strawberry.argument(description="Only this package number.")
        ] = None,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Connection[ApplicationType]:
        query = models.Application.filter(await readable_applications_q(info))
        if states:
            query = query.filter(state__in=[s.value for s in states])
        if package is not None:
            query = query.filter(package__number=package)
        return await page_of_models(
            info, query, NEWEST, ApplicationType.from_model, first, after, last, before
        )

    @strawberry.field(description="One application by id, if the caller may read it.")
    async def application(self, info: Info, id: strawberry.ID) -> ApplicationType | None:
        decoded = from_global_id(str(id))
        if decoded is None or decoded[0] != "Application" or decoded[1] > MAX_PK:
            return None
        row = await models.Application.filter(
            await readable_applications_q(info), id=decoded[1]
        ).first()
        return ApplicationType.from_model(row) if row else None

    @strawberry.field(
        description="People a CoP may contract: profiles listed now in the programme's "
        "stakeholder database that the reader may see, matching every given need."
    )
    async def candidates(
        self,
        info: Info,
        programme: ProgrammeSlug = None,
        role: ProfileRole | None = None,
        expertise: str | None = None,
        language: str | None = None,
        country: str | None = None,
        thematic_area: ThematicArea | None = None,
        first: int = 50,
    ) -> list[ProfileType]:
        tenant = await programme_for(info, programme)
        if tenant is None:
            return []
        scope = info.context.scope
        listed = models.Attestation.filter(current_q(scope.now), programme_id=tenant.id)
        if role is not None and role.value in {r.value for r in models.AttestedRole}:
            listed = listed.filter(role=role.value)
        elif role is not None:
            return []
        if thematic_area is not None:
            member = DelimitedListField.member(thematic_area.value)
            listed = listed.filter(Q(thematic_areas="") | Q(thematic_areas__contains=member))
        where = knowledge_base_q(scope, include_shared=True) & readable_q(scope)
        query = models.Profile.filter(where, id__in=Subquery(listed.values("profile_id")))
        for column, value in (("expertise", expertise), ("languages", language)):
            if value:
                query = query.filter(**{f"{column}__contains": DelimitedListField.member(value)})
        if country:
            query = query.filter(country=country.strip().upper())
        rows = await query.order_by("name", "id").limit(_first(first))
        return [ProfileType.from_model(r) for r in rows]
