"""The GraphQL-over-HTTP endpoint: GET and POST, content negotiation, limits, safe errors.

It follows the GraphQL over HTTP specification: `application/graphql-response+json` when the
client accepts it (request errors answer 400 without `data`), `application/json` otherwise
(200 for every well-formed request). Execution is strawberry's (`schema/execution.py`: caches,
limits, masking); this module is the HTTP around it.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncGenerator, Iterator
from datetime import UTC, datetime
from typing import Any

import orjson
import strawberry
from graphql import GraphQLError, GraphQLSyntaxError
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Receive, Scope, Send
from strawberry.http.ides import get_graphql_ide_html
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult

from cms.auth import authenticate
from cms.errors import AuthenticationFailed, CMSError, ErrorCode
from cms.tenancy import TENANT_HEADER
from schema.cache import ResponseCache
from schema.context import Context, Services
from schema.execution import INTERNAL_ERROR
from schema.limits import variable_errors
from schema.persisted import PersistedQueries, PersistedQueryError

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
MULTIPART = "multipart/form-data"
MAX_UPLOAD_FILES = 10


class RequestError(Exception):
    """A request that is not a well-formed GraphQL-over-HTTP request (no execution)."""

    def __init__(
        self, status: int, message: str, code: ErrorCode, headers: dict[str, str] | None = None
    ):
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.reason: ErrorCode | None = None
        self.headers = headers or {}


class InputError(Exception):
    """A well-formed request with input we refuse before execution (BAD_USER_INPUT)."""

    def __init__(self, message: str, reason: ErrorCode):
        super().__init__(message)
        self.error = GraphQLError(
            message, extensions={"code": ErrorCode.BAD_USER_INPUT, "reason": reason}
        )


def _accepted_type(accept: str | None) -> str | None:
    """The response type to use, or None when the client accepts neither JSON type."""
    if not accept or not accept.strip():
        return JSON
    offered: dict[str, float] = {}
    for part in accept.split(","):
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        quality = 1.0
        for param in pieces[1:]:
            if param.startswith("q="):
                try:
                    quality = float(param[2:])
                except ValueError:
                    quality = 0.0
        offered[media] = max(quality, offered.get(media, 0.0))
    if offered.get(GRAPHQL_RESPONSE, 0) > 0:
        return GRAPHQL_RESPONSE
    if offered.get(JSON, 0) > 0 or offered.get("application/*", 0) > 0 or offered.get("*/*", 0) > 0:
        return JSON
    return None


LONE_SURROGATE = "The request contains a lone UTF-16 surrogate (\\ud800 to \\udfff)."
_SURROGATE = re.compile("[\ud800-\udfff]")


def _strings(value: Any) -> Iterator[str]:
    """Every string in a JSON value, keys included (iteratively: nesting depth is unbounded)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _check_text(query: str, variables: dict[str, Any] | None) -> None:
    """Refuse text no database or UTF-8 encoder can take, before anything else reads it."""
    for text in (query, *_strings(variables)):
        if "\x00" in text:
            # PostgreSQL cannot store or compare text with NUL; no real input contains it.
            raise InputError("The request contains a NUL character.", ErrorCode.NUL_CHARACTER)
        if _SURROGATE.search(text):
            # A lone UTF-16 surrogate ("\\ud800") decodes from JSON but is no character.
            raise InputError(LONE_SURROGATE, ErrorCode.INVALID_UNICODE)
    if "\\u0000" in query:
        raise InputError("The request contains a NUL character.", ErrorCode.NUL_CHARACTER)


def _place(body: dict[str, Any], path: Any, upload: UploadFile) -> None:
    """Put a file where the map says, e.g. `variables.file` or `variables.files.0`."""
    bad = RequestError(
        400, f"The map path {str(path)[:100]!r} names no variable.", ErrorCode.BAD_REQUEST
    )
    if not isinstance(path, str) or not path.startswith("variables."):
        raise bad
    parts = path.split(".")
    holder: Any = body
    for part in parts[:-1]:
        holder = _step(holder, part, bad)
    last = parts[-1]
    if isinstance(holder, dict) and last in holder and holder[last] is None:
        holder[last] = upload
    elif isinstance(holder, list) and last.isdigit() and int(last) < len(holder):
        holder[int(last)] = upload
    else:
        raise bad


def _step(holder: Any, part: str, bad: RequestError) -> Any:
    if isinstance(holder, dict) and isinstance(holder.get(part), dict | list):
        return holder[part]
    if isinstance(holder, list) and part.isdigit() and int(part) < len(holder):
        return holder[int(part)]
    raise bad


def _wants_ide(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    params = request.query_params
    return (
        request.method == "GET"
        and "text/html" in accept
        and not ("query" in params or "extensions" in params)
    )


class GraphQLEndpoint:
    """An ASGI app answering GraphQL requests for one schema and one settings object."""

    def __init__(self, schema: strawberry.Schema, services: Services):
        self.schema = schema
        self.services = services
        self.settings = services.settings
        self.directory = services.directory
        self.cache = ResponseCache(self.settings)
        self.persisted = PersistedQueries(schema, services.settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        try:
            response = self.cache.unless_set(await self.handle(request))
        finally:
            form = getattr(request.state, "uploads", None)
            if form is not None:  # spooled upload files of a multipart request
                await form.close()
        await response(scope, receive, send)

    async def handle(self, request: Request) -> Response:
        if request.method not in ("GET", "POST"):
            return self._request_error(
                JSON,
                RequestError(
                    405, "Use GET or POST.", ErrorCode.METHOD_NOT_ALLOWED, {"Allow": "GET, POST"}
                ),
            )
        if _wants_ide(request):
            return HTMLResponse(get_graphql_ide_html())
        media_type = _accepted_type(request.headers.get("accept"))
        if media_type is None:
            return self._request_error(
                JSON,
                RequestError(
                    406, f"Accept {GRAPHQL_RESPONSE} or {JSON}.", ErrorCode.NOT_ACCEPTABLE
                ),
            )
        try:
            params = await self._params(request)
            tenant = await self.directory.resolve(
                request.headers.get("host"), request.headers.get(TENANT_HEADER)
            )
            # A person's membership counts in this tenant, else in the nearest one above it.
            lineage = [tenant.id, *self.directory.ancestor_ids(tenant)] if tenant else []
            principal = await authenticate(request.headers.get("authorization"), lineage)
        except RequestError as error:
            return self._request_error(media_type, error)
        except InputError as error:
            return self._refuse(media_type, [error.error])
        except PersistedQueryError as error:
            return self._persisted_error(media_type, error)
        except AuthenticationFailed as error:
            # Never fall back to public access: a client with a broken token must notice.
            challenge = {"WWW-Authenticate": 'Bearer error="invalid_token"'}
            return self._request_error(
                media_type, RequestError(401, error.message, error.code, challenge)
            )
        except CMSError as error:
            failure = RequestError(400, error.message, error.standard_code)
            failure.reason = error.code
            return self._request_error(media_type, failure)

        query, variables, operation_name = params
        now = datetime.now(UTC)
        ticket = await self.cache.begin(tenant, principal, now, query, variables, operation_name)
        if ticket.hit is not None:
            return self.cache.answer(request, ticket, media_type, now)
        context = Context.of(request, self.services, tenant, principal, now=now)
        # Read by RequestRules: the spec refuses several operations without a name.
        request.state.operation_name = operation_name
        try:
            result = await self.schema.execute(
                query,
                variable_values=variables,
                context_value=context,
                operation_name=operation_name,
            )
        except InvalidOperationTypeError:
            return self._request_error(
                media_type,
                RequestError(
                    405,
                    "Only queries may be sent with GET; use POST.",
                    ErrorCode.METHOD_NOT_ALLOWED,
                    {"Allow": "POST"},
                ),
            )
        except CannotGetOperationTypeError as error:
            unknown = f"Unknown operation named '{error.operation_name}'."
            if error.operation_name is None:
                unknown = "Must provide an operation."
            refused = GraphQLError(
                unknown, extensions={"code": ErrorCode.OPERATION_RESOLUTION_FAILURE}
            )
            return self._refuse(media_type, [refused])
        # No data and no error path: the document, its variables or its cost were refused
        # before execution began, which the spec counts as a request error.
        not_executed = result.data is None and all(e.path is None for e in result.errors or [])
        response = self._result(media_type, result, request_error=not_executed)
        clean = not not_executed and not result.errors and result.data is not None
        return await self.cache.finish(request, ticket, context, response, clean=clean)

    async def _params(self, request: Request) -> tuple[str, dict[str, Any] | None, str | None]:
        if request.method == "GET":
            raw: dict[str, Any] = dict(request.query_params)
            if "variables" in raw:
                raw["variables"] = self._json(raw["variables"], "variables")
        else:
            raw = await self._body(request)
        variables = raw.get("variables")
        if variables is not None and not isinstance(variables, dict):
            raise RequestError(400, "`variables` must be a JSON object.", ErrorCode.BAD_REQUEST)
        extensions = raw.get("extensions")
        if isinstance(extensions, str) and request.method == "GET":
            extensions = self._json(extensions, "extensions")
        if extensions is not None and not isinstance(extensions, dict):
            raise RequestError(400, "`extensions` must be a JSON object.", ErrorCode.BAD_REQUEST)
        # The document sent, or the persisted one its hash names (schema/persisted.py).
        query = await self.persisted.document(raw.get("query"), extensions)
        if not isinstance(query, str) or not query.strip():
            raise RequestError(400, "The request has no `query` string.", ErrorCode.BAD_REQUEST)
        operation_name = raw.get("operationName")
        if operation_name is not None and not isinstance(operation_name, str):
            raise RequestError(400, "`operationName` must be a string.", ErrorCode.BAD_REQUEST)
        _check_text(query, variables)
        too_long = variable_errors(variables, self.settings.max_list_items)
        if too_long:
            raise InputError(too_long, ErrorCode.LIST_TOO_LONG)
        return query, variables, operation_name

    async def _body(self, request: Request) -> dict[str, Any]:
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type == MULTIPART:
            return await self._multipart(request)
        if content_type != JSON:
            raise RequestError(
                415,
                f"POST requests must have Content-Type {JSON} ({MULTIPART} for uploads).",
                ErrorCode.UNSUPPORTED_MEDIA_TYPE,
            )
        limit = self.settings.max_body_bytes
        too_large = RequestError(
            413, f"The request body is over {limit} bytes.", ErrorCode.LIMIT_EXCEEDED
        )
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            raise too_large
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise too_large
            chunks.append(chunk)
        body = self._json(b"".join(chunks), "body")
        if not isinstance(body, dict):
            raise RequestError(
                400, "The request body must be a JSON object.", ErrorCode.BAD_REQUEST
            )
        return body

    async def _multipart(self, request: Request) -> dict[str, Any]:
        """The GraphQL multipart request spec: an `operations` JSON with nulls where files go,
        a `map` from file part names to the variable paths they fill, then the file parts."""
        limit = self.settings.max_upload_bytes + self.settings.max_body_bytes
        too_large = RequestError(
            413,
            f"The upload is over {self.settings.max_upload_mb} MiB (CMS_MAX_UPLOAD_MB).",
            ErrorCode.LIMIT_EXCEEDED,
        )
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            raise too_large

        async def limited() -> AsyncGenerator[bytes, None]:
            size = 0
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    raise too_large
                yield chunk

        parser = MultiPartParser(
            request.headers,
            limited(),
            max_files=MAX_UPLOAD_FILES,
            max_fields=MAX_UPLOAD_FILES + 2,
            max_part_size=self.settings.max_body_bytes,
        )
        try:
            form = await parser.parse()
        except MultiPartException as error:
            raise RequestError(
                400, f"The multipart body is malformed: {error.message}", ErrorCode.BAD_REQUEST
            ) from None
        request.state.uploads = form
        operations = form.get("operations")
        mapping = form.get("map")
        if not isinstance(operations, str) or not isinstance(mapping, str):
            raise RequestError(
                400,
                "A multipart request needs `operations` and `map` fields.",
                ErrorCode.BAD_REQUEST,
            )
        body = self._json(operations, "operations field")
        paths = self._json(mapping, "map field")
        if not isinstance(body, dict):
            raise RequestError(400, "`operations` must be one JSON object.", ErrorCode.BAD_REQUEST)
        if not isinstance(paths, dict):
            raise RequestError(400, "`map` must be a JSON object.", ErrorCode.BAD_REQUEST)
        for name, targets in paths.items():
            upload = form.get(name)
            if not isinstance(upload, UploadFile):
                missing = f"The map names a missing file part {str(name)[:50]!r}."
                raise RequestError(400, missing, ErrorCode.BAD_REQUEST)
            if not isinstance(targets, list) or not targets:
                raise RequestError(400, "Each `map` entry must list paths.", ErrorCode.BAD_REQUEST)
            for target in targets:
                _place(body, target, upload)
        return body

    @staticmethod
    def _json(raw: str | bytes, what: str) -> Any:
        try:
            return json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise RequestError(
                400, f"The {what} is not valid JSON.", ErrorCode.BAD_REQUEST
            ) from None

    def _request_error(self, media_type: str, error: RequestError) -> Response:
        extensions = {"code": error.code}
        if error.reason and error.reason != error.code:
            extensions["reason"] = error.reason
        payload = {"errors": [{"message": error.message, "extensions": extensions}]}
        return self._response(payload, error.status, media_type, error.headers)

    def _persisted_error(self, media_type: str, error: PersistedQueryError) -> Response:
        """Never stored by a cache: the same GET by hash answers once the document is known."""
        if error.malformed:
            response = self._request_error(media_type, RequestError(400, error.message, error.code))
        else:
            response = self._refuse(media_type, [error.graphql_error()])
        response.headers["Cache-Control"] = "no-store"
        return response

    def _refuse(self, media_type: str, errors: list[GraphQLError]) -> Response:
        """A well-formed request refused before execution (400 only for graphql-response)."""
        return self._result(
            media_type, ExecutionResult(data=None, errors=errors), request_error=True
        )

    def _result(self, media_type: str, result: ExecutionResult, *, request_error: bool) -> Response:
        payload: dict[str, Any] = {}
        if result.errors:
            payload["errors"] = [self._format_error(e) for e in result.errors]
        if not request_error:
            payload["data"] = result.data
        elif media_type == JSON:
            payload["data"] = None
        status = 400 if request_error and media_type == GRAPHQL_RESPONSE else 200
        return self._response(payload, status, media_type)

    @staticmethod
    def _format_error(error: GraphQLError) -> dict[str, Any]:
        original = error.original_error
        if original is None or isinstance(original, GraphQLError):
            known: dict[str, Any] = dict(error.formatted)
            if error.path is None and "code" not in known.get("extensions", {}):
                # Only a syntax error (from strawberry's ParserCache) arrives without a code.
                too_long = isinstance(error, GraphQLSyntaxError) and "tokens" in error.message
                code = ErrorCode.LIMIT_EXCEEDED if too_long else ErrorCode.GRAPHQL_PARSE_FAILED
                known["extensions"] = {**known.get("extensions", {}), "code": code}
            return known
        formatted: dict[str, Any] = {"message": INTERNAL_ERROR}
        if isinstance(original, CMSError):
            formatted["message"] = original.message
            formatted["extensions"] = {"code": original.standard_code}
            if original.code != original.standard_code:
                formatted["extensions"]["reason"] = original.code
            if original.field:
                formatted["extensions"]["field"] = original.field
        else:
            # Raised before execution (MaskUnexpected covers execution); logged by CMSSchema.
            formatted["extensions"] = {"code": ErrorCode.INTERNAL_SERVER_ERROR}
        if error.locations:
            formatted["locations"] = [loc._asdict() for loc in error.locations]
        if error.path is not None:
            formatted["path"] = error.path
        return formatted

    @staticmethod
    def _response(
        payload: dict[str, Any], status: int, media_type: str, headers: dict[str, str] | None = None
    ) -> Response:
        body = orjson.dumps(payload)  # compact UTF-8, as json.dumps(ensure_ascii=False) made it
        return Response(
            body, status_code=status, media_type=f"{media_type}; charset=utf-8", headers=headers
        )
