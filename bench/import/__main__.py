"""Import benchmark: items/s of `cms import-plone` on a synthetic 2,000-item Plone export.

    python -m bench.import [--items N] [--seed S] [--json FILE]

1. A fresh temporary data dir; SQLite in it by default, or a fresh database
   `cms_bench_<pid>_<hex>` on the server when `CMS_DATABASE_URL` is a `postgres://` URL
   (dropped at the end). `cms.db.init` migrates; one empty CoP tenant is created.
2. `bench.plone_export.write_export` writes a deterministic collective.exportimport export of
   N items (default 2,000: folders, documents, news with lead images, events, links, files,
   images; half the binaries inline base64, half as blob paths) — not timed.
3. Four runs, one after the other, each timed by wall clock and by this process's CPU time
   (the database is in-process for SQLite; PostgreSQL's own CPU is not counted):
   - `dry run`: the whole import inside a transaction that is rolled back;
   - `first import`: everything is created (revisions, audit and outbox rows included);
   - `repeat`: the same export again — every item is matched by UID and compared;
   - `newer export`: the same export with 10 % of the titles changed (updates + revisions).
4. items/s = items in the export / wall seconds. The ratios to the first import are the
   figures to compare across machines.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


async def _database_url(base: str | None, data_dir: Path) -> tuple[str, Any]:
    if not base or not base.startswith("postgres"):
        return f"sqlite://{data_dir / 'cms.sqlite3'}", None
    import asyncpg

    name = f"cms_bench_{os.getpid()}_{secrets.token_hex(3)}"
    admin = await asyncpg.connect(base.replace("postgres://", "postgresql://", 1))
    await admin.execute(f'CREATE DATABASE "{name}"')

    async def drop() -> None:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()

    return base.rsplit("/", 1)[0] + f"/{name}", drop


async def _timed(label: str, work: Any, items: int) -> dict[str, Any]:
    cpu, wall = time.process_time(), time.perf_counter()
    report = await work()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    counts = {o: report.total(o) for o in ("imported", "updated", "unchanged", "skipped")}
    print(
        f"  {label:<14} {wall:7.2f} s  {items / wall:8.1f} items/s  cpu {cpu:6.2f} s  {counts}",
        file=sys.stderr,
    )
    return {
        "run": label,
        "seconds": wall,
        "cpu_seconds": cpu,
        "items_per_s": items / wall,
        **counts,
    }


async def run(items: int, seed: int) -> dict[str, Any]:
    from bench.plone_export import write_export
    from cms import db, models
    from cms.config import Settings
    from importers.plone import import_plone

    with tempfile.TemporaryDirectory(prefix="cms-bench-import-") as temp:
        data_dir = Path(temp) / "data"
        url, drop = await _database_url(os.environ.get("CMS_DATABASE_URL"), data_dir)
        settings = Settings(data_dir=data_dir, database_url=url, secret_key="bench")
        export = write_export(Path(temp) / "export", items=items, seed=seed)
        blobs = export.parent / "blobs"
        newer = export.parent / "newer.json"
        document = json.loads(export.read_text())
        for n, item in enumerate(document):
            if n % 10 == 0 and item.get("title"):
                item["title"] += " (revised)"
        newer.write_text(json.dumps(document))
        await db.init(settings)
        try:
            await models.Tenant.create(slug="bench", name="Bench CoP", kind="cop")

            def once(path: Path, dry_run: bool = False) -> Any:
                return lambda: import_plone(settings, "bench", path, blobs=blobs, dry_run=dry_run)

            print(f"{items} items, {url.split('://')[0]}", file=sys.stderr)
            runs = [
                await _timed("dry run", once(export, True), items),
                await _timed("first import", once(export), items),
                await _timed("repeat", once(export), items),
                await _timed("newer export", once(newer), items),
            ]
        finally:
            await db.close()
            if drop is not None:
                await drop()
    first = runs[1]["seconds"]
    for entry in runs:
        entry["time_vs_first_import"] = entry["seconds"] / first
    return {"items": items, "seed": seed, "database": url.split("://")[0], "runs": runs}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.import", description=__doc__)
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)
    result = asyncio.run(run(args.items, args.seed))
    print()
    print("| run | seconds | items/s | CPU s | time ÷ first import |")
    print("|---|---|---|---|---|")
    for r in result["runs"]:
        print(
            f"| {r['run']} | {r['seconds']:.2f} | {r['items_per_s']:.1f} | "
            f"{r['cpu_seconds']:.2f} | {r['time_vs_first_import']:.2f} |"
        )
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
