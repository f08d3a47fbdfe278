"""People: accounts that sign in as themselves, and their memberships of tenants (issue 16).

Machines keep API tokens (`cms.models.auth`); a person has an `Account` and one `Membership`
per tenant they belong to, holding an editorial role (the token roles), a community role, or
both.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

from cms.models.auth import Role

if TYPE_CHECKING:
    from cms.models.people import Organisation
    from cms.models.tenants import Tenant


class CommunityRole(StrEnum):
    """What a person is in a community, beside any editorial role."""

    MEMBER = "member"
    OBSERVER = "observer"
    COORDINATOR = "coordinator"


class Account(Model):
    """A person who signs in: by password (argon2id, `cms.passwords`) or by an e-mailed link.

    `email` is stored normalised (`cms.passwords.normalise_email`) and unique. Closing an
    account erases its personal fields and keeps the row, so that content and audit rows keep
    pointing at `pseudonym` ("former member").
    """

    id = fields.IntField(primary_key=True)
    email = fields.CharField(max_length=254, unique=True, null=True)
    name = fields.CharField(max_length=200, default="")
    password_hash = fields.CharField(max_length=200, null=True)
    # A stable, non-identifying id for audit rows and exports (kept after closing).
    pseudonym = fields.CharField(max_length=40, unique=True)
    organisation = fields.CharField(max_length=200, default="")
    country = fields.CharField(max_length=100, default="")
    position = fields.CharField(max_length=200, default="")
    expertise = fields.TextField(default="")
    # A person may publish a public profile; nothing of the directory is public otherwise.
    public_profile = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    closed_at = fields.DatetimeField(null=True)

    memberships: fields.ReverseRelation[Membership]
    sessions: fields.ReverseRelation[AccountSession]
    links: fields.ReverseRelation[AccountLink]

    class Meta:
        table = "account"


class Membership(Model):
    """An account's place in one tenant: an editorial role, a community role, or both."""

    id = fields.IntField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="memberships", on_delete=fields.CASCADE
    )
    account_id: int
    tenant: fields.ForeignKeyRelation[Tenant] = fields.ForeignKeyField(
        "models.Tenant", related_name="memberships", on_delete=fields.CASCADE
    )
    tenant_id: int
    role = fields.CharEnumField(Role, max_length=16, null=True)
    community_role = fields.CharEnumField(CommunityRole, max_length=16, null=True)
    # Listed in the tenant's member directory (seen by its members only).
    in_directory = fields.BooleanField(default=False)
    # The institute (a member organisation of the tenant) the person acts for in the tenant's
    # gender data, as a bound token does (`cms.services.memberships.set_institute`).
    organisation: fields.ForeignKeyNullableRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation",
        related_name="member_people",
        null=True,
        on_delete=fields.SET_NULL,
    )
    organisation_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "membership"
        unique_together = (("account_id", "tenant_id"),)


class Invitation(Model):
    """An e-mailed link that makes its holder a member of a tenant with the roles given.

    Only the token's hash is stored. Accepting sets `accepted_at` (once: compare-and-set);
    a new invitation to the same address replaces the pending one; revoking deletes it.
    """

    id = fields.IntField(primary_key=True)
    tenant: fields.ForeignKeyRelation[Tenant] = fields.ForeignKeyField(
        "models.Tenant", related_name="invitations", on_delete=fields.CASCADE
    )
    tenant_id: int
    # Normalised (`cms.passwords.normalise_email`), as accounts store it.
    email = fields.CharField(max_length=254)
    name = fields.CharField(max_length=200, default="")
    role = fields.CharEnumField(Role, max_length=16, null=True)
    community_role = fields.CharEnumField(CommunityRole, max_length=16, null=True)
    message = fields.TextField(default="")
    # Who invited: the token's name or the person's (kept if the inviter goes).
    invited_by = fields.CharField(max_length=200, default="")
    invited_by_account: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="invitations_sent", null=True, on_delete=fields.SET_NULL
    )
    invited_by_account_id: int | None
    token_hash = fields.CharField(max_length=64, unique=True)
    expires_at = fields.DatetimeField()
    accepted_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "invitation"
        indexes = (("tenant_id", "email"),)


class AccountSession(Model):
    """A person signed in on one device: a random token (`cmss_…`) stored only as its SHA-256.

    Signing out deletes the row, so a session is revoked by its absence; `last_used_at` moves
    at most once a minute, like an API token's.
    """

    id = fields.IntField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="sessions", on_delete=fields.CASCADE
    )
    account_id: int
    token_hash = fields.CharField(max_length=64, unique=True)
    # The client's User-Agent, shortened: lets a person tell their sessions apart.
    label = fields.CharField(max_length=200, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    last_used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "account_session"


class LinkPurpose(StrEnum):
    """What an e-mailed one-time token does."""

    SIGN_IN = "sign-in"
    PASSWORD_RESET = "password-reset"


class AccountLink(Model):
    """A one-time token mailed to the address of an account, stored only as its SHA-256.

    Using it deletes it; a password reset deletes all the links of its account.
    """

    id = fields.IntField(primary_key=True)
    account: fields.ForeignKeyRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="links", on_delete=fields.CASCADE
    )
    account_id: int
    purpose = fields.CharEnumField(LinkPurpose, max_length=16)
    token_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()

    class Meta:
        table = "account_link"


class Attempt(Model):
    """How many times one subject (an action by one address, or by one client) was tried in
    one fixed window; shared by every worker process through the database.

    `subject` is `<action>:<address|client>:<sha256 prefix>`, so no address is kept here.
    """

    id = fields.BigIntField(primary_key=True)
    subject = fields.CharField(max_length=100)
    # The window's number: seconds since the epoch // the window's length.
    bucket = fields.BigIntField()
    count = fields.IntField(default=0)

    class Meta:
        table = "attempt"
        unique_together = (("subject", "bucket"),)
