"""Invitations: an e-mailed link that sets up a person's account and membership (issue 16).

The interface join requests build on (`approve` invites the requester). Implemented on the
memberships branch; until then it raises.
"""

from __future__ import annotations

from cms.auth import Principal
from cms.config import Settings
from cms.models import CommunityRole, Role, Tenant


async def invite(
    principal: Principal,
    tenant: Tenant,
    *,
    settings: Settings,
    email: str,
    name: str,
    role: Role | None = None,
    community_role: CommunityRole | None = None,
    message: str = "",
) -> int:
    """Invite `email` into `tenant` with the roles given; returns the invitation's id.

    Checks that `principal` may invite with these roles, writes the invitation and queues its
    mail (`cms.services.mail.enqueue`) in one transaction (or in the caller's, when called
    inside one). Accepting the link sets the account's password and makes the membership.
    """
    raise NotImplementedError("built on the memberships branch (issue 16)")
