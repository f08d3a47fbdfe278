"""The model enums as GraphQL enums (one place, so names stay stable in the SDL).

Each is the model's own Enum class, registered with strawberry under its GraphQL name; the
aliases are plain names, so type checkers read them as the classes they are.
"""

from __future__ import annotations

from enum import Enum
from functools import cache
from typing import TypeVar

import strawberry

from cms import models

E = TypeVar("E", bound=Enum)

TenantKind = models.TenantKind
Maturity = models.Maturity
ContentStatus = models.Status
ThematicArea = models.ThematicArea
ResourceKind = models.ResourceKind
VideoProvider = models.VideoProvider
EventFormat = models.EventFormat
NewsKind = models.NewsKind
OrganisationKind = models.OrganisationKind
ProfileRole = models.ProfileRole
ContentAudience = models.Audience

strawberry.enum(TenantKind, description="What a tenant is.")
strawberry.enum(Maturity, description="How established a CoP is.")
strawberry.enum(ContentStatus, name="ContentStatus", description="Workflow state.")
strawberry.enum(ThematicArea, description="ACT's three substantive areas of institutional change.")
strawberry.enum(ResourceKind, description="What a resource is.")
strawberry.enum(VideoProvider, description="Where a video is hosted.")
strawberry.enum(EventFormat, description="How people attend an event.")
strawberry.enum(NewsKind, description="News story or press release.")
strawberry.enum(OrganisationKind, description="What an organisation is.")
strawberry.enum(ProfileRole, description="A stakeholder's role.")
strawberry.enum(
    ContentAudience,
    name="Audience",
    description="Who may read an item: everyone, or its own tenant's members and staff.",
)


def enum_list(enum: type[E], values: list[str]) -> list[E]:
    """Stored vocabulary values as enum members, skipping any the enum no longer has."""
    members = _members(enum)
    return [members[v] for v in values if v in members]


@cache
def _members(enum: type[E]) -> dict[str, E]:
    return {m.value: m for m in enum}
