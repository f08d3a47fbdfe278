"""The seed data, its loader and the synthetic generator, on the shared test database."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from tortoise import Tortoise, connections

from cms import db
from cms.models import (
    Event,
    Image,
    NewsItem,
    NewsKind,
    Organisation,
    OrganisationKind,
    Page,
    Profile,
    ProgrammeRules,
    Resource,
    ResourceAuthor,
    ResourceKind,
    Status,
    SupportPackage,
    Tenant,
    TenantKind,
    Video,
)
from seeds import SeedError, database_is_empty, load_seed, load_synthetic

ACT_COPS = ["lifescicop", "geincee", "genbudget", "forgen", "genera", "strategies", "alt-g", "lac"]
CONTENT_MODELS = (Organisation, Profile, Resource, Event, NewsItem, Page)
REFERENCE = datetime(2025, 6, 1, tzinfo=UTC)

# conftest's clean_database gives every test an empty, migrated database (SQLite or PostgreSQL).
pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("clean_database")]


async def snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every row of every table the models use, to compare the database before and after."""
    tables: set[str] = set()
    for model in Tortoise.apps[db.APP_LABEL].values():
        tables.add(model._meta.db_table)
        for name in model._meta.m2m_fields:
            tables.add(model._meta.fields_map[name].through)
    conn = connections.get("default")
    # Sorted in Python: columns differ per table and timestamps alone may tie.
    return {
        table: sorted(await conn.execute_query_dict(f'SELECT * FROM "{table}"'), key=repr)
        for table in sorted(tables)
    }


def write_data(directory: Path, name: str, tenants: list[dict[str, Any]]) -> Path:
    directory.mkdir(exist_ok=True)
    (directory / name).write_text(json.dumps({"tenants": tenants}), encoding="utf-8")
    return directory


async def test_seed_loads_every_required_tenant_with_kind_and_parent() -> None:
    assert await database_is_empty()
    await load_seed()
    assert not await database_is_empty()

    tenants = {t.slug: t for t in await Tenant.all().prefetch_related("parent")}
    expected = {
        "act": (TenantKind.PROGRAMME, None),
        "stem-power": (TenantKind.COP, None),
        "caliper": (TenantKind.PROGRAMME, None),
        "inspire": (TenantKind.PROGRAMME, None),
        "inspire-hub": (TenantKind.HUB, "inspire"),
    } | {slug: (TenantKind.COP, "act") for slug in ACT_COPS}
    for slug, (kind, parent) in expected.items():
        tenant = tenants[slug]
        assert tenant.kind == kind, slug
        assert (tenant.parent.slug if tenant.parent else None) == parent, slug
        # DelimitedListField is typed as a TextField but holds a list.
        assert list(tenant.domains) == [f"{slug}.example.org"]
    assert "788204" in tenants["act"].description
    assert tenants["alt-g"].acronym == "Alt+G"
    assert tenants["stem-power"].contact_email == "french@bcu.ac.uk"


async def test_stem_power_has_its_pages_event_and_networks() -> None:
    await load_seed()
    tenant = await Tenant.get(slug="stem-power")
    titles = {p.title: p.path for p in await Page.filter(tenant=tenant)}
    assert titles["What is the STEM-POWER CoP"] == "what-is-stem-power"
    assert titles["How to join"] == "how-to-join"
    event = await Event.get(tenant=tenant, slug="kick-off-symposium")
    assert event.start.tzinfo is not None and event.end > event.start
    names = {o.name for o in await Organisation.filter(tenant=tenant)}
    assert {"EnPOWER Vietnam", "International Professional Development Association"} <= names


async def test_caliper_has_the_press_release_deliverable_and_sister_projects() -> None:
    await load_seed()
    caliper = await Tenant.get(slug="caliper")
    release = await NewsItem.get(tenant=caliper, kind=NewsKind.PRESS_RELEASE)
    assert "focus group" in release.title.lower()
    deliverable = await Resource.get(tenant=caliper, title__startswith="D1.3")
    assert deliverable.kind == ResourceKind.DELIVERABLE and deliverable.shared
    projects = await Organisation.filter(tenant=caliper, kind=OrganisationKind.PROJECT)
    assert {o.acronym for o in projects} >= {
        "SPEAR",
        "GE Academy",
        "GEECCO",
        "SUPERA",
        "Gearing Roles",
        "Gender Smart",
        "CASPER",
        "UniSAFE",
        "EQUAL-IST",
        "ACT",
    }
    partner = await Organisation.get(tenant=caliper, slug="smart-venice")
    assert [t.slug for t in await partner.memberships.all()] == ["caliper"]


async def test_knowledge_base_content_the_search_issue_relies_on() -> None:
    await load_seed()
    budgeting = [
        r
        for r in await Resource.filter(
            tenant__slug="genbudget", shared=True, status=Status.PUBLISHED
        )
        if "gender budgeting" in f"{r.title} {r.summary} {r.body}".lower()
    ]
    assert len(budgeting) >= 2
    # INSPIRE's five support packages are programme data now, with the rules of seed text 004.
    packages = await SupportPackage.filter(programme__slug="inspire").order_by("number")
    assert [p.number for p in packages] == [1, 2, 3, 4, 5]
    assert all(p.expected_outcomes and p.first_version_on for p in packages)
    assert "GEAM" in " ".join(packages[1].includes)
    rules = await ProgrammeRules.get(programme__slug="inspire")
    assert (rules.packages_per_cop, rules.budget_per_cop_cents, rules.currency) == (
        2,
        1_000_000,
        "EUR",
    )
    assert (rules.window_opens.year, rules.window_closes.year) == (2024, 2026)
    assert not await Resource.filter(kind=ResourceKind.SUPPORT_PACKAGE).exists()
    data = await Resource.get(
        tenant__slug="genera", slug="gender-aggregated-data-framework"
    ).prefetch_related("organisation")
    assert data.organisation is not None and data.organisation.slug == "genera-project"
    child = await Page.get(tenant__slug="act", path="about/three-substantive-areas")
    await child.fetch_related("parent")
    assert child.parent is not None and child.parent.path == "about"


async def test_every_tenant_has_a_draft_and_something_is_scheduled() -> None:
    await load_seed()
    with_draft: set[str] = set()
    for model in CONTENT_MODELS:
        rows = await model.filter(status=Status.DRAFT).values("tenant__slug")
        with_draft.update(row["tenant__slug"] for row in rows)
    assert with_draft == {row["slug"] for row in await Tenant.all().values("slug")}
    assert await NewsItem.filter(
        status=Status.PUBLISHED, published_at__gt=datetime(2029, 1, 1, tzinfo=UTC)
    ).exists()


async def test_second_load_creates_and_changes_nothing() -> None:
    first = await load_seed()
    before = await snapshot()
    second = await load_seed()
    assert await snapshot() == before
    assert second.total_created == 0
    assert second.unchanged == first.created
    assert first.created["tenants"] == 13


async def test_seed_writes_through_the_services_with_history() -> None:
    from cms.models import AuditEntry, OutboxEvent, Resource, Revision

    await load_seed()
    published = await Resource.filter(status=Status.PUBLISHED).first()
    assert published is not None and published.version == 2  # created, then published
    operations = (
        await Revision.filter(content_type="Resource", object_id=published.id)
        .order_by("version")
        .values_list("operation", "author_name")
    )
    assert operations == [("create", "system"), ("publish", "system")]
    assert await OutboxEvent.filter(content_type="Resource", object_id=published.id).count() == 2
    assert await AuditEntry.filter(content_type="Resource", object_id=published.id).count() == 2


async def test_malformed_data_raises_seed_error_and_writes_nothing(tmp_path: Path) -> None:
    good = {"slug": "good", "name": "Good CoP", "kind": "cop"}
    bad = {
        "slug": "bad",
        "name": "Bad CoP",
        "kind": "cop",
        "parent": "nowhere",
        "tags": [{"slug": "known", "name": "Known"}],
        "resources": [
            {"slug": "r1", "title": "R1", "kind": "toolkit", "colour": "red"},
            {"slug": "r2", "title": "R2", "kind": "poster"},
            {"slug": "r3", "kind": "guide"},
            {"slug": "r4", "title": "R4", "kind": "guide", "tags": ["known", "missing"]},
        ],
        "events": [
            {
                "slug": "e1",
                "title": "E1",
                "format": "online",
                "start": "2024-05-01T10:00:00",
                "end": "2024-05-01T12:00:00+00:00",
            }
        ],
    }
    data_dir = write_data(tmp_path / "data", "a-good.json", [good])
    write_data(data_dir, "b-bad.json", [bad])

    with pytest.raises(SeedError) as caught:
        await load_seed(data_dir)

    problems = caught.value.problems
    expected = [
        ("'r1'", "unknown key 'colour'"),
        ("'r2'", "'poster' is not one of"),
        ("'r3'", "missing required key 'title'"),
        ("'r4'", "unknown tag 'missing'"),
        ("'e1'", "has no timezone"),
        ("'bad'", "parent: unknown tenant 'nowhere'"),
    ]
    for item, message in expected:
        assert any(p.startswith("b-bad.json") and item in p and message in p for p in problems), (
            item,
            message,
            problems,
        )
    assert len(problems) == len(expected)
    assert await database_is_empty()


async def test_parent_cycle_and_duplicate_domain_are_seed_errors(tmp_path: Path) -> None:
    tenants = [
        {"slug": "a", "name": "A", "kind": "cop", "parent": "b", "domains": ["x.example.org"]},
        {"slug": "b", "name": "B", "kind": "hub", "parent": "a", "domains": ["x.example.org"]},
    ]
    with pytest.raises(SeedError) as caught:
        await load_seed(write_data(tmp_path / "data", "loop.json", tenants))
    message = str(caught.value)
    assert "loops back on itself" in message and "domain 'x.example.org'" in message
    assert await database_is_empty()


async def test_invalid_json_is_a_seed_error(tmp_path: Path) -> None:
    (tmp_path / "broken.json").write_text('{"tenants": [', encoding="utf-8")
    with pytest.raises(SeedError, match="broken.json: not valid JSON"):
        await load_seed(tmp_path)


async def test_loader_writes_authors_in_order_memberships_and_page_parents(tmp_path: Path) -> None:
    cop = {
        "slug": "test-cop",
        "name": "Test CoP",
        "kind": "cop",
        "tags": [{"slug": "t", "name": "T"}],
        "organisations": [
            {"slug": "org", "name": "Org", "kind": "rpo", "memberships": ["test-cop"]}
        ],
        "profiles": [
            {"slug": f"p{i}", "name": f"Test Person {i}", "roles": ["member"]} for i in range(3)
        ],
        "resources": [
            {
                "slug": "r",
                "title": "R",
                "kind": "guide",
                "tags": ["t"],
                "authors": ["p2", "p0", "p1"],
                "organisation": "org",
            }
        ],
        "pages": [{"path": "a/b", "title": "B"}, {"path": "a", "title": "A"}],
    }
    report = await load_seed(write_data(tmp_path / "data", "test.json", [cop]))
    assert report.created["profiles"] == 3 and report.created["pages"] == 2

    resource = await Resource.get(slug="r").prefetch_related("tags", "organisation")
    links = await ResourceAuthor.filter(resource=resource).order_by("position")
    slugs = [(await link.profile).slug for link in links]
    assert slugs == ["p2", "p0", "p1"]
    assert [t.slug for t in resource.tags] == ["t"]
    child = await Page.get(path="a/b").prefetch_related("parent")
    assert child.slug == "b" and child.parent is not None and child.parent.path == "a"
    assert resource.status == Status.PUBLISHED and resource.published_at is not None


async def synthetic_titles(seed: int) -> list[str]:
    """Titles of one synthetic run by slug, after which its items are deleted again."""
    await load_synthetic(120, seed, reference_date=REFERENCE)
    marker = f"-s{seed}-"
    titles: list[str] = []
    for model in (Resource, NewsItem, Event, Video):
        for item in await model.filter(slug__contains=marker).order_by("slug"):
            titles.append(item.title)
            await item.tags.clear()
    await ResourceAuthor.filter(resource__slug__contains=marker).delete()
    for kind in (Resource, NewsItem, Event, Video, Profile):
        await kind.filter(slug__contains=marker).delete()
    await Image.filter(storage_key__startswith="synthetic/").delete()
    return titles


async def test_synthetic_is_deterministic_per_seed() -> None:
    await load_seed()
    first = await synthetic_titles(seed=11)
    second = await synthetic_titles(seed=11)
    other = await synthetic_titles(seed=12)
    assert first and first == second
    assert first != other
    assert all(4 <= len(title.split()) <= 12 for title in first)


async def test_synthetic_explicit_counts_are_exact_and_a_rerun_skips() -> None:
    await load_seed()
    seeded = {m: await m.all().count() for m in (Resource, NewsItem, Event)}
    made = await load_synthetic(
        0, 5, resources=40, news=16, events=40, tenants=ACT_COPS, reference_date=REFERENCE
    )
    assert (made["resources"], made["news"], made["events"]) == (40, 16, 40)
    assert await Resource.all().count() == seeded[Resource] + 40
    assert await NewsItem.all().count() == seeded[NewsItem] + 16
    assert await Event.all().count() == seeded[Event] + 40
    for slug in ACT_COPS:  # spread evenly over the eight CoPs
        assert await Resource.filter(tenant__slug=slug, slug__contains="-s5-").count() == 5

    synthetic = await Resource.filter(slug__contains="-s5-").prefetch_related("tags")
    for resource in synthetic:
        assert 2 <= len(resource.tags) <= 5
        assert 1 <= await ResourceAuthor.filter(resource=resource).count() <= 3
    assert 0 < await Image.filter(storage_key__startswith="synthetic/").count() < 56
    assert await Event.filter(start__gt=REFERENCE, slug__contains="-s5-").exists()
    assert await Event.filter(start__lt=REFERENCE, slug__contains="-s5-").exists()

    again = await load_synthetic(
        0, 5, resources=40, news=16, events=40, tenants=ACT_COPS, reference_date=REFERENCE
    )
    assert again["resources"] == again["news"] == again["events"] == 0
    assert again["skipped"] >= 96
