"""Response cache benchmark: the API's three shapes with the response cache off and on, beside
the bare Starlette ceiling, in one run on one data set.

    python -m bench.cache [--quick] [--requests-scale FLOAT]

The data, the shapes, the load and the figures are bench/api.py's (see bench/README.md); this
serves the same data dir from two `cms serve` processes, one with CMS_RESPONSE_CACHE=off and
one with the cache on (the default), and the ceiling with the captured bytes. A warm-up fills
the cache, so the cached runs measure hits: one generation query and the stored bytes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

from bench.api import (
    OUT_DIR,
    SERVE_ARGS,
    SERVER_MODULE,
    SYNTHETIC,
    RunResult,
    Server,
    _fmt,
    _load_content,
    _loadavg,
    capture_shapes,
    create_database,
    drop_database,
    free_port,
    request_counts,
    run_load,
    server_env,
    workspace,
)

CONCURRENCIES = (1, 16)


def _server(name: str, env: dict[str, str], tmp: Path, argv: list[str] | None = None) -> Server:
    port = free_port()
    command = argv or [sys.executable, "-m", SERVER_MODULE, *SERVE_ARGS]
    return Server(name, command, {**env, "CMS_PORT": str(port)}, port, tmp / f"{name}.log")


async def _runs(
    servers: list[Server], shapes: list[Any], tenant: str, counts: dict[int, int], warmup: int
) -> list[RunResult]:
    results = []
    for shape in shapes:
        for concurrency in CONCURRENCIES:
            for server in servers:
                result = await run_load(
                    server, shape, tenant, concurrency, counts[concurrency], warmup, 120.0
                )
                print(
                    f"  {server.name:9} {shape.name:8} c={concurrency:<3} {result.rps:8.1f} req/s "
                    f"cpu {_fmt(result.server_cpu_ms_per_req)} ms/req "
                    f"p50 {result.p50_ms:6.2f} p95 {result.p95_ms:6.2f} ms",
                    flush=True,
                )
                results.append(result)
    return results


def _table(results: list[RunResult]) -> str:
    by = {(r.server, r.shape, r.concurrency): r for r in results}
    lines = [
        "shape     c   uncached ms/req  cached ms/req  ratio   uncached rps  cached rps  "
        "ceiling rps  cached/ceiling"
    ]
    for shape, concurrency in sorted({(r.shape, r.concurrency) for r in results}):
        off, on, top = (by[(s, shape, concurrency)] for s in ("uncached", "cached", "ceiling"))
        ratio = (
            off.server_cpu_ms_per_req / on.server_cpu_ms_per_req
            if off.server_cpu_ms_per_req and on.server_cpu_ms_per_req
            else float("nan")
        )
        lines.append(
            f"{shape:8} {concurrency:3}   {_fmt(off.server_cpu_ms_per_req):>14}  "
            f"{_fmt(on.server_cpu_ms_per_req):>13}  {_fmt(ratio, 1):>5}x  {off.rps:12.1f}  "
            f"{on.rps:10.1f}  {top.rps:11.1f}  {on.rps / top.rps:13.0%}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer requests")
    parser.add_argument("--requests-scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    counts, warmup = request_counts(args.quick, args.requests_scale)
    base_env = dict(os.environ)
    load_before = _loadavg()
    with workspace() as tmp:
        data_dir = tmp / "data"
        data_dir.mkdir()
        database = create_database(base_env, data_dir)
        servers: list[Server] = []
        try:
            env = server_env(base_env, data_dir, database, free_port())
            print(f"Loading the seed and {SYNTHETIC} synthetic items ...", flush=True)
            asyncio.run(_load_content(env, args.seed))
            uncached = _server("uncached", {**env, "CMS_RESPONSE_CACHE": "off"}, tmp)
            cached = _server("cached", {**env, "CMS_RESPONSE_CACHE": "on"}, tmp)
            for server in (uncached, cached):
                servers.append(server)
                server.start()
                asyncio.run(server.wait_ready())
            tenant, shapes, _ = asyncio.run(capture_shapes(uncached.base_url, None))
            responses = tmp / "responses.json"
            responses.write_text(
                json.dumps(
                    {
                        s.name: {"body": s.response.decode(), "content_type": s.content_type}
                        for s in shapes
                    }
                )
            )
            ceiling = _server(
                "ceiling",
                env,
                tmp,
                [sys.executable, "-m", "bench.ceiling", "--responses", str(responses)]
                + ["--no-access-log", "--log-level", "warning"],
            )
            servers.append(ceiling)
            ceiling.start()
            asyncio.run(ceiling.wait_ready())
            print(f"Tenant {tenant!r}; runs {counts} after {warmup} warm-up requests", flush=True)
            results = asyncio.run(_runs(servers, shapes, tenant, counts, warmup))
        finally:
            for server in reversed(servers):
                server.stop()
            drop_database(database)
    print()
    print(_table(results))
    print(f"load average before/after: {load_before} / {_loadavg()} on {os.cpu_count()} CPUs")
    OUT_DIR.mkdir(exist_ok=True)
    (OUT_DIR / "cache.json").write_text(
        json.dumps({"runs": [r.__dict__ for r in results]}, indent=1)
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
