"""Typed filter and ordering inputs of the profile and organisation lists."""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry
from tortoise.expressions import Q, Subquery
from tortoise.queryset import QuerySet

from cms import models
from cms.services.attestations import current_q
from cms.tenancy import Scope
from schema.core.enums import ContentStatus, OrganisationKind, ProfileRole
from schema.core.filters import STATUS, checked_values, has_member, owned_by, visible_ids
from schema.core.pagination import OrderDirection


@strawberry.input(description="Narrow a list of profiles; every given field must match.")
class ProfileFilter:
    status: list[ContentStatus] | None = strawberry.field(default=None, description=STATUS)
    roles: list[ProfileRole] | None = strawberry.field(default=None, description="Any of these.")
    country: str | None = strawberry.field(default=None, description="ISO country code.")
    language: str | None = strawberry.field(default=None, description="Speaks this language.")
    organisation: str | None = strawberry.field(default=None, description="Organisation slug.")
    eligible_for_contracting: bool | None = strawberry.field(
        default=None,
        description="Listed now in a programme's stakeholder database (a current attestation).",
    )
    tenants: list[str] | None = strawberry.field(default=None, description="Owner tenant slugs.")


@strawberry.input(description="Narrow a list of organisations; every given field must match.")
class OrganisationFilter:
    status: list[ContentStatus] | None = strawberry.field(default=None, description=STATUS)
    kinds: list[OrganisationKind] | None = strawberry.field(default=None, description="Any.")
    country: str | None = strawberry.field(default=None, description="ISO country code.")


@strawberry.enum(description="Sort keys of profiles and organisations.")
class NameOrderField(Enum):
    NAME = "name"
    PUBLISHED_AT = "published_at"


@strawberry.input(description="Order of people and organisations (default by name).")
class NameOrder:
    field: NameOrderField = strawberry.field(description="Sort key.")
    direction: OrderDirection = strawberry.field(default=OrderDirection.ASC, description="Dir.")


def filter_profiles(query: QuerySet[Any], f: ProfileFilter | None, scope: Scope) -> QuerySet[Any]:
    if f is None:
        return query
    if f.roles:
        any_role = [has_member("roles", r) for r in checked_values(f.roles, "roles") or []]
        query = query.filter(Q(*any_role, join_type=Q.OR))
    if f.country:
        query = query.filter(country=f.country.upper())
    if f.organisation:
        organisations = visible_ids(models.Organisation, scope, slug=f.organisation)
        query = query.filter(organisation_id__in=organisations)
    if f.eligible_for_contracting is not None:
        listed = Subquery(models.Attestation.filter(current_q(scope.now)).values("profile_id"))
        if f.eligible_for_contracting:
            query = query.filter(id__in=listed)
        else:
            query = query.exclude(id__in=listed)
    query = query.filter(has_member("languages", f.language))
    return owned_by(query, f.tenants)


def filter_organisations(query: QuerySet[Any], f: OrganisationFilter | None) -> QuerySet[Any]:
    if f is None:
        return query
    if f.kinds:
        query = query.filter(kind__in=[k.value for k in checked_values(f.kinds, "kinds") or []])
    if f.country:
        query = query.filter(country=f.country.upper())
    return query
