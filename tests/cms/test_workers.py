"""`cms serve --workers 2` as a real server on loopback: both workers answer, one of them
indexes, and a write through either becomes searchable through both."""

from __future__ import annotations

import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.support.servers import ROOT, serve_env, serving

WORD = "zyxwvutqworker"
CREATE = (
    'mutation { createResource(input: {title: "Workers", kind: REPORT, summary: "'
    + WORD
    + '"}) { resource { id } errors { code } } }'
)
PUBLISH = "mutation ($id: ID!) { publish(id: $id) { errors { code } } }"
SEARCH = '{ search(query: "' + WORD + '") { totalCount } }'

pytestmark = pytest.mark.skipif(not Path("/proc/locks").exists(), reason="needs Linux /proc")

NO_WORKERS_SETTING: dict[str, str | None] = {"CMS_WORKERS": None}


def _pids(url: str, requests: int) -> set[int]:
    """The worker pids /healthz reports over many fresh connections, eight at a time."""

    def ask(_: int) -> int:
        with httpx.Client(timeout=10) as client:  # a new connection each time
            return int(client.get(f"{url}/healthz").json()["pid"])

    with ThreadPoolExecutor(8) as pool:
        return set(pool.map(ask, range(requests)))


def _parent(pid: int) -> int:
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat.rsplit(")", 1)[1].split()[1])


def _lock_holders(path: Path) -> list[int]:
    """The pids holding a flock on this file, from /proc/locks (`… FLOCK … pid maj:min:inode`)."""
    inode = str(path.stat().st_ino)
    holders = []
    for line in Path("/proc/locks").read_text().splitlines():
        fields = line.split()
        if "->" in fields or "FLOCK" not in fields:  # "->" marks a process waiting for it
            continue
        at = fields.index("FLOCK")
        pid, device = fields[at + 3], fields[at + 4]
        if device.rsplit(":", 1)[-1] == inode:
            holders.append(int(pid))
    return holders


def test_two_workers_answer_and_one_indexes_for_both(tmp_path):
    with serving(tmp_path, args=["--workers", "2"], env=NO_WORKERS_SETTING) as server:
        url, master = server.url, server.process
        pids = _pids(url, 64)
        for _ in range(5):
            if len(pids) == 2:
                break
            pids |= _pids(url, 64)
        assert len(pids) == 2, pids
        assert {_parent(pid) for pid in pids} == {master.pid}

        holders = _lock_holders(tmp_path / "search_index" / "indexer.lock")
        assert len(holders) == 1 and holders[0] in pids, (holders, pids)

        token = subprocess.run(
            [sys.executable, "-m", "cms.cli", "create-token", "--tenant", "stem-power"]
            + ["--role", "editor", "--name", "workers"],
            cwd=ROOT,
            env=serve_env(tmp_path, 8000, None, NO_WORKERS_SETTING),
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        editor = {"X-CMS-Tenant": "stem-power", "Authorization": f"Bearer {token}"}
        created = httpx.post(f"{url}/graphql", json={"query": CREATE}, headers=editor).json()
        resource = created["data"]["createResource"]["resource"]["id"]
        published = httpx.post(
            f"{url}/graphql",
            json={"query": PUBLISH, "variables": {"id": resource}},
            headers=editor,
        ).json()
        assert published["data"]["publish"]["errors"] == []

        def found(_: int) -> int:
            with httpx.Client(timeout=10) as client:  # a new connection: either worker
                response = client.post(
                    f"{url}/graphql", json={"query": SEARCH}, headers={"X-CMS-Tenant": "stem-power"}
                )
                return int(response.json()["data"]["search"]["totalCount"])

        for _ in range(100):  # the indexer polls the outbox twice a second
            if found(0) == 1:
                break
            time.sleep(0.2)
        with ThreadPoolExecutor(8) as pool:
            assert set(pool.map(found, range(32))) == {1}
        assert _lock_holders(tmp_path / "search_index" / "indexer.lock") == holders


def test_workers_below_one_are_refused_before_anything_starts(tmp_path, monkeypatch, capsys):
    from cms.cli import main

    monkeypatch.setenv("CMS_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("CMS_DATABASE_URL", raising=False)
    assert main(["serve", "--workers", "0"]) == 2
    assert "--workers must be at least 1" in capsys.readouterr().err
    assert not (tmp_path / "cms.sqlite3").exists()
