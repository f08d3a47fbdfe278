"""The programme workflow in tests: calls as a token, and the GraphQL documents they send."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support.api import graphql

APPLICATION_FIELDS = """
  id title state version budgetCents currency
  package { number title }
  cop { slug } hub { slug }
  budgetLines { description category amountCents profile { name } }
  people { name }
  comments { authorName body authorTenant { slug } }
  transitions { fromState toState actorName reason }
  outcomes { id state resource { title } }
"""
PAYLOAD = "{ application { " + APPLICATION_FIELDS + " } errors { field code message } "
PAYLOAD += "violation { rule message limit used requested currency } }"
CREATE_TENANT = """mutation ($input: TenantInput!) {
  createTenant(input: $input) { tenant { id slug kind parent { slug } domains }
    errors { field code message } } }"""
UPDATE_TENANT = """mutation ($slug: String!, $input: TenantInput!) {
  updateTenant(slug: $slug, input: $input) { tenant { slug name parent { slug } domains }
    errors { field code message } } }"""
CREATE_APPLICATION = (
    "mutation ($input: ApplicationInput!) { createApplication(input: $input) " + PAYLOAD + " }"
)
UPDATE_APPLICATION = (
    "mutation ($id: ID!, $input: ApplicationInput!) { updateApplication(id: $id, input: $input) "
    + PAYLOAD
    + " }"
)


def step_mutation(name: str) -> str:
    """The document of one application step (submitApplication, approveApplication…)."""
    return (
        "mutation ($id: ID!, $reason: String!) { "
        + name
        + "(id: $id, reason: $reason) "
        + PAYLOAD
        + " }"
    )


COMMENT = """mutation ($id: ID!, $body: String!) {
  commentOnApplication(id: $id, body: $body) { comment { body authorName }
    errors { code message } } }"""
ATTEST = """mutation ($input: AttestationInput!) {
  attestProfile(input: $input) {
    attestation { id role current programme { slug } attestedBy { slug } }
    errors { field code message } } }"""
PACKAGES = """query ($p: String) { supportPackages(programme: $p) {
  id number title status includes expectedOutcomes firstVersionOn } }"""
APPLICATIONS = "{ applications { edges { node { id title state budgetCents } } } }"
APPLICATION = "query ($id: ID!) { application(id: $id) { id title budgetCents comments { body } } }"
NODE = "query ($id: ID!) { node(id: $id) { id ... on Application { title budgetCents } } }"
RULES = """mutation ($p: String!, $input: ProgrammeRulesInput!) {
  setProgrammeRules(programme: $p, input: $input) {
    rules { windowOpens windowCloses budgetPerCopCents }
    errors { field code message } } }"""


async def call(
    client: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    token: str | None = None,
    tenant: str | None = None,
) -> dict[str, Any]:
    """The `data` of a request that must answer without GraphQL errors."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await graphql(client, query, variables, tenant=tenant, headers=headers)
    body = response.json()
    assert response.status_code == 200 and "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


def payload(data: dict[str, Any]) -> dict[str, Any]:
    """The one mutation payload of `data`."""
    (value,) = data.values()
    result: dict[str, Any] = value
    return result


def ok(data: dict[str, Any]) -> dict[str, Any]:
    """The payload of a mutation that must succeed (given its `data`, or the payload itself)."""
    result = data if "errors" in data else payload(data)
    assert result["errors"] == [], result["errors"]
    return result
