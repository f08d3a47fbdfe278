"""Query limits that run before anything costly: size, depth, aliases, introspection, cost.

Every check here is linear in the document's size. A fragment is measured once, however often
it is spread (a chain of fragments that each spread the next twice is 2^n fields when expanded,
but n measurements here). The checks of `check_document` need no schema and run before
graphql-core's own rules, some of which (OverlappingFieldsCanBeMerged) are quadratic or worse
in what they are fed; the size limits bound that. `query_cost` runs once the variables are
known and before any resolver.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    Node,
    ObjectValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    is_composite_type,
)

from cms.config import Settings
from cms.errors import ErrorCode

INTROSPECTION_ROOTS = frozenset({"__schema", "__type"})
# The introspection subtree has its own fixed bounds: the standard introspection queries of
# graphql-js and graphql-core nest 15 levels (9 `ofType`) and 3 lists (types, fields, args).
INTROSPECTION_MAX_DEPTH = 20
INTROSPECTION_MAX_LISTS = 3
INTROSPECTION_MAX_ROOTS = 5
INTROSPECTION_LISTS = frozenset(
    {"types", "fields", "args", "inputFields", "interfaces", "possibleTypes", "enumValues"}
    | {"directives", "locations"}
)
# Bounds on what graphql-core's validation rules are fed (OverlappingFieldsCanBeMerged compares
# same-named fields pairwise, and fragments against each other).
MAX_FIELDS = 1000
MAX_FRAGMENTS = 50
MAX_SPREADS = 300
MAX_SAME_NAME = 20
# Cost weights: one unit per object the response may hold, plus these for costly fields.
LIST_FANOUT = 10  # an unpaginated list (tags, authors, children) is counted as this many
SEARCH_COST = 1000  # a Whoosh search: parse, score, facets, highlights, hydration
RENDITION_COST = 2  # a signed URL per rendition (the image is made on its own request)
COSTLY_FIELDS = {"search": SEARCH_COST, "rendition": RENDITION_COST, "srcset": RENDITION_COST}


def _error(message: str, node: Node | None = None) -> GraphQLError:
    return GraphQLError(message, node, extensions={"code": ErrorCode.LIMIT_EXCEEDED})


def _selections(selection_set: SelectionSetNode | None) -> Iterator[Any]:
    return iter(selection_set.selections) if selection_set is not None else iter(())


def _fragments(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


@dataclass(frozen=True)
class Shape:
    """What a selection set expands to: data depth, introspection depth, lists and roots."""

    depth: int = 0
    intro_depth: int = 0
    intro_lists: int = 0
    intro_roots: int = 0

    def merge(self, other: Shape) -> Shape:
        return Shape(
            max(self.depth, other.depth),
            max(self.intro_depth, other.intro_depth),
            max(self.intro_lists, other.intro_lists),
            self.intro_roots + other.intro_roots,
        )


class _Shapes:
    """Shapes of selection sets, each fragment measured once per mode (data, introspection)."""

    def __init__(self, fragments: dict[str, FragmentDefinitionNode]):
        self.fragments = fragments
        self.memo: dict[tuple[str, bool], Shape] = {}

    def of(self, selection_set: SelectionSetNode | None, intro: bool) -> Shape:
        shape = Shape()
        for selection in _selections(selection_set):
            if isinstance(selection, FieldNode):
                shape = shape.merge(self._field(selection, intro))
            elif isinstance(selection, InlineFragmentNode):
                shape = shape.merge(self.of(selection.selection_set, intro))
            elif isinstance(selection, FragmentSpreadNode):
                shape = shape.merge(self._spread(selection.name.value, intro))
        return shape

    def _field(self, field: FieldNode, intro: bool) -> Shape:
        name = field.name.value
        if intro:
            inner = self.of(field.selection_set, True)
            lists = inner.intro_lists + (1 if name in INTROSPECTION_LISTS else 0)
            return Shape(0, 1 + inner.intro_depth, lists, inner.intro_roots)
        if name in INTROSPECTION_ROOTS:
            inner = self.of(field.selection_set, True)
            return Shape(1, 1 + inner.intro_depth, inner.intro_lists, 1 + inner.intro_roots)
        if field.selection_set is None:
            return Shape(1)
        inner = self.of(field.selection_set, False)
        return Shape(1 + inner.depth, inner.intro_depth, inner.intro_lists, inner.intro_roots)

    def _spread(self, name: str, intro: bool) -> Shape:
        key = (name, intro)
        if key in self.memo:
            return self.memo[key]
        fragment = self.fragments.get(name)
        self.memo[key] = Shape()  # a cycle measures as empty; NoFragmentCycles reports it
        if fragment is not None:
            self.memo[key] = self.of(fragment.selection_set, intro)
        return self.memo[key]


def _size_errors(document: DocumentNode, max_list_items: int) -> list[GraphQLError]:
    """Counts over the document as written (no fragment expansion): one pass."""
    fields = spreads = fragments = 0
    stack: list[Node] = list(document.definitions)
    while stack:
        node = stack.pop()
        if isinstance(node, FragmentDefinitionNode):
            fragments += 1
        if isinstance(node, FragmentSpreadNode):
            spreads += 1
        if isinstance(node, ListValueNode) and len(node.values) > max_list_items:
            items = len(node.values)
            return [_error(f"A list holds {items} items; the limit is {max_list_items}.", node)]
        if isinstance(node, FieldNode):
            fields += 1
            stack.extend(node.arguments or ())
        if isinstance(node, OperationDefinitionNode | FragmentDefinitionNode | InlineFragmentNode):
            stack.extend(node.directives or ())
        selection_set = getattr(node, "selection_set", None)
        if isinstance(selection_set, SelectionSetNode):
            names: dict[str, int] = {}
            for selection in selection_set.selections:
                if isinstance(selection, FieldNode):
                    key = (selection.alias or selection.name).value
                    names[key] = names.get(key, 0) + 1
                    if names[key] > MAX_SAME_NAME:
                        return [
                            _error(
                                f"A selection set asks for '{key}' more than {MAX_SAME_NAME} "
                                "times.",
                                selection,
                            )
                        ]
            stack.extend(selection_set.selections)
        value = getattr(node, "value", None)
        if isinstance(value, ListValueNode | ObjectValueNode):
            stack.append(value)
        if isinstance(node, ListValueNode):
            stack.extend(node.values)
        if isinstance(node, ObjectValueNode):
            stack.extend(node.fields)
    for count, limit, what in (
        (fields, MAX_FIELDS, "fields"),
        (fragments, MAX_FRAGMENTS, "fragments"),
        (spreads, MAX_SPREADS, "fragment spreads"),
    ):
        if count > limit:
            return [_error(f"The document has {count} {what}; the limit is {limit}.")]
    return []


class _Names:
    """Fields per response name in a selection set with its fragments expanded, each once."""

    def __init__(self, fragments: dict[str, FragmentDefinitionNode]):
        self.fragments = fragments
        self.memo: dict[str, dict[str, int]] = {}

    def of(self, selection_set: SelectionSetNode | None, spread: set[str]) -> dict[str, int]:
        counts: dict[str, int] = {}
        for selection in _selections(selection_set):
            if isinstance(selection, FieldNode):
                key = (selection.alias or selection.name).value
                counts[key] = counts.get(key, 0) + 1
                continue
            if isinstance(selection, InlineFragmentNode):
                inner = self.of(selection.selection_set, spread)
            else:
                name = selection.name.value
                if name in spread:  # graphql-core compares a fragment once per selection set
                    continue
                spread.add(name)
                inner = self.fragment(name)
            for key, count in inner.items():
                counts[key] = counts.get(key, 0) + count
        return counts

    def fragment(self, name: str) -> dict[str, int]:
        if name not in self.memo:
            self.memo[name] = {}
            fragment = self.fragments.get(name)
            if fragment is not None:
                self.memo[name] = self.of(fragment.selection_set, {name})
        return self.memo[name]


def _same_name_errors(document: DocumentNode) -> list[GraphQLError]:
    """Refuse many same-named fields in one selection set: graphql-core compares them pairwise."""
    names = _Names(_fragments(document))
    stack: list[Any] = [getattr(d, "selection_set", None) for d in document.definitions]
    while stack:
        selection_set = stack.pop()
        if selection_set is None:
            continue
        for key, count in names.of(selection_set, set()).items():
            if count > MAX_SAME_NAME:
                message = (
                    f"A selection set asks for '{key}' {count} times (with its fragments); "
                    f"the limit is {MAX_SAME_NAME}."
                )
                return [_error(message, selection_set)]
        for selection in selection_set.selections:
            if not isinstance(selection, FragmentSpreadNode):
                stack.append(selection.selection_set)
    return []


def _alias_errors(document: DocumentNode, limit: int) -> list[GraphQLError]:
    count = 0
    stack: list[Any] = [getattr(d, "selection_set", None) for d in document.definitions]
    while stack:
        for selection in _selections(stack.pop()):
            if isinstance(selection, FieldNode) and selection.alias is not None:
                count += 1
                if count > limit:
                    return [_error(f"The document uses more than {limit} aliases.", selection)]
            if not isinstance(selection, FragmentSpreadNode):
                stack.append(selection.selection_set)
    return []


def check_document(document: DocumentNode, settings: Settings) -> list[GraphQLError]:
    """Errors for a document over a limit, found in time linear in its size; else []."""
    errors = _size_errors(document, settings.max_list_items)
    errors = errors or _alias_errors(document, settings.max_aliases)
    errors = errors or _same_name_errors(document)
    if errors:
        return errors
    shapes = _Shapes(_fragments(document))
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        shape = shapes.of(definition.selection_set, False)
        name = definition.name.value if definition.name else "anonymous"
        # (measured, limit, what is measured): the first one over its limit is reported.
        checks = [
            (shape.depth, settings.max_query_depth, "is nested {} levels deep"),
            (shape.intro_roots, INTROSPECTION_MAX_ROOTS, "asks for introspection {} times"),
            (shape.intro_depth, INTROSPECTION_MAX_DEPTH, "nests introspection {} levels deep"),
            (shape.intro_lists, INTROSPECTION_MAX_LISTS, "nests {} introspection lists"),
        ]
        for measured, limit, what in checks:
            if measured > limit:
                message = f"Operation '{name}' {what.format(measured)}; the limit is {limit}."
                errors.append(_error(message, definition))
                break
    return errors


def variable_errors(variables: Mapping[str, Any] | None, max_list_items: int) -> str | None:
    """Why these variables cannot be used (a list too long), else None."""
    stack: list[Any] = [variables] if variables else []
    while stack:
        value = stack.pop()
        if isinstance(value, list):
            if len(value) > max_list_items:
                return f"A list variable holds {len(value)} items; the limit is {max_list_items}."
            stack.extend(value)
        elif isinstance(value, dict):
            stack.extend(value.values())
    return None


class _Cost:
    """The static cost of an operation with its variables, each fragment costed once."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
        settings: Settings,
    ):
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.settings = settings
        self.memo: dict[tuple[str, int], int] = {}

    def page_size(self, field: FieldNode) -> int:
        size: Any = None
        for argument in field.arguments or ():
            if argument.name.value not in ("first", "last"):
                continue
            value = argument.value
            if isinstance(value, IntValueNode):
                size = int(value.value)
            elif isinstance(value, VariableNode):
                size = self.variables.get(value.name.value)
        if not isinstance(size, int):
            return self.settings.default_page_size
        # A page over the maximum is refused by the resolver; it never costs more than that.
        return max(0, min(size, self.settings.max_page_size))

    def of(self, selection_set: SelectionSetNode | None, parent: Any, page: int) -> int:
        total = 0
        for selection in _selections(selection_set):
            if isinstance(selection, FieldNode):
                total += self._field(selection, parent, page)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = self.schema.get_type(condition.name.value) if condition else parent
                total += self.of(selection.selection_set, inner or parent, page)
            elif isinstance(selection, FragmentSpreadNode):
                total += self._spread(selection.name.value, page)
        return total

    def _spread(self, name: str, page: int) -> int:
        key = (name, page)
        if key not in self.memo:
            self.memo[key] = 0  # cycles never pass validation; this only guards the recursion
            fragment = self.fragments.get(name)
            if fragment is not None:
                parent = self.schema.get_type(fragment.type_condition.name.value)
                self.memo[key] = self.of(fragment.selection_set, parent, page)
        return self.memo[key]

    def _field(self, field: FieldNode, parent: Any, page: int) -> int:
        name = field.name.value
        if name.startswith("__"):  # __typename is free; introspection has its own bounds
            return 0
        definition = getattr(parent, "fields", {}).get(name)
        if definition is None:
            return 0
        output = definition.type
        if isinstance(output, GraphQLNonNull):
            output = output.of_type
        child_page = self.page_size(field) if "first" in definition.args else page
        fanout = 1
        if isinstance(output, GraphQLList):
            fanout = page if name == "edges" else LIST_FANOUT
        named = get_named_type(output)
        own = COSTLY_FIELDS.get(name, 0) + (1 if is_composite_type(named) else 0)
        if field.selection_set is None:
            return fanout * own
        return fanout * (own + self.of(field.selection_set, named, child_page))


def query_cost(
    schema: GraphQLSchema,
    fragments: Mapping[str, FragmentDefinitionNode],
    operation: OperationDefinitionNode,
    variables: Mapping[str, Any],
    settings: Settings,
) -> int:
    """How many objects (plus weights for searches and renditions) the operation may produce."""
    root = schema.get_root_type(operation.operation)
    assert isinstance(root, GraphQLObjectType)
    cost = _Cost(schema, fragments, variables, settings)
    return cost.of(operation.selection_set, root, settings.default_page_size)


def cost_error(cost: int, limit: int) -> GraphQLError:
    return _error(
        f"The query costs {cost}; the limit is {limit} (CMS_MAX_QUERY_COST). "
        "Ask for smaller pages, fewer nested lists or fewer searches."
    )
