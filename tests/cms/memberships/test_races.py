"""Membership writes under concurrency, on PostgreSQL with real concurrent connections (each
transaction takes its own pooled connection); on SQLite they pass trivially, one write
transaction at a time."""

from __future__ import annotations

import asyncio

import pytest

from cms.config import Settings
from cms.errors import ErrorCode, ValidationFailed
from cms.models import Account, CommunityRole, Membership, Role
from cms.services import invitations, memberships
from tests import factories
from tests.cms.memberships.people import (
    PASSWORD,
    admin_token,
    invitation_mail,
    person,
    token_of,
)

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("clean_database")]
ROUNDS = 4


def _codes(outcomes: list[object]) -> list[str]:
    """ "ok" per success, the code per refusal; anything else fails the test."""
    codes = []
    for outcome in outcomes:
        if isinstance(outcome, ValidationFailed):
            codes.append(outcome.errors[0].code.value)
        elif isinstance(outcome, BaseException):
            raise outcome
        else:
            codes.append("ok")
    return sorted(codes)


async def test_one_link_accepted_twice_at_once_makes_one_account(settings: Settings) -> None:
    tenant = await factories.tenant()
    for n in range(ROUNDS):
        address = f"racer{n}@example.org"
        await invitations.invite(
            admin_token(tenant),
            tenant,
            settings=settings,
            email=address,
            name="Racer",
            community_role=CommunityRole.MEMBER,
        )
        token = token_of((await invitation_mail(address)).body)
        outcomes = await asyncio.gather(
            invitations.accept(token, password=PASSWORD),
            invitations.accept(token, password=PASSWORD),
            return_exceptions=True,
        )
        assert _codes(list(outcomes)) == [ErrorCode.INVALID_INVITATION.value, "ok"]
        assert await Account.filter(email=address).count() == 1


async def test_two_admins_removed_at_once_leave_one(settings: Settings) -> None:
    for _ in range(ROUNDS):
        tenant = await factories.tenant()
        pair = [await person(tenant, role=Role.ADMIN, community_role=None) for _ in range(2)]
        ids = [membership.id for _, membership in pair if membership is not None]
        outcomes = await asyncio.gather(
            *(memberships.remove(admin_token(tenant), i) for i in ids), return_exceptions=True
        )
        assert _codes(list(outcomes)) == [ErrorCode.LAST_ADMIN.value, "ok"]
        assert await Membership.filter(tenant=tenant, role=Role.ADMIN).count() == 1
