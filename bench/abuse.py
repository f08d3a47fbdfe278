"""Abuse benchmark: each attack of the hardening issue as a request, on a base commit and on
this tree, in one run, with what it costs the server.

    python -m bench.abuse [--base REF] [--only NAME,...] [--timeout S] [--synthetic N]

For each tree (a `git worktree` of REF, default the commit before the hardening work, and this
checkout):

1. A fresh temporary data dir with SQLite: `cms migrate`, `cms seed`, `cms seed --synthetic N`,
   and an editor token of STEM-POWER from `cms create-token`, each run with that tree's code.
2. `cms serve` of that tree in a subprocess on a free loopback port; wait for /healthz and for
   the index to answer a search.
3. Each attack in turn: the peak RSS of the server is reset (`/proc/PID/clear_refs`), the
   attack's requests are sent while a second client polls /healthz every 0.2 s, then the
   figures are read: server CPU seconds (utime + stime from /proc/PID/stat), peak RSS during
   the attack (VmHWM), RSS one second after, the slowest /healthz answer (how long every other
   tenant waited), and the outcome (the answer's status and first error code, or a leak).
   An attack that gets no answer within --timeout has its server killed and restarted.

The table prints base and this tree side by side; bench/out/abuse.json keeps the figures.
The client shares the machine with the server: CPU seconds are the server's own, read from
/proc, and comparable within one run.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx

from bench.api import LOOPBACK, free_port, process_cpu_seconds

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = Path(__file__).resolve().parent / "out"
BASE_REF = "0521fb33199e62e90e58559a770b26bac705bdf0"  # main before the hardening issue
TENANT = "stem-power"
HEADERS = {"X-CMS-Tenant": TENANT}
READY_TIMEOUT = 120.0


# --------------------------------------------------------------------------- attacks


def fragment_chain(levels: int) -> str:
    """Fragments that each spread the next one twice: 2^levels paths through one document."""
    parts = [f"query Chain {{ ...F{levels} }}", "fragment F0 on Query { site { name } }"]
    parts += [f"fragment F{i} on Query {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, levels + 1)]
    return "\n".join(parts)


def aliases_of(field_text: str, count: int = 30) -> str:
    return "query Many {\n" + "\n".join(f"  a{i}: {field_text}" for i in range(count)) + "\n}"


RESOURCES_100 = (
    "resources(first: 100) { edges { node { id title summary body publishedAt "
    "tags { name slug } authors { name slug organisation { name } } "
    "coverImage { url width height } } } }"
)
SEARCH_100 = (
    'search(query: "gender equality", scope: KNOWLEDGE_BASE, first: 100) { totalCount '
    "edges { node { score highlights { field snippet } item { __typename } } } "
    "facets { field values { value count } } suggestion }"
)
SEARCH_ONE = (
    "query S($q: String!) { search(query: $q, first: 20) { totalCount "
    "edges { node { score highlights { field snippet } } } facets { field values { value count } } "
    "suggestion } }"
)
# Every area's overlapping-fields check compares each pair of same-named fields.
OVERLAP = "query O {\n" + "\n".join("  site { name acronym }" for _ in range(800)) + "\n}"
OVERLAP_FRAGMENTS = (
    "query O { "
    + " ".join(f"...F{i}" for i in range(50))
    + " }\n"
    + "\n".join(
        f"fragment F{i} on Query {{ {' '.join(['site { name }'] * 10)} }}" for i in range(50)
    )
)

UPLOAD_IMAGE = (
    'mutation U($file: Upload!) { uploadImage(file: $file, alt: "bench") '
    "{ image { id width height url } errors { code message } } }"
)
UPLOAD_FILE = (
    'mutation U($file: Upload!) { uploadFile(file: $file, title: "bench") '
    "{ file { id url } errors { code message } } }"
)
CREATE_NEWS = (
    "mutation N($input: CreateNewsItemInput!) { createNewsItem(input: $input) "
    "{ newsItem { id slug } errors { code field message } } }"
)
PUBLISH = (
    "mutation P($id: ID!, $at: DateTime) { publish(id: $id, at: $at) { errors { code message } } }"
)
CREATE_PROFILE = (
    "mutation P($input: CreateProfileInput!) { createProfile(input: $input) "
    "{ profile { id } errors { code message } } }"
)
CREATE_RESOURCE = (
    "mutation R($input: CreateResourceInput!) { createResource(input: $input) "
    "{ resource { id } errors { code message } } }"
)


@dataclass
class Outcome:
    """What the attacker got back."""

    text: str
    leaked: bool = False


@dataclass
class Target:
    """One running server of one tree, as the attacks see it."""

    base_url: str
    token: str
    client: httpx.AsyncClient
    state: dict[str, Any] = field(default_factory=dict)

    async def graphql(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        token: bool = False,
        tenant: bool = True,
    ) -> tuple[int, dict[str, Any]]:
        headers = dict(HEADERS) if tenant else {}
        if token:
            headers["Authorization"] = f"Bearer {self.token}"
        headers["Content-Type"] = "application/json"
        # ASCII-escaped JSON, so that a lone surrogate travels as a real client sends it.
        body = json.dumps({"query": query, "variables": variables or {}})
        response = await self.client.post("/graphql", content=body, headers=headers)
        try:
            body = response.json()
        except ValueError:
            body = {"errors": [{"message": response.text[:200]}]}
        return response.status_code, body

    async def upload(self, mutation: str, name: str, data: bytes, mime: str) -> dict[str, Any]:
        operations = json.dumps({"query": mutation, "variables": {"file": None}})
        response = await self.client.post(
            "/graphql",
            headers={**HEADERS, "Authorization": f"Bearer {self.token}"},
            data={"operations": operations, "map": json.dumps({"0": ["variables.file"]})},
            files={"0": (name, data, mime)},
        )
        return response.json()


def summarise(status: int, body: dict[str, Any]) -> str:
    errors = body.get("errors") or []
    if errors:
        extensions = errors[0].get("extensions") or {}
        code = extensions.get("code", "?")
        message = str(errors[0].get("message", ""))[:70]
        return f"{status} {code}: {message}"
    return f"{status} data"


def payload_errors(body: dict[str, Any]) -> list[dict[str, Any]]:
    data = body.get("data") or {}
    for value in data.values():
        if isinstance(value, dict) and value.get("errors"):
            return list(value["errors"])
    return []


async def attack_query(
    target: Target, query: str, variables: dict[str, Any] | None = None
) -> Outcome:
    status, body = await target.graphql(query, variables)
    return Outcome(summarise(status, body))


async def attack_searches(target: Target, queries: list[str]) -> Outcome:
    texts = []
    for q in queries:
        status, body = await target.graphql(SEARCH_ONE, {"q": q})
        texts.append(summarise(status, body))
    return Outcome(texts[0] if len(set(texts)) == 1 else "; ".join(texts))


async def attack_search_bursts(target: Target, bursts: int = 6, width: int = 24) -> Outcome:
    words = ["gender", "equality", "mentoring", "budgeting", "policy", "career", "toolkit"]
    answered = 0
    for burst in range(bursts):
        results = await asyncio.gather(
            *(
                target.graphql(SEARCH_ONE, {"q": f"{words[(burst + i) % len(words)]} {i}"})
                for i in range(width)
            ),
            return_exceptions=True,
        )
        answered += sum(1 for r in results if not isinstance(r, BaseException) and r[0] == 200)
    return Outcome(f"{answered}/{bursts * width} answered")


def big_jpeg(width: int = 7200, height: int = 5500) -> bytes:
    """About 40 megapixels of smooth noise: compresses to a few MB."""
    from PIL import Image

    small = Image.effect_noise((width // 16, height // 16), 60).convert("RGB")
    image = small.resize((width, height))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=70)
    return buffer.getvalue()


async def published_news_with_image(target: Target, image_id: str) -> str | None:
    title = f"Bench image {time.time_ns()}"
    _, body = await target.graphql(
        CREATE_NEWS, {"input": {"title": title, "imageId": image_id}}, token=True
    )
    item = ((body.get("data") or {}).get("createNewsItem") or {}).get("newsItem")
    if not item:
        return None
    await target.graphql(PUBLISH, {"id": item["id"]}, token=True)
    return str(item["slug"])


async def attack_renditions(target: Target) -> Outcome:
    """16 distinct sizes and qualities of a 40 MP image, fetched at once by an anonymous caller."""
    slug = target.state.get("big_image_slug")
    if slug is None:
        return Outcome("setup failed: no published 40 MP image")
    specs = [(1000 + 173 * i, 40 + 3 * i) for i in range(16)]
    urls: list[str] = []
    refused: list[str] = []
    for width, quality in specs:
        query = (
            "query R($slug: String!, $w: Int!, $q: Int!) { newsItem(slug: $slug) "
            "{ image { rendition(width: $w, quality: $q, format: WEBP) { url } } } }"
        )
        status, body = await target.graphql(query, {"slug": slug, "w": width, "q": quality})
        node = (body.get("data") or {}).get("newsItem") or {}
        rendition = (node.get("image") or {}).get("rendition")
        if rendition:
            urls.append(rendition["url"])
        else:
            refused.append(summarise(status, body))
    responses = await asyncio.gather(*(target.client.get(u) for u in urls), return_exceptions=True)
    ok = sum(1 for r in responses if isinstance(r, httpx.Response) and r.status_code == 200)
    rendered = len(set(urls))
    text = f"{ok}/{len(urls)} served, {rendered} distinct files"
    if refused:
        text += f"; {len(refused)} refused ({refused[0]})"
    return Outcome(text)


async def attack_body(target: Target, body_html: str) -> Outcome:
    status, body = await target.graphql(
        CREATE_NEWS, {"input": {"title": f"Body {time.time_ns()}", "body": body_html}}, token=True
    )
    errors = payload_errors(body)
    if errors:
        return Outcome(
            f"{status} refused {errors[0].get('code')}: {errors[0].get('message', '')[:60]}"
        )
    return Outcome(summarise(status, body))


async def attack_scheduled_offset(target: Target) -> Outcome:
    """Scheduled two hours ahead, written with -10:00: must not be public now."""
    title = f"Scheduled {time.time_ns()}"
    _, body = await target.graphql(CREATE_NEWS, {"input": {"title": title}}, token=True)
    item = ((body.get("data") or {}).get("createNewsItem") or {}).get("newsItem")
    if not item:
        return Outcome("setup failed: " + summarise(200, body))
    at = (datetime.now(UTC) + timedelta(hours=2)).astimezone(timezone(timedelta(hours=-10)))
    await target.graphql(PUBLISH, {"id": item["id"], "at": at.isoformat()}, token=True)
    _, seen = await target.graphql(
        "query Q($slug: String!) { newsItem(slug: $slug) { id } }", {"slug": item["slug"]}
    )
    leaked = bool((seen.get("data") or {}).get("newsItem"))
    return Outcome("public hours early" if leaked else "hidden until its time", leaked)


async def attack_hidden_author(target: Target) -> Outcome:
    """A draft profile's name, reached through a published resource's indexed text."""
    name = "Quillon Zephyrine"
    _, body = await target.graphql(CREATE_PROFILE, {"input": {"name": name}}, token=True)
    profile = ((body.get("data") or {}).get("createProfile") or {}).get("profile")
    if not profile:
        return Outcome("setup failed: " + summarise(200, body))
    _, body = await target.graphql(
        CREATE_RESOURCE,
        {
            "input": {
                "title": f"Toolkit {time.time_ns()}",
                "kind": "TOOLKIT",
                "authors": [profile["id"]],
            }
        },
        token=True,
    )
    resource = ((body.get("data") or {}).get("createResource") or {}).get("resource")
    if not resource:
        return Outcome("setup failed: " + summarise(200, body))
    await target.graphql(PUBLISH, {"id": resource["id"]}, token=True)
    seen = 0
    for _ in range(40):  # the indexer drains the outbox shortly after the write
        _, result = await target.graphql(SEARCH_ONE, {"q": "Zephyrine"})
        seen = ((result.get("data") or {}).get("search") or {}).get("totalCount") or 0
        if seen:
            break
        await asyncio.sleep(0.25)
    return Outcome("draft author's name found" if seen else "not found", bool(seen))


def jpeg_zip() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), "red").save(buffer, "JPEG")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("index.html", "<script>alert(document.domain)</script>")
        zf.comment = b"\xff\xd9"  # the archive, and so the file, ends like a JPEG
    return buffer.getvalue() + archive.getvalue()


def jpeg_markup() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), "blue").save(buffer, "JPEG")
    data = buffer.getvalue()
    comment = b"<img src=x onerror=alert(document.domain)>"
    segment = b"\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment
    return data[:2] + segment + data[2:]


def png_zip() -> bytes:
    """A PNG followed by a ZIP whose comment is an IEND chunk, so the file ends like a PNG."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), "green").save(buffer, "PNG")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("index.html", "<script>alert(document.domain)</script>")
        zf.comment = b"\x00\x00\x00\x00IEND\xaeB`\x82"
    return buffer.getvalue() + archive.getvalue()


async def attack_draft_media(target: Target) -> Outcome:
    """An image only a draft could use, fetched by an anonymous caller."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.effect_noise((320, 200), 50).convert("RGB").save(buffer, "JPEG")
    body = await target.upload(UPLOAD_IMAGE, "draft.jpg", buffer.getvalue(), "image/jpeg")
    image = ((body.get("data") or {}).get("uploadImage") or {}).get("image")
    if not image:
        return Outcome("setup failed: " + summarise(200, body))
    url = image["url"]
    response = await target.client.get(url)
    leaked = response.status_code == 200
    return Outcome(f"{response.status_code} for the public", leaked)


async def attack_polyglot(target: Target, mutation: str, data: bytes) -> Outcome:
    body = await target.upload(mutation, "photo.jpg", data, "image/jpeg")
    errors = payload_errors(body)
    if errors:
        return Outcome(f"refused {errors[0].get('code')}")
    if body.get("errors"):
        return Outcome(summarise(200, body))
    return Outcome("accepted", leaked=True)


@dataclass
class Attack:
    name: str
    what: str
    run: Callable[[Target], Awaitable[Outcome]]


ATTACKS = [
    Attack("fragments-20", "20-level fragment chain (anonymous)",
           lambda t: attack_query(t, fragment_chain(20))),
    Attack("fragments-40", "40-level fragment chain (anonymous)",
           lambda t: attack_query(t, fragment_chain(40))),
    Attack("overlap-800", "800 same-named fields in one selection",
           lambda t: attack_query(t, OVERLAP)),
    Attack("overlap-fragments", "50 fragments of 10 same-named fields",
           lambda t: attack_query(t, OVERLAP_FRAGMENTS)),
    Attack("aliases-resources", "30 aliases of resources(first: 100) with relations",
           lambda t: attack_query(t, aliases_of(RESOURCES_100))),
    Attack("aliases-search", "30 aliased searches with facets and highlights",
           lambda t: attack_query(t, aliases_of(SEARCH_100))),
    Attack("search-typo3", "search 'equality~3'",
           lambda t: attack_searches(t, ["equality~3"])),
    Attack("search-wildcards", "4 searches '*e*', '*a*', '*i*', '*o*'",
           lambda t: attack_searches(t, ["*e*", "*a*", "*i*", "*o*"])),
    Attack("search-vowels", "search '*a* *e* *i* *o* *u*'",
           lambda t: attack_searches(t, ["*a* *e* *i* *o* *u*"])),
    Attack("search-unknown", "search an unknown word (typo retry)",
           lambda t: attack_searches(t, ["zqxvbrmtkoln"])),
    Attack("search-bursts", "6 bursts of 24 concurrent searches (RSS after = memory kept)",
           attack_search_bursts),
    Attack("renditions-16", "16 rendition specs of a 40 MP JPEG",
           attack_renditions),
    Attack("richtext-lt", "news body of 60,000 '<' (editor)",
           lambda t: attack_body(t, "<" * 60_000)),
    Attack("richtext-nest", "news body of 40,000 nested <div> (editor)",
           lambda t: attack_body(t, "<div>" * 39_999 + "x")),
    Attack("date-offset", "publish two hours ahead written with -10:00",
           attack_scheduled_offset),
    Attack("hidden-author", "a draft author's name through search",
           attack_hidden_author),
    Attack("upload-jpeg-zip", "JPEG+ZIP uploaded as a File",
           lambda t: attack_polyglot(t, UPLOAD_FILE, jpeg_zip())),
    Attack("upload-png-zip", "PNG+ZIP ending in an IEND chunk, as an Image",
           lambda t: attack_polyglot(t, UPLOAD_IMAGE, png_zip())),
    Attack("draft-media", "an image no published item uses, fetched anonymously",
           attack_draft_media),
    Attack("lone-surrogate", "a lone surrogate in a variable",
           lambda t: attack_query(t, SEARCH_ONE, {"q": "gender \ud800"})),
    Attack("upload-jpeg-html", "JPEG with markup in a comment, as an Image",
           lambda t: attack_polyglot(t, UPLOAD_IMAGE, jpeg_markup())),
]  # fmt: skip


# --------------------------------------------------------------------------- servers


def rss_kib(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) of a process in KiB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0])
    return values.get("VmRSS", 0), values.get("VmHWM", 0)


def reset_peak(pid: int) -> None:
    with contextlib.suppress(OSError):
        Path(f"/proc/{pid}/clear_refs").write_text("5")


class Tree:
    """One checkout's code, its data dir and its running server."""

    def __init__(self, name: str, code: Path, work: Path, synthetic: int) -> None:
        self.name = name
        self.code = code
        self.data = work / f"data-{name}"
        self.synthetic = synthetic
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.log = work / f"server-{name}.log"
        self.token = ""

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CMS_")}
        env.update(
            CMS_DATA_DIR=str(self.data),
            CMS_HOST=LOOPBACK,
            CMS_PORT=str(self.port),
            CMS_SECRET_KEY="bench-abuse",
            PYTHONPATH=str(self.code),
        )
        return env

    def cli(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "cms.cli", *args],
            cwd=self.code,
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise SystemExit(f"{self.name}: cms {' '.join(args)} failed:\n{done.stderr[-2000:]}")
        return done.stdout

    def prepare(self) -> None:
        self.data.mkdir(parents=True, exist_ok=True)
        self.cli("migrate")
        self.cli("seed")
        if self.synthetic:
            self.cli("seed", "--synthetic", str(self.synthetic))
        out = self.cli("create-token", "--tenant", TENANT, "--role", "editor", "--name", "abuse")
        tokens = re.findall(r"[A-Za-z0-9_\-]{24,}", out)
        if not tokens:
            raise SystemExit(f"{self.name}: no token in create-token's output: {out!r}")
        self.token = tokens[-1]

    def start(self) -> None:
        log = self.log.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "cms.cli", "serve", "--no-access-log", "--log-level", "warning"],
            cwd=self.code,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        log.close()

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    async def wait_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT
        async with httpx.AsyncClient(base_url=self.base_url, timeout=5.0) as client:
            while time.monotonic() < deadline:
                assert self.process is not None
                if self.process.poll() is not None:
                    raise SystemExit(f"{self.name} server exited:\n{self.log.read_text()[-2000:]}")
                with contextlib.suppress(httpx.HTTPError, ValueError):
                    if (await client.get("/healthz")).status_code == 200:
                        response = await client.post(
                            "/graphql",
                            json={"query": SEARCH_ONE, "variables": {"q": "gender"}},
                            headers=HEADERS,
                        )
                        total = ((response.json().get("data") or {}).get("search") or {}).get(
                            "totalCount"
                        )
                        if total:
                            return
                await asyncio.sleep(0.25)
        raise SystemExit(f"{self.name} server not ready:\n{self.log.read_text()[-2000:]}")

    @property
    def base_url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"


@dataclass
class Figure:
    attack: str
    tree: str
    outcome: str
    leaked: bool
    cpu_s: float | None
    peak_mib: float
    rss_before_mib: float
    rss_after_mib: float
    healthz_worst_s: float
    answered: bool


async def poll_health(base_url: str, stop: asyncio.Event) -> float:
    """The slowest /healthz answer while the attack runs (seconds); a request still waiting
    when the attack ends counts for as long as it has waited."""
    worst = 0.0
    async with httpx.AsyncClient(base_url=base_url, timeout=None) as client:
        while not stop.is_set():
            started = time.perf_counter()
            probe = asyncio.create_task(client.get("/healthz"))
            stopping = asyncio.create_task(stop.wait())
            await asyncio.wait({probe, stopping}, return_when=asyncio.FIRST_COMPLETED)
            worst = max(worst, time.perf_counter() - started)
            if not probe.done():
                probe.cancel()
                stopping.cancel()
                break
            stopping.cancel()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 0.2)
    return worst


async def setup_state(tree: Tree, target: Target, attacks: list[Attack]) -> None:
    if any(a.name == "renditions-16" for a in attacks):
        body = await target.upload(UPLOAD_IMAGE, "big.jpg", big_jpeg(), "image/jpeg")
        image = ((body.get("data") or {}).get("uploadImage") or {}).get("image")
        if image:
            target.state["big_image_slug"] = await published_news_with_image(target, image["id"])
        else:
            print(f"  {tree.name}: 40 MP upload refused: {body}", file=sys.stderr)


async def run_tree(tree: Tree, attacks: list[Attack], limit: float) -> list[Figure]:
    figures: list[Figure] = []
    tree.start()
    await tree.wait_ready()
    state: dict[str, Any] = {}
    async with httpx.AsyncClient(base_url=tree.base_url, timeout=limit) as client:
        await setup_state(tree, Target(tree.base_url, tree.token, client, state), attacks)
    for attack in attacks:
        await asyncio.sleep(1.0)
        reset_peak(tree.pid)
        before, _ = rss_kib(tree.pid)
        cpu_before = process_cpu_seconds(tree.pid)
        stop = asyncio.Event()
        health = asyncio.create_task(poll_health(tree.base_url, stop))
        answered = True
        async with httpx.AsyncClient(base_url=tree.base_url, timeout=limit) as client:
            target = Target(tree.base_url, tree.token, client, state)
            try:
                outcome = await asyncio.wait_for(attack.run(target), limit)
            except (TimeoutError, httpx.TimeoutException):
                outcome, answered = Outcome(f"no answer in {limit:.0f} s"), False
            except httpx.HTTPError as error:
                outcome, answered = Outcome(f"connection failed: {error!r}"[:80]), False
        cpu_after = process_cpu_seconds(tree.pid)
        _, peak = rss_kib(tree.pid)
        stop.set()
        worst = await health
        await asyncio.sleep(1.0)
        after, _ = rss_kib(tree.pid)
        cpu = None if cpu_before is None or cpu_after is None else round(cpu_after - cpu_before, 2)
        figures.append(
            Figure(
                attack=attack.name,
                tree=tree.name,
                outcome=outcome.text,
                leaked=outcome.leaked,
                cpu_s=cpu,
                peak_mib=round(peak / 1024, 1),
                rss_before_mib=round(before / 1024, 1),
                rss_after_mib=round(after / 1024, 1),
                healthz_worst_s=round(worst, 2),
                answered=answered,
            )
        )
        print(f"  {tree.name:5} {attack.name:18} {cpu}s cpu  {outcome.text}", flush=True)
        if not answered:  # the server is stuck on it: start again for the next attack
            tree.stop()
            tree.start()
            await tree.wait_ready()
    tree.stop()
    return figures


def format_table(figures: list[Figure], attacks: list[Attack]) -> str:
    by = {(f.attack, f.tree): f for f in figures}
    head = (
        f"{'attack':18} {'tree':5} {'cpu s':>7} {'peak MiB':>9} {'kept MiB':>9} "
        f"{'healthz s':>9}  outcome"
    )
    lines = [head, "-" * len(head)]
    for attack in attacks:
        for tree in ("base", "head"):
            f = by.get((attack.name, tree))
            if f is None:
                continue
            cpu = "-" if f.cpu_s is None else f"{f.cpu_s:.2f}"
            kept = f.rss_after_mib - f.rss_before_mib
            lines.append(
                f"{attack.name:18} {tree:5} {cpu:>7} {f.peak_mib:>9.1f} {kept:>9.1f} "
                f"{f.healthz_worst_s:>9.2f}  {f.outcome}{'  LEAK' if f.leaked else ''}"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--base", default=BASE_REF, help="git ref to compare with (default: %(default)s)"
    )
    parser.add_argument("--no-base", action="store_true", help="measure this tree only")
    parser.add_argument("--only", help="comma-separated attack names")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds before giving up")
    parser.add_argument("--synthetic", type=int, default=3000, help="synthetic items to add")
    args = parser.parse_args(argv)
    attacks = ATTACKS
    if args.only:
        names = set(args.only.split(","))
        attacks = [a for a in ATTACKS if a.name in names]
    work = Path(tempfile.mkdtemp(prefix="cms-abuse-"))
    trees: list[Tree] = []
    worktree = work / "base"
    try:
        if not args.no_base:
            subprocess.run(
                ["git", "worktree", "add", "--detach", str(worktree), args.base],
                cwd=ROOT,
                check=True,
                capture_output=True,
            )
            trees.append(Tree("base", worktree, work, args.synthetic))
        trees.append(Tree("head", ROOT, work, args.synthetic))
        figures: list[Figure] = []
        for tree in trees:
            print(f"preparing {tree.name} ({tree.code}) ...", flush=True)
            tree.prepare()
            figures += asyncio.run(run_tree(tree, attacks, args.timeout))
        table = format_table(figures, attacks)
        print()
        print(table)
        OUT_DIR.mkdir(exist_ok=True)
        (OUT_DIR / "abuse.json").write_text(
            json.dumps(
                {
                    "base": args.base,
                    "when": datetime.now(UTC).isoformat(),
                    "figures": [asdict(f) for f in figures],
                },
                indent=2,
            )
        )
    finally:
        for tree in trees:
            tree.stop()
        if worktree.exists():
            subprocess.run(
                ["git", "worktree", "remove", "--force", str(worktree)], cwd=ROOT, check=False
            )
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
