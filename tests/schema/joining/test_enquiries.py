"""Enquiries ("get in touch") over HTTP: confirmed by the mailed link, then delivered to the
community's contact over a real SMTP server; bounded like join requests."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from cms import models
from cms.models import Enquiry, EnquiryState, MailMessage
from cms.services import community
from tests import factories
from tests.cms.memberships.people import admin_token
from tests.support.api import data_of
from tests.support.mail import Inbox, body_of, deliver, token_in

pytestmark = pytest.mark.anyio

SEND = """mutation ($input: SendEnquiryInput!) {
  sendEnquiry(input: $input) { received errors { field code } } }"""
CONFIRM = """mutation ($token: String!) {
  confirmEnquiry(token: $token) { confirmed errors { field code } } }"""


def enquiry(**changes: Any) -> dict[str, Any]:
    values = {
        "name": "Grace Hopper",
        "email": "grace@example.org",
        "organisation": "A research funder",
        "topic": "SPONSORING",
        "message": "We would like to sponsor the community's face-to-face meetings.",
    }
    values.update(changes)
    return values


async def send(client: httpx.AsyncClient, tenant: models.Tenant, **changes: Any) -> dict[str, Any]:
    data = await data_of(client, SEND, {"input": enquiry(**changes)}, tenant=tenant.slug)
    return dict(data["sendEnquiry"])


async def test_an_enquiry_reaches_the_contact_only_once_confirmed(
    client: httpx.AsyncClient, app_settings: Any, inbox: Inbox
) -> None:
    tenant = await factories.tenant(contact_email="public@example.org")
    await community.set_settings(admin_token(tenant), tenant, contact_email="enquiries@example.org")
    assert await send(client, tenant) == {"received": True, "errors": []}
    received = await deliver(app_settings, inbox)
    assert [str(m["To"]) for m in received] == ["grace@example.org"]
    token = token_in(received[0], "confirm-enquiry")
    # The link is this tenant's: another tenant's site cannot use it.
    other = await factories.tenant()
    wrong = await data_of(client, CONFIRM, {"token": token}, tenant=other.slug)
    assert wrong["confirmEnquiry"]["errors"] == [
        {"field": "token", "code": "INVALID_CONFIRMATION_TOKEN"}
    ]
    confirmed = await data_of(client, CONFIRM, {"token": token}, tenant=tenant.slug)
    assert confirmed["confirmEnquiry"] == {"confirmed": True, "errors": []}
    await deliver(app_settings, inbox)
    delivered = inbox.last("enquiries@example.org", "Enquiry (sponsoring) from Grace Hopper")
    text = body_of(delivered)
    assert "grace@example.org" in text and "face-to-face meetings" in text
    assert inbox.to("public@example.org") == []
    row = await Enquiry.get(email="grace@example.org")
    assert row.state is EnquiryState.DELIVERED and row.token_hash is None


async def test_without_a_contact_the_tenants_public_address_is_used_or_none(
    client: httpx.AsyncClient,
) -> None:
    tenant = await factories.tenant(contact_email="public@example.org")
    assert (await send(client, tenant, topic="GENERAL"))["received"] is True
    nowhere = await factories.tenant(contact_email="")
    answer = await send(client, nowhere)
    assert answer == {"received": False, "errors": [{"field": None, "code": "NOT_ACCEPTING"}]}
    assert await Enquiry.filter(tenant_id=nowhere.id).count() == 0


async def test_bad_enquiries_change_nothing_and_the_honeypot_is_a_silent_success(
    client: httpx.AsyncClient, app_settings: Any
) -> None:
    tenant = await factories.tenant(contact_email="public@example.org")
    answer = await send(client, tenant, name="", email="x@", message="m" * 4001)
    assert {(e["field"], e["code"]) for e in answer["errors"]} == {
        ("name", "REQUIRED"),
        ("email", "INVALID_EMAIL"),
        ("message", "TOO_LONG"),
    }
    assert await send(client, tenant, website="spam") == {"received": True, "errors": []}
    assert await Enquiry.all().count() == 0 and await MailMessage.all().count() == 0
    for _ in range(app_settings.joining_per_address_day):
        assert (await send(client, tenant))["received"] is True
    assert (await send(client, tenant))["errors"][0]["code"] == "LIMIT_EXCEEDED"
    assert await Enquiry.all().count() == app_settings.joining_per_address_day
