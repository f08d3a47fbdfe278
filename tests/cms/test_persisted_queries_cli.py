"""`cms persisted-queries add` and `list` as an operator runs them, then the API in
trusted-documents mode running what they registered."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import anyio
import httpx
import pytest

from cms import models
from cms.app import create_app
from tests import factories
from tests.support.api import KNOWN_CODES

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parents[2]
SITE = "query Site { site { name } }"
TENANTS = "query Tenants { tenants { slug } }"


def sha(body: str) -> str:
    return hashlib.sha256(body.encode()).hexdigest()


async def cms(*args: str, data_dir: Path, database_url: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "CMS_DATA_DIR": str(data_dir),
        "CMS_DATABASE_URL": database_url,
        "PYTHONPATH": str(ROOT),
    }
    command = [sys.executable, "-m", "cms.cli", *args]
    return await anyio.to_thread.run_sync(
        lambda: subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    )


async def test_an_apollo_manifest_and_a_plain_map_are_added_listed_and_run(
    tmp_path, settings, clean_database
):
    await factories.tenant(slug="lac", name="LAC")
    apollo = tmp_path / "apollo.json"
    apollo.write_text(
        json.dumps(
            {
                "format": "apollo-persisted-query-manifest",
                "version": 1,
                "operations": [{"id": sha(SITE), "name": "Site", "type": "query", "body": SITE}],
            }
        )
    )
    plain = tmp_path / "plain.json"
    plain.write_text(json.dumps({sha(TENANTS): TENANTS, sha(SITE): SITE}))
    run = {"data_dir": tmp_path, "database_url": settings.database_url}

    first = await cms("persisted-queries", "add", str(apollo), **run)
    assert first.returncode == 0, first.stderr
    assert first.stdout == "Trusted documents: 1 added, 0 already there.\n"
    second = await cms("persisted-queries", "add", str(plain), **run)
    assert second.stdout == "Trusted documents: 1 added, 1 already there.\n"
    listed = await cms("persisted-queries", "list", **run)
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert any(line.startswith(sha(SITE)) and line.endswith("Site") for line in lines), lines
    assert lines[-1] == "2 documents (2 trusted, 0 registered by clients)"

    app = create_app(settings.with_overrides(trusted_documents=True), manage_database=False)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t", event_hooks=KNOWN_CODES
    ) as client:
        extensions = {"persistedQuery": {"version": 1, "sha256Hash": sha(SITE)}}
        response = await client.get(
            "/graphql",
            params={"extensions": json.dumps(extensions)},
            headers={"X-CMS-Tenant": "lac"},
        )
        assert response.json() == {"data": {"site": {"name": "LAC"}}}


@pytest.mark.parametrize(
    ("manifest", "message"),
    [
        ({sha(SITE): TENANTS}, "is not the SHA-256 of its body"),
        ({"site": SITE}, "the id must be a SHA-256"),
        ({"format": "apollo-persisted-query-manifest", "version": 2}, '"version": 1'),
        ({sha("{ nope }"): "{ nope }"}, "Cannot query field 'nope'"),
        ({}, "no documents"),
    ],
)
async def test_a_bad_manifest_is_refused_whole_with_a_reason(
    tmp_path, settings, clean_database, manifest, message
):
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps({**manifest, sha(TENANTS): TENANTS} if manifest else {}))
    result = await cms(
        "persisted-queries",
        "add",
        str(path),
        data_dir=tmp_path,
        database_url=settings.database_url,
    )
    assert result.returncode == 2
    assert message in result.stderr, result.stderr
    assert await models.PersistedQuery.all().count() == 0
