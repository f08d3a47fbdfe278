"""Inputs of the account mutations."""

from __future__ import annotations

from typing import Any

import strawberry


@strawberry.input(description="Changes to your profile; fields left out stay.")
class MyProfileInput:
    name: str | None = strawberry.field(default=None, description="Your name (1–200).")
    organisation: str | None = strawberry.field(default=None, description="Organisation.")
    country: str | None = strawberry.field(default=None, description="Country.")
    position: str | None = strawberry.field(default=None, description="Position or career stage.")
    expertise: str | None = strawberry.field(default=None, description="Expertise (≤ 5000).")
    public_profile: bool | None = strawberry.field(
        default=None, description="Whether your profile may be shown publicly."
    )

    def values(self) -> dict[str, Any]:
        """The fields given, by model field name."""
        given = {
            "name": self.name,
            "organisation": self.organisation,
            "country": self.country,
            "position": self.position,
            "expertise": self.expertise,
            "public_profile": self.public_profile,
        }
        return {name: value for name, value in given.items() if value is not None}
