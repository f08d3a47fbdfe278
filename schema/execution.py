"""How a document is executed: strawberry's schema, caches and masking, with our limits.

One request through `Schema.execute` (strawberry's lifecycle, each step an extension hook):

  parse     ParserCache: parsed once per distinct text (LRU), with CMS_MAX_TOKENS
  validate  OperationLimits: our linear limits (schema/limits.py) first, so a document over them
            never reaches graphql-core's rules, some of which are quadratic; then strawberry's
            ValidationCache (one validation per distinct document and rule set)
  execute   CostLimitedExecution.build: graphql-core coerces the variables, then the cost of the
            operation with those variables is checked before any resolver runs
  errors    CMSSchema.process_errors logs the unexpected ones with their stack; MaskUnexpected
            answers them with a generic message; a CMSError keeps its codes (schema/http.py)
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

import strawberry
from graphql import (
    DocumentNode,
    Executor,
    GraphQLError,
    NoSchemaIntrospectionCustomRule,
    OperationDefinitionNode,
)
from graphql import (
    ExecutionResult as GraphQLExecutionResult,
)
from strawberry.extensions import MaskErrors, ParserCache, SchemaExtension, ValidationCache
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types import ExecutionContext
from strawberry.types.graphql import OperationType

from cms.config import Settings
from cms.errors import CMSError, ErrorCode
from schema.limits import check_document, cost_error, query_cost

log = logging.getLogger("cms.graphql")

DOCUMENT_CACHE_SIZE = 512  # distinct documents kept parsed, checked and validated
INTERNAL_ERROR = "Internal server error."


def _settings(context: ExecutionContext) -> Settings:
    settings = context.context.settings
    assert isinstance(settings, Settings)
    return settings


def unexpected(error: GraphQLError) -> bool:
    """An error from a bug or an outage rather than from the request: never shown as it is."""
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError | CMSError)


class _LimitsCache:
    """Limit errors per parsed document; ParserCache hands out the same object for the same
    text, so the document's identity is the key (hashing a document walks all of it)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.entries: OrderedDict[tuple[int, int, int, int], tuple[DocumentNode, Any]] = (
            OrderedDict()
        )

    def errors(self, document: DocumentNode, settings: Settings) -> list[GraphQLError]:
        limits = (settings.max_list_items, settings.max_aliases, settings.max_query_depth)
        key = (id(document), *limits)
        cached = self.entries.get(key)
        if cached is not None and cached[0] is document:
            self.entries.move_to_end(key)
            return list(cached[1])
        found = check_document(document, settings)
        self.entries[key] = (document, found)
        if len(self.entries) > self.size:
            self.entries.popitem(last=False)
        return list(found)


_LIMITS = _LimitsCache(DOCUMENT_CACHE_SIZE)


class OperationLimits(ValidationCache):
    """Our limits before graphql-core's validation, which only sees documents within them."""

    def __init__(self) -> None:
        super().__init__(maxsize=DOCUMENT_CACHE_SIZE)

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        settings = _settings(context)
        context.parse_options["max_tokens"] = settings.max_tokens
        if not settings.introspection:
            rules = (*context.validation_rules, NoSchemaIntrospectionCustomRule)
            context.validation_rules = rules
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        assert document is not None
        refused = _LIMITS.errors(document, _settings(context))
        if refused:
            # With errors already set, strawberry runs no validation rule (_run_validation).
            context.pre_execution_errors = refused
            yield
            return
        yield from super().on_validate()
        for error in context.pre_execution_errors or ():
            if not (error.extensions or {}).get("code"):
                error.extensions = {"code": ErrorCode.GRAPHQL_VALIDATION_FAILED}


class RequestRules(SchemaExtension):
    """GraphQL-over-HTTP rules on the operation, checked once the document is valid: a GET
    may only run a query (405), and several operations need a name (strawberry would run the
    first). The HTTP layer leaves the name the request gave in `request.state`."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        request = context.context.request
        operation = context.operation_type
        context.context.operation = operation  # the response cache stores queries only
        if request.method == "GET" and operation is not OperationType.QUERY:
            raise InvalidOperationTypeError(operation)  # the HTTP layer answers 405
        document = context.graphql_document
        assert document is not None
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        if len(operations) > 1 and request.state.operation_name is None:
            message = "Must provide operation name if query contains multiple operations."
            code = {"code": ErrorCode.OPERATION_RESOLUTION_FAILURE}
            # A result set before execution is returned as it is, no resolver run.
            context.result = GraphQLExecutionResult(None, [GraphQLError(message, extensions=code)])
        yield


class MaskUnexpected(MaskErrors):
    """Unexpected errors become a generic message (logged first, by CMSSchema)."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=unexpected, error_message=INTERNAL_ERROR)

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        masked = super().anonymise_error(error)
        masked.extensions = {"code": ErrorCode.INTERNAL_SERVER_ERROR}
        return masked


class CostLimitedExecution(StrawberryGraphQLCoreExecutionContext):
    """graphql-core's executor, refusing an operation over CMS_MAX_QUERY_COST once its
    variables are coerced (the cost depends on page sizes given as variables)."""

    @classmethod
    def build(cls, *args: Any, **kwargs: Any) -> list[GraphQLError] | Executor[Any]:
        built = super().build(*args, **kwargs)
        if isinstance(built, list):
            for error in built:  # variables that do not coerce to their types
                code = (
                    ErrorCode.BAD_USER_INPUT
                    if error.nodes
                    else ErrorCode.OPERATION_RESOLUTION_FAILURE
                )
                error.extensions = {"code": code, **(error.extensions or {})}
            return built
        settings = built.context_value.settings
        assert isinstance(settings, Settings)
        cost = query_cost(
            built.schema,
            built.fragment_definitions,
            built.operation,
            built.variable_values.coerced,
            settings,
        )
        if cost > settings.max_query_cost:
            return [cost_error(cost, settings.max_query_cost)]
        return built


class CMSSchema(strawberry.Schema):
    """strawberry's schema, logging only the errors that are not the request's fault."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        for error in errors:
            if unexpected(error):
                log.error("Unexpected error in %s", error.path, exc_info=error.original_error)


EXTENSIONS: list[type[SchemaExtension] | Any] = [
    OperationLimits,
    RequestRules,
    lambda: ParserCache(maxsize=DOCUMENT_CACHE_SIZE),
    MaskUnexpected,
]
