"""The committed schema.graphql is the schema the code builds."""

from schema import build_schema
from tests.support.sdl import SDL_PATH, graphql_schema, readable_fields_named


def test_committed_sdl_matches_the_code():
    expected = build_schema().as_str() + "\n"
    assert SDL_PATH.read_text() == expected, "schema.graphql is stale: run `make schema`"


def test_private_contact_can_be_written_but_never_read():
    assert readable_fields_named("privateContact") == []
    assert readable_fields_named("name")  # the helper sees the real schema
    assert "privateContact" in graphql_schema().type_map["CreateProfileInput"].fields


def test_search_kinds_are_the_indexed_kinds_of_the_registry():
    from cms.services.kinds import KINDS
    from schema.search.types import SearchKind

    assert {k.value for k in SearchKind} == {n for n, kind in KINDS.items() if kind.indexed}
