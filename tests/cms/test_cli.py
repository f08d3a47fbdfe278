"""`cms serve` as `make run` uses it: migrate, seed an empty database once, serve over HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from cms.cli import main

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


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def _serving(data_dir: Path) -> Iterator[tuple[str, list[str]]]:
    """`cms serve` in a subprocess until the block ends; yields its URL and its output lines."""
    port = _free_port()
    env = {
        **os.environ,
        "CMS_DATA_DIR": str(data_dir),
        "CMS_PORT": str(port),
        "CMS_HOST": "127.0.0.1",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("CMS_DATABASE_URL", None)
    log = data_dir / f"serve-{port}.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "cms.cli", "serve", "--no-access-log"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:
                assert proc.poll() is None, log.read_text()
                try:
                    if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.2)
            else:
                raise AssertionError(f"server did not start:\n{log.read_text()}")
            yield url, log.read_text().splitlines()
        finally:
            proc.terminate()
            proc.wait(timeout=30)


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
