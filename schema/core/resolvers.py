"""Field resolvers as cheap as graphql-core's default one, installed once the schema is built.

strawberry resolves every field through its own wrapper: for a plain field three calls to
reach `getattr`, for a method an `Info` object, argument conversion and a chain of partials
(about 15 µs a field, most of a list's execution). Here, after strawberry has built the
graphql-core schema, each field of our object types gets:

- a plain field (no resolver, no extension): `getattr(source, python_name)`;
- a method that takes no GraphQL argument, only `self` and perhaps `info`: the method called
  directly, with graphql-core's resolve info (it has the same `context`, the only part of
  `info` such methods use).

Fields with arguments keep strawberry's resolver (it converts the inputs). The SDL does not
change: only `resolve` functions are replaced.

Plain fields of a scalar or enum type are also listed in `Leaves`, so that the executor
(`schema.execution.CostLimitedExecution`) can complete them without a resolve-info object,
a path or a completion step each: `getattr`, then the type's own output coercion.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import strawberry
from graphql import (
    GraphQLID,
    GraphQLLeafType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLString,
)
from strawberry.types.base import StrawberryObjectDefinition
from strawberry.types.field import StrawberryField

Resolve = Callable[..., Any]

Leaf = tuple[str, Callable[[Any], Any], bool, bool]
"""(attribute, output coercion, non-null, a String or ID: a str passes as it is) of a plain
scalar or enum field."""
Leaves = dict[str, dict[str, Leaf]]
"""The plain leaf fields of each object type: type name -> field name -> Leaf."""


@dataclass(frozen=True)
class FastPaths:
    """What the executor may complete directly (see schema.execution.CostLimitedExecution)."""

    leaves: Leaves
    # Object types by name with the class whose exact instances pass their `is_type_of`
    # (None: the type has no such check).
    objects: dict[str, type | None]


def _attribute(name: str) -> Resolve:
    def resolve(source: Any, info: Any) -> Any:
        return getattr(source, name)

    return resolve


def _method(function: Callable[..., Any], with_info: bool) -> Resolve:
    if with_info:

        def resolve_with_info(source: Any, info: Any) -> Any:
            return function(source, info)

        return resolve_with_info

    def resolve(source: Any, info: Any) -> Any:
        return function(source)

    return resolve


def fast_resolver(field: StrawberryField) -> Resolve | None:
    """The direct resolver of a field, or None where strawberry's wrapper is needed."""
    if field.extensions or getattr(field, "permission_classes", None):
        return None
    resolver = field.base_resolver
    if resolver is None:
        return _attribute(field.python_name)
    if resolver.arguments:
        return None
    function = resolver.wrapped_func
    if not inspect.isfunction(function):  # static and class methods, partials
        return None
    names = tuple(inspect.signature(function).parameters)
    if names == ("self",):
        return _method(function, with_info=False)
    if names == ("self", "info"):
        return _method(function, with_info=True)
    return None


def install_fast_resolvers(schema: strawberry.Schema) -> FastPaths:
    """Replace strawberry's resolvers where a direct one does the same; what the executor
    may then complete directly."""
    leaves: Leaves = {}
    objects: dict[str, type | None] = {}
    for name, graphql_type in schema._schema.type_map.items():
        if name.startswith("__") or not isinstance(graphql_type, GraphQLObjectType):
            continue
        definition = schema.get_type_by_name(name)
        if not isinstance(definition, StrawberryObjectDefinition):
            continue
        objects[name] = definition.origin if graphql_type.is_type_of is not None else None
        by_name = {schema.config.name_converter.get_graphql_name(f): f for f in definition.fields}
        for field_name, graphql_field in graphql_type.fields.items():
            field = by_name.get(field_name)
            resolve = fast_resolver(field) if field is not None else None
            if resolve is None:
                continue
            graphql_field.resolve = resolve
            assert field is not None
            returns = graphql_field.type
            non_null = isinstance(returns, GraphQLNonNull)
            if non_null:
                returns = returns.of_type
            if field.base_resolver is None and isinstance(returns, GraphQLLeafType):
                coerce = returns.coerce_output_value
                text = returns is GraphQLString or returns is GraphQLID
                leaf = (field.python_name, coerce, non_null, text)
                leaves.setdefault(name, {})[field_name] = leaf
    return FastPaths(leaves=leaves, objects=objects)
