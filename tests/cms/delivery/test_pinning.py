"""A delivery connects to the addresses its target check resolved: a name that answers a public
address to the check and a private one a moment later (DNS rebinding) reaches nothing private.

The name `rebind.test` is answered by a resolver the test controls, in front of the system's;
the receivers are real HTTP servers on loopback.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from cms import models
from cms.auth import Principal
from cms.config import Settings
from cms.delivery import DeliveryService, post_pinned
from cms.models import Role
from cms.services import content, webhooks
from cms.services.content import SYSTEM
from cms.services.kinds import KINDS
from cms.targets import Target
from tests import factories
from tests.support.receiver import receiver

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("clean_database")]

NAME = "rebind.test"
PUBLIC = "8.8.8.8"  # what the check is shown: a public address


class Resolver:
    """Answers `rebind.test` from a list (the last answer repeats), counting the lookups."""

    def __init__(self, answers: list[str]) -> None:
        self.answers = answers
        self.lookups = 0

    def getaddrinfo(self, host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in (NAME, NAME.encode()):  # the event loop asks with the name's IDNA bytes
            return SYSTEM_GETADDRINFO(host, port, *args, **kwargs)
        address = self.answers[min(self.lookups, len(self.answers) - 1)]
        self.lookups += 1
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, int(port or 80)))]


SYSTEM_GETADDRINFO = socket.getaddrinfo


@pytest.fixture
def resolver(monkeypatch: pytest.MonkeyPatch) -> Iterator[Resolver]:
    fake = Resolver(["127.0.0.1"])
    monkeypatch.setattr(socket, "getaddrinfo", fake.getaddrinfo)
    yield fake


def _port(url: str) -> int:
    return int(httpx.URL(url).port or 80)


async def _published_to(settings: Settings, url: str) -> None:
    """A webhook on `url` and a publication for it to deliver, then one delivery round."""
    tenant = await factories.tenant()
    admin = Principal(token_id=0, name="admin", role=Role.ADMIN, tenant_id=tenant.id)
    await webhooks.create(admin, settings, tenant, url, ["content.published"])
    news = await factories.news_item(tenant, status=models.Status.DRAFT, published_at=None)
    await content.publish(SYSTEM, KINDS["NewsItem"], news.id)
    await DeliveryService(settings).round()


async def test_a_rebound_name_does_not_reach_the_private_address(
    app_settings: Settings, resolver: Resolver
) -> None:
    settings = app_settings.with_overrides(webhook_timeout_seconds=1.0)
    with receiver() as private:
        # Saving and the delivery's check see a public address; a third lookup would answer
        # loopback, where the receiver listens.
        resolver.answers = [PUBLIC, PUBLIC, "127.0.0.1"]
        await _published_to(settings, f"http://{NAME}:{_port(private.url)}/hook")
        assert private.received == []
    assert resolver.lookups == 2  # the save and the delivery's check; the POST looked nothing up
    (attempt,) = await models.WebhookAttempt.all()
    assert attempt.status_code is None and attempt.error


async def test_the_allowed_loopback_receiver_is_reached_by_name_with_its_host(
    app_settings: Settings, resolver: Resolver
) -> None:
    settings = app_settings.with_overrides(webhook_allow_private=True)
    with receiver() as site:
        resolver.answers = ["127.0.0.1", "127.0.0.2"]  # a second lookup would miss
        url = f"http://{NAME}:{_port(site.url)}/hook"
        await _published_to(settings, url)
        assert len(site.received) == 1
        assert site.received[0].headers["host"] == f"{NAME}:{_port(site.url)}"
    assert resolver.lookups == 1  # with the allowance, saving looks nothing up


async def test_a_refused_address_gives_way_to_the_next_checked_one() -> None:
    with receiver() as site:
        port = _port(site.url)
        target = Target(f"http://{NAME}:{port}/hook", NAME, port, ["127.0.0.2", "127.0.0.1"])
        async with httpx.AsyncClient(trust_env=False) as client:
            response = await post_pinned(client, target, b"{}", {"content-type": "json"})
        assert response.status_code == 204
        assert [r.headers["host"] for r in site.received] == [f"{NAME}:{port}"]
