"""Validation rules that refuse documents too deep or with too many aliases."""

from __future__ import annotations

from typing import Any

from graphql import (
    ASTValidationRule,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
)


def _depth(
    selection_set: SelectionSetNode | None,
    fragments: dict[str, FragmentDefinitionNode],
    seen: frozenset[str],
) -> int:
    if selection_set is None:
        return 0
    deepest = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            if selection.selection_set is None:
                deepest = max(deepest, 1)
            else:
                deepest = max(deepest, 1 + _depth(selection.selection_set, fragments, seen))
        elif isinstance(selection, InlineFragmentNode):
            deepest = max(deepest, _depth(selection.selection_set, fragments, seen))
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments.get(name)
            if fragment is not None and name not in seen:  # cycles are another rule's error
                deepest = max(deepest, _depth(fragment.selection_set, fragments, seen | {name}))
    return deepest


def max_depth_rule(limit: int) -> type[ASTValidationRule]:
    """A rule refusing operations nested deeper than `limit` fields."""

    class MaxDepthRule(ASTValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
            document: DocumentNode = self.context.document
            fragments = {
                d.name.value: d
                for d in document.definitions
                if isinstance(d, FragmentDefinitionNode)
            }
            depth = _depth(node.selection_set, fragments, frozenset())
            if depth > limit:
                name = node.name.value if node.name else "anonymous"
                self.report_error(
                    GraphQLError(
                        f"Operation '{name}' is nested {depth} levels deep; the limit is {limit}.",
                        node,
                        extensions={"code": "LIMIT_EXCEEDED"},
                    )
                )

    return MaxDepthRule


def max_aliases_rule(limit: int) -> type[ASTValidationRule]:
    """A rule refusing documents that use more than `limit` aliases."""

    class MaxAliasesRule(ASTValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            self.count = 0
            self.reported = False

        def enter_field(self, node: FieldNode, *_: Any) -> None:
            if node.alias is None:
                return
            self.count += 1
            if self.count > limit and not self.reported:
                self.reported = True
                self.report_error(
                    GraphQLError(
                        f"The document uses more than {limit} aliases.",
                        node,
                        extensions={"code": "LIMIT_EXCEEDED"},
                    )
                )

    return MaxAliasesRule
