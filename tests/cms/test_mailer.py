"""Queued mail leaves after its transaction, through a real SMTP server or as .eml files, and a
server that is down or refusing loses nothing."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import subprocess
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy

import anyio
import pytest
from tortoise.transactions import in_transaction

from cms.app import create_app
from cms.config import Settings, SettingsError
from cms.mailer import Mailer, SMTPServer, backoff
from cms.models import MailMessage, MailState
from cms.services import mail
from tests.cms.test_cli import _cms
from tests.support.mail import Inbox, body_of, deliver, token_in

pytestmark = pytest.mark.anyio


async def _queue(recipient: str = "ada@example.org", subject: str = "Confirm") -> int:
    return await mail.enqueue(
        purpose="test",
        recipient=recipient,
        subject=subject,
        body="Open http://cop.example/account/confirm-join?token=t0k3n to confirm.\n",
        tenant_id=None,
    )


async def test_a_queued_message_is_delivered_once_over_smtp(app_settings, clean_database, inbox):
    await _queue()
    received = await deliver(app_settings, inbox)
    assert len(received) == 1
    message = received[0]
    assert message["To"] == "ada@example.org"
    assert message["Subject"] == "Confirm"
    assert message["From"] == app_settings.mail_from
    assert message["Message-ID"] and message["Date"]
    assert token_in(message, "confirm-join") == "t0k3n"
    assert inbox.envelopes[0][1] == ["ada@example.org"]
    row = await MailMessage.get()
    assert row.state is MailState.SENT and row.sent_at is not None and row.attempts == 1
    assert await deliver(app_settings, inbox) == []  # sent once


async def test_mail_of_a_rolled_back_change_never_leaves(app_settings, clean_database, inbox):
    with contextlib.suppress(RuntimeError):
        async with in_transaction():
            await _queue()
            raise RuntimeError("the change failed")
    assert await MailMessage.all().count() == 0
    assert await deliver(app_settings, inbox) == []


async def test_a_refusing_server_loses_nothing(app_settings, clean_database, inbox):
    await _queue()
    inbox.refuse = True
    before = datetime.now(UTC)
    assert await deliver(app_settings, inbox) == []
    row = await MailMessage.get()
    assert row.state is MailState.PENDING and row.attempts == 1
    assert "451" in row.last_error
    assert row.next_attempt_at >= before + backoff(app_settings, 1) - timedelta(seconds=1)
    assert await deliver(app_settings, inbox) == []  # not due yet: no second attempt
    assert (await MailMessage.get()).attempts == 1
    inbox.refuse = False
    await MailMessage.filter(id=row.id).update(next_attempt_at=datetime.now(UTC))
    received = await deliver(app_settings, inbox)
    assert [m["Subject"] for m in received] == ["Confirm"]
    row = await MailMessage.get()
    assert row.state is MailState.SENT and row.attempts == 2


async def test_a_server_that_is_down_is_retried_with_doubling_waits(app_settings, clean_database):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    down = app_settings.with_overrides(smtp_url=f"smtp://127.0.0.1:{port}")
    await _queue()
    assert await Mailer(down).round() == 0
    row = await MailMessage.get()
    assert row.state is MailState.PENDING and row.attempts == 1 and row.last_error
    assert backoff(down, 2) == 2 * backoff(down, 1)
    # Queued longer ago than the retry window: the next failure gives up, keeping the error.
    await MailMessage.filter(id=row.id).update(
        created_at=datetime.now(UTC) - timedelta(hours=down.mail_retry_hours),
        next_attempt_at=datetime.now(UTC),
    )
    assert await Mailer(down).round() == 0
    row = await MailMessage.get()
    assert row.state is MailState.FAILED and row.attempts == 2 and row.last_error


async def test_two_mailers_deliver_each_message_once(app_settings, clean_database, inbox):
    for n in range(5):
        await _queue(f"p{n}@example.org")
    smtp = app_settings.with_overrides(smtp_url=inbox.url)
    first, second = Mailer(smtp), Mailer(smtp)
    sent = await asyncio.gather(first.round(), second.round())
    assert sum(sent) == 5
    assert sorted(str(m["To"]) for m in inbox.messages) == [f"p{n}@example.org" for n in range(5)]


async def test_without_smtp_messages_are_written_as_eml_files(app_settings, clean_database):
    await _queue(subject="Ünïcode subject")
    assert await Mailer(app_settings).drain() == 1
    files = sorted((app_settings.data_dir / "mail").glob("*.eml"))
    row = await MailMessage.get()
    mine = [f for f in files if f.name.endswith(f"-{row.id}.eml")]
    assert len(mine) == 1 and not list((app_settings.data_dir / "mail").glob("*.part"))
    parsed = message_from_bytes(mine[0].read_bytes(), policy=policy.default)
    assert parsed["Subject"] == "Ünïcode subject" and parsed["To"] == "ada@example.org"
    assert "account/confirm-join?token=t0k3n" in body_of(parsed)  # type: ignore[arg-type]


async def test_the_server_process_sends_mail_in_the_background(
    app_settings, clean_database, inbox: Inbox
):
    settings = app_settings.with_overrides(smtp_url=inbox.url, mail_poll_seconds=0.05)
    app = create_app(settings, manage_database=False)
    async with app.router.lifespan_context(app):
        await _queue()
        for _ in range(600):  # generous: a loaded machine may take a while
            if inbox.messages:
                break
            await asyncio.sleep(0.05)
    assert [m["Subject"] for m in inbox.messages] == ["Confirm"]


def test_smtp_urls():
    assert SMTPServer.parse("smtp://mail.example.org") == SMTPServer("mail.example.org", 25, "smtp")
    assert SMTPServer.parse("smtps://u%40x:p%2Fw@mail.example.org").port == 465
    secure = SMTPServer.parse("smtp+starttls://u:pw@mail.example.org")
    assert (secure.port, secure.username, secure.password) == (587, "u", "pw")
    with pytest.raises(ValueError):
        SMTPServer.parse("http://mail.example.org")
    with pytest.raises(SettingsError, match="CMS_SMTP_URL"):
        Settings.from_env({"CMS_SMTP_URL": "mailto:x@example.org"})


async def test_cms_mail_lists_shows_and_sends(tmp_path, settings, clean_database):
    await _queue(subject="Your invitation")

    def cms(*args: str) -> subprocess.CompletedProcess:
        return _cms(*args, data_dir=tmp_path, database_url=settings.database_url)

    listed = await anyio.to_thread.run_sync(lambda: cms("mail"))
    assert listed.returncode == 0, listed.stderr
    assert "pending" in listed.stdout and "Your invitation" in listed.stdout
    row = await MailMessage.get()
    shown = await anyio.to_thread.run_sync(lambda: cms("mail", "show", str(row.id)))
    assert "Subject: Your invitation" in shown.stdout and "token=t0k3n" in shown.stdout
    sent = await anyio.to_thread.run_sync(lambda: cms("mail", "send"))
    assert sent.stdout.startswith("1 messages delivered (files)"), sent
    assert list((tmp_path / "mail").glob(f"*-{row.id}.eml"))
    listed = await anyio.to_thread.run_sync(lambda: cms("mail", "--state", "sent"))
    assert "sent" in listed.stdout and str(tmp_path / "mail") in listed.stdout
