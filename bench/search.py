"""Search benchmark: Whoosh through GraphQL and the Python API beside SQLite FTS5 on the same texts.

    python -m bench.search [--items 50000] [--repeats 5]

1. A fresh temporary data dir with SQLite: migrate, load the real seed content, then
   `load_synthetic(items)` over the CoP tenants (bulk rows, no outbox).
2. `cms reindex`'s rebuild (`SearchService.rebuild`): indexing items/s, database reads included.
3. The same documents (`search_index.documents.load_documents`) into an SQLite FTS5 table
   (`porter unicode61 remove_diacritics 2`, title weighted 3) with the filter columns beside it:
   items/s for the reference.
4. 30 fixed queries (words, AND, phrases, OR/NOT, prefixes, a field, filters), each run as the
   platform audience (shared, published, published_at <= now) and timed `--repeats` times after
   one warm-up, three ways:
   - GraphQL: POST /graphql through the app in process (httpx ASGITransport: no sockets), 20 hits
     with highlights and facets, items hydrated from the database;
   - Python API: `Searching.search` (index only: parse, filter, top 20, 5 facets, highlights);
   - FTS5: top 20 by bm25 with snippet(), count(*), and GROUP BY facets on kind, language and
     tenant (tags and thematic areas are left out: FTS5 has no multi-valued facet).
5. Prints the table; p50 ratio = Python API p50 / FTS5 p50 (the issue's aim: <= 2).
"""

from __future__ import annotations

import argparse
import asyncio
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


async def timed(work: Callable[[], Any], repeats: int) -> list[float]:
    await work()  # warm-up
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        await work()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


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


async def run(items: int, repeats: int) -> None:
    from seeds.loader import load_seed
    from seeds.synthetic import load_synthetic

    with tempfile.TemporaryDirectory(prefix="cms-bench-search-") as tmp:
        settings = Settings(data_dir=Path(tmp), secret_key="bench")
        await db.init(settings)
        try:
            start = time.perf_counter()
            await load_seed()
            await load_synthetic(items, 1)
            print(f"seeded in {time.perf_counter() - start:.1f}s", flush=True)
            service = SearchService.from_settings(settings)
            start = time.perf_counter()
            indexed = await service.rebuild()
            index_seconds = time.perf_counter() - start
            print(f"whoosh: {indexed} items in {index_seconds:.1f}s", flush=True)
            conn, fts_count, fts_seconds = await build_fts(Path(tmp) / "fts.sqlite3")
            print(f"fts5: {fts_count} items in {fts_seconds:.1f}s", flush=True)

            app = create_app(
                settings.with_overrides(tenant_cache_seconds=60.0), manage_database=False
            )
            now = datetime.now(UTC)
            audience = Audience(tenant_id=None, now=now)
            samples: dict[str, list[float]] = {"graphql": [], "python": [], "fts5": []}
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

                    searching = app.state.search.searching
                    flt = Filters(
                        kinds=tuple(filters.get("kinds", ())),
                        language=filters.get("language"),
                        tenants=tuple(filters.get("tenants", ())),
                    )

                    async def python(
                        q: str = query, f: Filters = flt, searching: Any = searching
                    ) -> None:
                        searching.search(q, audience, f, first=20)

                    async def fts(m: str = match, f: dict[str, Any] = filters) -> None:
                        fts_query(conn, m, f, int(now.timestamp()))

                    samples["graphql"] += await timed(graphql, repeats)
                    samples["python"] += await timed(python, repeats)
                    samples["fts5"] += await timed(fts, repeats)
                    whoosh_total = searching.search(query, audience, flt, first=1).total
                    totals.append(
                        (
                            query,
                            whoosh_total,
                            fts_query(conn, match, filters, int(now.timestamp()))[1],
                        )
                    )
            await app.state.search.stop()
            conn.close()
        finally:
            await db.close()

    print()
    print(f"{'query':<36} {'whoosh hits':>11} {'fts5 hits':>10}")
    for query, a, b in totals:
        print(f"{query:<36} {a:>11} {b:>10}")
    print()
    fts_p50 = statistics.median(samples["fts5"])
    print(
        f"Search benchmark: {indexed} items (real seed + {items} synthetic), "
        f"{len(QUERIES)} queries x {repeats} runs, platform scope"
    )
    print(f"{'engine':<26} {'index items/s':>14} {'p50 ms':>8} {'p95 ms':>8} {'p50 / FTS5':>11}")
    rows = [
        ("Whoosh via GraphQL", indexed / index_seconds, samples["graphql"]),
        ("Whoosh via Python API", indexed / index_seconds, samples["python"]),
        ("SQLite FTS5 (reference)", fts_count / fts_seconds, samples["fts5"]),
    ]
    for name, rate, values in rows:
        p50 = statistics.median(values)
        print(
            f"{name:<26} {rate:>14.0f} {p50:>8.2f} {percentile(values, 95):>8.2f} "
            f"{p50 / fts_p50:>10.1f}x"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.search", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--items", type=int, default=50_000, help="synthetic items (default 50000)")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per query (default 5)")
    args = parser.parse_args(argv)
    asyncio.run(run(args.items, args.repeats))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
