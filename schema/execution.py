"""How a document is executed: our own request lifecycle around graphql-core's executor.

One request through `CMSSchema.execute` (no strawberry extension runs: their per-request
contexts and hooks cost more than the work they wrap):

  parse     DocumentCache: parsed once per distinct text and settings (LRU), with
            CMS_MAX_TOKENS
  operation the operation by name, else the first (CannotGetOperationTypeError)
  validate  our linear limits (schema/limits.py) first, so a document over them never reaches
            graphql-core's rules, some of which are quadratic; then graphql-core's validation;
            both cached with the parsed document
  rules     GraphQL over HTTP: a GET may only run a query (InvalidOperationTypeError: 405),
            several operations need a name
  execute   CostLimitedExecution.build: graphql-core coerces the variables, then the cost of the
            operation with those variables is checked before any resolver runs; fields
            resolve through the direct resolvers of schema/core/resolvers.py
  errors    CMSSchema.process_errors logs the unexpected ones with their stack, then they are
            answered with a generic message; a CMSError keeps its codes (schema/http.py)
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Awaitable, Iterable
from dataclasses import dataclass
from inspect import CO_ITERABLE_COROUTINE, isawaitable
from types import CoroutineType, GeneratorType
from typing import Any, TypeGuard

import strawberry
from graphql import (
    DocumentNode,
    Executor,
    GraphQLError,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    NoSchemaIntrospectionCustomRule,
    OperationDefinitionNode,
    execute,
    parse,
    specified_rules,
    validate,
)
from graphql import (
    ExecutionResult as GraphQLExecutionResult,
)
from graphql.pyutils import Path, Undefined, gather_with_cancel
from strawberry.exceptions import MissingQueryError
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.schema.schema import (
    DEFAULT_ALLOWED_OPERATION_TYPES,
    StrawberryGraphQLCoreExecutionContext,
)
from strawberry.types import ExecutionContext, ExecutionResult
from strawberry.types.graphql import OperationType

from cms.config import Settings
from cms.errors import CMSError, ErrorCode
from schema.core.resolvers import FastPaths, Leaf, install_fast_resolvers
from schema.limits import check_document, cost_error, query_cost

log = logging.getLogger("cms.graphql")

DOCUMENT_CACHE_SIZE = 512  # distinct documents kept parsed, checked and validated
INTERNAL_ERROR = "Internal server error."
MAX_CACHED_VARIABLES = 2_000  # characters of variables under which an operation's cost is kept


def unexpected(error: GraphQLError) -> bool:
    """An error from a bug or an outage rather than from the request: never shown as it is."""
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError | CMSError)


@dataclass(frozen=True)
class Checked:
    """A parsed document and what checking it found: our limits' errors or the validation's."""

    document: DocumentNode
    errors: tuple[GraphQLError, ...]


class DocumentCache:
    """Documents parsed, checked against our limits and validated once per distinct text
    and settings (an LRU of `size`): a repeated query costs one dict lookup, no hashing of
    its tree (strawberry's ValidationCache hashes the whole document on every request)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.entries: OrderedDict[tuple[Any, ...], Checked] = OrderedDict()

    def get(self, schema: GraphQLSchema, query: str, settings: Settings) -> Checked:
        """Raises GraphQLSyntaxError for a text that does not parse (not cached)."""
        key = (
            query,
            settings.max_tokens,
            settings.max_list_items,
            settings.max_aliases,
            settings.max_query_depth,
            settings.introspection,
        )
        found = self.entries.get(key)
        if found is not None:
            self.entries.move_to_end(key)
            return found
        document = parse(query, max_tokens=settings.max_tokens)
        # Our linear limits first: graphql-core's rules, some quadratic, only see documents
        # within them.
        errors = check_document(document, settings)
        if not errors:
            rules = list(specified_rules)
            if not settings.introspection:
                rules.append(NoSchemaIntrospectionCustomRule)
            errors = validate(schema, document, rules)
            for error in errors:
                if not (error.extensions or {}).get("code"):
                    error.extensions = {"code": ErrorCode.GRAPHQL_VALIDATION_FAILED}
        checked = Checked(document, tuple(errors))
        self.entries[key] = checked
        if len(self.entries) > self.size:
            self.entries.popitem(last=False)
        return checked


_NOT_AWAITABLE: set[type] = {str, int, float, bool, type(None), list, dict, tuple}
_MAX_CLASSES = 10_000  # classes remembered (the code's own: a bound, not a limit in practice)


def is_awaitable(value: Any) -> TypeGuard[Awaitable[Any]]:
    """Whether `await` takes the value: asked of every field's value, so answered from its
    class (where `await` looks, too), without touching the instance: an `hasattr` on one of
    our types would go through its `__getattr__` and raise each time."""
    cls = type(value)
    if cls in _NOT_AWAITABLE:
        return False
    if cls is CoroutineType or hasattr(cls, "__await__"):
        return True
    if cls is GeneratorType and value.gi_code.co_flags & CO_ITERABLE_COROUTINE:
        return True
    if len(_NOT_AWAITABLE) < _MAX_CLASSES:
        _NOT_AWAITABLE.add(cls)
    return False


def _leaf_value(source: Any, leaf: Leaf) -> Any:
    """A plain leaf field's output value, or Undefined where the long way must report."""
    name, coerce, non_null, text = leaf
    try:
        value = getattr(source, name)
        if value is None:
            return Undefined if non_null else None
        if text and type(value) is str:  # what String and ID coerce a str to
            return value
        coerced = coerce(value)
    except Exception:  # noqa: BLE001 - the long way raises it again, located
        return Undefined
    return Undefined if coerced is None else coerced


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode:
    """The operation to run (strawberry's rule: by name, else the first)."""
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode) and (
            name is None or (definition.name is not None and definition.name.value == name)
        ):
            return definition
    raise CannotGetOperationTypeError(name)


def _masked(error: GraphQLError) -> GraphQLError:
    """An unexpected error as a generic message (logged first, by CMSSchema.process_errors)."""
    if not unexpected(error):
        return error
    return GraphQLError(
        INTERNAL_ERROR,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions={"code": ErrorCode.INTERNAL_SERVER_ERROR},
    )


class _CostCache:
    """Costs by operation (its node: parsed documents are kept by DocumentCache, so the same
    text gives the same node), coerced variables and settings; an LRU of `size`."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.entries: OrderedDict[tuple[Any, ...], tuple[Any, Settings, int]] = OrderedDict()

    def of(self, built: Any, settings: Settings) -> int:
        operation = built.operation
        variables = built.variable_values.coerced
        shown = repr(sorted(variables.items())) if variables else ""
        if len(shown) > MAX_CACHED_VARIABLES:  # kept small: the cache must stay bounded
            return query_cost(
                built.schema, built.fragment_definitions, operation, variables, settings
            )
        key = (id(operation), id(settings), shown)
        found = self.entries.get(key)
        if found is not None and found[0] is operation and found[1] is settings:
            self.entries.move_to_end(key)
            return found[2]
        cost = query_cost(built.schema, built.fragment_definitions, operation, variables, settings)
        self.entries[key] = (operation, settings, cost)
        if len(self.entries) > self.size:
            self.entries.popitem(last=False)
        return cost


_COSTS = _CostCache(DOCUMENT_CACHE_SIZE)


class CostLimitedExecution(StrawberryGraphQLCoreExecutionContext):
    """graphql-core's executor, refusing an operation over CMS_MAX_QUERY_COST once its
    variables are coerced (the cost depends on page sizes given as variables), and completing
    plain scalar fields directly (`execute_fields`)."""

    def complete_value(
        self,
        return_type: Any,
        field_details_list: Any,
        info: Any,
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        """graphql-core's `complete_value`, with a short way for an object of our own types:
        its `is_type_of` would only check the class, and the non-null wrapper is moot for a
        value that is there."""
        inner = return_type.of_type if type(return_type) is GraphQLNonNull else return_type
        if type(inner) is GraphQLObjectType and result is not None:
            if isinstance(result, Exception):
                raise result
            fast: FastPaths = self.schema._cms_fast  # type: ignore[attr-defined]
            origin = fast.objects.get(inner.name, Undefined)
            if origin is None or type(result) is origin:
                return self.collect_and_execute_subfields(
                    inner, field_details_list, path, result, position_context
                )
        return super().complete_value(
            return_type, field_details_list, info, path, result, position_context
        )

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: Any,
        position_context: Any,
    ) -> Any:
        """graphql-core's `execute_fields`, with a short way for the plain leaf fields of
        schema/core/resolvers.py: the attribute, coerced for output. Anything unusual (a
        missing or null value of a non-null field, a value the type refuses) goes the long
        way, which reports it as graphql-core always does."""
        fast: FastPaths = self.schema._cms_fast  # type: ignore[attr-defined]
        own = fast.leaves.get(parent_type.name)
        if own is None:
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        results: dict[str, Any] = {}
        is_awaitable = self.is_awaitable
        awaitable_fields: list[str] = []
        try:
            for response_name, field_details_list in grouped_field_set.items():
                leaf = own.get(field_details_list[0].node.name.value)
                if leaf is not None:
                    value = _leaf_value(source_value, leaf)
                    if value is not Undefined:
                        results[response_name] = value
                        continue
                result = self.execute_field(
                    parent_type,
                    source_value,
                    field_details_list,
                    Path(path, response_name, parent_type.name),
                    position_context,
                )
                if result is not Undefined:
                    results[response_name] = result
                    if is_awaitable(result):
                        awaitable_fields.append(response_name)
        except Exception:
            if awaitable_fields:
                self.settle_in_background([results[field] for field in awaitable_fields])
            raise
        if not awaitable_fields:
            return results

        async def get_results() -> dict[str, Any]:
            awaited = await gather_with_cancel(*(results[field] for field in awaitable_fields))
            results.update(zip(awaitable_fields, awaited, strict=True))
            return results

        return get_results()

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
        cost = _COSTS.of(built, settings)
        if cost > settings.max_query_cost:
            return [cost_error(cost, settings.max_query_cost)]
        return built


class CMSSchema(strawberry.Schema):
    """strawberry's schema with our own request lifecycle (`execute`), logging only the
    errors that are not the request's fault."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.documents = DocumentCache(DOCUMENT_CACHE_SIZE)
        self._schema._cms_fast = install_fast_resolvers(self)  # type: ignore[attr-defined]

    async def execute(  # the HTTP layer's arguments only
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        allowed_operation_types: Iterable[OperationType] | None = None,
        operation_extensions: dict[str, Any] | None = None,
    ) -> ExecutionResult:
        """Parse, limits and validation (cached per text), the GraphQL-over-HTTP rules, then
        graphql-core's execution with our execution context; unexpected errors masked.

        Raises, for the HTTP layer: CannotGetOperationTypeError (no such operation) and
        InvalidOperationTypeError (not allowed here, or not a query sent with GET).
        """
        if not query:
            raise MissingQueryError
        context: Any = context_value
        settings = context.settings
        try:
            checked = self.documents.get(self._schema, query, settings)
        except GraphQLError as error:  # a syntax error (or too many tokens)
            return ExecutionResult(data=None, errors=[error])
        document = checked.document
        operation = OperationType(_operation(document, operation_name).operation.value)
        if checked.errors:
            return ExecutionResult(data=None, errors=list(checked.errors))
        allowed = allowed_operation_types or DEFAULT_ALLOWED_OPERATION_TYPES
        request = context.request
        if operation not in allowed or (
            request.method == "GET" and operation is not OperationType.QUERY
        ):
            raise InvalidOperationTypeError(operation)  # the HTTP layer answers 405
        context.operation = operation  # the response cache stores queries only
        if operation_name is None and _several_operations(document):
            message = "Must provide operation name if query contains multiple operations."
            code = {"code": ErrorCode.OPERATION_RESOLUTION_FAILURE}
            return ExecutionResult(data=None, errors=[GraphQLError(message, extensions=code)])
        try:
            result = execute(
                self._schema,
                document,
                root_value=root_value,
                context_value=context_value,
                variable_values=variable_values,
                operation_name=operation_name,
                executor_class=self.execution_context_class,
                operation_extensions=operation_extensions,
                is_awaitable=is_awaitable,
            )
            if isawaitable(result):
                result = await result
        except Exception as exc:  # noqa: BLE001 - answered as an internal error, logged
            failure = (
                exc if isinstance(exc, GraphQLError) else GraphQLError(str(exc), original_error=exc)
            )
            result = GraphQLExecutionResult(None, [failure])
        errors = result.errors
        if errors:
            self.process_errors(errors)
            errors = [_masked(error) for error in errors]
        return ExecutionResult(data=result.data, errors=errors)

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        for error in errors:
            if unexpected(error):
                log.error("Unexpected error in %s", error.path, exc_info=error.original_error)


def _several_operations(document: DocumentNode) -> bool:
    operations = 0
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            operations += 1
    return operations > 1


EXTENSIONS: list[Any] = []
"""No strawberry extension: `CMSSchema.execute` does their work (see the module's docstring)."""
