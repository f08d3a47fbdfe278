"""Programme data from `seeds/data/programmes/*.json`: a programme's rules and its support
packages, written through `cms.services.programmes` once (a second run changes nothing; rules
and packages that exist are left as editors may have changed them)."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

from cms.models import ProgrammeRules, SupportPackage, Tenant
from cms.services import programmes
from cms.services.content import SYSTEM
from seeds.spec import SeedError

DATA_DIR = Path(__file__).resolve().parent / "data" / "programmes"
RULE_KEYS = {
    "window_opens",
    "window_closes",
    "packages_per_cop",
    "budget_per_cop_cents",
    "currency",
}
PACKAGE_KEYS = {
    "number", "slug", "title", "summary", "description", "includes", "expected_outcomes",
    "targets", "first_version_on", "final_version_on", "status",
}  # fmt: skip


def read_programmes(data_dir: Path) -> list[dict[str, Any]]:
    """The parsed programme files, checked for their keys; SeedError naming every problem."""
    documents: list[dict[str, Any]] = []
    problems: list[str] = []
    for path in sorted(data_dir.glob("*.json")) if data_dir.is_dir() else []:
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            problems.append(f"programmes/{path.name}: not valid JSON: {exc}")
            continue
        where = f"programmes/{path.name}"
        if not isinstance(document, dict) or not isinstance(document.get("programme"), str):
            problems.append(f"{where}: expected an object naming its 'programme'")
            continue
        unknown = set(document) - {"_note", "programme", "rules", "packages"}
        unknown |= set(document.get("rules") or {}) - RULE_KEYS
        for package in document.get("packages") or []:
            unknown |= set(package) - PACKAGE_KEYS
        if unknown:
            problems.append(f"{where}: unknown keys {sorted(unknown)}")
        documents.append(document)
    if problems:
        raise SeedError(problems)
    return documents


async def load_programmes(documents: list[dict[str, Any]], report: Any) -> None:
    """Write the rules and packages that are missing (inside the seed's transaction)."""
    for document in documents:
        programme = await Tenant.get_or_none(slug=document["programme"])
        if programme is None:
            raise SeedError([f"programmes: no tenant {document['programme']!r}"])
        rules = document.get("rules")
        if rules and not await ProgrammeRules.exists(programme_id=programme.id):
            values = {
                **rules,
                "window_opens": datetime.fromisoformat(rules["window_opens"]),
                "window_closes": datetime.fromisoformat(rules["window_closes"]),
            }
            await programmes.set_rules(SYSTEM, programme, values)
            report.created["programme_rules"] += 1
        elif rules:
            report.unchanged["programme_rules"] += 1
        for package in document.get("packages") or []:
            if await SupportPackage.exists(programme_id=programme.id, number=package["number"]):
                report.unchanged["support_packages"] += 1
                continue
            values = dict(package)
            for key in ("first_version_on", "final_version_on"):
                if values.get(key):
                    values[key] = date.fromisoformat(values[key])
            await programmes.create_package(SYSTEM, programme, values)
            report.created["support_packages"] += 1
