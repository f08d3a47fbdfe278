"""`cms serve` as `make run` uses it: migrate, seed an empty database once, serve over HTTP."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import anyio
import httpx
import pytest

from cms.cli import main
from tests import factories
from tests.support.servers import serving

ROOT = Path(__file__).resolve().parents[2]
TENANTS = "{ tenants { slug kind } }"
STEM_POWER_PAGES = "{ site { name } pages { totalCount edges { node { title path } } } }"
ACT_SLUGS = {
    "act",
    "lifescicop",
    "geincee",
    "genbudget",
    "forgen",
    "genera",
    "strategies",
    "alt-g",
    "lac",
}


@contextmanager
def _serving(data_dir: Path) -> Iterator[tuple[str, list[str]]]:
    """`cms serve` in a subprocess until the block ends; yields its URL and its output lines."""
    with serving(data_dir) as server:
        yield server.url, server.output().splitlines()


def _post(url: str, query: str, tenant: str | None = None) -> dict:
    headers = {"X-CMS-Tenant": tenant} if tenant else {}
    response = httpx.post(f"{url}/graphql", json={"query": query}, headers=headers, timeout=10)
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


def test_serve_seeds_an_empty_database_once_and_serves(tmp_path):
    with _serving(tmp_path) as (url, output):
        assert any("Loaded the seed content" in line for line in output), output
        slugs = {t["slug"] for t in _post(url, TENANTS)["tenants"]}
        assert ACT_SLUGS | {"stem-power", "caliper", "inspire"} <= slugs
        data = _post(url, STEM_POWER_PAGES, tenant="stem-power")
        titles = {e["node"]["title"] for e in data["pages"]["edges"]}
        assert {"What is the STEM-POWER CoP", "How to join"} <= titles
        before = _post(url, "{ resources(includeShared: true, first: 100) { totalCount } }")

    with _serving(tmp_path) as (url, output):
        assert any("nothing loaded" in line for line in output), output
        after = _post(url, "{ resources(includeShared: true, first: 100) { totalCount } }")
        assert after == before


def test_export_schema_writes_the_sdl(tmp_path, capsys):
    target = tmp_path / "schema.graphql"
    assert main(["export-schema", "-o", str(target)]) == 0
    assert target.read_text() == (ROOT / "schema.graphql").read_text()


def test_bad_setting_is_a_clear_exit(monkeypatch, capsys):
    monkeypatch.setenv("CMS_PORT", "eighty")
    assert main(["migrate"]) == 2
    assert "CMS_PORT" in capsys.readouterr().err


def _cms(
    *args: str, data_dir: Path, database_url: str | None = None
) -> subprocess.CompletedProcess:
    """The `cms` command in a subprocess, as an operator runs it."""
    env = {**os.environ, "CMS_DATA_DIR": str(data_dir), "PYTHONPATH": str(ROOT)}
    env.pop("CMS_DATABASE_URL", None)
    if database_url is not None:
        env["CMS_DATABASE_URL"] = database_url
    command = [sys.executable, "-m", "cms.cli", *args]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)


NEED_A_SCHEMA = [
    ["search", "gender"],
    ["reindex"],
    ["create-token", "--role", "admin", "--name", "ops"],
    ["revoke-token", "ops"],
    ["create-tenant", "--slug", "x", "--name", "X", "--kind", "cop"],
    ["import-plone", "export.json", "--tenant", "act"],
    ["mail"],
    ["mail", "send"],
]


@pytest.mark.parametrize("command", NEED_A_SCHEMA, ids=lambda c: c[0])
def test_commands_on_a_wrong_data_dir_say_so_and_create_nothing(tmp_path, command):
    data_dir = tmp_path / "var"
    result = _cms(*command, data_dir=data_dir)
    assert result.returncode == 2, result
    assert str(data_dir / "cms.sqlite3") in result.stderr
    assert "no schema" in result.stderr
    assert result.stdout == ""
    assert not data_dir.exists()


async def _empty_database() -> tuple[str, str | None]:
    """A database without tables on the test server: its URL, and its name to drop (PostgreSQL)."""
    base = os.environ.get("CMS_TEST_DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://")):
        return "", None
    import asyncpg

    from tests.support.database import admin_url

    admin, name = admin_url(base)
    conn = await asyncpg.connect(admin)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return admin.rsplit("/", 1)[0] + f"/{name}", name


@pytest.mark.anyio
async def test_a_database_without_schema_is_reported_not_migrated(tmp_path):
    url, name = await _empty_database()
    if name is None:  # SQLite: a file that is there but holds no schema of ours
        (tmp_path / "cms.sqlite3").write_bytes(b"")
        url = f"sqlite://{tmp_path / 'cms.sqlite3'}"
    try:
        result = await anyio.to_thread.run_sync(
            lambda: _cms("search", "gender", data_dir=tmp_path, database_url=url)
        )
        assert result.returncode == 2, result
        assert f"the database {url} has no schema" in result.stderr
        if name is None:
            assert (tmp_path / "cms.sqlite3").read_bytes() == b""
        else:
            import asyncpg

            conn = await asyncpg.connect(url)
            try:
                assert (
                    await conn.fetchval(
                        "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
                    )
                    == 0
                )
            finally:
                await conn.close()
    finally:
        if name is not None:
            import asyncpg

            from tests.support.database import admin_url

            conn = await asyncpg.connect(admin_url(url)[0])
            try:
                await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            finally:
                await conn.close()


@pytest.mark.anyio
async def test_commands_on_the_right_database_work_with_clean_output(
    tmp_path, settings, clean_database
):
    from cms.models import ApiToken

    result = await anyio.to_thread.run_sync(
        lambda: _cms(
            "create-token",
            "--role",
            "admin",
            "--name",
            "ops",
            data_dir=tmp_path,
            database_url=settings.database_url,
        )
    )
    assert result.returncode == 0, result
    assert result.stdout.strip() and "\n" not in result.stdout.strip()
    assert "INFO" not in result.stderr, result.stderr
    assert await ApiToken.filter(name="ops").exists()
    await factories.resource(await factories.tenant(slug="act"), title="Gender budgeting")
    reindexed = await anyio.to_thread.run_sync(
        lambda: _cms("reindex", data_dir=tmp_path, database_url=settings.database_url)
    )
    assert reindexed.returncode == 0, reindexed
    assert reindexed.stdout == "Rebuilt the search index: 1 items.\n"
    assert reindexed.stderr.endswith("1/1 items\n"), reindexed.stderr  # the bar ends its line
    assert "INFO" not in reindexed.stderr


@pytest.mark.anyio
async def test_create_tenant_for_operators(tmp_path, settings, clean_database):
    from cms.models import AuditEntry, Tenant, TenantDomain

    def cms(*args: str) -> subprocess.CompletedProcess:
        return _cms(*args, data_dir=tmp_path, database_url=settings.database_url)

    made = await anyio.to_thread.run_sync(
        lambda: cms("create-tenant", "--slug", "demo", "--name", "Demo", "--kind", "programme")
    )
    assert made.returncode == 0 and made.stdout == "Created programme 'demo'.\n", made
    hub = await anyio.to_thread.run_sync(
        lambda: cms(
            "create-tenant",
            "--slug",
            "demo-hub",
            "--name",
            "Demo hub",
            "--kind",
            "hub",
            "--parent",
            "demo",
            "--domain",
            "hub.demo.example.org",
            "--language",
            "pt",
        )  # fmt: skip
    )
    assert hub.returncode == 0, hub
    taken = await anyio.to_thread.run_sync(
        lambda: cms(
            "create-tenant",
            "--slug",
            "thief",
            "--name",
            "Thief",
            "--kind",
            "cop",
            "--parent",
            "demo-hub",
            "--domain",
            "hub.demo.example.org",
        )  # fmt: skip
    )
    assert taken.returncode == 2
    assert (
        "domains: The domain 'hub.demo.example.org' already belongs to 'demo-hub'" in taken.stderr
    )
    row = await Tenant.get(slug="demo-hub").prefetch_related("parent")
    assert row.parent is not None and row.parent.slug == "demo" and row.languages == ["pt"]
    assert await TenantDomain.filter(tenant=row).values_list("domain", flat=True) == [
        "hub.demo.example.org"
    ]
    assert not await Tenant.exists(slug="thief")
    assert await AuditEntry.filter(content_type="Tenant", action="create-tenant").count() == 2
