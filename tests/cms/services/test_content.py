"""The content services called directly: create, update, delete, publish, revert, history."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from cms import models
from cms.auth import Principal
from cms.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from cms.models import Role, Status
from cms.services import content
from cms.services.content import SYSTEM
from cms.services.kinds import KINDS
from tests import factories
from tests.factories import database_state
from tests.support.errors import field_codes

pytestmark = pytest.mark.anyio

RESOURCE, EVENT, PAGE = KINDS["Resource"], KINDS["Event"], KINDS["Page"]


async def test_create_records_the_system_principal_without_a_token(clean_database):
    home = await factories.tenant()
    row = await content.create(SYSTEM, home, RESOURCE, {"title": "Seeded", "kind": "guide"})
    revision = await models.Revision.get(object_id=row.id, content_type="Resource")
    audit = await models.AuditEntry.get(object_id=row.id, content_type="Resource")
    assert (revision.token_id, revision.author_name, revision.version) == (None, "system", 1)  # type: ignore[attr-defined]
    assert (audit.token_id, audit.token_name) == (None, "system")  # type: ignore[attr-defined]
    assert revision.snapshot["title"] == "Seeded" and revision.snapshot["status"] == "draft"
    assert revision.snapshot["thematic_areas"] == [] and revision.snapshot["tags"] == []


async def test_required_fields_and_unknown_fields(clean_database):
    home = await factories.tenant()
    with pytest.raises(ValidationFailed) as caught:
        await content.create(SYSTEM, home, EVENT, {"title": "No times"})
    assert field_codes(caught) == {
        ("start", "REQUIRED"),
        ("end", "REQUIRED"),
        ("format", "REQUIRED"),
    }
    with pytest.raises(ValueError, match="no editable fields"):
        await content.create(
            SYSTEM, home, RESOURCE, {"title": "T", "kind": "guide", "tenant_id": 9}
        )
    assert await models.Event.all().count() == 0


async def test_update_is_partial_and_replaces_relations(clean_database):
    home = await factories.tenant()
    first, second = (
        await factories.tag(home, slug="first"),
        await factories.tag(home, slug="second"),
    )
    row = await content.create(
        SYSTEM,
        home,
        RESOURCE,
        {
            "title": "T",
            "kind": "guide",
            "summary": "Keep me",
            "tags": ["first"],
            "thematic_areas": ["hr-management"],
        },
    )
    row = await content.update(SYSTEM, RESOURCE, row.id, {"title": "New", "tags": ["second"]}, 1)
    assert (row.title, row.summary, row.thematic_areas, row.version) == (
        "New",
        "Keep me",
        ["hr-management"],
        2,
    )
    assert [t.id for t in await row.tags.all()] == [second.id]
    assert first.id not in [t.id for t in await row.tags.all()]
    with pytest.raises(Conflict):
        await content.update(SYSTEM, RESOURCE, row.id, {"title": "Stale"}, 1)
    assert (await models.Resource.get(id=row.id)).title == "New"


async def test_a_write_between_read_and_save_is_a_conflict(clean_database, monkeypatch):
    home = await factories.tenant()
    row = await factories.resource(home, status=Status.DRAFT)
    original = content._editable

    async def racing(principal: Principal, kind: Any, object_id: int) -> Any:
        loaded = await original(principal, kind, object_id)
        await models.Resource.filter(id=object_id).update(version=5)  # someone else saved
        return loaded

    monkeypatch.setattr(content, "_editable", racing)
    before = await models.Revision.all().count()
    with pytest.raises(Conflict):
        await content.update(SYSTEM, RESOURCE, row.id, {"title": "Mine"}, 1)
    assert (await models.Resource.get(id=row.id)).title == row.title
    assert await models.Revision.all().count() == before


async def test_a_slug_taken_at_the_last_moment_is_a_duplicate_and_stores_nothing(
    clean_database, monkeypatch
):
    home = await factories.tenant()
    await factories.resource(home, slug="taken")

    async def stale_slug(*_: Any, **__: Any) -> str:
        return "taken"  # as if another request took it after the check

    monkeypatch.setattr(content, "_slug", stale_slug)
    before = await database_state()
    with pytest.raises(ValidationFailed) as caught:
        await content.create(SYSTEM, home, RESOURCE, {"title": "Taken", "kind": "guide"})
    assert field_codes(caught) == {("slug", "DUPLICATE")}
    assert await database_state() == before


async def test_delete_keeps_every_revision_and_records_the_deletion(clean_database):
    home = await factories.tenant()
    row = await content.create(SYSTEM, home, RESOURCE, {"title": "Gone", "kind": "guide"})
    await content.delete(SYSTEM, RESOURCE, row.id)
    assert not await models.Resource.filter(id=row.id).exists()
    revisions = await models.Revision.filter(object_id=row.id).order_by("version")
    assert [(r.version, r.operation) for r in revisions] == [(1, "create"), (2, "delete")]
    assert revisions[1].snapshot["title"] == "Gone"
    outbox = await models.OutboxEvent.filter(object_id=row.id).order_by("id")
    assert [o.operation for o in outbox] == ["create", "delete"]
    with pytest.raises(NotFound):
        await content.delete(SYSTEM, RESOURCE, row.id)


async def test_permissions_follow_the_items_status(clean_database):
    home = await factories.tenant()
    contributor = Principal(token_id=0, name="c", role=Role.CONTRIBUTOR, tenant_id=home.id)
    draft = await content.create(contributor, home, RESOURCE, {"title": "D", "kind": "guide"})
    await content.update(contributor, RESOURCE, draft.id, {"summary": "s"}, 1)
    await content.publish(SYSTEM, RESOURCE, draft.id)
    for attempt in (
        content.update(contributor, RESOURCE, draft.id, {"summary": "t"}, 3),
        content.unpublish(contributor, RESOURCE, draft.id),
        content.delete(contributor, RESOURCE, draft.id),
        content.revert(contributor, RESOURCE, draft.id, 1),
    ):
        with pytest.raises(PermissionDenied):
            await attempt
    await content.unpublish(SYSTEM, RESOURCE, draft.id)
    await content.delete(contributor, RESOURCE, draft.id)  # a draft again: theirs to delete


async def test_revert_restores_content_and_keeps_status_and_slug(clean_database):
    home = await factories.tenant()
    kept = await factories.tag(home, slug="kept")
    gone = await factories.tag(home, slug="gone")
    authors = [await factories.profile(home), await factories.profile(home)]
    row = await content.create(
        SYSTEM,
        home,
        RESOURCE,
        {
            "title": "Old",
            "kind": "guide",
            "tags": ["kept", "gone"],
            "authors": [authors[1].id, authors[0].id],
        },
    )
    await content.publish(SYSTEM, RESOURCE, row.id)
    await content.update(
        SYSTEM,
        RESOURCE,
        row.id,
        {
            "title": "New",
            "kind": "report",
            "tags": [],
            "authors": [],
            "slug": "renamed",
        },
        2,
    )
    await gone.delete()  # a tag removed since revision 1 is dropped, not a failure
    row = await content.revert(SYSTEM, RESOURCE, row.id, 1)
    assert (row.title, row.kind, row.status, row.slug, row.version) == (
        "Old",
        "guide",
        Status.PUBLISHED,
        "renamed",
        4,
    )
    assert [t.id for t in await row.tags.all()] == [kept.id]
    links = await models.ResourceAuthor.filter(resource_id=row.id).order_by("position")
    assert [link.profile_id for link in links] == [authors[1].id, authors[0].id]  # type: ignore[attr-defined]
    with pytest.raises(NotFound):
        await content.revert(SYSTEM, RESOURCE, row.id, 99)


async def test_revert_of_a_page_path_checks_it_like_an_update(clean_database):
    home = await factories.tenant()
    await content.create(SYSTEM, home, PAGE, {"title": "Parent", "path": "parent"})
    page = await content.create(SYSTEM, home, PAGE, {"title": "P", "path": "parent/child"})
    await content.update(SYSTEM, PAGE, page.id, {"path": "moved"}, 1)
    row = await content.revert(SYSTEM, PAGE, page.id, 1)
    parent = await models.Page.get(path="parent")
    assert (row.path, row.slug, row.parent_id) == ("parent/child", "child", parent.id)  # type: ignore[attr-defined]

    await content.update(SYSTEM, PAGE, page.id, {"path": "elsewhere"}, 3)
    await content.create(SYSTEM, home, PAGE, {"title": "Squatter", "path": "parent/child"})
    before = await database_state()
    with pytest.raises(ValidationFailed) as caught:
        await content.revert(SYSTEM, PAGE, page.id, 1)
    assert field_codes(caught) == {("path", "DUPLICATE")}
    assert await database_state() == before


async def test_bad_values_the_http_layer_cannot_catch_are_validation_errors(clean_database):
    # Over-long values, and NUL characters (which the HTTP layer refuses, PostgreSQL cannot
    # store and an importer calling the services directly could send).
    home = await factories.tenant()
    before = await database_state()
    for values, expected in (
        ({"slug": "a" * 250}, ("slug", "INVALID_SLUG")),
        ({"tags": ["t" * 150]}, ("tags", "NOT_FOUND")),
        ({"translation_group": "a\x00b"}, ("translationGroup", "INVALID")),
        ({"expires_at": datetime(2030, 1, 1)}, ("expiresAt", "NAIVE_DATETIME")),  # noqa: DTZ001
    ):
        with pytest.raises(ValidationFailed) as caught:
            await content.create(SYSTEM, home, RESOURCE, {"title": "T", "kind": "guide", **values})
        assert field_codes(caught) == {expected}
    assert await database_state() == before


async def test_scheduled_publication_needs_a_timezone(clean_database):
    home = await factories.tenant()
    row = await factories.resource(home, status=Status.DRAFT)
    with pytest.raises(ValidationFailed) as caught:
        await content.publish(SYSTEM, RESOURCE, row.id, datetime(2030, 1, 1))  # noqa: DTZ001
    assert field_codes(caught) == {("at", "NAIVE_DATETIME")}
    at = datetime(2030, 1, 1, tzinfo=UTC)
    row = await content.publish(SYSTEM, RESOURCE, row.id, at)
    assert (row.status, row.published_at) == (Status.PUBLISHED, at)


async def test_a_page_cannot_move_under_itself_or_its_children(clean_database):
    home = await factories.tenant()
    page = await content.create(SYSTEM, home, PAGE, {"title": "A", "path": "a"})
    await content.create(SYSTEM, home, PAGE, {"title": "Child", "path": "a/child"})
    before = await database_state()
    for path in ("a/b", "a/child/b"):
        with pytest.raises(ValidationFailed) as caught:
            await content.update(SYSTEM, PAGE, page.id, {"path": path}, 1)
        assert field_codes(caught) == {("path", "INVALID_PATH")}
    assert await database_state() == before
    row = await content.update(SYSTEM, PAGE, page.id, {"path": "b"}, 1)  # elsewhere is fine
    assert (row.path, row.parent_id) == ("b", None)  # type: ignore[attr-defined]


async def test_publishing_a_live_item_again_keeps_its_date(clean_database):
    tenant = await models.Tenant.create(slug="keep", name="Keep", kind="cop")
    kind = KINDS["NewsItem"]
    row = await content.create(SYSTEM, tenant, kind, {"title": "Kick-off"})
    first = datetime(2024, 3, 1, 9, tzinfo=UTC)
    row = await content.publish(SYSTEM, kind, row.id, first)
    row = await content.publish(SYSTEM, kind, row.id)
    assert row.published_at == first
    row = await content.unpublish(SYSTEM, kind, row.id)
    row = await content.publish(SYSTEM, kind, row.id)
    assert row.published_at is not None and row.published_at > first


async def test_a_revert_restores_the_expiry_it_had(clean_database):
    home = await factories.tenant()
    expiry = datetime(2031, 5, 1, 12, tzinfo=UTC)
    row = await content.create(
        SYSTEM, home, RESOURCE, {"title": "T", "kind": "guide", "expires_at": expiry}
    )
    row = await content.update(SYSTEM, RESOURCE, row.id, {"expires_at": None}, 1)
    assert row.expires_at is None
    row = await content.revert(SYSTEM, RESOURCE, row.id, 1)
    assert row.expires_at == expiry and row.version == 3
