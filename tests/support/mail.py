"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, and mail helpers.

Tests queue mail through the API, deliver it with `deliver` (the `Mailer` the server runs in
its lifespan, one round at a time) and read the received messages, following their links as a
person would: `link_in` finds the `/account/<action>?token=…` URL and `token_in` its token.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import cast
from urllib.parse import parse_qs, urlsplit

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from cms.config import Settings
from cms.mailer import Mailer

URL = re.compile(r"https?://\S+")


@dataclass
class Inbox:
    """What the server received, in order; `refuse` makes it answer 451 to every message."""

    url: str
    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    refuse: bool = False

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address.lower() in str(m["To"]).lower()]

    def last(self, address: str, subject: str = "") -> EmailMessage:
        """The newest message to `address` whose subject contains `subject`."""
        found = [m for m in self.to(address) if subject.lower() in str(m["Subject"]).lower()]
        assert found, f"no message to {address} about {subject!r}; got {self.subjects()}"
        return found[-1]

    def subjects(self) -> list[tuple[str, str]]:
        return [(str(m["To"]), str(m["Subject"])) for m in self.messages]


class _Handler:
    def __init__(self, inbox: Inbox) -> None:
        self.inbox = inbox

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        if self.inbox.refuse:
            return "451 Try again later"
        content = envelope.original_content or b""
        parsed = message_from_bytes(content, policy=policy.default)
        self.inbox.messages.append(cast(EmailMessage, parsed))
        self.inbox.envelopes.append((str(envelope.mail_from), list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def smtp_server() -> Iterator[Inbox]:
    """An SMTP server on 127.0.0.1 (a free port), in its own thread, for the test's length."""
    inbox = Inbox(url="")
    port = _free_port()
    controller = Controller(_Handler(inbox), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        inbox.url = f"smtp://127.0.0.1:{port}"
        yield inbox
    finally:
        controller.stop()


async def deliver(settings: Settings, inbox: Inbox) -> list[EmailMessage]:
    """Deliver all due mail to `inbox` over SMTP; returns the messages it newly received."""
    before = len(inbox.messages)
    await Mailer(settings.with_overrides(smtp_url=inbox.url)).drain()
    return inbox.messages[before:]


def body_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None, "the message has no text/plain body"
    return str(cast(EmailMessage, part).get_content())


def link_in(message: EmailMessage, action: str) -> str:
    """The `/account/<action>?token=…` URL in a message's text."""
    for url in URL.findall(body_of(message)):
        if urlsplit(url).path.endswith(f"/account/{action}"):
            return str(url)
    raise AssertionError(f"no /account/{action} link in:\n{body_of(message)}")


def token_in(message: EmailMessage, action: str) -> str:
    """The token of the message's `/account/<action>` link, as the front end reads it."""
    return parse_qs(urlsplit(link_in(message, action)).query)["token"][0]
