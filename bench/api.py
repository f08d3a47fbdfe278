"""API benchmark: three GraphQL query shapes, this checkout against a base commit, beside a ceiling.

    python -m bench.api [--quick] [--requests-scale F] [--workers N] [--base REF | --no-base]

1. A `git worktree` of --base (default abc9655) in a temp dir.
2. A fresh temporary data dir (SQLite there, or a fresh temporary database on the PostgreSQL
   server of CMS_DATABASE_URL when that is a loopback postgres:// URL): the base's code migrates
   it and loads the real seed content and the synthetic items; this checkout gets a copy.
3. Setups one at a time: each tree, 1 then N workers, CMS_RESPONSE_CACHE off then on, served as
   `cms serve` serves (this checkout with --workers; the base through WORKERS_SCRIPT for N).
4. One response per shape (homepage, list50, detail) is captured from the first setup and
   served as exact bytes by `bench.ceiling` (same uvicorn options).
5. For each setup and the ceiling, each shape at concurrency 1 and 16: a warm-up then a bounded
   run from one httpx.AsyncClient: requests/s, p50/p95 latency, server CPU per request over the
   master and all its workers (/proc/<pid>/stat before and after the run); SQL statements per
   request counted in process once per tree and cache setting. One table, bench/out/api.json.

See bench/README.md for the method and its limits.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import platform
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = Path(__file__).resolve().parent / "out"
LOOPBACK = "127.0.0.1"
SHAPE_HEADER = "X-Bench-Shape"
SERVER_MODULE = "cms.cli"  # what `make run` runs, as `cms serve`
SERVE_ARGS = ("serve", "--no-access-log", "--log-level", "warning")
BASE_REF = "abc9655"  # main before the reads issue (#13)
TENANT_HEADER = "X-CMS-Tenant"

SYNTHETIC = {"resources": 2000, "news": 400, "events": 200}
CONCURRENCIES = (1, 16)
FULL_REQUESTS = {1: 300, 16: 1600}
QUICK_REQUESTS = {1: 30, 16: 160}
FULL_WARMUP = 30
QUICK_WARMUP = 10
REQUEST_TIMEOUT = 30.0
READY_TIMEOUT = 90.0
STOP_TIMEOUT = 10.0
UNHEALTHY_GRACE = 3.0

HOMEPAGE = """
query Homepage {
  site { name acronym }
  news(first: 10) {
    edges { node { id title slug summary publishedAt image { url width height alt } } }
  }
  resources(first: 6) {
    edges {
      node {
        id title slug summary publishedAt
        tags { name slug }
        coverImage { url width height alt }
      }
    }
  }
  events(first: 5, filter: { when: UPCOMING }) {
    edges { node { id title slug start end timezone format location } }
  }
}
"""

LIST50 = """
query List50 {
  resources(first: 50) {
    pageInfo { hasNextPage endCursor }
    edges {
      node {
        id title slug summary publishedAt
        tags { name slug }
        authors { name }
        coverImage { url width height }
      }
    }
  }
}
"""

DETAIL = """
query Detail($slug: String!) {
  resource(slug: $slug) {
    id kind title slug summary body publishedAt language externalUrl
    tags { name slug }
    authors { name slug }
    coverImage { url width height alt }
  }
}
"""

CONTENT_COUNTS = """
query Counts {
  resources(first: 1) { totalCount }
  news(first: 1) { totalCount }
  events(first: 1, filter: { when: UPCOMING }) { totalCount }
}
"""


class BenchError(RuntimeError):
    """The benchmark cannot go on; the message says why."""


# --------------------------------------------------------------------------- database


@dataclass
class Database:
    """Where the benchmark's data lives: a SQLite file in the temp dir or a temporary PG db."""

    url: str
    backend: str
    admin_url: str | None = None  # the PostgreSQL URL the temporary database was created from
    name: str | None = None


_PG_SCHEMES = ("postgres", "postgresql", "asyncpg")


def _is_postgres(url: str) -> bool:
    return urlsplit(url).scheme in _PG_SCHEMES


def _asyncpg_dsn(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(("postgresql", parts.netloc, parts.path, parts.query, parts.fragment))


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


async def _pg_execute(admin_url: str, sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(_asyncpg_dsn(admin_url), timeout=15)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def create_database(env: Mapping[str, str], data_dir: Path) -> Database:
    """A SQLite URL in the data dir, or a fresh database on the given PostgreSQL server."""
    configured = env.get("CMS_DATABASE_URL", "")
    if not _is_postgres(configured):
        return Database(url=f"sqlite://{data_dir / 'cms.sqlite3'}", backend="sqlite")
    host = urlsplit(configured).hostname
    if host not in (None, "", "localhost", "127.0.0.1", "::1"):
        raise BenchError(f"CMS_DATABASE_URL must point at a loopback PostgreSQL, not {host!r}")
    name = f"cms_bench_{os.getpid()}_{secrets.token_hex(4)}"
    asyncio.run(_pg_execute(configured, f'CREATE DATABASE "{name}"'))
    return Database(
        url=_with_database(configured, name), backend="postgres", admin_url=configured, name=name
    )


def drop_database(database: Database) -> None:
    if database.admin_url is None or database.name is None:
        return
    try:
        asyncio.run(
            _pg_execute(
                database.admin_url, f'DROP DATABASE IF EXISTS "{database.name}" WITH (FORCE)'
            )
        )
    except Exception as error:  # report and go on: the rest of the clean-up must still run
        print(f"warning: could not drop database {database.name}: {error}", file=sys.stderr)


# Run with a tree's code (`python -c`, PYTHONPATH = that tree), so the base commit's own
# migrations, seed loader and synthetic generator make its data. argv: the JSON of SYNTHETIC, seed.
LOAD_SCRIPT = """
import asyncio, json, sys, time
from cms import db
from cms.config import Settings
from seeds.loader import load_seed
from seeds.synthetic import load_synthetic

async def main():
    synthetic, seed = json.loads(sys.argv[1]), int(sys.argv[2])
    await db.init(Settings.from_env())
    try:
        started = time.perf_counter()
        report = await load_seed()
        seeded = time.perf_counter()
        more = await load_synthetic(sum(synthetic.values()), seed, **synthetic)
        done = time.perf_counter()
    finally:
        await db.close()
    print(json.dumps({"seed": str(report), "seed_seconds": round(seeded - started, 2),
                      "synthetic": more, "synthetic_seconds": round(done - seeded, 2)},
                     default=str))

asyncio.run(main())
"""


def load_content(code: Path, env: Mapping[str, str], seed: int) -> dict[str, Any]:
    """Migrate and load the seed plus the synthetic items with the code of one checkout."""
    done = subprocess.run(
        [sys.executable, "-c", LOAD_SCRIPT, json.dumps(SYNTHETIC), str(seed)],
        cwd=code,
        env={**env, "PYTHONPATH": str(code)},
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise BenchError(f"loading the content with {code} failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def copy_database(database: Database, source_dir: Path, target_dir: Path) -> Database:
    """The same data for the other tree: a copy of the data dir (SQLite), or a database made
    from the first one as its template (PostgreSQL)."""
    if database.admin_url is None or database.name is None:
        shutil.copytree(source_dir, target_dir)
        return Database(url=f"sqlite://{target_dir / 'cms.sqlite3'}", backend="sqlite")
    target_dir.mkdir()
    name = f"{database.name}_copy"
    asyncio.run(
        _pg_execute(database.admin_url, f'CREATE DATABASE "{name}" TEMPLATE "{database.name}"')
    )
    return Database(
        url=_with_database(database.admin_url, name),
        backend="postgres",
        admin_url=database.admin_url,
        name=name,
    )


# Counts the SQL statements of the second of two identical requests per shape (the first
# fills per-process caches), in process through httpx's ASGITransport, with a handler on
# Tortoise's statement log. Run with a tree's code; argv: a JSON file of the shapes.
SQL_SCRIPT = """
import asyncio, json, logging, sys
import httpx
from cms import db
from cms.app import create_app
from cms.config import Settings

class Counter(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.count = 0
    def emit(self, record):
        text = record.getMessage().lstrip().upper()
        if text.startswith(("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")):
            self.count += 1

async def main():
    shapes = json.load(open(sys.argv[1]))
    settings = Settings.from_env()
    await db.init(settings, run_migrations=False)
    app = create_app(settings, manage_database=False)
    counter = Counter()
    logger = logging.getLogger("tortoise.db_client")
    logger.addHandler(counter)
    logger.setLevel(logging.DEBUG)
    counts = {}
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for name, shape in shapes.items():
                for _ in range(2):
                    counter.count = 0
                    response = await client.post(
                        "/graphql", content=shape["body"], headers=shape["headers"]
                    )
                    assert response.status_code == 200, response.text
                counts[name] = counter.count
    finally:
        await db.close()
    print(json.dumps(counts))

asyncio.run(main())
"""


def count_statements(code: Path, env: Mapping[str, str], shapes_path: Path) -> dict[str, int]:
    """SQL statements per request of each shape, with the code of one checkout."""
    done = subprocess.run(
        [sys.executable, "-c", SQL_SCRIPT, str(shapes_path)],
        cwd=code,
        env={**env, "PYTHONPATH": str(code)},
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise BenchError(f"counting SQL statements with {code} failed:\n{done.stderr[-3000:]}")
    counts: dict[str, int] = json.loads(done.stdout.strip().splitlines()[-1])
    return counts


# --------------------------------------------------------------------------- servers


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


_CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def process_cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process (not its children), or None if unreadable."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            stat = fh.read()
    except OSError:
        try:
            import psutil  # type: ignore[import-not-found]
        except ImportError:
            return None
        times = psutil.Process(pid).cpu_times()
        return float(times.user + times.system)
    fields = stat.rsplit(")", 1)[1].split()
    # After "pid (comm)" the fields start at number 3 (state); utime is 14 and stime 15.
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS


def _has_procfs() -> bool:
    return Path("/proc").is_dir()


def _children(pid: int) -> list[int]:
    """The direct children of a process (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text(encoding="ascii")
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def process_tree(pid: int) -> list[int]:
    """A process and all its descendants (uvicorn's master and its workers)."""
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(_children(current))
    return tree


def tree_cpu_seconds(pid: int) -> float | None:
    """User + system CPU of a process and its descendants (the master and every worker)."""
    if not Path("/proc").is_dir():
        return process_cpu_seconds(pid)
    total = 0.0
    for member in process_tree(pid):
        seconds = process_cpu_seconds(member)
        if seconds is not None:
            total += seconds
    return total


@dataclass
class Server:
    """A server subprocess on a loopback port; its output goes to a log file."""

    name: str
    argv: list[str]
    env: dict[str, str]
    port: int
    log_path: Path
    process: subprocess.Popen[bytes] | None = None
    cwd: Path = ROOT  # the checkout whose code it runs

    @property
    def base_url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start(self) -> None:
        log = self.log_path.open("wb")
        try:
            self.process = subprocess.Popen(
                self.argv,
                cwd=self.cwd,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        finally:
            log.close()

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def cpu_seconds(self) -> float | None:
        return tree_cpu_seconds(self.pid) if self.process is not None else None

    async def wait_workers(self, workers: int, limit_seconds: float = READY_TIMEOUT) -> None:
        """Wait until the master has started its worker processes (uvicorn starts them after
        it listens, so /healthz may answer before all are up)."""
        if workers <= 1 or not _has_procfs():
            return
        deadline = time.perf_counter() + limit_seconds
        while time.perf_counter() < deadline:
            if len(process_tree(self.pid)) > workers:  # the master and its workers
                await asyncio.sleep(1.0)  # their lifespans (database, search) open
                return
            await asyncio.sleep(0.2)
        raise BenchError(f"{self.name}: {workers} workers not up:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=STOP_TIMEOUT)

    async def wait_ready(self, limit_seconds: float = READY_TIMEOUT) -> float:
        """Poll GET /healthz until it answers 200 (bounded in time); seconds it took."""
        assert self.process is not None
        started = time.perf_counter()
        deadline = started + limit_seconds
        unhealthy_since: float | None = None
        async with httpx.AsyncClient(base_url=self.base_url, timeout=2.0) as client:
            while time.perf_counter() < deadline:
                if self.process.poll() is not None:
                    raise BenchError(
                        f"{self.name} exited with {self.process.returncode} before it was ready:\n"
                        + self.log_tail()
                    )
                status = None
                with contextlib.suppress(httpx.HTTPError):
                    status = (await client.get("/healthz")).status_code
                if status == 200:
                    return time.perf_counter() - started
                now = time.perf_counter()
                if status is None:
                    unhealthy_since = None
                elif unhealthy_since is None:
                    unhealthy_since = now
                elif now - unhealthy_since > UNHEALTHY_GRACE:
                    # It listens, so its lifespan finished: the answer will not change.
                    raise BenchError(
                        f"{self.name} answers GET /healthz with {status} "
                        f"(for {UNHEALTHY_GRACE:.0f}s):\n{self.log_tail()}"
                    )
                await asyncio.sleep(0.1)
        raise BenchError(f"{self.name} not ready after {limit_seconds:.0f}s:\n{self.log_tail()}")


def server_env(
    base: Mapping[str, str],
    data_dir: Path,
    database: Database,
    port: int,
    *,
    code: Path = ROOT,
    cache: str = "off",
    extra_path: Path | None = None,
) -> dict[str, str]:
    """The environment of a server (or script) on this data, running `code`'s checkout."""
    env = {k: v for k, v in base.items() if not k.startswith("CMS_")}
    paths = [str(code), *([str(extra_path)] if extra_path else [])]
    env.update(
        CMS_DATA_DIR=str(data_dir),
        CMS_DATABASE_URL=database.url,
        CMS_HOST=LOOPBACK,
        CMS_PORT=str(port),
        CMS_RESPONSE_CACHE=cache,
        PYTHONPATH=os.pathsep.join(paths),
    )
    return env


# `cms serve --workers N` for a checkout whose CLI may not have --workers (the base commit):
# uvicorn with the same options and an app factory, after `cms serve` of that checkout has
# migrated and indexed the data. Written to the temp dir as cms_bench_workers.py.
WORKERS_SCRIPT = '''"""uvicorn workers of a checkout's app, each built from the environment."""
import sys

import uvicorn

from cms.config import Settings


def app():
    from cms.app import create_app

    return create_app(Settings.from_env())


if __name__ == "__main__":
    settings = Settings.from_env()
    uvicorn.run(
        "cms_bench_workers:app",
        factory=True,
        workers=int(sys.argv[1]),
        host=settings.host,
        port=settings.port,
        log_level="warning",
        access_log=False,
        proxy_headers=True,
    )
'''


@dataclass(frozen=True)
class Setup:
    """One way of serving: which checkout, the response cache on or off, how many workers."""

    tree: str  # "head" (this checkout) or "base" (the worktree of --base)
    cache: str  # CMS_RESPONSE_CACHE: "off" or "on"
    workers: int

    @property
    def label(self) -> str:
        return f"{self.tree}/{self.cache}/w{self.workers}"


def make_server(setup: Setup, code: Path, env: dict[str, str], tmp: Path, scripts: Path) -> Server:
    """`cms serve` of the setup's checkout (this one with --workers; the base through
    WORKERS_SCRIPT when it needs several workers)."""
    if setup.tree == "base" and setup.workers > 1:
        argv = [sys.executable, "-m", "cms_bench_workers", str(setup.workers)]
        env = {**env, "PYTHONPATH": os.pathsep.join([str(code), str(scripts)])}
    elif setup.tree == "base":
        argv = [sys.executable, "-m", SERVER_MODULE, *SERVE_ARGS]
    else:
        argv = [sys.executable, "-m", SERVER_MODULE, *SERVE_ARGS, "--workers", str(setup.workers)]
    server = Server(
        setup.label, argv, env, int(env["CMS_PORT"]), tmp / f"{setup.label.replace('/', '-')}.log"
    )
    server.cwd = code
    return server


# --------------------------------------------------------------------------- shapes


@dataclass
class Shape:
    """One request body, sent unchanged to both servers, and what our server answered."""

    name: str
    payload: dict[str, Any]
    body: bytes = b""
    response: bytes = b""
    content_type: str = ""

    def __post_init__(self) -> None:
        self.body = json.dumps(self.payload, separators=(",", ":")).encode()


async def _graphql(
    client: httpx.AsyncClient,
    query: str,
    tenant: str | None,
    variables: dict[str, Any] | None = None,
) -> tuple[httpx.Response, dict[str, Any]]:
    headers = {TENANT_HEADER: tenant} if tenant else {}
    payload: dict[str, Any] = {"query": query}
    if variables:
        payload["variables"] = variables
    response = await client.post("/graphql", json=payload, headers=headers)
    try:
        result = response.json()
    except ValueError:
        raise BenchError(
            f"non-JSON answer ({response.status_code}): {response.text[:500]}"
        ) from None
    return response, result


def _check(shape: str, response: httpx.Response, result: dict[str, Any]) -> dict[str, Any]:
    """The data of a response that must be a success with every top-level field non-empty."""
    if response.status_code != 200:
        raise BenchError(f"{shape}: HTTP {response.status_code}: {response.text[:1000]}")
    if result.get("errors"):
        raise BenchError(f"{shape}: GraphQL errors: {json.dumps(result['errors'])[:2000]}")
    data = result.get("data")
    if not data:
        raise BenchError(f"{shape}: no data: {response.text[:1000]}")
    for key, value in data.items():
        empty = value is None or (isinstance(value, dict) and value.get("edges") == [])
        if empty:
            raise BenchError(f"{shape}: `{key}` is empty: {json.dumps(value)[:500]}")
    return data


async def choose_tenant(client: httpx.AsyncClient) -> tuple[str, dict[str, dict[str, int]]]:
    """The CoP with the most resources among those that also have news and upcoming events."""
    response, result = await _graphql(client, "{ tenants(kind: COP) { slug } }", None)
    cops = [t["slug"] for t in _check("tenants", response, result)["tenants"]]
    counts: dict[str, dict[str, int]] = {}
    for slug in cops:
        response, result = await _graphql(client, CONTENT_COUNTS, slug)
        data = _check(f"counts of {slug}", response, result)
        counts[slug] = {k: int(data[k]["totalCount"]) for k in ("resources", "news", "events")}

    def rank(slug: str) -> tuple[bool, bool, int, str]:
        c = counts[slug]
        return (c["events"] >= 5, c["news"] >= 10, c["resources"], slug)

    if not cops:
        raise BenchError("no tenant of kind cop: did the seed load?")
    best = max(cops, key=rank)
    if counts[best]["resources"] < 50:
        raise BenchError(f"no CoP has 50 resources (counts: {counts}): did load_synthetic run?")
    return best, counts


async def capture_shapes(base_url: str, tenant: str | None) -> tuple[str, list[Shape], dict]:
    """Pick the tenant and a resource slug, then one checked response per shape."""
    async with httpx.AsyncClient(base_url=base_url, timeout=REQUEST_TIMEOUT) as client:
        counts: dict[str, dict[str, int]] = {}
        if tenant is None:
            tenant, counts = await choose_tenant(client)
        headers = {TENANT_HEADER: tenant, "Content-Type": "application/json"}

        list_response, list_result = await _graphql(client, LIST50, tenant)
        listed = _check("list50", list_response, list_result)
        nodes = [e["node"] for e in listed["resources"]["edges"]]
        with_authors = [n for n in nodes if n["authors"] and n["tags"]]
        slug = (with_authors or nodes)[0]["slug"]

        shapes = [
            Shape("homepage", {"query": HOMEPAGE}),
            Shape("list50", {"query": LIST50}),
            Shape("detail", {"query": DETAIL, "variables": {"slug": slug}}),
        ]
        for shape in shapes:
            response = await client.post(
                "/graphql", content=shape.body, headers={**headers, SHAPE_HEADER: shape.name}
            )
            _check(shape.name, response, response.json())
            shape.response = response.content
            shape.content_type = response.headers["content-type"]
    return tenant, shapes, {"tenant_counts": counts, "detail_slug": slug}


# --------------------------------------------------------------------------- load


@dataclass
class RunResult:
    server: str
    shape: str
    concurrency: int
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p95_ms: float
    max_ms: float
    server_cpu_ms_per_req: float | None
    client_cpu_ms_per_req: float
    failures: int
    other_bodies: int  # 200 answers whose bytes differ from the captured response
    time_capped: bool


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return float("nan")
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


async def _fire(
    client: httpx.AsyncClient,
    shape: Shape,
    headers: dict[str, str],
    count: int,
    concurrency: int,
    max_seconds: float,
) -> tuple[list[float], int, int, bool]:
    """`count` requests from `concurrency` workers (stopping at `max_seconds`): latencies etc."""
    latencies: list[float] = []
    failures = 0
    other_bodies = 0
    issued = 0
    deadline = time.perf_counter() + max_seconds

    async def worker() -> None:
        nonlocal issued, failures, other_bodies
        while issued < count and time.perf_counter() < deadline:
            issued += 1
            started = time.perf_counter()
            try:
                response = await client.post("/graphql", content=shape.body, headers=headers)
            except httpx.HTTPError:
                failures += 1
                continue
            latencies.append(time.perf_counter() - started)
            if response.status_code != 200:
                failures += 1
            elif response.content != shape.response:
                other_bodies += 1

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies, failures, other_bodies, issued < count


async def run_load(
    server: Server,
    shape: Shape,
    tenant: str,
    concurrency: int,
    count: int,
    warmup: int,
    max_seconds: float,
) -> RunResult:
    headers = {
        "Content-Type": "application/json",
        TENANT_HEADER: tenant,
        SHAPE_HEADER: shape.name,
    }
    limits = httpx.Limits(
        max_connections=concurrency, max_keepalive_connections=concurrency, keepalive_expiry=60
    )
    async with httpx.AsyncClient(
        base_url=server.base_url, limits=limits, timeout=REQUEST_TIMEOUT, http2=False
    ) as client:
        _, warm_failures, _, _ = await _fire(
            client, shape, headers, warmup, concurrency, max_seconds
        )
        if warm_failures:
            raise BenchError(f"{server.name} {shape.name}: {warm_failures} failures in the warm-up")
        cpu_before = server.cpu_seconds()
        client_before = time.process_time()
        started = time.perf_counter()
        latencies, failures, other_bodies, capped = await _fire(
            client, shape, headers, count, concurrency, max_seconds
        )
        elapsed = time.perf_counter() - started
        client_cpu = time.process_time() - client_before
        cpu_after = server.cpu_seconds()
    done = len(latencies)
    latencies.sort()
    server_cpu = (
        (cpu_after - cpu_before) * 1000 / done
        if cpu_before is not None and cpu_after is not None and done
        else None
    )
    return RunResult(
        server=server.name,
        shape=shape.name,
        concurrency=concurrency,
        requests=done,
        seconds=round(elapsed, 3),
        rps=done / elapsed if elapsed > 0 else 0.0,
        p50_ms=percentile(latencies, 50) * 1000,
        p95_ms=percentile(latencies, 95) * 1000,
        max_ms=(latencies[-1] if latencies else float("nan")) * 1000,
        server_cpu_ms_per_req=server_cpu,
        client_cpu_ms_per_req=client_cpu * 1000 / done if done else float("nan"),
        failures=failures,
        other_bodies=other_bodies,
        time_capped=capped,
    )


async def run_setup(
    server: Server,
    shapes: list[Shape],
    tenant: str,
    counts: dict[int, int],
    warmup: int,
    max_seconds: float,
) -> list[RunResult]:
    """Every shape at every concurrency against one server."""
    results = []
    for shape in shapes:
        for concurrency in CONCURRENCIES:
            result = await run_load(
                server, shape, tenant, concurrency, counts[concurrency], warmup, max_seconds
            )
            print(
                f"  {server.name:14} {shape.name:8} c={concurrency:<3} {result.requests:5} req "
                f"in {result.seconds:6.2f}s  {result.rps:8.1f} req/s  "
                f"p50 {result.p50_ms:7.2f} ms  p95 {result.p95_ms:7.2f} ms  "
                f"CPU {_fmt(result.server_cpu_ms_per_req)} ms/req",
                flush=True,
            )
            if result.failures:
                raise BenchError(
                    f"{server.name} {shape.name} c={concurrency}: {result.failures} failed requests"
                )
            results.append(result)
    return results


# --------------------------------------------------------------------------- report


def _fmt(value: float | None, digits: int = 2) -> str:
    return "n/a" if value is None or math.isnan(value) else f"{value:.{digits}f}"


def _ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or denominator is None or not denominator or math.isnan(numerator):
        return None
    return round(numerator / denominator, 3)


def table_rows(
    runs: dict[str, list[RunResult]],
    ceiling: list[RunResult],
    setups: list[Setup],
    statements: dict[str, dict[str, int]],
) -> list[dict[str, Any]]:
    """One row per shape, concurrency, cache and workers: head and base side by side."""
    by_key = {(r.server, r.shape, r.concurrency): r for rs in runs.values() for r in rs}
    top = {(r.shape, r.concurrency): r for r in ceiling}
    rows = []
    heads = [s for s in setups if s.tree == "head"]
    for (shape, concurrency), roof in top.items():
        for setup in heads:
            head = by_key[(setup.label, shape, concurrency)]
            base_label = Setup("base", setup.cache, setup.workers).label
            base = by_key.get((base_label, shape, concurrency))
            rows.append(
                {
                    "shape": shape,
                    "concurrency": concurrency,
                    "cache": setup.cache,
                    "workers": setup.workers,
                    "head_rps": round(head.rps, 1),
                    "head_p50_ms": round(head.p50_ms, 2),
                    "head_p95_ms": round(head.p95_ms, 2),
                    "head_cpu_ms_per_req": _round(head.server_cpu_ms_per_req),
                    "head_sql_per_req": statements.get(f"head/{setup.cache}", {}).get(shape),
                    "base_rps": round(base.rps, 1) if base else None,
                    "base_p50_ms": round(base.p50_ms, 2) if base else None,
                    "base_p95_ms": round(base.p95_ms, 2) if base else None,
                    "base_cpu_ms_per_req": _round(base.server_cpu_ms_per_req) if base else None,
                    "base_sql_per_req": statements.get(f"base/{setup.cache}", {}).get(shape),
                    "cpu_base_over_head": _ratio(
                        base.server_cpu_ms_per_req if base else None, head.server_cpu_ms_per_req
                    ),
                    "rps_head_over_base": _ratio(head.rps, base.rps if base else None),
                    "ceiling_rps": round(roof.rps, 1),
                    "ceiling_cpu_ms_per_req": _round(roof.server_cpu_ms_per_req),
                    "head_over_ceiling_rps": _ratio(head.rps, roof.rps),
                    "head_other_bodies": head.other_bodies,
                    "time_capped": head.time_capped
                    or roof.time_capped
                    or bool(base and base.time_capped),
                }
            )
    return rows


def _loadavg() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def _round(value: float | None) -> float | None:
    return None if value is None or math.isnan(value) else round(value, 3)


def _sql(value: int | None) -> str:
    return "n/a" if value is None else str(value)


def format_table(rows: list[dict[str, Any]]) -> str:
    header = (
        "shape",
        "c",
        "cache",
        "w",
        "head req/s",
        "head p50/p95 ms",
        "head CPU ms",
        "SQL",
        "base req/s",
        "base p50/p95 ms",
        "base CPU ms",
        "SQL",
        "CPU base/head",
        "ceiling req/s",
        "head/ceiling",
    )
    lines = []
    for r in rows:
        lines.append(
            (
                r["shape"] + (" *" if r["time_capped"] else ""),
                str(r["concurrency"]),
                r["cache"],
                str(r["workers"]),
                _fmt(r["head_rps"], 1),
                f"{_fmt(r['head_p50_ms'])} / {_fmt(r['head_p95_ms'])}",
                _fmt(r["head_cpu_ms_per_req"]),
                _sql(r["head_sql_per_req"]),
                _fmt(r["base_rps"], 1),
                f"{_fmt(r['base_p50_ms'])} / {_fmt(r['base_p95_ms'])}",
                _fmt(r["base_cpu_ms_per_req"]),
                _sql(r["base_sql_per_req"]),
                _fmt(r["cpu_base_over_head"]) + ("x" if r["cpu_base_over_head"] else ""),
                _fmt(r["ceiling_rps"], 1),
                _fmt(r["head_over_ceiling_rps"], 3),
            )
        )
    widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(header)]

    def render(cells: tuple[str, ...]) -> str:
        first = cells[0].ljust(widths[0])
        return "  ".join([first, *(c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True))])

    out = [render(header), "  ".join("-" * w for w in widths)]
    out.extend(render(line) for line in lines)
    return "\n".join(out)


# --------------------------------------------------------------------------- main


@contextlib.contextmanager
def workspace() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="cms-bench-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def request_counts(quick: bool, scale: float) -> tuple[dict[int, int], int]:
    base = QUICK_REQUESTS if quick else FULL_REQUESTS
    counts = {c: max(c, round(n * scale)) for c, n in base.items()}
    return counts, QUICK_WARMUP if quick else FULL_WARMUP


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.api", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small request counts (smoke check)")
    parser.add_argument(
        "--requests-scale",
        type=float,
        default=1.0,
        metavar="FLOAT",
        help="multiply every run's request count (default 1.0)",
    )
    parser.add_argument(
        "--workers", type=int, default=2, metavar="N", help="the several-workers setup (default 2)"
    )
    parser.add_argument(
        "--base", default=BASE_REF, help="git ref to compare with (default: %(default)s)"
    )
    parser.add_argument("--no-base", action="store_true", help="measure this checkout only")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the synthetic items")
    parser.add_argument("--tenant", help="CoP slug to query (default: chosen from the data)")
    parser.add_argument(
        "--max-run-seconds",
        type=float,
        default=60.0,
        help="stop any one run after this long, whatever its count (default 60)",
    )
    parser.add_argument(
        "--output", type=Path, default=OUT_DIR / "api.json", help="where to write the JSON table"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.requests_scale <= 0 or args.workers < 2:
        print("--requests-scale must be positive and --workers at least 2", file=sys.stderr)
        return 2
    counts, warmup = request_counts(args.quick, args.requests_scale)
    started = time.perf_counter()
    try:
        report = bench(args, counts, warmup)
    except BenchError as error:
        print(f"bench.api: FAILED: {error}", file=sys.stderr)
        return 1
    total = time.perf_counter() - started
    report["meta"]["total_seconds"] = round(total, 1)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"\nWrote {args.output}; the benchmark took {total:.0f}s.")
    return 0


@contextlib.contextmanager
def base_worktree(tmp: Path, ref: str | None) -> Iterator[Path | None]:
    """A detached `git worktree` of `ref` (None: no base), removed at the end."""
    if ref is None:
        yield None
        return
    path = tmp / "base-tree"
    done = subprocess.run(
        ["git", "worktree", "add", "--detach", str(path), ref],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise BenchError(f"git worktree add {ref} failed: {done.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(path)], cwd=ROOT, check=False)


def bench(args: argparse.Namespace, counts: dict[int, int], warmup: int) -> dict[str, Any]:
    base_env = dict(os.environ)
    load_before = _loadavg()
    setups = [
        Setup(tree, cache, workers)
        for tree in (("head",) if args.no_base else ("head", "base"))
        for workers in (1, args.workers)
        for cache in ("off", "on")
    ]
    with workspace() as tmp, base_worktree(tmp, None if args.no_base else args.base) as base:
        code = {"head": ROOT, **({"base": base} if base else {})}
        scripts = tmp / "scripts"
        scripts.mkdir()
        (scripts / "cms_bench_workers.py").write_text(WORKERS_SCRIPT, encoding="utf-8")
        first = "base" if base else "head"
        data = {tree: tmp / f"data-{tree}" for tree in code}
        data[first].mkdir()
        databases = {first: create_database(base_env, data[first])}
        servers: list[Server] = []
        runs: dict[str, list[RunResult]] = {}
        statements: dict[str, dict[str, int]] = {}
        try:
            env = server_env(base_env, data[first], databases[first], free_port(), code=code[first])
            print(
                f"Loading the seed and {SYNTHETIC} synthetic items into {databases[first].backend}"
                f" with the {first} code ...",
                flush=True,
            )
            content = load_content(code[first], env, args.seed)
            print(
                f"  seed {content['seed_seconds']}s, synthetic {content['synthetic_seconds']}s",
                flush=True,
            )
            if base:  # the same data for this checkout, migrated forward by its `cms serve`
                databases["head"] = copy_database(databases["base"], data["base"], data["head"])

            shapes: list[Shape] = []
            tenant = ""
            chosen: dict[str, Any] = {}
            ceiling: Server | None = None
            ceiling_runs: list[RunResult] = []
            shapes_path = tmp / "shapes.json"
            for setup in setups:
                tree = setup.tree
                env = server_env(
                    base_env,
                    data[tree],
                    databases[tree],
                    free_port(),
                    code=code[tree],
                    cache=setup.cache,
                )
                server = make_server(setup, code[tree], env, tmp, scripts)
                servers.append(server)
                server.start()
                ready = asyncio.run(server.wait_ready())
                asyncio.run(server.wait_workers(setup.workers))
                print(f"{setup.label} (pid {server.pid}) ready in {ready:.1f}s", flush=True)
                if not shapes:  # this checkout, cache off, one worker: the reference answers
                    tenant, shapes, chosen = asyncio.run(
                        capture_shapes(server.base_url, args.tenant)
                    )
                    print(
                        f"Tenant {tenant!r}; detail slug {chosen['detail_slug']!r}; bytes: "
                        + ", ".join(f"{s.name} {len(s.response)}" for s in shapes),
                        flush=True,
                    )
                    ceiling = start_ceiling(shapes, env, tmp)
                    servers.append(ceiling)
                    print(f"ceiling (pid {ceiling.pid}) ready on {ceiling.base_url}", flush=True)
                    print(f"Runs: {counts} requests after {warmup} warm-up requests", flush=True)
                    ceiling_runs = asyncio.run(
                        run_setup(ceiling, shapes, tenant, counts, warmup, args.max_run_seconds)
                    )
                    ceiling.stop()
                    shapes_path.write_text(
                        json.dumps(
                            {
                                s.name: {
                                    "body": s.body.decode(),
                                    "headers": {
                                        "Content-Type": "application/json",
                                        TENANT_HEADER: tenant,
                                    },
                                }
                                for s in shapes
                            }
                        ),
                        encoding="utf-8",
                    )
                runs[setup.label] = asyncio.run(
                    run_setup(server, shapes, tenant, counts, warmup, args.max_run_seconds)
                )
                server.stop()
                if setup.workers == 1:  # in process, with the tree's code and this cache
                    statements[f"{tree}/{setup.cache}"] = count_statements(
                        code[tree], env, shapes_path
                    )
                    print(f"  SQL statements per request: {statements[f'{tree}/{setup.cache}']}")
        finally:
            for server in reversed(servers):
                server.stop()
            for database in databases.values():
                drop_database(database)

    rows = table_rows(runs, ceiling_runs, setups, statements)
    print()
    print(format_table(rows))
    if any(r["time_capped"] for r in rows):
        print(f"* stopped at --max-run-seconds={args.max_run_seconds} before its request count")
    print(
        "CPU ms = server CPU per request, the master and all its workers; SQL = statements per "
        "request (in process, second identical request); CPU base/head = how many times cheaper"
    )
    print(f"load average before/after: {load_before} / {_loadavg()} on {os.cpu_count()} CPUs")
    other = {
        f"{r['shape']}/c{r['concurrency']}/{r['cache']}/w{r['workers']}": r["head_other_bodies"]
        for r in rows
    }
    if any(other.values()):
        print(f"note: answers from this checkout that differed from the captured bytes: {other}")

    return {
        "meta": {
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "quick": args.quick,
            "requests_scale": args.requests_scale,
            "requests": {str(c): n for c, n in counts.items()},
            "warmup": warmup,
            "workers": args.workers,
            "base": None if args.no_base else args.base,
            "database": databases[first].backend,
            "server_command": " ".join(["python -m", SERVER_MODULE, *SERVE_ARGS]),
            "tenant": tenant,
            **chosen,
            "synthetic": SYNTHETIC,
            "seed": args.seed,
            "content": content,
            "statements": statements,
            "response_bytes": {s.name: len(s.response) for s in shapes},
            "loadavg_before": load_before,
            "loadavg_after": _loadavg(),
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "rows": rows,
        "runs": [asdict(r) for rs in [ceiling_runs, *runs.values()] for r in rs],
    }


def start_ceiling(shapes: list[Shape], env: dict[str, str], tmp: Path) -> Server:
    """The bare Starlette app replaying the captured answers, on its own port."""
    responses_path = tmp / "responses.json"
    responses_path.write_text(
        json.dumps(
            {
                s.name: {"body": s.response.decode("utf-8"), "content_type": s.content_type}
                for s in shapes
            }
        ),
        encoding="utf-8",
    )
    port = free_port()
    ceiling = Server(
        "ceiling",
        [
            sys.executable,
            "-m",
            "bench.ceiling",
            "--responses",
            str(responses_path),
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        {**env, "CMS_PORT": str(port), "PYTHONPATH": str(ROOT)},
        port,
        tmp / "ceiling.log",
    )
    ceiling.start()
    asyncio.run(ceiling.wait_ready())
    return ceiling


if __name__ == "__main__":
    raise SystemExit(main())
