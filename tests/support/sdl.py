"""The committed schema.graphql and what the built schema lets clients read."""

from __future__ import annotations

from pathlib import Path

from graphql import GraphQLInterfaceType, GraphQLObjectType, GraphQLSchema
from graphql import build_schema as from_sdl

from schema import build_schema

SDL_PATH = Path(__file__).resolve().parents[2] / "schema.graphql"


def graphql_schema() -> GraphQLSchema:
    """The schema the code builds, as graphql-core types (read from its printed SDL)."""
    return from_sdl(build_schema().as_str())


def readable_fields_named(name: str) -> list[str]:
    """Every `Type.field` of an object or interface type with this name (inputs excluded)."""
    found = []
    for type_ in graphql_schema().type_map.values():
        if isinstance(type_, GraphQLObjectType | GraphQLInterfaceType) and name in type_.fields:
            found.append(f"{type_.name}.{name}")
    return found
