"""The joining services: who decides (coordinators act here as people, through the Principal
sign-in will build), retention with an injected clock, the purge in the server and the CLI,
confirmation links that expire, and the personal-data hooks."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import anyio
import pytest

from cms.app import create_app
from cms.auth import Principal
from cms.config import Settings
from cms.errors import NotFound, PermissionDenied
from cms.models import (
    CommunityRole,
    Enquiry,
    EnquiryState,
    EnquiryTopic,
    Invitation,
    JoiningAttempt,
    JoinRequest,
    JoinRequestState,
    MailMessage,
    Role,
    Tenant,
)
from cms.services import community, joining
from cms.services.joining import ConfirmationInvalid, EnquiryInput, JoinInput
from tests import factories
from tests.cms.memberships.people import admin_token, as_person, person

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parents[3]
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PRIVACY = "We keep your request to decide on it."


def ada(**changes: Any) -> JoinInput:
    values: dict[str, Any] = {
        "name": "Ada Lovelace",
        "email": "ada@example.org",
        "organisation": "BCU",
        "country": "United Kingdom",
        "position": "Professor",
        "motivation": "Sharing experience.",
        "consent": True,
        "privacy_version": 1,
    }
    values.update(changes)
    return JoinInput(**values)


async def accepting() -> Tenant:
    tenant = await factories.tenant(contact_email="contact@example.org")
    await community.set_settings(
        admin_token(tenant), tenant, accepts_join_requests=True, privacy_text=PRIVACY
    )
    return tenant


def coordinator_of(tenant: Tenant, account_id: int = 1) -> Principal:
    """A coordinator as the brief's sign-in will make one (until `accounts` lands)."""
    return Principal(
        token_id=0,
        name="Coordinator",
        role=None,
        tenant_id=tenant.id,
        account_id=account_id,
        community=CommunityRole.COORDINATOR,
    )


def token_of(purpose: str, body: str) -> str:
    from urllib.parse import parse_qs, urlsplit

    url = next(word for word in body.split() if f"/account/{purpose}?" in word)
    return parse_qs(urlsplit(url).query)["token"][0]


async def pending(settings: Settings, tenant: Tenant, email: str = "ada@example.org") -> int:
    await joining.request_to_join(settings, tenant, ada(email=email), client="192.0.2.1")
    mail = await MailMessage.filter(recipient=email, purpose="join-confirm").order_by("-id").first()
    assert mail is not None
    row = await joining.confirm_join_request(settings, tenant, token_of("confirm-join", mail.body))
    return row.id


async def test_a_coordinator_of_the_tenant_approves_and_declines(
    settings: Settings, clean_database: None
) -> None:
    tenant = await accepting()
    account, membership = await person(tenant, community_role=CommunityRole.COORDINATOR)
    assert membership is not None
    coordinator = as_person(account, membership)
    first = await pending(settings, tenant)
    second = await pending(settings, tenant, "grace@example.org")
    approved = await joining.approve(coordinator, settings, first, "Welcome")
    assert approved.state is JoinRequestState.APPROVED and approved.invitation_id is not None
    invitation = await Invitation.get(id=approved.invitation_id)
    assert (invitation.email, invitation.community_role) == (
        "ada@example.org",
        CommunityRole.MEMBER,
    )
    assert invitation.role is None
    declined = await joining.decline(coordinator, settings, second, "Not now")
    assert declined.state is JoinRequestState.DECLINED and declined.decided_by == account.pseudonym
    mail = await MailMessage.get(recipient="grace@example.org", purpose="join-declined")
    assert "Not now" in mail.body


async def test_only_that_tenants_coordinators_and_admins_decide(
    settings: Settings, clean_database: None
) -> None:
    tenant, other = await accepting(), await factories.tenant()
    request_id = await pending(settings, tenant)
    strangers = [
        coordinator_of(other),
        admin_token(other),
        Principal(token_id=0, name="m", role=None, tenant_id=tenant.id, account_id=2,
                  community=CommunityRole.MEMBER),
        Principal(token_id=0, name="o", role=None, tenant_id=tenant.id, account_id=3,
                  community=CommunityRole.OBSERVER),
        Principal(token_id=9, name="editor", role=Role.EDITOR, tenant_id=tenant.id),
    ]  # fmt: skip
    for stranger in strangers:
        with pytest.raises(NotFound):
            await joining.approve(stranger, settings, request_id)
        with pytest.raises(NotFound):
            await joining.decline(stranger, settings, request_id)
    assert (await JoinRequest.get(id=request_id)).state is JoinRequestState.PENDING
    assert not await Invitation.exists()
    # A coordinator decides requests but does not set the community's settings.
    with pytest.raises(PermissionDenied):
        await community.set_settings(coordinator_of(tenant), tenant, show_target=True)
    platform = Principal(token_id=0, name="platform", role=Role.ADMIN, tenant_id=None)
    assert (await joining.decline(platform, settings, request_id)).state is (
        JoinRequestState.DECLINED
    )


async def test_a_confirmation_link_expires_with_the_unconfirmed_retention(
    settings: Settings, clean_database: None
) -> None:
    tenant = await accepting()
    await joining.request_to_join(settings, tenant, ada(), client="192.0.2.1", now=T0)
    mail = await MailMessage.get(purpose="join-confirm")
    token = token_of("confirm-join", mail.body)
    late = T0 + timedelta(hours=settings.unconfirmed_retention_hours)
    with pytest.raises(ConfirmationInvalid):
        await joining.confirm_join_request(settings, tenant, token, now=late)
    for bad in ("", "join_", "x" * 500, token.replace("join_", "enquiry_")):
        with pytest.raises(ConfirmationInvalid):
            await joining.confirm_join_request(settings, None, bad, now=T0)
    row = await joining.confirm_join_request(settings, None, token, now=late - timedelta(minutes=1))
    assert row.state is JoinRequestState.PENDING and row.token_hash is None


async def test_two_confirmed_requests_of_one_address_queue_once(
    settings: Settings, clean_database: None
) -> None:
    tenant = await accepting()
    for _ in range(2):
        await joining.request_to_join(settings, tenant, ada(), client="192.0.2.1")
    first, second = await MailMessage.filter(purpose="join-confirm").order_by("id")
    kept = await joining.confirm_join_request(
        settings, tenant, token_of("confirm-join", first.body)
    )
    again = await joining.confirm_join_request(
        settings, tenant, token_of("confirm-join", second.body)
    )
    assert again.id == kept.id
    assert await JoinRequest.filter(state=JoinRequestState.PENDING).count() == 1
    assert await MailMessage.filter(purpose="join-request").count() == 1


async def _rows_at(settings: Settings, tenant: Tenant) -> dict[str, int]:
    """One row of each retained kind, made at T0 (decided and delivered at T0 too)."""
    await joining.request_to_join(settings, tenant, ada(email="u@example.org"), client="c", now=T0)
    declined = await JoinRequest.create(
        tenant=tenant, state=JoinRequestState.DECLINED, name="D", email="d@example.org",
        privacy_version=1, decided_at=T0,
    )  # fmt: skip
    approved = await JoinRequest.create(
        tenant=tenant, state=JoinRequestState.APPROVED, name="A", email="a@example.org",
        privacy_version=1, decided_at=T0,
    )  # fmt: skip
    topic = EnquiryTopic.GENERAL
    given = EnquiryInput(
        name="E", email="e@example.org", organisation="", topic=topic, message="Hi"
    )
    await joining.send_enquiry(settings, tenant, given, client="c", now=T0)
    delivered = await Enquiry.create(
        tenant=tenant, state=EnquiryState.DELIVERED, topic=topic, name="F",
        email="f@example.org", message="Hello", delivered_at=T0,
    )  # fmt: skip
    # `created_at` is set by the database: move the unconfirmed rows to T0 as well.
    await JoinRequest.filter(state=JoinRequestState.UNCONFIRMED).update(created_at=T0)
    await Enquiry.filter(state=EnquiryState.UNCONFIRMED).update(created_at=T0)
    return {"declined": declined.id, "approved": approved.id, "delivered": delivered.id}


async def test_the_purge_keeps_each_kind_for_its_retention_period(
    settings: Settings, clean_database: None
) -> None:
    settings = settings.with_overrides(enquiry_retention_days=60.0)
    tenant = await accepting()
    ids = await _rows_at(settings, tenant)
    second = timedelta(seconds=1)
    # The attempt counters go once no limit's window holds them (a day).
    assert (await joining.purge(settings, T0 + timedelta(days=1) - second)).total == 0
    purged = await joining.purge(settings, T0 + timedelta(days=1))
    assert purged.total == purged.attempts == 4  # client and address, request and enquiry
    hours = timedelta(hours=settings.unconfirmed_retention_hours)
    assert (await joining.purge(settings, T0 + hours - second)).total == 0
    purged = await joining.purge(settings, T0 + hours)
    assert (purged.unconfirmed_requests, purged.unconfirmed_enquiries) == (1, 1)
    assert (purged.declined_requests, purged.delivered_enquiries) == (0, 0)
    declined = T0 + timedelta(days=settings.declined_retention_days)
    assert (await joining.purge(settings, declined - second)).total == 0
    purged = await joining.purge(settings, declined)
    assert purged.total == purged.declined_requests == 1
    enquiries = T0 + timedelta(days=settings.enquiry_retention_days)
    assert (await joining.purge(settings, enquiries - second)).total == 0
    assert (await joining.purge(settings, enquiries)).delivered_enquiries == 1
    # Approved requests stay: they record the consent a member gave (erased with the person).
    assert [r.id for r in await JoinRequest.all()] == [ids["approved"]]
    assert await Enquiry.all().count() == 0 and await JoiningAttempt.all().count() == 0


async def test_the_server_purges_in_the_background(
    app_settings: Settings, clean_database: None
) -> None:
    tenant = await accepting()
    old = datetime.now(UTC) - timedelta(days=400)
    await _rows_at(app_settings, tenant)
    await JoinRequest.all().update(created_at=old, decided_at=old)
    await Enquiry.all().update(created_at=old, delivered_at=old)
    app = create_app(app_settings.with_overrides(purge_minutes=0.01), manage_database=False)
    async with app.router.lifespan_context(app):
        for _ in range(600):  # generous: the machine is shared
            if await JoinRequest.all().count() == 1 and not await Enquiry.exists():
                break
            await asyncio.sleep(0.1)
    assert [r.state for r in await JoinRequest.all()] == [JoinRequestState.APPROVED]
    assert not await Enquiry.exists()


async def test_cms_purge_requests(tmp_path: Path, settings: Settings, clean_database: None) -> None:
    tenant = await accepting()
    await _rows_at(settings, tenant)
    env = {**os.environ, "CMS_DATA_DIR": str(tmp_path), "PYTHONPATH": str(ROOT)}
    env["CMS_DATABASE_URL"] = settings.database_url
    command = [sys.executable, "-m", "cms.cli", "purge-requests"]
    result = await anyio.to_thread.run_sync(
        lambda: subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "Deleted 1 unconfirmed and 1 declined join requests, 1 unconfirmed and 1 delivered "
        "enquiries, 4 attempt counters.\n"
    )
    assert await JoinRequest.all().count() == 1


async def test_personal_data_is_exported_and_erased_by_address(
    settings: Settings, clean_database: None
) -> None:
    tenant = await accepting()
    await pending(settings, tenant, "ada@example.org")
    given = EnquiryInput(
        name="Ada", email="ADA@example.org", organisation="", topic=EnquiryTopic.SPONSORING,
        message="We sponsor.",
    )  # fmt: skip
    await joining.send_enquiry(settings, tenant, given, client="c")
    await pending(settings, tenant, "grace@example.org")
    account, _ = await person(tenant, email="ada@example.org")
    exported = await joining.export_personal_data(account)
    [request] = exported["joinRequests"]
    assert request["tenant"] == tenant.slug and request["state"] == "pending"
    assert request["motivation"] == "Sharing experience." and request["privacy_version"] == 1
    assert isinstance(request["created_at"], str)
    [sent] = exported["enquiries"]
    assert (sent["topic"], sent["message"]) == ("sponsoring", "We sponsor.")
    assert await joining.export_personal_data(" Ada@Example.org ") == exported
    assert await joining.erase_personal_data(account) == 2
    assert await joining.export_personal_data(account) == {"joinRequests": [], "enquiries": []}
    assert await JoinRequest.filter(email="grace@example.org").exists()
