"""API benchmark: three GraphQL query shapes against `cms serve`, beside a bare Starlette ceiling.

    python -m bench.api [--quick] [--requests-scale FLOAT]

1. A fresh temporary data dir (SQLite there, or a fresh temporary database on the PostgreSQL
   server of CMS_DATABASE_URL when that is a loopback postgres:// URL): migrate, load the real
   seed content, then the synthetic items over the CoP tenants; close the database.
2. Serve it exactly as `make run` does (`cms serve --no-access-log --log-level warning` in a
   subprocess, on a free loopback port) and wait for GET /healthz.
3. Capture one response per shape (homepage, list50, detail) and check it has data, no errors.
4. Serve those exact bytes from `bench.ceiling` (same uvicorn options) in a second subprocess.
5. For each shape at concurrency 1 and 16, a warm-up then a bounded run against each server from
   one httpx.AsyncClient: requests/s, p50/p95 latency, and server CPU per request (from
   /proc/<pid>/stat before and after the run). Print the table, write bench/out/api.json.

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


async def _load_content(env: Mapping[str, str], seed: int) -> dict[str, Any]:
    from cms import db
    from cms.config import Settings
    from seeds.loader import load_seed
    from seeds.synthetic import load_synthetic

    settings = Settings.from_env(env)
    await db.init(settings)
    try:
        started = time.perf_counter()
        seed_report = await load_seed()
        seeded = time.perf_counter()
        synthetic_report = await load_synthetic(sum(SYNTHETIC.values()), seed, **SYNTHETIC)
        done = time.perf_counter()
    finally:
        await db.close()
    return {
        "seed": str(seed_report),
        "seed_seconds": round(seeded - started, 2),
        "synthetic": synthetic_report,
        "synthetic_seconds": round(done - seeded, 2),
    }


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


@dataclass
class Server:
    """A server subprocess on a loopback port; its output goes to a log file."""

    name: str
    argv: list[str]
    env: dict[str, str]
    port: int
    log_path: Path
    process: subprocess.Popen[bytes] | None = None

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
                cwd=ROOT,
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
        return process_cpu_seconds(self.pid) if self.process is not None else None

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
    base: Mapping[str, str], data_dir: Path, database: Database, port: int
) -> dict[str, str]:
    env = dict(base)
    env.update(
        CMS_DATA_DIR=str(data_dir),
        CMS_DATABASE_URL=database.url,
        CMS_HOST=LOOPBACK,
        CMS_PORT=str(port),
        PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), base.get("PYTHONPATH", "")) if p),
    )
    return env


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


async def run_all(
    ours: Server,
    ceiling: Server,
    shapes: list[Shape],
    tenant: str,
    counts: dict[int, int],
    warmup: int,
    max_seconds: float,
) -> list[tuple[RunResult, RunResult]]:
    pairs = []
    for shape in shapes:
        for concurrency in CONCURRENCIES:
            results = []
            for server in (ours, ceiling):
                result = await run_load(
                    server, shape, tenant, concurrency, counts[concurrency], warmup, max_seconds
                )
                print(
                    f"  {server.name:8} {shape.name:8} c={concurrency:<3} {result.requests:5} req "
                    f"in {result.seconds:6.2f}s  {result.rps:8.1f} req/s  "
                    f"p50 {result.p50_ms:7.2f} ms  p95 {result.p95_ms:7.2f} ms",
                    flush=True,
                )
                if result.failures:
                    raise BenchError(
                        f"{server.name} {shape.name} c={concurrency}: "
                        f"{result.failures} failed requests"
                    )
                results.append(result)
            pairs.append((results[0], results[1]))
    return pairs


# --------------------------------------------------------------------------- report


def _fmt(value: float | None, digits: int = 2) -> str:
    return "n/a" if value is None or math.isnan(value) else f"{value:.{digits}f}"


def table_rows(pairs: list[tuple[RunResult, RunResult]]) -> list[dict[str, Any]]:
    rows = []
    for ours, ceiling in pairs:
        rows.append(
            {
                "shape": ours.shape,
                "concurrency": ours.concurrency,
                "requests": ours.requests,
                "ceiling_requests": ceiling.requests,
                "ours_rps": round(ours.rps, 1),
                "ceiling_rps": round(ceiling.rps, 1),
                "ratio": round(ours.rps / ceiling.rps, 3) if ceiling.rps else None,
                "ours_p50_ms": round(ours.p50_ms, 2),
                "ours_p95_ms": round(ours.p95_ms, 2),
                "ceiling_p50_ms": round(ceiling.p50_ms, 2),
                "ceiling_p95_ms": round(ceiling.p95_ms, 2),
                "ours_cpu_ms_per_req": _round(ours.server_cpu_ms_per_req),
                "ceiling_cpu_ms_per_req": _round(ceiling.server_cpu_ms_per_req),
                "ours_client_cpu_ms_per_req": _round(ours.client_cpu_ms_per_req),
                "ceiling_client_cpu_ms_per_req": _round(ceiling.client_cpu_ms_per_req),
                "ours_other_bodies": ours.other_bodies,
                "time_capped": ours.time_capped or ceiling.time_capped,
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


def format_table(rows: list[dict[str, Any]]) -> str:
    header = (
        "shape",
        "c",
        "ours req/s",
        "ceiling req/s",
        "ratio",
        "ours p50/p95 ms",
        "ceiling p50/p95 ms",
        "ours CPU ms/req",
        "ceiling CPU ms/req",
    )
    lines = []
    for r in rows:
        lines.append(
            (
                r["shape"] + (" *" if r["time_capped"] else ""),
                str(r["concurrency"]),
                _fmt(r["ours_rps"], 1),
                _fmt(r["ceiling_rps"], 1),
                _fmt(r["ratio"], 3),
                f"{_fmt(r['ours_p50_ms'])} / {_fmt(r['ours_p95_ms'])}",
                f"{_fmt(r['ceiling_p50_ms'])} / {_fmt(r['ceiling_p95_ms'])}",
                _fmt(r["ours_cpu_ms_per_req"]),
                _fmt(r["ceiling_cpu_ms_per_req"]),
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
    if args.requests_scale <= 0:
        print("--requests-scale must be positive", file=sys.stderr)
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


def bench(args: argparse.Namespace, counts: dict[int, int], warmup: int) -> dict[str, Any]:
    base_env = dict(os.environ)
    load_before = _loadavg()
    with workspace() as tmp:
        data_dir = tmp / "data"
        data_dir.mkdir()
        database = create_database(base_env, data_dir)
        servers: list[Server] = []
        try:
            env = server_env(base_env, data_dir, database, free_port())
            print(
                f"Loading the seed and {SYNTHETIC} synthetic items into {database.backend} ...",
                flush=True,
            )
            content = asyncio.run(_load_content(env, args.seed))
            print(
                f"  seed {content['seed_seconds']}s, synthetic {content['synthetic_seconds']}s",
                flush=True,
            )

            ours = Server(
                "ours",
                [sys.executable, "-m", SERVER_MODULE, *SERVE_ARGS],
                env,
                int(env["CMS_PORT"]),
                tmp / "ours.log",
            )
            servers.append(ours)
            ours.start()
            ready = asyncio.run(ours.wait_ready())
            print(
                f"cms serve (pid {ours.pid}) ready on {ours.base_url} in {ready:.1f}s", flush=True
            )

            tenant, shapes, chosen = asyncio.run(capture_shapes(ours.base_url, args.tenant))
            print(
                f"Tenant {tenant!r}; detail slug {chosen['detail_slug']!r}; response bytes: "
                + ", ".join(f"{s.name} {len(s.response)}" for s in shapes),
                flush=True,
            )

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
            ceiling_port = free_port()
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
                {**env, "CMS_PORT": str(ceiling_port)},
                ceiling_port,
                tmp / "ceiling.log",
            )
            servers.append(ceiling)
            ceiling.start()
            asyncio.run(ceiling.wait_ready())
            print(f"ceiling (pid {ceiling.pid}) ready on {ceiling.base_url}", flush=True)

            print(
                f"Runs: {counts} requests per concurrency after {warmup} warm-up requests",
                flush=True,
            )
            pairs = asyncio.run(
                run_all(ours, ceiling, shapes, tenant, counts, warmup, args.max_run_seconds)
            )
        finally:
            for server in reversed(servers):
                server.stop()
            drop_database(database)

    rows = table_rows(pairs)
    print()
    print(format_table(rows))
    if any(r["time_capped"] for r in rows):
        print(f"* stopped at --max-run-seconds={args.max_run_seconds} before its request count")
    client = ", ".join(
        f"{r['shape']}/c{r['concurrency']} {_fmt(r['ours_client_cpu_ms_per_req'])}"
        f"|{_fmt(r['ceiling_client_cpu_ms_per_req'])}"
        for r in rows
    )
    print(f"load generator CPU ms/req (ours|ceiling): {client}")
    print(f"load average before/after: {load_before} / {_loadavg()} on {os.cpu_count()} CPUs")
    other = {f"{r['shape']}/c{r['concurrency']}": r["ours_other_bodies"] for r in rows}
    if any(other.values()):
        print(f"note: answers from our server that differed from the captured bytes: {other}")

    return {
        "meta": {
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "quick": args.quick,
            "requests_scale": args.requests_scale,
            "requests": {str(c): n for c, n in counts.items()},
            "warmup": warmup,
            "database": database.backend,
            "server_command": " ".join(["python -m", SERVER_MODULE, *SERVE_ARGS]),
            "tenant": tenant,
            **chosen,
            "synthetic": SYNTHETIC,
            "seed": args.seed,
            "content": content,
            "response_bytes": {s.name: len(s.response) for s in shapes},
            "loadavg_before": load_before,
            "loadavg_after": _loadavg(),
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
        "rows": rows,
        "runs": [asdict(r) for pair in pairs for r in pair],
    }


if __name__ == "__main__":
    raise SystemExit(main())
