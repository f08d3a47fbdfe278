"""One ErrorCode enum: described in the core, published in the SDL, the only codes emitted.

That no other code reaches a client is checked on every response of the test clients
(`tests.support.api.known_codes_only`); here, the enum itself and its GraphQL face.
"""

import pytest
from graphql import GraphQLEnumType, GraphQLNonNull, GraphQLObjectType
from graphql import build_schema as build_sdl_schema

from cms.errors import CMSError, ErrorCode, FieldError
from tests import factories
from tests.support.api import emitted_codes, graphql
from tests.support.sdl import SDL_PATH

CREATE_TAG = """
mutation { createTag(input: {name: "Careers", slug: "Not A Slug"}) { tag { id } errors { code } } }
"""


def test_every_code_has_a_one_line_description():
    for code in ErrorCode:
        assert code.value == code.name
        assert code.description.strip() and "\n" not in code.description, code


def test_every_error_class_carries_codes_of_the_enum():
    classes = list(CMSError.__subclasses__())
    assert classes
    for cls in classes:
        assert isinstance(cls.code, ErrorCode), cls
        assert isinstance(cls.standard_code, ErrorCode), cls
    assert FieldError.__annotations__["code"] == "ErrorCode"


def test_the_sdl_shows_the_enum_with_a_description_per_value():
    sdl = build_sdl_schema(SDL_PATH.read_text())
    enum = sdl.type_map["ErrorCode"]
    assert isinstance(enum, GraphQLEnumType)
    assert enum.description
    assert {name: value.description for name, value in enum.values.items()} == {
        code.name: code.description for code in ErrorCode
    }
    mutation_error = sdl.type_map["MutationError"]
    assert isinstance(mutation_error, GraphQLObjectType)
    code = mutation_error.fields["code"].type
    assert isinstance(code, GraphQLNonNull) and code.of_type is enum


def test_codes_are_found_in_payloads_and_extensions():
    body = {
        "errors": [{"extensions": {"code": "BAD_USER_INPUT", "reason": "INVALID_INPUT"}}],
        "data": {"createTag": {"tag": None, "errors": [{"code": "INVALID_SLUG"}]}},
    }
    assert sorted(emitted_codes(body)) == ["BAD_USER_INPUT", "INVALID_INPUT", "INVALID_SLUG"]


@pytest.mark.anyio
async def test_a_payload_error_code_is_an_enum_value(client):
    tenant = await factories.tenant()
    headers = factories.bearer((await factories.token(tenant, "editor"))[1])
    response = await graphql(client, CREATE_TAG, tenant=tenant.slug, headers=headers)
    assert response.json()["data"]["createTag"]["errors"] == [{"code": "INVALID_SLUG"}]
