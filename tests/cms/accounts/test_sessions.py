"""The session side of `cms.auth.authenticate`, the attempt counter and the password cost."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from cms import passwords
from cms.auth import authenticate
from cms.config import Settings
from cms.errors import AuthenticationFailed, TooManyAttempts
from cms.models import AccountSession, Attempt, CommunityRole, Role, TenantKind
from cms.services import personal_data
from cms.services.sessions import Client, limit, open_session, sign_in
from tests import factories
from tests.support.accounts import PASSWORD, person

pytestmark = pytest.mark.anyio


async def test_a_person_is_a_principal_per_request_tenant(settings, clean_database):
    hub = await factories.tenant(slug="hub", kind=TenantKind.HUB)
    cop = await factories.tenant(slug="cop", parent=hub)
    lone = await factories.tenant(slug="lone")
    ada = await person(
        "ada@example.org",
        name="Ada",
        roles={hub: (Role.EDITOR, None), lone: (None, CommunityRole.MEMBER)},
    )
    opened = await open_session(settings, ada, Client("127.0.0.1"))
    header = f"Bearer {opened.token}"
    in_cop = await authenticate(header, [cop.id, hub.id])
    assert in_cop is not None
    assert (in_cop.account_id, in_cop.token_id, in_cop.name) == (ada.id, 0, "Ada")
    assert (in_cop.tenant_id, in_cop.role, in_cop.community) == (hub.id, Role.EDITOR, None)
    assert in_cop.session_id == opened.session.id
    in_lone = await authenticate(header, [lone.id])
    assert in_lone is not None
    assert (in_lone.tenant_id, in_lone.role, in_lone.community) == (
        lone.id,
        None,
        CommunityRole.MEMBER,
    )
    assert in_lone.reads_members_of(lone.id) and not in_lone.reads_members_of(hub.id)
    nowhere = await authenticate(header, [])
    assert nowhere is not None
    assert (nowhere.tenant_id, nowhere.role, nowhere.community) == (None, None, None)
    assert not nowhere.is_platform_admin


async def test_a_person_costs_one_query_more_than_a_token(settings, clean_database, sql_counter):
    home = await factories.tenant(slug="home")
    ada = await person("ada@example.org", roles={home: (Role.ADMIN, None)})
    opened = await open_session(settings, ada, Client("127.0.0.1"))
    _, token = await factories.token(home, "admin")
    await authenticate(f"Bearer {token}", [home.id])  # the first use writes last_used_at
    await authenticate(f"Bearer {opened.token}", [home.id])
    sql_counter.statements.clear()
    await authenticate(f"Bearer {token}", [home.id])
    by_token = len(sql_counter.statements)
    sql_counter.statements.clear()
    await authenticate(f"Bearer {opened.token}", [home.id])
    assert (by_token, len(sql_counter.statements)) == (1, 2)


async def test_expired_unknown_and_signed_out_sessions_fail(settings, clean_database):
    ada = await person("ada@example.org")
    opened = await open_session(settings, ada, Client("127.0.0.1"))
    await AccountSession.filter(id=opened.session.id).update(
        expires_at=datetime.now(UTC) - timedelta(seconds=1)
    )
    for header in (f"Bearer {opened.token}", "Bearer cmss_unknown"):
        with pytest.raises(AuthenticationFailed):
            await authenticate(header)


async def test_attempts_count_exactly_when_many_arrive_at_once(settings, clean_database):
    strict = settings.with_overrides(attempts_per_address=30, attempts_per_client=1000)
    client = Client("203.0.113.9")

    async def one() -> bool:
        try:
            await limit(strict, "sign-in", client, "ada@example.org")
        except TooManyAttempts:
            return False
        return True

    results = await asyncio.gather(*(one() for _ in range(40)))
    assert results.count(True) == 30
    counts = await Attempt.all().values_list("count", flat=True)
    assert sorted(counts) == [40, 40]  # one row per address and per client
    subjects = await Attempt.all().values_list("subject", flat=True)
    assert not any("ada" in s or "203.0" in s for s in subjects)  # only digests are kept


async def test_a_hash_of_an_older_cost_is_upgraded_at_sign_in(settings, clean_database):
    ada = await person("ada@example.org")
    old = ada.password_hash
    assert old is not None and "t=1" in old
    stronger = settings.with_overrides(argon2_time_cost=2)
    passwords.configure(stronger)
    try:
        await sign_in(stronger, Client("127.0.0.1"), "ada@example.org", PASSWORD)
        await ada.refresh_from_db()
        assert ada.password_hash is not None and "t=2" in ada.password_hash
    finally:
        passwords.configure(settings)


def test_the_production_cost_is_argon2_cffi_s_default() -> None:
    from argon2 import PasswordHasher

    default, ours = PasswordHasher(), Settings()
    assert (ours.argon2_time_cost, ours.argon2_memory_kib, ours.argon2_parallelism) == (
        default.time_cost,
        default.memory_cost,
        default.parallelism,
    )


def test_personal_data_parts_have_distinct_names_and_the_account_goes_last() -> None:
    names = [part.name for part in personal_data.PARTS]
    assert len(set(names)) == len(names)
    assert names[-1] == "account"
