"""Preview links: a signed, short-lived token that reads one draft of one tenant, nothing else.

An editor (anyone with `preview` in the item's tenant) asks for a link; the site's preview
mode passes the token to the `preview(token:)` query, which answers that one item (draft,
scheduled or live) when the request addresses the same tenant and the token has not expired.
The token is not an API token: it reaches no other field and no write. It is
`base64url(json).base64url(HMAC-SHA256)` keyed with the server's secret key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cms import models
from cms.auth import Permission, Principal, require
from cms.errors import CMSError, ErrorCode, NotFound
from cms.services.kinds import KINDS

TOKEN_MAX = 500


class PreviewTokenInvalid(CMSError):
    """A preview token that is malformed, forged, expired, or for another tenant."""

    code = ErrorCode.INVALID_PREVIEW_TOKEN


@dataclass(frozen=True)
class Grant:
    """What a preview token allows: reading one item of one tenant until `expires`."""

    tenant_id: int
    kind: str
    object_id: int
    expires: datetime


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: str, body: str) -> str:
    key = hashlib.sha256(f"preview:{secret}".encode()).digest()
    return _b64(hmac.new(key, body.encode(), hashlib.sha256).digest())


def sign(secret: str, grant: Grant) -> str:
    claims = {
        "t": grant.tenant_id,
        "k": grant.kind,
        "i": grant.object_id,
        "e": int(grant.expires.timestamp()),
    }
    body = _b64(json.dumps(claims, separators=(",", ":")).encode())
    return f"{body}.{_mac(secret, body)}"


def verify(secret: str, token: str, now: datetime) -> Grant:
    """The grant of a valid token; PreviewTokenInvalid otherwise."""
    body, _, mac = token.strip().partition(".")
    if len(token) > TOKEN_MAX or not mac or not hmac.compare_digest(mac, _mac(secret, body)):
        raise PreviewTokenInvalid("The preview token is not one this server made.")
    try:
        claims = json.loads(_unb64(body))
        grant = Grant(
            int(claims["t"]),
            str(claims["k"]),
            int(claims["i"]),
            datetime.fromtimestamp(int(claims["e"]), UTC),
        )
    except (ValueError, KeyError, TypeError):
        raise PreviewTokenInvalid("The preview token cannot be read.") from None
    if grant.expires <= now:
        raise PreviewTokenInvalid("The preview token has expired; ask for a new link.")
    return grant


async def create(
    principal: Principal, secret: str, kind_name: str, object_id: int, minutes: int, now: datetime
) -> tuple[str, Grant, models.ContentModel]:
    """A token for one item the caller may preview, valid for `minutes`."""
    kind = KINDS.get(kind_name)
    row = await kind.model.get_or_none(id=object_id) if kind is not None else None
    if row is None or principal.role_in(row.tenant_id) is None:
        raise NotFound("No item you may preview has this id.", field="id")
    require(principal, Permission.PREVIEW, row.tenant_id)
    grant = Grant(row.tenant_id, kind_name, row.id, now + timedelta(minutes=minutes))
    return sign(secret, grant), grant, row


async def item(grant: Grant, tenant_id: int | None) -> models.ContentModel | None:
    """The granted item, if the request addresses its tenant."""
    if tenant_id != grant.tenant_id:
        raise PreviewTokenInvalid("The preview token is for another site.")
    kind = KINDS.get(grant.kind)
    if kind is None:
        return None
    return await kind.model.get_or_none(id=grant.object_id, tenant_id=grant.tenant_id)
