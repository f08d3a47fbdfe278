"""Queueing mail: a message is a row written in the transaction of the change that sends it.

Nothing here talks to a mail server. `cms.mailer.Mailer` (started in the app's lifespan)
delivers the rows after their transaction committed, through SMTP or as `.eml` files, with
retries; a rolled-back change therefore sends nothing, and a server that is down loses nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlencode

from cms.config import Settings
from cms.models import MailMessage, Tenant
from cms.urls import routes_of

MAX_SUBJECT = 300
MAX_BODY = 100_000


async def enqueue(
    *,
    purpose: str,
    recipient: str,
    subject: str,
    body: str,
    tenant_id: int | None = None,
) -> int:
    """Queue one plain-text message; call it inside the write's own transaction."""
    if "\n" in subject or "\r" in subject:
        raise ValueError("a mail subject is one line")
    row = await MailMessage.create(
        purpose=purpose[:40],
        tenant_id=tenant_id,
        recipient=recipient,
        subject=subject[:MAX_SUBJECT],
        body=body[:MAX_BODY],
        next_attempt_at=datetime.now(UTC),
    )
    return int(row.id)


async def link(settings: Settings, tenant: Tenant | None, action: str, token: str) -> str:
    """The URL a mailed link opens: `<base>/account/<action>?token=…`.

    The base is the tenant's site (its routes' base URL, else its website) so that the person
    lands on the CoP's own front end, which calls the matching mutation with the token; without
    one it is `CMS_PUBLIC_URL`.
    """
    base = ""
    if tenant is not None:
        base = (await routes_of(tenant)).base_url
    base = (base or settings.public_url).rstrip("/")
    return f"{base}/account/{action}?{urlencode({'token': token})}"
