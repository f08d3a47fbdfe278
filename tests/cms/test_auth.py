"""Tokens and roles: the permission table, bearer authentication, and the token commands."""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from cms import auth
from cms.auth import ROLE_PERMISSIONS, Permission, Principal, authenticate, bearer_token, require
from cms.errors import AuthenticationFailed, NotFound, PermissionDenied, ValidationFailed
from cms.models import ApiToken, AuditEntry, Role
from cms.services.tokens import create_token, revoke_token
from tests import factories

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parents[2]


def _docstring_table() -> dict[str, set[str]]:
    """The roles table of cms/auth.py's docstring: permission -> roles with an x."""
    lines = [ln for ln in (auth.__doc__ or "").splitlines() if ln.startswith("|")]
    header = [c.strip() for c in lines[0].strip("|").split("|")]
    table: dict[str, set[str]] = {}
    for line in lines[2:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        table[cells[0]] = {role for role, cell in zip(header[1:], cells[1:], strict=True) if cell}
    return table


EXPECTED = {
    "preview": {"admin", "editor", "contributor", "viewer"},
    "create": {"admin", "editor", "contributor"},
    "edit draft": {"admin", "editor", "contributor"},
    "edit published": {"admin", "editor"},
    "publish": {"admin", "editor"},
    "delete draft": {"admin", "editor", "contributor"},
    "delete published": {"admin", "editor"},
    "manage tokens": {"admin"},
    "manage webhooks": {"admin"},
    "manage members": {"admin"},
    "manage community": {"admin"},
}


def test_the_documented_table_is_the_table_the_code_checks():
    assert _docstring_table() == EXPECTED
    built = {p.value: {r.value for r in Role if p in ROLE_PERMISSIONS[r]} for p in Permission}
    assert built == EXPECTED


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("permission", list(Permission))
def test_a_role_holds_a_permission_only_in_its_own_tenant(role, permission):
    principal = Principal(token_id=1, name="t", role=role, tenant_id=7)
    allowed = role.value in EXPECTED[permission.value]
    assert principal.can(permission, 7) is allowed
    assert principal.can(permission, 8) is False
    assert principal.can(permission, None) is False
    if allowed:
        require(principal, permission, 7)
    else:
        with pytest.raises(PermissionDenied):
            require(principal, permission, 7)
    with pytest.raises(PermissionDenied):
        require(principal, permission, 8)
    with pytest.raises(PermissionDenied):
        require(None, permission, 7)


@pytest.mark.parametrize("permission", list(Permission))
def test_a_platform_admin_holds_every_permission_everywhere(permission):
    platform = Principal(token_id=1, name="p", role=Role.ADMIN, tenant_id=None)
    assert platform.is_platform_admin
    assert platform.can(permission, 1) and platform.can(permission, 99)
    # A tenant-less token of another role is nobody's admin.
    stray = Principal(token_id=2, name="s", role=Role.EDITOR, tenant_id=None)
    assert not stray.is_platform_admin and stray.role_in(1) is None
    assert not stray.can(permission, 1)


@pytest.mark.parametrize(
    ("header", "token"),
    [(None, None), ("Bearer abc", "abc"), ("bearer  abc ", "abc"), ("BEARER x.y-z", "x.y-z")],
)
def test_bearer_token_reads_the_header(header, token):
    assert bearer_token(header) == token


@pytest.mark.parametrize("header", ["", "Bearer", "Bearer   ", "Basic abc", "abc", "Token abc"])
def test_a_malformed_authorization_header_is_refused(header):
    with pytest.raises(AuthenticationFailed):
        bearer_token(header)


def test_token_values_are_random_with_at_least_32_bytes():
    values = {auth.new_token_value() for _ in range(50)}
    assert len(values) == 50
    for value in values:
        assert value.startswith(auth.TOKEN_PREFIX)
        assert len(value) - len(auth.TOKEN_PREFIX) >= 43  # 32 bytes, base64url
        assert re.fullmatch(r"cms_[A-Za-z0-9_-]+", value)


async def test_a_token_is_stored_only_as_its_hash(clean_database):
    genera = await factories.tenant(slug="genera")
    row, value = await create_token("t1", "editor", "genera")
    stored = await ApiToken.get(id=row.id)
    assert stored.token_hash == hashlib.sha256(value.encode()).hexdigest()
    assert value not in {stored.token_hash, stored.prefix, stored.name}
    assert len(stored.prefix) < len(value) // 3
    audit = await AuditEntry.get(object_id=row.id, content_type="ApiToken")
    assert (audit.action, audit.token_name, audit.tenant_id) == ("create-token", "t1", genera.id)  # type: ignore[attr-defined]
    principal = await authenticate(f"Bearer {value}")
    assert principal == Principal(token_id=row.id, name="t1", role=Role.EDITOR, tenant_id=genera.id)


async def test_unknown_and_revoked_tokens_fail_and_use_is_recorded_coarsely(clean_database):
    await factories.tenant(slug="genera")
    row, value = await create_token("t1", "viewer", "genera")
    assert await authenticate(None) is None
    with pytest.raises(AuthenticationFailed):
        await authenticate(f"Bearer {value}x")
    await authenticate(f"Bearer {value}")
    first_use = (await ApiToken.get(id=row.id)).last_used_at
    assert first_use is not None
    await authenticate(f"Bearer {value}")  # within a minute: no second write
    assert (await ApiToken.get(id=row.id)).last_used_at == first_use
    await ApiToken.filter(id=row.id).update(last_used_at=datetime.now(UTC) - timedelta(hours=1))
    await authenticate(f"Bearer {value}")
    assert (await ApiToken.get(id=row.id)).last_used_at > first_use  # type: ignore[operator]
    await revoke_token("t1")
    await revoke_token("t1")  # idempotent
    with pytest.raises(AuthenticationFailed):
        await authenticate(f"Bearer {value}")
    with pytest.raises(NotFound):
        await revoke_token("nobody")


@pytest.mark.parametrize(
    ("name", "role", "tenant", "field", "code"),
    [
        ("x", "owner", "genera", "role", "INVALID_CHOICE"),
        ("x", "editor", "nowhere", "tenant", "NOT_FOUND"),
        ("x", "editor", None, "tenant", "REQUIRED"),
        ("x", "viewer", None, "tenant", "REQUIRED"),
        ("  ", "editor", "genera", "name", "INVALID"),
        ("n" * 101, "editor", "genera", "name", "INVALID"),
        ("taken", "editor", "genera", "name", "DUPLICATE"),
    ],
)
async def test_create_token_refuses_bad_arguments(clean_database, name, role, tenant, field, code):
    await factories.tenant(slug="genera")
    await create_token("taken", "admin", None)
    before = await ApiToken.all().count()
    with pytest.raises(ValidationFailed) as caught:
        await create_token(name, role, tenant)
    assert (field, code) in {(e.field, e.code) for e in caught.value.errors}
    assert await ApiToken.all().count() == before


# -- the commands --------------------------------------------------------------------------

# Runs in a child process, so the CLI's own Tortoise set-up never meets the test database.
# Each argument is a JSON step: ["tenant", slug], ["cli", *argv] (cms.cli.main in-process) or
# ["http", *tokens] (a request per token); it prints one JSON result per step.
HELPER = """
import asyncio, contextlib, io, json, sys
from cms import db
from cms.cli import main
from cms.config import Settings
from cms.models import Tenant, TenantKind

async def tenant(slug):
    settings = Settings.from_env()
    await db.init(settings)
    await Tenant.create(slug=slug, name=slug, kind=TenantKind.COP)
    await db.close()

async def http(tokens):
    import httpx
    from cms.app import create_app

    app = create_app(Settings.from_env())
    statuses = []
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://cms") as client:
            for token in tokens:
                response = await client.post(
                    "/graphql", json={"query": "{ site { slug } }"},
                    headers={"Authorization": f"Bearer {token}", "X-CMS-Tenant": "genera"},
                )
                statuses.append(response.status_code)
    return statuses

for step in map(json.loads, sys.argv[1:]):
    if step[0] == "tenant":
        print(json.dumps(asyncio.run(tenant(step[1]))))
    elif step[0] == "http":
        print(json.dumps(asyncio.run(http(step[1:]))))
    else:
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(step[1:])
        print(json.dumps([code, out.getvalue(), err.getvalue()]))
"""


def _env(data_dir: Path) -> dict[str, str]:
    env = {**os.environ, "CMS_DATA_DIR": str(data_dir), "PYTHONPATH": str(ROOT)}
    env.pop("CMS_DATABASE_URL", None)
    return env


def _cms(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The real command, as an operator runs it."""
    return subprocess.run(
        [sys.executable, "-m", "cms.cli", *args],
        cwd=ROOT,
        env=_env(data_dir),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _helper(data_dir: Path, *steps: list[str]) -> list[Any]:
    script = data_dir.parent / "helper.py"
    script.write_text(HELPER)
    done = subprocess.run(
        [sys.executable, str(script), *(json.dumps(step) for step in steps)],
        cwd=ROOT,
        env=_env(data_dir),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def _database_bytes(data_dir: Path) -> bytes:
    return b"".join(p.read_bytes() for p in data_dir.glob("cms.sqlite3*"))


REFUSED = [
    (["--tenant", "genera", "--role", "owner", "--name", "x"], "role"),
    (["--tenant", "nowhere", "--role", "editor", "--name", "x"], "tenant"),
    (["--role", "editor", "--name", "x"], "tenant"),  # only an admin may have no tenant
    (["--tenant", "genera", "--role", "editor", "--name", "t1"], "name"),
    (["--tenant", "genera", "--role", "editor", "--name", "n" * 101], "name"),
]


def test_create_token_and_revoke_token_commands(tmp_path):
    data_dir = tmp_path / "data"
    _helper(data_dir, ["tenant", "genera"])

    made = _cms(data_dir, "create-token", "--tenant", "genera", "--role", "editor", "--name", "t1")
    assert made.returncode == 0, made.stderr
    lines = made.stdout.splitlines()
    assert len(lines) == 1 and lines[0].startswith("cms_"), made.stdout  # the token, once
    value = lines[0]
    assert value not in made.stderr and "shown once" in made.stderr
    assert value.encode() not in _database_bytes(data_dir)
    with sqlite3.connect(data_dir / "cms.sqlite3") as conn:
        rows = conn.execute("SELECT name, role, token_hash, revoked_at FROM api_token").fetchall()
    assert rows == [("t1", "editor", hashlib.sha256(value.encode()).hexdigest(), None)]

    steps = [["http", value], ["cli", "create-token", "--role", "admin", "--name", "ops"]]
    steps += [["cli", "create-token", *args] for args, _ in REFUSED]
    steps += [["cli", "revoke-token", "nobody"]]
    works, platform, *refusals, unknown = _helper(data_dir, *steps)
    assert works == [200]
    assert platform[0] == 0 and "platform admin" in platform[2]
    ops = platform[1].strip()
    for (args, problem), (code, out, err) in zip(REFUSED, refusals, strict=True):
        assert (code, out) == (2, ""), (args, err)
        assert f"create-token: {problem}:" in err and "Traceback" not in err, (args, err)
    assert unknown[0] == 2 and "nobody" in unknown[2]

    revoked = _cms(data_dir, "revoke-token", "t1")
    assert revoked.returncode == 0 and "revoked" in revoked.stdout
    assert _helper(data_dir, ["http", value, ops, value + "x"]) == [[401, 200, 401]]
    with sqlite3.connect(data_dir / "cms.sqlite3") as conn:
        names = conn.execute("SELECT name, revoked_at IS NOT NULL FROM api_token").fetchall()
    assert sorted(names) == [("ops", 0), ("t1", 1)]
