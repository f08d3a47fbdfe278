"""The registry of content kinds: every name it holds is a field its model really has."""

from __future__ import annotations

import pytest

from cms.services.kinds import AUTHORED, KINDS, Link, kind_of

pytestmark = pytest.mark.anyio


def _fields(kind_name: str) -> set[str]:
    described = KINDS[kind_name].model.describe(serializable=False)
    return {
        f["name"] for group in ("data_fields", "fk_fields", "m2m_fields") for f in described[group]
    }


@pytest.mark.parametrize("name", KINDS)
def test_every_field_a_kind_names_is_on_its_model(name: str) -> None:
    kind = KINDS[name]
    fields = _fields(name)
    named = {
        kind.label,
        kind.key,
        *kind.required,
        *kind.html,
        *kind.urls,
        *kind.vocabularies,
        *(ref.field for ref in kind.refs),
    }
    if kind.search is not None:
        named |= {kind.search.title, *kind.search.text, *kind.search.markup}
        assert set(kind.search.markup) <= set(kind.search.text)
    if kind.tags:
        named.add("tags")
    if kind.attachments:
        named.add("attachments")
    assert named <= fields, named - fields
    assert kind.name == kind.model.__name__
    assert kind_of(kind.model) is kind


def test_collections_are_distinct_and_private_fields_stay_out_of_the_index() -> None:
    assert len({kind.collection for kind in KINDS.values()}) == len(KINDS)
    profile = KINDS["Profile"].search
    assert profile is not None and "private_contact" not in profile.text
    assert AUTHORED is KINDS["Resource"]


async def test_links_are_the_tables_the_models_declare(database: None) -> None:
    assert KINDS["NewsItem"].link("tags") == Link("news_tag", "news_item_id", "tag_id", "news")
    assert KINDS["Resource"].link("attachments") == Link(
        "resource_attachment", "resource_id", "file_id", "resources"
    )
    tagged = [kind.name for kind in KINDS.values() if kind.tags]
    assert tagged == ["Resource", "Video", "Event", "NewsItem"]


def test_write_rules_are_declared_by_the_kinds_that_have_them() -> None:
    from datetime import UTC, datetime

    from cms.errors import FieldError
    from cms.services import rules

    assert KINDS["Video"].rules is rules.VIDEO and KINDS["Event"].rules is rules.EVENT
    assert {n for n, k in KINDS.items() if k.rules is not rules.NONE} == {"Video", "Event"}
    video = {"source_url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ"}
    KINDS["Video"].rules.derive(video)
    assert video["embed_url"].startswith("https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ")
    errors: list[FieldError] = []
    late, early = datetime(2026, 5, 2, tzinfo=UTC), datetime(2026, 5, 1, tzinfo=UTC)
    KINDS["Event"].rules.check({"start": late, "end": early}, errors)
    assert [(e.field, e.code) for e in errors] == [("end", "END_BEFORE_START")]
