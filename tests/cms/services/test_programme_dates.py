"""The programme writes that take instants (the rules' window, an attestation's validity) store
them in UTC whatever offset they were given, and refuse a time without one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from tortoise import connections

from cms.auth import Principal
from cms.errors import ErrorCode, ValidationFailed
from cms.models import Role, TenantKind
from cms.services import attestations, programmes
from tests import factories

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("clean_database")]

OPENS = datetime(2031, 1, 1, 8, 0, tzinfo=UTC)
CLOSES = datetime(2031, 3, 1, 8, 0, tzinfo=UTC)
HONOLULU = timezone(timedelta(hours=-10))
KOLKATA = timezone(timedelta(hours=5, minutes=30))


def _stored_utc(value: Any) -> datetime:
    """A stored instant read raw: on SQLite the text must already be UTC."""
    if isinstance(value, str):
        assert value.endswith("+00:00"), value
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value


async def _rows(sql: str) -> list[dict[str, Any]]:
    return list(await connections.get("default").execute_query_dict(sql))


async def _editor_of(slug: str, kind: TenantKind) -> tuple[Principal, Any]:
    tenant = await factories.tenant(slug=slug, kind=kind)
    return Principal(token_id=0, name=slug, role=Role.EDITOR, tenant_id=tenant.id), tenant


def _rules(opens: datetime, closes: datetime) -> dict[str, Any]:
    return {
        "window_opens": opens,
        "window_closes": closes,
        "packages_per_cop": 2,
        "budget_per_cop_cents": 1000,
    }


async def test_the_rules_window_given_with_offsets_is_stored_in_utc() -> None:
    editor, programme = await _editor_of("prog", TenantKind.PROGRAMME)
    await programmes.set_rules(
        editor, programme, _rules(OPENS.astimezone(HONOLULU), CLOSES.astimezone(KOLKATA))
    )
    (row,) = await _rows("SELECT window_opens, window_closes FROM programme_rules")
    assert _stored_utc(row["window_opens"]) == OPENS
    assert _stored_utc(row["window_closes"]) == CLOSES


async def test_a_rules_window_without_offset_is_refused() -> None:
    editor, programme = await _editor_of("prog", TenantKind.PROGRAMME)
    naive = OPENS.replace(tzinfo=None)
    with pytest.raises(ValidationFailed) as refused:
        await programmes.set_rules(editor, programme, _rules(naive, CLOSES))
    assert [(e.field, e.code) for e in refused.value.errors] == [
        ("windowOpens", ErrorCode.NAIVE_DATETIME)
    ]
    assert await _rows("SELECT id FROM programme_rules") == []


async def test_an_attestation_given_with_offsets_is_stored_in_utc() -> None:
    editor, programme = await _editor_of("prog", TenantKind.PROGRAMME)
    person = await factories.profile(programme)
    values = {
        "role": "expert",
        "valid_from": OPENS.astimezone(KOLKATA),
        "valid_until": CLOSES.astimezone(HONOLULU),
    }
    await attestations.attest(editor, person.id, programme, values)
    (row,) = await _rows("SELECT valid_from, valid_until FROM attestation")
    assert _stored_utc(row["valid_from"]) == OPENS
    assert _stored_utc(row["valid_until"]) == CLOSES


async def test_an_attestation_without_offset_is_refused() -> None:
    editor, programme = await _editor_of("prog", TenantKind.PROGRAMME)
    person = await factories.profile(programme)
    values = {"role": "expert", "valid_until": CLOSES.replace(tzinfo=None)}
    with pytest.raises(ValidationFailed) as refused:
        await attestations.attest(editor, person.id, programme, values)
    assert [(e.field, e.code) for e in refused.value.errors] == [
        ("validUntil", ErrorCode.NAIVE_DATETIME)
    ]
    assert await _rows("SELECT id FROM attestation") == []
