"""Community settings from `seeds/data/communities/*.json` (one tenant's per file), written
through `cms.services.community` once: settings that exist are left as admins may have
changed them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cms.models import CommunitySettings, Tenant
from cms.services import community
from cms.services.content import SYSTEM
from seeds.spec import SeedError

KEYS = {
    "accepts_join_requests",
    "privacy_text",
    "contact_email",
    "membership_target",
    "show_target",
}


def read_communities(data_dir: Path) -> list[dict[str, Any]]:
    """The parsed files, checked for their keys; SeedError naming every problem."""
    documents: list[dict[str, Any]] = []
    problems: list[str] = []
    for path in sorted(data_dir.glob("*.json")) if data_dir.is_dir() else []:
        where = f"communities/{path.name}"
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            problems.append(f"{where}: not valid JSON: {exc}")
            continue
        if not isinstance(document, dict) or not isinstance(document.get("tenant"), str):
            problems.append(f"{where}: expected an object naming its 'tenant'")
            continue
        unknown = set(document) - KEYS - {"_note", "tenant"}
        if unknown:
            problems.append(f"{where}: unknown keys {sorted(unknown)}")
        documents.append(document)
    if problems:
        raise SeedError(problems)
    return documents


async def load_communities(documents: list[dict[str, Any]], report: Any) -> None:
    """Write the settings of tenants that have none (inside the seed's transaction)."""
    for document in documents:
        tenant = await Tenant.get_or_none(slug=document["tenant"])
        if tenant is None:
            raise SeedError([f"communities: no tenant {document['tenant']!r}"])
        if await CommunitySettings.exists(tenant_id=tenant.id):
            report.unchanged["community_settings"] += 1
            continue
        values = {key: document[key] for key in KEYS if key in document}
        await community.set_settings(SYSTEM, tenant, **values)
        report.created["community_settings"] += 1
