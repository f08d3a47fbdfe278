"""Query time of the search benchmark's 30 queries on a kept data dir, for before/after runs.

    python -m bench.search_query --data DIR [--items 10000] [--repeats 5] [--profile N]

1. `--data DIR`: a data dir made once (migrate, the real seed, `load_synthetic(items, 1)`) and
   kept, so that two checkouts (a `git worktree` of the base and this one) can be measured on
   the same rows: copy the dir, run each checkout's interpreter on its own copy. The index is
   rebuilt only when it is missing or was built with other fields than this checkout's.
2. Each of `bench.search.QUERIES`, as the platform audience, once to warm up and then
   `--repeats` times: the Python API (`Searching.search`, facets and highlights) and GraphQL
   (POST /graphql in process, 20 hits with highlights and all facets, hydrated from SQLite)
   with the result cache off. p50/p95 over all samples, and CPU ms per query (process time).
3. `--profile N`: cProfile of query N (index into QUERIES) through the Python API, 10 runs,
   the top functions by cumulative and by own time.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import pstats
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from bench.search import GRAPHQL, KIND_ENUM, QUERIES, percentile
from cms import db
from cms.app import create_app
from cms.config import Settings
from search_index import Audience, Filters, SearchService


def _settings(data: Path) -> Settings:
    settings = Settings(data_dir=data, secret_key="bench", tenant_cache_seconds=60.0)
    if hasattr(settings, "search_cache"):  # the result cache stays out of these figures
        settings = settings.with_overrides(search_cache=False)
    return settings


async def prepare(data: Path, items: int, fresh: bool) -> None:
    from seeds.loader import load_seed
    from seeds.synthetic import load_synthetic

    settings = _settings(data)
    await db.init(settings)
    try:
        if fresh:
            start = time.perf_counter()
            await load_seed()
            await load_synthetic(items, 1)
            print(f"seeded {items} in {time.perf_counter() - start:.1f}s", flush=True)
        service = SearchService.from_settings(settings)
        if service.store.current_name() is None or service.store.current_is_stale():
            start = time.perf_counter()
            count = await service.rebuild()
            print(f"indexed {count} in {time.perf_counter() - start:.1f}s", flush=True)
        await service.drain()
        await service.stop()
    finally:
        await db.close()


def _filters(spec: dict[str, Any]) -> Filters:
    return Filters(
        kinds=tuple(spec.get("kinds", ())),
        language=spec.get("language"),
        tenants=tuple(spec.get("tenants", ())),
    )


async def measure(data: Path, repeats: int, profile: int | None) -> None:
    settings = _settings(data)
    await db.init(settings)
    app = create_app(settings, manage_database=False)
    searching = app.state.search.searching
    audience = Audience(tenant_id=None, now=datetime.now(UTC))
    samples: dict[str, list[float]] = {"python": [], "graphql": []}
    per_query: list[tuple[str, float, float]] = []
    cpu: dict[str, float] = {"python": 0.0, "graphql": 0.0}
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for _label, query, _match, spec in QUERIES:
                flt = _filters(spec)
                variables = {
                    "q": query,
                    "kinds": [KIND_ENUM[k] for k in spec.get("kinds", ())] or None,
                    "language": spec.get("language"),
                    "tenants": list(spec.get("tenants", ())) or None,
                }
                for engine in ("python", "graphql"):
                    mark = len(samples[engine]), time.process_time()
                    for run in range(repeats + 1):
                        wall, proc = time.perf_counter(), time.process_time()
                        if engine == "python":
                            searching.search(query, audience, flt, first=20)
                        else:
                            response = await client.post(
                                "/graphql", json={"query": GRAPHQL, "variables": variables}
                            )
                            body = response.json()
                            assert "errors" not in body, body
                        if run:  # the first is the warm-up
                            samples[engine].append((time.perf_counter() - wall) * 1000)
                            cpu[engine] += (time.process_time() - proc) * 1000
                    if engine == "python":
                        mine = samples[engine][mark[0] :]
                        spent = (time.process_time() - mark[1]) * 1000 / (repeats + 1)
                        per_query.append((query, statistics.median(mine), spent))
        if profile is not None:
            _label, query, _match, spec = QUERIES[profile]
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(10):
                searching.search(query, audience, _filters(spec), first=20)
            profiler.disable()
            for order in ("cumulative", "tottime"):
                out = io.StringIO()
                pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(25)
                print(f"--- profile of {query!r} x10, by {order}")
                print(out.getvalue())
        count = searching.count()
    finally:
        await app.state.search.stop()
        await db.close()
    print(f"{'query (Python API)':<36} {'p50 ms':>8} {'CPU ms':>8}")
    for query, median, spent in per_query:
        print(f"{query:<36} {median:>8.2f} {spent:>8.2f}")
    print(f"{count} documents, {len(QUERIES)} queries x {repeats} runs, platform scope, cache off")
    print(f"{'engine':<22} {'p50 ms':>8} {'p95 ms':>8} {'CPU ms/q':>9}")
    for engine, values in samples.items():
        print(
            f"{engine:<22} {statistics.median(values):>8.2f} {percentile(values, 95):>8.2f} "
            f"{cpu[engine] / len(values):>9.2f}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.search_query", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--data", type=Path, required=True, help="data dir (made if missing)")
    parser.add_argument("--items", type=int, default=10_000, help="synthetic items if made")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per query")
    parser.add_argument("--profile", type=int, default=None, help="profile query N of QUERIES")
    args = parser.parse_args(argv)
    fresh = not (args.data / "cms.sqlite3").exists()
    args.data.mkdir(parents=True, exist_ok=True)
    asyncio.run(prepare(args.data, args.items, fresh))
    asyncio.run(measure(args.data, args.repeats, args.profile))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
