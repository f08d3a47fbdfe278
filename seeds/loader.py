"""Load the seed data files into the database once: a second run creates and changes nothing.

Items are matched by (tenant, slug) and tenants by slug. An item that already exists is left
as it is, even where the data file now says otherwise, because editors may have changed it
since and a seed must never overwrite their work.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio.to_thread
from tortoise.models import Model
from tortoise.transactions import in_transaction

from cms.models import Organisation, Page, Profile, Status, Tenant, TenantDomain
from cms.services import content, generations, tags
from cms.services.content import SYSTEM
from cms.services.kinds import kind_of
from cms.services.tenants import bump_generation
from seeds.communities import load_communities, read_communities
from seeds.programmes import load_programmes, read_programmes
from seeds.spec import KINDS, SeedError, TenantPlan, validate
from seeds.spec import Kind as SeedKind

DATA_DIR = Path(__file__).resolve().parent / "data"
KIND_NAMES = ("tenants", *KINDS, "programme_rules", "support_packages", "community_settings")


@dataclass
class SeedReport:
    """Rows created and rows found already present (left unchanged), per kind."""

    files: list[str] = field(default_factory=list)
    created: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KIND_NAMES, 0))
    unchanged: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KIND_NAMES, 0))

    @property
    def total_created(self) -> int:
        """How many rows this load created, over all kinds."""
        return sum(self.created.values())

    def __str__(self) -> str:
        counts = ", ".join(
            f"{kind} {self.created[kind]} created/{self.unchanged[kind]} unchanged"
            for kind in KIND_NAMES
        )
        return f"seed from {len(self.files)} files: {counts}"


def read_documents(data_dir: Path) -> dict[str, Any]:
    """Parse every ``*.json`` file in the directory, by file name; SeedError if none or bad."""
    paths = sorted(data_dir.glob("*.json"))
    if not paths:
        raise SeedError([f"{data_dir}: no *.json seed files"])
    documents: dict[str, Any] = {}
    problems: list[str] = []
    for path in paths:
        try:
            documents[path.name] = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            problems.append(f"{path.name}: not valid JSON: {exc}")
    if problems:
        raise SeedError(problems)
    return documents


async def database_is_empty() -> bool:
    """Whether the database has no tenant yet (a fresh install that wants the seed)."""
    return not await Tenant.exists()


async def load_seed(data_dir: Path | None = None) -> SeedReport:
    """Validate every data file, then write what is missing in one transaction."""
    documents = await anyio.to_thread.run_sync(read_documents, data_dir or DATA_DIR)
    programme_data = await anyio.to_thread.run_sync(
        read_programmes, (data_dir or DATA_DIR) / "programmes"
    )
    community_data = await anyio.to_thread.run_sync(
        read_communities, (data_dir or DATA_DIR) / "communities"
    )
    known = dict(await Tenant.all().values_list("slug", "domains"))
    plans = validate(documents, known)
    report = SeedReport(files=sorted(documents))
    async with in_transaction():
        tenants = await _write_tenants(plans, report)
        for plan in plans:
            await _write_items(plan, tenants[plan.slug], tenants, report)
        await load_programmes(programme_data, report)
        await load_communities(community_data, report)
    await _seed_data_framework()
    return report


async def _seed_data_framework() -> None:
    """GENERA's She Figures-style data framework, published, unless it exists."""
    from cms.models import DataFramework
    from cms.services import genderdata
    from cms.services.content import SYSTEM
    from cms.services.frameworks import SHE_FIGURES

    genera = await Tenant.get_or_none(slug="genera")
    if genera is None or await DataFramework.filter(tenant_id=genera.id, code="genera").exists():
        return
    version = await genderdata.define_framework(
        SYSTEM, genera, "genera", "GENERA gender-aggregated data (She Figures indicators)",
        SHE_FIGURES, 2015, 2030,
    )  # fmt: skip
    await genderdata.publish_version(SYSTEM, genera, version.id)


async def _write_tenants(plans: list[TenantPlan], report: SeedReport) -> dict[str, Tenant]:
    """Create the missing tenants, parents first; every tenant the plans name, by slug."""
    wanted = {plan.slug for plan in plans}
    for plan in plans:
        wanted.update(filter(None, [plan.fields.get("parent")]))
        for org in plan.items.get("organisations", []):
            wanted.update(org.get("memberships", []))
    tenants = {t.slug: t for t in await Tenant.filter(slug__in=sorted(wanted))}
    for plan in plans:  # validate() ordered them parent first
        if plan.slug in tenants:
            report.unchanged["tenants"] += 1
            continue
        values = dict(plan.fields)
        parent = values.pop("parent", None)
        tenants[plan.slug] = await Tenant.create(
            **values, parent=tenants[parent] if parent else None
        )
        await generations.tenant_changed(tenants[plan.slug].id)
        await TenantDomain.bulk_create(
            [TenantDomain(tenant=tenants[plan.slug], domain=d) for d in values.get("domains", [])]
        )
        report.created["tenants"] += 1
    if report.created["tenants"]:
        await bump_generation()
    return tenants


async def _write_items(
    plan: TenantPlan, tenant: Tenant, tenants: dict[str, Tenant], report: SeedReport
) -> None:
    """Create one tenant's missing items, kind by kind so that references resolve."""
    objects: dict[str, dict[str, Model]] = {}
    for collection, spec in KINDS.items():
        items = plan.items.get(collection, [])
        # A page is known by its path (slugs repeat across sections), anything else by slug.
        key = spec.content.key if spec.content is not None else "slug"
        keys = [item[key] for item in items]
        found: list[Model] = (
            await spec.model.filter(tenant=tenant, **{f"{key}__in": keys}) if keys else []
        )
        by_key: dict[str, Model] = {getattr(obj, key): obj for obj in found}
        objects[collection] = by_key
        if spec.model is Page:
            # Parents before children; an existing page may be the parent of a new one.
            items = sorted(items, key=lambda item: item["path"].count("/"))
        for item in items:
            if item[key] in by_key:
                report.unchanged[collection] += 1
                continue
            by_key[item[key]] = await _create(spec, tenant, item, objects, tenants)
            report.created[collection] += 1


async def _create(
    spec: SeedKind,
    tenant: Tenant,
    item: dict[str, Any],
    objects: dict[str, dict[str, Any]],
    tenants: dict[str, Tenant],
) -> Model:
    """Create one item through the write services, so it has revisions, audit and outbox rows
    like any edit, then publish or archive it as the data file says."""
    values = dict(item)
    kind = spec.content
    if kind is None:  # a tag
        return await tags.create_tag(SYSTEM, tenant, values["name"], values["slug"])
    status = values.pop("status", Status.PUBLISHED)
    published_at = values.pop("published_at", None)
    memberships = values.pop("memberships", [])
    for ref in kind.refs:  # a reference by slug to an item of a kind written before
        if ref.field in values:
            written = objects[kind_of(ref.model).collection]
            values[f"{ref.field}_id"] = written[values.pop(ref.field)].id
    if kind.authors and "authors" in values:
        profiles = objects[kind_of(Profile).collection]
        values["authors"] = [profiles[slug].id for slug in values["authors"]]
    if kind.key != "slug":
        values.pop("slug", None)  # a page's slug is the last segment of its path
    row = await content.create(SYSTEM, tenant, kind, values)
    if status == Status.PUBLISHED:
        row = await content.publish(SYSTEM, kind, row.id, published_at)
    elif status == Status.ARCHIVED:
        row = await content.archive(SYSTEM, kind, row.id)
    if memberships:
        assert isinstance(row, Organisation), "only organisations have memberships"
        await row.memberships.add(*(tenants[slug] for slug in memberships))
    return row
