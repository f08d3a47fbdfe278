"""People for membership tests: accounts with memberships, the principals they act as (until
sign-in exists, tests build them as `cms.auth.authenticate` will), and invitation mail."""

from __future__ import annotations

import re
from itertools import count
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cms.auth import Principal
from cms.models import Account, CommunityRole, MailMessage, Membership, Role, Tenant
from cms.passwords import hash_password

PASSWORD = "correct horse battery"
_numbers = count(1)
_HASH = hash_password(PASSWORD)  # once: argon2 is slow on purpose


async def person(
    tenant: Tenant | None,
    role: Role | None = None,
    community_role: CommunityRole | None = CommunityRole.MEMBER,
    **account: Any,
) -> tuple[Account, Membership | None]:
    """An account (password PASSWORD) and, with a tenant, its membership there."""
    n = next(_numbers)
    values: dict[str, Any] = {
        "email": f"person{n}@example.org",
        "name": f"Person {n}",
        "password_hash": _HASH,
        "pseudonym": f"m-test{n:08d}",
    }
    values.update(account)
    row = await Account.create(**values)
    if tenant is None:
        return row, None
    membership = await Membership.create(
        account=row, tenant=tenant, role=role, community_role=community_role
    )
    return row, membership


def as_person(account: Account, membership: Membership) -> Principal:
    """The principal a signed-in person is in their membership's tenant."""
    return Principal(
        token_id=0,
        name=account.pseudonym,
        role=membership.role,
        tenant_id=membership.tenant_id,
        account_id=account.id,
        community=membership.community_role,
    )


def admin_token(tenant: Tenant | None) -> Principal:
    """An admin token of `tenant` (None: a platform admin)."""
    return Principal(
        token_id=0, name="admin-token", role=Role.ADMIN, tenant_id=tenant.id if tenant else None
    )


def token_of(body: str) -> str:
    """The token of the accept-invitation link in a mail body."""
    match = re.search(r"\S+/account/accept-invitation\?\S+", body)
    assert match, body
    return parse_qs(urlsplit(match.group(0)).query)["token"][0]


async def invitation_mail(recipient: str) -> MailMessage:
    """The newest invitation mail queued to `recipient`."""
    row = (
        await MailMessage.filter(recipient=recipient, purpose="invitation").order_by("-id").first()
    )
    assert row is not None, f"no invitation mail to {recipient}"
    return row
