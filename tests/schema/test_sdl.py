"""The committed schema.graphql is the schema the code builds."""

from pathlib import Path

from graphql import GraphQLInterfaceType, GraphQLObjectType

from schema import build_schema

SDL_PATH = Path(__file__).resolve().parents[2] / "schema.graphql"


def test_committed_sdl_matches_the_code():
    expected = build_schema().as_str() + "\n"
    assert SDL_PATH.read_text() == expected, "schema.graphql is stale: run `make schema`"


def readable_fields_named(name: str) -> list[str]:
    """Every `Type.field` of an object or interface type with this name (inputs excluded)."""
    found = []
    for type_ in build_schema()._schema.type_map.values():
        if isinstance(type_, GraphQLObjectType | GraphQLInterfaceType) and name in type_.fields:
            found.append(f"{type_.name}.{name}")
    return found


def test_private_contact_can_be_written_but_never_read():
    assert readable_fields_named("privateContact") == []
    assert readable_fields_named("name")  # the helper sees the real schema
    assert "privateContact" in build_schema()._schema.type_map["CreateProfileInput"].fields


def test_search_kinds_are_the_indexed_kinds_of_the_registry():
    from cms.services.kinds import KINDS
    from schema.search.types import SearchKind

    assert {k.value for k in SearchKind} == {n for n, kind in KINDS.items() if kind.indexed}
