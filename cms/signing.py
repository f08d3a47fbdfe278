"""Webhook signatures as Standard Webhooks (and, in its scheme, Stripe) make them.

Headers: `webhook-id` (the delivery's id, the same on every retry), `webhook-timestamp` (Unix
seconds of this attempt) and `webhook-signature: v1,<base64 HMAC-SHA256>` over
`{id}.{timestamp}.{body}`, keyed with the secret's bytes (the base64 after `whsec_`). Existing
verifiers (the `standardwebhooks` packages, Svix's) check these as they are.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    """A fresh signing secret: 24 random bytes, written as Standard Webhooks writes them."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def _key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` header value of a body."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def headers(secret: str, message_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The headers of a signed delivery."""
    return {
        "content-type": "application/json",
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, message_id, timestamp, body),
        "user-agent": "CoP-CMS-Webhooks/1",
    }


def verify(
    secret: str, message_id: str, timestamp: int, body: bytes, signature_header: str
) -> bool:
    """Whether one of the header's space-separated `v1,` signatures matches (for receivers)."""
    expected = sign(secret, message_id, timestamp, body)
    return any(hmac.compare_digest(expected, s) for s in signature_header.split())
