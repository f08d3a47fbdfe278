"""The core's `ErrorCode` as the GraphQL enum `ErrorCode`, one description per value.

The core enum stays free of GraphQL; this is its GraphQL face. Fields typed with it hold core
`ErrorCode` members (`strawberry.field(graphql_type=ErrorCodeEnum)`), which serialise by value.
"""

from __future__ import annotations

from enum import Enum

import strawberry

from cms.errors import ErrorCode

# The functional Enum API: one GraphQL value per core code, with the code's description.
GraphQLErrorCode = Enum(  # type: ignore[misc]  # mypy wants literal members; these are computed
    "ErrorCode",
    {
        code.name: strawberry.enum_value(code.value, description=code.description)
        for code in ErrorCode
    },
)

ErrorCodeEnum = strawberry.enum(
    GraphQLErrorCode,
    name="ErrorCode",
    description="Why a request, an operation or one input field failed: the same codes in "
    "`extensions.code`, `extensions.reason` and mutation payloads' `errors { code }`.",
)
