"""The model enums as GraphQL enums (one place, so names stay stable in the SDL)."""

from __future__ import annotations

from enum import Enum
from typing import TypeVar

import strawberry

from cms import models

E = TypeVar("E", bound=Enum)

TenantKind = strawberry.enum(models.TenantKind, description="What a tenant is.")
Maturity = strawberry.enum(models.Maturity, description="How established a CoP is.")
ContentStatus = strawberry.enum(models.Status, name="ContentStatus", description="Workflow state.")
ThematicArea = strawberry.enum(
    models.ThematicArea, description="ACT's three substantive areas of institutional change."
)
ResourceKind = strawberry.enum(models.ResourceKind, description="What a resource is.")
VideoProvider = strawberry.enum(models.VideoProvider, description="Where a video is hosted.")
EventFormat = strawberry.enum(models.EventFormat, description="How people attend an event.")
NewsKind = strawberry.enum(models.NewsKind, description="News story or press release.")
OrganisationKind = strawberry.enum(models.OrganisationKind, description="What an organisation is.")
ProfileRole = strawberry.enum(models.ProfileRole, description="A stakeholder's role.")


def enum_list(enum: type[E], values: list[str]) -> list[E]:
    """Stored vocabulary values as enum members, skipping any the enum no longer has."""
    members = {m.value: m for m in enum}
    return [members[v] for v in values if v in members]
