"""`cms bind-member` as an operator runs it: a person's membership is bound to one of the
tenant's member organisations, and refusals say why, exit 2 and change nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import anyio
import pytest

from cms.config import Settings
from cms.models import AuditEntry, Membership, Role
from cms.services import tokens
from tests import factories
from tests.support.accounts import person

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parents[3]


async def cms(settings: Settings, data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CMS_DATA_DIR": str(data_dir), "PYTHONPATH": str(ROOT)}
    env["CMS_DATABASE_URL"] = settings.database_url
    command = [sys.executable, "-m", "cms.cli", *args]
    return await anyio.to_thread.run_sync(
        lambda: subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    )


async def test_bind_member_binds_a_membership_and_refuses_clearly(
    tmp_path: Path, settings: Settings, clean_database: None
) -> None:
    genera = await factories.tenant(slug="genera", kind="programme")
    second = await factories.tenant(slug="second", kind="programme")
    institute = await factories.organisation(genera)
    await institute.memberships.add(genera)
    outsider = await factories.organisation(second)
    await outsider.memberships.add(second)
    account = await person("ada@example.org", roles={genera: (Role.CONTRIBUTOR, None)})
    await tokens.create_token("machine", "contributor", "genera")

    refusals = [
        (("nobody@example.org", "genera", institute.id), "has no membership"),
        (("ada@example.org", "second", institute.id), "has no membership"),
        (("ada@example.org", "genera", 10**6), "No organisation has this id"),
        (("ada@example.org", "genera", outsider.id), "not a member of this tenant's network"),
    ]
    for (email, tenant, org), reason in refusals:
        result = await cms(settings, tmp_path, "bind-member", email, "--tenant", tenant,
                           "--organisation", str(org))  # fmt: skip
        assert (result.returncode, result.stdout) == (2, ""), result
        assert reason in result.stderr and "Traceback" not in result.stderr, result.stderr
    row = await Membership.get(account_id=account.id)
    assert row.organisation_id is None
    assert not await AuditEntry.exists(action="set-institute")

    result = await cms(settings, tmp_path, "bind-member", "ADA@example.org", "--tenant", "genera",
                       "--organisation", str(institute.id))  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "now acts for organisation" in result.stdout
    await row.refresh_from_db()
    assert row.organisation_id == institute.id
    [entry] = await AuditEntry.filter(action="set-institute")
    assert (entry.action, entry.token_name, entry.object_id) == ("set-institute", "system", row.id)

    # bind-token refuses a non-member the same way, without a traceback.
    result = await cms(settings, tmp_path, "bind-token", "machine", "--organisation",
                       str(outsider.id))  # fmt: skip
    assert result.returncode == 2 and "not a member" in result.stderr, result
