"""Search benchmark: Whoosh through GraphQL and the Python API beside SQLite FTS5 on the same texts.

    python -m bench.search [--sizes 10000,50000] [--repeats 5] [--data-dir DIR]

For each size, in one run:
1. A data dir with SQLite (a temporary one, or DIR/<size> with --data-dir): migrate, load the
   real seed content, then `load_synthetic(size)` over the CoP tenants (bulk rows, no outbox).
   With --data-dir a dir already built (it has `built.json`) is reused as it is, and its
   indexing figures are the ones measured when it was built: repeated runs skip the indexing.
2. `cms reindex`'s rebuild (`SearchService.rebuild`): indexing items/s, database reads included.
3. The same documents (`search_index.documents.load_documents`) into an SQLite FTS5 table
   (`porter unicode61 remove_diacritics 2`, title weighted 3) with the filter columns beside it:
   items/s for the reference.
4. 30 fixed queries (words, AND, phrases, OR/NOT, prefixes, a field, filters), each run as the
   platform audience (shared, published, published_at <= now): once cold (the first time that
   query meets this app: searchers, parsed queries and any result cache are empty for it), then
   `--repeats` times warm, three ways:
   - GraphQL: POST /graphql through the app in process (httpx ASGITransport: no sockets), 20 hits
     with highlights and facets, items hydrated from the database;
   - Python API: `Searching.search` (index only: parse, filter, top 20, 5 facets, highlights);
   - FTS5: top 20 by bm25 with snippet(), count(*), and GROUP BY facets on kind, language and
     tenant (tags and thematic areas are left out: FTS5 has no multi-valued facet).
5. Prints, per size, a table of cold and warm p50/p95 and p50 / FTS5 p50 (warm against warm).

The app's settings come from the environment (`Settings.from_env`) with the data dir and the
database replaced, so `CMS_SEARCH_CACHE=off|on` and the other search settings apply.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from cms import db
from cms.app import create_app
from cms.config import Settings
from search_index import Audience, Filters, SearchService
from search_index.documents import MODELS, load_documents, tenant_slugs

BUILT = "built.json"
FTS_FILE = "fts.sqlite3"

# (label, Whoosh/GraphQL query, FTS5 MATCH, filters)
QUERIES: list[tuple[str, str, str, dict[str, Any]]] = [
    ("word", "gender", "gender", {}),
    ("word", "budgeting", "budgeting", {}),
    ("word", "recruitment", "recruitment", {}),
    ("word", "harassment", "harassment", {}),
    ("word", "intersectionality", "intersectionality", {}),
    ("word", "mentoring", "mentoring", {}),
    ("word", "leadership", "leadership", {}),
    ("word", "curricula", "curricula", {}),
    ("word", "parental", "parental", {}),
    ("word", "monitoring", "monitoring", {}),
    ("and", "gender budgeting", "gender budgeting", {}),
    ("and", "career progression", "career progression", {}),
    ("and", "pay gap", "pay gap", {}),
    ("and", "selection panels", "selection panels", {}),
    ("and", "flexible working arrangements", "flexible working arrangements", {}),
    ("phrase", '"gender budgeting"', '"gender budgeting"', {}),
    ("phrase", '"career progression"', '"career progression"', {}),
    ("phrase", '"implicit bias"', '"implicit bias"', {}),
    ("phrase", '"parental leave"', '"parental leave"', {}),
    ("phrase", '"gender pay gap"', '"gender pay gap"', {}),
    ("or", "harassment OR violence", "harassment OR violence", {}),
    ("not", "mentoring NOT leadership", "mentoring NOT leadership", {}),
    ("or", "recruitment OR retention", "recruitment OR retention", {}),
    ("prefix", "equal*", "equal*", {}),
    ("prefix", "recruit*", "recruit*", {}),
    ("field", "title:budgeting", "title:budgeting", {}),
    ("filter", "gender", "gender", {"kinds": ("Resource",)}),
    ("filter", "policy", "policy", {"kinds": ("Video",)}),
    ("filter", "gender equality", "gender equality", {"language": "en"}),
    ("filter", "gender", "gender", {"tenants": ("genbudget",)}),
]

GRAPHQL = """
query($q: String!, $kinds: [SearchKind!], $language: String, $tenants: [String!]) {
  search(query: $q, kinds: $kinds, language: $language, tenants: $tenants, first: 20) {
    totalCount
    edges { node { score item { __typename slug } highlights { field snippet } } }
    facets { field values { value count } }
  }
}
"""
KIND_ENUM = {"Resource": "RESOURCE", "Video": "VIDEO"}


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


async def build_fts(path: Path) -> tuple[sqlite3.Connection, int, float]:
    conn = sqlite3.connect(path, check_same_thread=False)
    conn.executescript(
        """
        CREATE VIRTUAL TABLE fts USING fts5(
            title, text, kind UNINDEXED, tenant UNINDEXED, shared UNINDEXED, status UNINDEXED,
            published_at UNINDEXED, language UNINDEXED, tags UNINDEXED,
            tokenize = 'porter unicode61 remove_diacritics 2'
        );
        """
    )
    start = time.perf_counter()
    slugs = await tenant_slugs()
    count = 0
    for content_type, model in MODELS.items():
        last = 0
        while True:
            ids = list(
                await model.filter(id__gt=last)
                .order_by("id")
                .limit(2000)
                .values_list("id", flat=True)
            )
            if not ids:
                break
            last = ids[-1]
            docs = await load_documents(content_type, ids, slugs)
            rows = []
            for doc in docs.values():
                title = next(v for k, v in doc.items() if k.startswith("title_"))
                text = next(v for k, v in doc.items() if k.startswith("text_"))
                rows.append(
                    (
                        title,
                        text,
                        doc["kind"],
                        doc["tenant"],
                        int(doc["shared"]),
                        doc["status"],
                        doc["published_at"],
                        doc["language"],
                        f",{doc['tags']},",
                    )
                )
            conn.executemany("INSERT INTO fts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
            count += len(rows)
    conn.commit()
    return conn, count, time.perf_counter() - start


def fts_query(conn: sqlite3.Connection, match: str, filters: dict[str, Any], now: int) -> Any:
    where = "fts MATCH ? AND shared = 1 AND status = 'published' AND published_at <= ?"
    params: list[Any] = [match, now]
    if filters.get("kinds"):
        where += f" AND kind IN ({', '.join('?' for _ in filters['kinds'])})"
        params.extend(filters["kinds"])
    if filters.get("language"):
        where += " AND language = ?"
        params.append(filters["language"])
    if filters.get("tenants"):
        where += f" AND tenant IN ({', '.join('?' for _ in filters['tenants'])})"
        params.extend(filters["tenants"])
    top = conn.execute(
        "SELECT rowid, kind, snippet(fts, 1, '<mark>', '</mark>', ' … ', 24), "
        f"bm25(fts, 3.0, 1.0) AS rank FROM fts WHERE {where} ORDER BY rank LIMIT 20",
        params,
    ).fetchall()
    total = conn.execute(f"SELECT count(*) FROM fts WHERE {where}", params).fetchone()[0]
    facets = {
        column: conn.execute(
            f"SELECT {column}, count(*) FROM fts WHERE {where} GROUP BY {column}", params
        ).fetchall()
        for column in ("kind", "language", "tenant")
    }
    return top, total, facets


async def build(settings: Settings, items: int, data_dir: Path) -> dict[str, Any]:
    """Seed the database, build both indexes; their figures (kept in built.json)."""
    from seeds.loader import load_seed
    from seeds.synthetic import load_synthetic

    start = time.perf_counter()
    await load_seed()
    await load_synthetic(items, 1)
    print(f"[{items}] seeded in {time.perf_counter() - start:.1f}s", flush=True)
    service = SearchService.from_settings(settings)
    start, cpu = time.perf_counter(), time.process_time()
    indexed = await service.rebuild()
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"[{items}] whoosh: {indexed} items in {seconds:.1f}s ({cpu:.1f}s CPU)", flush=True)
    conn, fts_count, fts_seconds = await build_fts(data_dir / FTS_FILE)
    conn.close()
    print(f"[{items}] fts5: {fts_count} items in {fts_seconds:.1f}s", flush=True)
    figures = {
        "items": items,
        "indexed": indexed,
        "index_seconds": seconds,
        "index_cpu_seconds": cpu,
        "fts_count": fts_count,
        "fts_seconds": fts_seconds,
        "built": datetime.now(UTC).isoformat(),
    }
    (data_dir / BUILT).write_text(json.dumps(figures, indent=1))
    return figures


def bench_settings(data_dir: Path) -> Settings:
    env = {**os.environ, "CMS_DATA_DIR": str(data_dir), "CMS_SECRET_KEY": "bench"}
    env["CMS_DATABASE_URL"] = f"sqlite://{data_dir / 'cms.sqlite3'}"
    return Settings.from_env(env).with_overrides(tenant_cache_seconds=60.0)


async def run(items: int, repeats: int, data_dir: Path) -> dict[str, Any]:
    """Build (or reuse) the data dir of one size and time the 30 queries on it."""
    settings = bench_settings(data_dir)
    await db.init(settings)
    try:
        if (data_dir / BUILT).exists():
            figures = json.loads((data_dir / BUILT).read_text())
            print(f"[{items}] reusing {data_dir} (built {figures['built']})", flush=True)
        else:
            figures = await build(settings, items, data_dir)
        conn = sqlite3.connect(data_dir / FTS_FILE, check_same_thread=False)
        app = create_app(settings, manage_database=False)
        search = app.state.search
        now = datetime.now(UTC)
        audience = Audience(tenant_id=None, now=now)
        engines = ("graphql", "python", "fts5")
        cold: dict[str, list[float]] = {e: [] for e in engines}
        warm: dict[str, list[float]] = {e: [] for e in engines}
        totals: list[tuple[str, int, int]] = []
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for _label, query, match, filters in QUERIES:
                variables = {
                    "q": query,
                    "kinds": [KIND_ENUM[k] for k in filters.get("kinds", ())] or None,
                    "language": filters.get("language"),
                    "tenants": list(filters.get("tenants", ())) or None,
                }

                async def graphql(variables: dict[str, Any] = variables) -> None:
                    response = await client.post(
                        "/graphql", json={"query": GRAPHQL, "variables": variables}
                    )
                    body = response.json()
                    assert "errors" not in body, body

                flt = Filters(
                    kinds=tuple(filters.get("kinds", ())),
                    language=filters.get("language"),
                    tenants=tuple(filters.get("tenants", ())),
                )

                async def python(q: str = query, f: Filters = flt) -> None:
                    search.searching.search(q, audience, f, first=20)

                async def fts(m: str = match, f: dict[str, Any] = filters) -> None:
                    fts_query(conn, m, f, int(now.timestamp()))

                for engine, work in (("graphql", graphql), ("python", python), ("fts5", fts)):
                    first, *rest = await timed(work, repeats)
                    cold[engine].append(first)
                    warm[engine].extend(rest)
                whoosh_total = search.searching.search(query, audience, flt, first=1).total
                fts_total = fts_query(conn, match, filters, int(now.timestamp()))[1]
                totals.append((query, whoosh_total, fts_total))
        await search.stop()
        conn.close()
    finally:
        await db.close()
    return {**figures, "cold": cold, "warm": warm, "totals": totals}


async def timed(work: Callable[[], Any], repeats: int) -> list[float]:
    """Milliseconds of one cold run, then of `repeats` warm ones."""
    samples = []
    for _ in range(1 + repeats):
        start = time.perf_counter()
        await work()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def report(result: dict[str, Any], repeats: int) -> None:
    print()
    print(f"{'query':<36} {'whoosh hits':>11} {'fts5 hits':>10}")
    for query, a, b in result["totals"]:
        print(f"{query:<36} {a:>11} {b:>10}")
    print()
    cache = os.environ.get("CMS_SEARCH_CACHE", "default")
    print(
        f"Search benchmark: {result['indexed']} items (real seed + {result['items']} synthetic), "
        f"{len(QUERIES)} queries, 1 cold + {repeats} warm runs each, platform scope, "
        f"facets and highlights, CMS_SEARCH_CACHE={cache}"
    )
    whoosh_rate = result["indexed"] / result["index_seconds"]
    fts_rate = result["fts_count"] / result["fts_seconds"]
    fts_warm = statistics.median(result["warm"]["fts5"])
    print(
        f"{'engine':<24} {'index items/s':>13} {'cold p50':>9} {'cold p95':>9} "
        f"{'warm p50':>9} {'warm p95':>9} {'warm p50/FTS5':>14}"
    )
    names = {
        "graphql": ("Whoosh via GraphQL", whoosh_rate),
        "python": ("Whoosh via Python API", whoosh_rate),
        "fts5": ("SQLite FTS5 (reference)", fts_rate),
    }
    for engine, (name, rate) in names.items():
        c, w = result["cold"][engine], result["warm"][engine]
        print(
            f"{name:<24} {rate:>13.0f} {statistics.median(c):>9.2f} {percentile(c, 95):>9.2f} "
            f"{statistics.median(w):>9.2f} {percentile(w, 95):>9.2f} "
            f"{statistics.median(w) / fts_warm:>13.1f}x"
        )
    print(
        f"Whoosh indexing: {result['index_seconds']:.1f}s wall, "
        f"{result['index_cpu_seconds']:.1f}s CPU in this process ("
        f"{1000 * result['index_cpu_seconds'] / result['indexed']:.2f} CPU ms/item)"
    )


async def run_all(sizes: list[int], repeats: int, data_dir: Path | None) -> None:
    results = []
    for items in sizes:
        if data_dir is not None:
            path = data_dir / str(items)
            path.mkdir(parents=True, exist_ok=True)
            results.append(await run(items, repeats, path))
        else:
            with tempfile.TemporaryDirectory(prefix="cms-bench-search-") as tmp:
                results.append(await run(items, repeats, Path(tmp)))
    for result in results:
        report(result, repeats)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.search", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--sizes",
        default="10000,50000",
        help="synthetic items per data set, comma-separated (default 10000,50000)",
    )
    parser.add_argument("--repeats", type=int, default=5, help="warm runs per query (default 5)")
    parser.add_argument(
        "--data-dir",
        type=Path,
        help="keep each size's data in DIR/<size> and reuse it when already built",
    )
    args = parser.parse_args(argv)
    sizes = [int(part) for part in args.sizes.split(",") if part.strip()]
    asyncio.run(run_all(sizes, args.repeats, args.data_dir))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
