"""Outgoing e-mail, written in the transaction of the change that sends it (issue 16).

The sender (`cms.mailer`) takes due rows outside any transaction and delivers them through
SMTP (`CMS_SMTP_URL`) or as `.eml` files under `$CMS_DATA_DIR/mail/`, retrying with doubling
waits, so a mail server that is down loses nothing.
"""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class MailState(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class MailMessage(Model):
    """One message to one recipient."""

    id = fields.BigIntField(primary_key=True)
    # What the message is for (sign-in, password-reset, invitation, join-confirm, …).
    purpose = fields.CharField(max_length=40)
    tenant_id = fields.IntField(null=True)
    recipient = fields.CharField(max_length=254)
    subject = fields.CharField(max_length=300)
    body = fields.TextField()
    state = fields.CharEnumField(MailState, max_length=16, default=MailState.PENDING)
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField()
    # Who is sending it now (compare-and-set) and until when the claim holds.
    leased_until = fields.DatetimeField(null=True)
    last_error = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    sent_at = fields.DatetimeField(null=True)

    class Meta:
        table = "mail_message"
        indexes = (("state", "next_attempt_at"),)
