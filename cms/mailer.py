"""Sending queued mail: after the transaction that queued it, through SMTP or to `.eml` files.

`cms.services.mail.enqueue` writes a `MailMessage` row in the transaction of the change that
sends it (a sign-in link, an invitation, a join request's confirmation). Every server process
runs a `Mailer` (started in the lifespan) that, every `CMS_MAIL_POLL_SECONDS`:

1. claims due rows by compare-and-set on `leased_until`, so a message goes out once whatever the
   number of processes (a process that dies mid-send frees its claim when the lease runs out);
2. delivers each one outside any transaction: through SMTP when `CMS_SMTP_URL` is set
   (`smtp://`, `smtp+starttls://` or `smtps://`, with `user:password@` if the server wants it),
   otherwise as an `.eml` file under `$CMS_DATA_DIR/mail/` that a developer opens (`cms mail`);
3. marks it sent, or retries it with doubling waits from `CMS_MAIL_RETRY_SECONDS` until it has
   been queued for `CMS_MAIL_RETRY_HOURS`, then marks it failed with the last error.

A server that is down therefore loses nothing: the rows wait in the database.
"""

from __future__ import annotations

import asyncio
import logging
import os
import smtplib
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path
from urllib.parse import unquote, urlsplit

from tortoise.expressions import Q

from cms.background import Periodic
from cms.config import Settings
from cms.models import MailMessage, MailState

log = logging.getLogger(__name__)

# Messages claimed per round and how long a claim holds (longer than any send may take).
BATCH = 20
SMTP_TIMEOUT_SECONDS = 30.0
LEASE = timedelta(seconds=SMTP_TIMEOUT_SECONDS * 2 + 30)
SCHEMES = ("smtp", "smtp+starttls", "smtps")


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class SMTPServer:
    """Where `CMS_SMTP_URL` says to send."""

    host: str
    port: int
    scheme: str
    username: str = ""
    password: str = ""

    @classmethod
    def parse(cls, url: str) -> SMTPServer:
        parts = urlsplit(url)
        if parts.scheme not in SCHEMES or not parts.hostname:
            raise ValueError(
                f"CMS_SMTP_URL must be {', '.join(s + '://host[:port]' for s in SCHEMES)}"
            )
        default_port = 465 if parts.scheme == "smtps" else 587 if "starttls" in parts.scheme else 25
        return cls(
            host=parts.hostname,
            port=parts.port or default_port,
            scheme=parts.scheme,
            username=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
        )


def mail_dir(settings: Settings) -> Path:
    return settings.data_dir / "mail"


def compose(settings: Settings, row: MailMessage) -> EmailMessage:
    """The RFC 5322 message of a queued row (plain text, UTF-8)."""
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = row.recipient
    message["Subject"] = row.subject
    message["Date"] = format_datetime(row.created_at.astimezone(UTC))
    domain = parseaddr(settings.mail_from)[1].rpartition("@")[2] or "localhost"
    message["Message-ID"] = make_msgid(idstring=f"cms{row.id}", domain=domain)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(row.body)
    return message


def eml_path(settings: Settings, row: MailMessage) -> Path:
    """Where the file transport writes a message: sortable by time, named by its id."""
    stamp = row.created_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return mail_dir(settings) / f"{stamp}-{row.id}.eml"


def _write_eml(settings: Settings, row: MailMessage, message: EmailMessage) -> None:
    path = eml_path(settings, row)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.part")
    partial.write_bytes(message.as_bytes())
    partial.replace(path)  # a reader never sees half a message


def _send_smtp(server: SMTPServer, sender: str, message: EmailMessage) -> None:
    client: smtplib.SMTP
    if server.scheme == "smtps":
        client = smtplib.SMTP_SSL(
            server.host,
            server.port,
            timeout=SMTP_TIMEOUT_SECONDS,
            context=ssl.create_default_context(),
        )
    else:
        client = smtplib.SMTP(server.host, server.port, timeout=SMTP_TIMEOUT_SECONDS)
    with client:
        client.ehlo()
        if server.scheme == "smtp+starttls":
            client.starttls(context=ssl.create_default_context())
            client.ehlo()
        if server.username:
            client.login(server.username, server.password)
        client.send_message(message, from_addr=parseaddr(sender)[1] or None)


def backoff(settings: Settings, attempts: int) -> timedelta:
    """The wait before attempt `attempts + 1`: the first retry's wait, doubled each time."""
    return timedelta(seconds=settings.mail_retry_seconds * 2 ** min(max(attempts - 1, 0), 20))


class Mailer:
    """One per process: claims due messages and delivers them, polled in the background."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.server = SMTPServer.parse(settings.smtp_url) if settings.smtp_url else None
        self._job = Periodic("mailer", self.round, settings.mail_poll_seconds)

    def start(self) -> None:
        self._job.start()

    async def stop(self) -> None:
        """Stop after the message being sent (never inside a database write)."""
        await self._job.stop()

    async def round(self) -> int:
        """Claim and deliver what is due now; returns how many were delivered."""
        now = _now()
        due = (
            await MailMessage.filter(
                Q(leased_until__isnull=True) | Q(leased_until__lt=now),
                state=MailState.PENDING,
                next_attempt_at__lte=now,
            )
            .order_by("next_attempt_at", "id")
            .limit(BATCH)
        )
        sent = 0
        for row in due:
            won = await MailMessage.filter(
                Q(leased_until__isnull=True) | Q(leased_until__lt=now),
                id=row.id,
                state=MailState.PENDING,
            ).update(leased_until=now + LEASE)
            if won and await self._deliver(row):
                sent += 1
        return sent

    async def drain(self) -> int:
        """Deliver everything due, round after round (tests and `cms mail send`)."""
        total = 0
        while sent := await self.round():
            total += sent
        return total

    async def _deliver(self, row: MailMessage) -> bool:
        message = compose(self.settings, row)
        try:
            if self.server is None:
                await asyncio.to_thread(_write_eml, self.settings, row, message)
            else:
                await asyncio.to_thread(_send_smtp, self.server, self.settings.mail_from, message)
        except (OSError, smtplib.SMTPException) as error:
            await self._failed(row, f"{type(error).__name__}: {error}")
            return False
        await MailMessage.filter(id=row.id).update(
            state=MailState.SENT, sent_at=_now(), attempts=row.attempts + 1, leased_until=None
        )
        return True

    async def _failed(self, row: MailMessage, error: str) -> None:
        now = _now()
        attempts = row.attempts + 1
        retry_at = now + backoff(self.settings, attempts)
        given_up = retry_at - row.created_at > timedelta(hours=self.settings.mail_retry_hours)
        log.warning("mailer: message %s to %s failed (%s)", row.id, row.recipient, error)
        await MailMessage.filter(id=row.id).update(
            state=MailState.FAILED if given_up else MailState.PENDING,
            attempts=attempts,
            next_attempt_at=retry_at,
            leased_until=None,
            last_error=error[:2000],
        )
