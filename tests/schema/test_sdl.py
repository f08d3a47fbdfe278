"""The committed schema.graphql is the schema the code builds."""

from schema import build_schema
from tests.support.sdl import SDL_PATH, readable_fields_named


def test_committed_sdl_matches_the_code():
    expected = build_schema().as_str() + "\n"
    assert SDL_PATH.read_text() == expected, "schema.graphql is stale: run `make schema`"


def test_private_contact_can_be_written_but_never_read():
    assert readable_fields_named("privateContact") == []
    assert readable_fields_named("name")  # the helper sees the real schema
    assert "privateContact" in build_schema()._schema.type_map["CreateProfileInput"].fields
