"""A GENERA network with validated figures, made through the services (the HTTP scenario is
tests/schema/genderdata/test_scenario.py), and its tokens."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from cms.auth import Principal
from cms.models import Organisation, Role, Tenant
from cms.services import genderdata, tokens
from cms.services.frameworks import SHE_FIGURES
from tests import factories
from tests.schema.genderdata.test_scenario import figures
from tests.support.api import graphql


@dataclass
class World:
    tenant: Tenant
    organisations: list[Organisation]
    steward: str  # token values
    institutes: list[str]
    submissions: dict[tuple[int, int], int] = field(default_factory=dict)  # (org, year) -> id


async def world(
    slug: str = "genera",
    *,
    institutes: int = 3,
    years: dict[int, int] | None = None,
    definition: dict[str, Any] | None = None,
) -> World:
    """`years` maps a year to how many institutes have validated figures for it."""
    tenant = await factories.tenant(slug=slug, kind="programme")
    organisations = []
    for _ in range(institutes):
        org = await factories.organisation(tenant)
        await org.memberships.add(tenant)
        organisations.append(org)
    _, steward = await tokens.create_token(f"{slug}-stewards", "editor", slug)
    values = []
    for i, org in enumerate(organisations):
        _, value = await tokens.create_token(f"{slug}-institute-{i}", "contributor", slug)
        await genderdata.bind_token(f"{slug}-institute-{i}", org.id)
        values.append(value)
    made = World(tenant, organisations, steward, values)
    editor = Principal(token_id=0, name="s", role=Role.EDITOR, tenant_id=tenant.id)
    version = await genderdata.define_framework(
        editor, tenant, "genera", "GENERA", definition or SHE_FIGURES, 2020, 2030
    )
    await genderdata.publish_version(editor, tenant, version.id)
    for year, count in (years or {}).items():
        for org in organisations[:count]:
            member = Principal(token_id=0, name="i", role=Role.CONTRIBUTOR, tenant_id=tenant.id,
                               organisation_id=org.id)  # fmt: skip
            row = await genderdata.save_figures(member, tenant, "genera", org.id, year,
                                                figures(year - 2000))  # fmt: skip
            await genderdata.submit(member, tenant, row.id)
            await genderdata.validate(editor, tenant, row.id)
            made.submissions[(org.id, year)] = row.id
    return made


async def ask(client: httpx.AsyncClient, query: str, variables: dict[str, Any] | None = None,
              *, token: str | None = None, tenant: str | None = "genera"
              ) -> dict[str, Any]:  # fmt: skip
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    body = (await graphql(client, query, variables, tenant=tenant, headers=headers)).json()
    assert "errors" not in body, body
    return body["data"]
