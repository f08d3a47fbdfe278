"""Lean execution benchmark: server CPU per request of bench/api's read shapes, in process,
this checkout beside a base commit, in one run.

    python -m bench.lean [--base abc9655] [--requests 200] [--rounds 2] [--profile DIR]
                         [--data DIR] [--no-base]

1. One fresh temp data dir with SQLite: migrate, the real seed, the synthetic items of
   bench/api (`SYNTHETIC`), and the search outbox drained (so no indexer work runs while
   measuring). Each tree gets its own copy of that data dir.
2. The base commit is checked out with `git worktree add` into a temp dir (removed at the end).
3. For each round and each tree (base first, then this checkout), a subprocess runs this file
   with `python -P` and PYTHONPATH=<tree>, so it imports that tree's code: it builds the app
   with `create_app`, runs its lifespan (start-up as `cms serve` does it), and calls the ASGI
   app directly (no sockets, no HTTP client: the CPU measured is the server's) with the exact
   request bodies of bench/api. Per shape: a warm-up, then `--requests` requests timed with
   `time.process_time()` (all threads of the process: aiosqlite's included).
4. CPU ms/request per tree is the median over the rounds; the ratio is base ÷ this checkout.
   The responses of both trees are compared (same data, same bytes expected modulo key order).

`--profile DIR` also writes a cProfile of each shape on this checkout (`DIR/<shape>.prof`) and
prints its top functions. See bench/README.md ("Lean execution").
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SHAPES = ("homepage", "list50", "detail")
WARMUP = 30


# --------------------------------------------------------------------------- worker


def _scope(tenant: str, body: bytes) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"bench.invalid"),
            (b"content-type", b"application/json"),
            (b"accept", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"x-cms-tenant", tenant.encode()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }


async def _call(app: Any, tenant: str, body: bytes) -> tuple[int, bytes]:
    """One request straight through the ASGI app: (status, response body)."""
    sent = False
    status = 0
    chunks: list[bytes] = []

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(_scope(tenant, body), receive, send)
    return status, b"".join(chunks)


def _other_threads_cpu() -> float:
    """CPU seconds of this process's threads other than the main one (aiosqlite's worker,
    the search poller's threads), from /proc; 0 where there is no /proc."""
    total = 0
    main = os.getpid()
    try:
        tasks = os.listdir("/proc/self/task")
    except OSError:
        return 0.0
    for task in tasks:
        if int(task) == main:
            continue
        try:
            with open(f"/proc/self/task/{task}/stat", encoding="ascii") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


async def _worker(args: argparse.Namespace) -> dict[str, Any]:
    from cms.app import create_app
    from cms.config import Settings

    env = dict(os.environ, CMS_DATA_DIR=args.data_dir)
    env["CMS_DATABASE_URL"] = f"sqlite://{Path(args.data_dir) / 'cms.sqlite3'}"
    settings = Settings.from_env(env)
    app = create_app(settings)
    with open(args.bodies, encoding="utf-8") as fh:  # noqa: ASYNC230 - before any request
        bodies: dict[str, str] = json.load(fh)
    result: dict[str, Any] = {"cpu_ms": {}, "gc_ms": {}, "threads_ms": {}, "responses": {}}
    import gc

    in_gc = [0.0, 0.0]  # started, total

    def collector(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            in_gc[0] = time.process_time()
        else:
            in_gc[1] += time.process_time() - in_gc[0]

    gc.callbacks.append(collector)
    async with app.router.lifespan_context(app):
        for shape in args.only.split(",") if args.only else SHAPES:
            body = bodies[shape].encode()
            for _ in range(WARMUP):
                status, answer = await _call(app, args.tenant, body)
                if status != 200 or b'"errors"' in answer:
                    raise SystemExit(f"{shape}: {status} {answer[:1000]!r}")
            result["responses"][shape] = json.loads(answer)
            profiler = None
            if args.profile:
                import cProfile

                profiler = cProfile.Profile()
                profiler.enable()
            in_gc[1] = 0.0
            threads = _other_threads_cpu()
            started = time.process_time()
            for _ in range(args.requests):
                await _call(app, args.tenant, body)
            spent = time.process_time() - started
            threads = _other_threads_cpu() - threads
            result["threads_ms"][shape] = threads * 1000 / args.requests
            result["gc_ms"][shape] = in_gc[1] * 1000 / args.requests
            if profiler is not None:
                profiler.disable()
                profiler.dump_stats(str(Path(args.profile) / f"{shape}.prof"))
            result["cpu_ms"][shape] = spent * 1000 / args.requests
    return result


# --------------------------------------------------------------------------- driver


def _prepare(data_dir: Path) -> tuple[str, dict[str, str]]:
    """The seeded data dir, the tenant of the shapes and their request bodies."""
    sys.path.insert(0, str(ROOT))
    from bench.api import DETAIL, HOMEPAGE, LIST50, SYNTHETIC, load_content

    env = dict(os.environ, CMS_DATA_DIR=str(data_dir))
    env["CMS_DATABASE_URL"] = f"sqlite://{data_dir / 'cms.sqlite3'}"
    started = time.perf_counter()
    load_content(ROOT, env, 1)
    print(f"data: seed + {SYNTHETIC} in {time.perf_counter() - started:.0f} s", flush=True)
    started = time.perf_counter()
    tenant, slug = asyncio.run(_drain_and_choose(env, LIST50))
    print(f"outbox drained, tenant {tenant} in {time.perf_counter() - started:.0f} s", flush=True)
    bodies = {
        "homepage": json.dumps({"query": HOMEPAGE}),
        "list50": json.dumps({"query": LIST50}),
        "detail": json.dumps({"query": DETAIL, "variables": {"slug": slug}}),
    }
    return tenant, bodies


async def _drain_and_choose(env: dict[str, str], list50: str) -> tuple[str, str]:
    import httpx

    from bench.api import _check, choose_tenant
    from cms.app import create_app
    from cms.config import Settings

    settings = Settings.from_env(env)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        from cms.models import OutboxEvent

        # The lifespan's poller indexes what the loading wrote: wait until it is done (a base
        # tree marks events processed; this one keeps a position per consumer).
        if "processed_at" in OutboxEvent._meta.fields_map:
            while await OutboxEvent.filter(processed_at=None).exists():  # noqa: ASYNC110
                await asyncio.sleep(0.5)
        else:
            from cms import outbox

            consumer = app.state.search.indexer.consumer
            while True:
                position = await outbox.position_of(consumer) or outbox.START
                if not await outbox.pending(position, 1):
                    break
                await asyncio.sleep(0.5)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            tenant, _ = await choose_tenant(client)
            response = await client.post(
                "/graphql", json={"query": list50}, headers={"X-CMS-Tenant": tenant}
            )
            listed = _check("list50", response, response.json())
            nodes = [e["node"] for e in listed["resources"]["edges"]]
    with_authors = [n for n in nodes if n["authors"] and n["tags"]]
    return tenant, (with_authors or nodes)[0]["slug"]


def _run_tree(tree: Path, data_dir: Path, args: argparse.Namespace, tenant: str,
              bodies_path: Path, profile: str | None) -> dict[str, Any]:  # fmt: skip
    out = data_dir.parent / f"result-{tree.name}-{time.monotonic_ns()}.json"
    argv = [
        sys.executable, "-P", str(Path(__file__).resolve()), "worker",
        "--data-dir", str(data_dir), "--tenant", tenant, "--bodies", str(bodies_path),
        "--requests", str(args.requests), "--out", str(out),
    ]  # fmt: skip
    if profile:
        argv += ["--profile", profile]
    env = dict(os.environ, PYTHONPATH=str(tree))
    subprocess.run(argv, cwd=tree, env=env, check=True)
    result: dict[str, Any] = json.loads(out.read_text())
    out.unlink()
    return result


def _print_profile(directory: str) -> None:
    import pstats

    for shape in SHAPES:
        print(f"\n--- profile of {shape} (this checkout), top by own time")
        stats = pstats.Stats(str(Path(directory) / f"{shape}.prof"))
        stats.sort_stats("tottime").print_stats(25)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", nargs="?", default="run", choices=("run", "worker"))
    parser.add_argument("--base", default="abc9655", help="the commit to compare with")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per shape")
    parser.add_argument("--rounds", type=int, default=2, help="runs per tree (median taken)")
    parser.add_argument("--profile", default=None, help="write cProfile files here")
    parser.add_argument("--no-base", action="store_true", help="measure this checkout only")
    parser.add_argument("--data", default=None, help="prepare (or reuse) the seeded data here")
    # worker options
    parser.add_argument("--data-dir")
    parser.add_argument("--tenant")
    parser.add_argument("--bodies")
    parser.add_argument("--out")
    parser.add_argument("--only", default=None, help="worker: these shapes (comma-separated)")
    args = parser.parse_args()

    if args.mode == "worker":
        result = asyncio.run(_worker(args))
        Path(args.out).write_text(json.dumps(result))
        return

    temp = Path(tempfile.mkdtemp(prefix="cms-lean-"))
    base_tree = temp / "base"
    try:
        seeded = Path(args.data) if args.data else temp / "seeded"
        meta = seeded / "lean-bench.json"
        if meta.exists():  # a data dir prepared by an earlier run with --data
            tenant, bodies = json.loads(meta.read_text())
        else:
            seeded.mkdir(parents=True, exist_ok=True)
            tenant, bodies = _prepare(seeded)
            meta.write_text(json.dumps([tenant, bodies]))
        bodies_path = temp / "bodies.json"
        bodies_path.write_text(json.dumps(bodies))
        trees = {"head": ROOT}
        if not args.no_base:
            subprocess.run(
                ["git", "worktree", "add", "--detach", str(base_tree), args.base],
                cwd=ROOT, check=True, capture_output=True,
            )  # fmt: skip
            trees = {"base": base_tree, "head": ROOT}
        dirs = {}
        for name in trees:
            dirs[name] = temp / f"data-{name}"
            shutil.copytree(seeded, dirs[name], ignore=shutil.ignore_patterns("lean-bench.json"))
        if args.profile:
            Path(args.profile).mkdir(parents=True, exist_ok=True)
        runs: dict[str, list[dict[str, float]]] = {name: [] for name in trees}
        responses: dict[str, Any] = {}
        for round_ in range(args.rounds):
            for name, tree in trees.items():
                profile = args.profile if (name == "head" and round_ == args.rounds - 1) else None
                result = _run_tree(tree, dirs[name], args, tenant, bodies_path, None)
                runs[name].append(result["cpu_ms"])
                responses[name] = result["responses"]
                print(f"round {round_ + 1} {name}: " + ", ".join(
                    f"{s} {result['cpu_ms'][s]:.2f} (gc {result['gc_ms'][s]:.2f}, "
                    f"db thread {result['threads_ms'][s]:.2f})"
                    for s in SHAPES
                ), flush=True)  # fmt: skip
                if profile:
                    _run_tree(tree, dirs[name], args, tenant, bodies_path, profile)
        print(f"\nServer CPU ms/request, in process, {args.requests} requests per shape, "
              f"median of {args.rounds} rounds, tenant {tenant}")  # fmt: skip
        print(f"{'shape':10} {'base':>8} {'head':>8} {'base/head':>10}  same data")
        for shape in SHAPES:
            head = statistics.median(r[shape] for r in runs["head"])
            if "base" in runs:
                base = statistics.median(r[shape] for r in runs["base"])
                same = responses["base"][shape] == responses["head"][shape]
                print(f"{shape:10} {base:8.2f} {head:8.2f} {base / head:9.2f}x  {same}")
            else:
                print(f"{shape:10} {'-':>8} {head:8.2f}")
        if args.profile:
            _print_profile(args.profile)
    finally:
        if base_tree.exists():
            subprocess.run(
                ["git", "worktree", "remove", "--force", str(base_tree)], cwd=ROOT, check=False
            )
        shutil.rmtree(temp, ignore_errors=True)


if __name__ == "__main__":
    main()
