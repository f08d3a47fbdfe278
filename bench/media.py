"""Media benchmark: the first rendition of a photo, and serving a cached rendition beside
Starlette's StaticFiles serving a plain file of the same size.

    python -m bench.media [--requests N] [--concurrency C] [--max-run-seconds S]

1. Make a 2400x1600 JPEG (a gradient with noise, EXIF GPS) in a fresh temporary data dir,
   stored as an upload would store it (by content hash under media/originals).
2. First rendition: `media.operations.render` to an 800 px wide WebP (CONTAIN, quality 80),
   timed in this process five times from the bytes; the median is the figure.
3. Serve, in one uvicorn subprocess on a free loopback port (no access log): our /media routes
   (what `create_app` mounts) and, at /static, `StaticFiles` over a directory holding a copy of
   the rendition file (same bytes, same size). The first GET of the signed URL makes the
   rendition on the server (timed end to end: verify, render in a thread, write, serve).
4. Load: for each route in turn, C keep-alive HTTP/1.1 connections from a minimal asyncio
   client, about 100 warm-up requests, then N requests from C workers (stopping after S
   seconds at most). requests/s = completed / wall time; server CPU ms/request from
   /proc/<pid>/stat before and after.

The client shares the machine with the server and is part of what is measured: the ratio, not
the absolute requests/s, is the figure to compare across machines.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

LOOPBACK = "127.0.0.1"
SECRET = "bench-media-secret"


def photo() -> bytes:
    from PIL import Image

    size = (2400, 1600)
    image = Image.linear_gradient("L").resize(size).convert("RGB")
    noise = Image.effect_noise(size, 40).convert("RGB")
    image = Image.blend(image, noise, 0.3)
    exif = Image.Exif()
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (50.0, 51.0, 0.0)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=88, exif=exif)
    return buffer.getvalue()


def app(data_dir: str):  # type: ignore[no-untyped-def]
    """What the subprocess serves: our media routes and a StaticFiles reference beside them."""
    from starlette.applications import Starlette
    from starlette.routing import Mount
    from starlette.staticfiles import StaticFiles

    from cms.config import Settings
    from media.routes import media_routes
    from media.visibility import Media, Visibility

    class Public(Visibility):
        """No database here: the benchmark's one image counts as used by published content."""

        async def of(self, storage_key: str) -> Media:
            return Media([object()], [], public=True)  # type: ignore[list-item]

    settings = Settings(data_dir=Path(data_dir), secret_key=SECRET)
    return Starlette(
        routes=[
            Mount("/media", routes=media_routes(settings, visibility=Public())),
            Mount("/static", StaticFiles(directory=Path(data_dir) / "static")),
        ]
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_server(data_dir: str, port: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "bench.media:serve",
            "--host",
            LOOPBACK,
            "--port",
            str(port),
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        env={**os.environ, "BENCH_MEDIA_DIR": data_dir},
    )


async def wait_ready(base: str, limit: float = 30.0) -> None:
    deadline = time.monotonic() + limit
    async with httpx.AsyncClient(base_url=base, timeout=2.0) as client:
        while time.monotonic() < deadline:
            try:
                await client.get("/static/none")
                return
            except httpx.HTTPError:
                await asyncio.sleep(0.1)
    raise SystemExit("the benchmark server did not start")


async def _get(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> int:
    """One keep-alive HTTP/1.1 GET on an open connection; the status code."""
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    await reader.readexactly(length)
    return status


async def load(
    port: int, path: str, requests: int, concurrency: int, max_seconds: float, pid: int
) -> dict[str, float]:
    """A minimal HTTP/1.1 client (asyncio streams, keep-alive, C connections): a general
    client such as httpx costs more per request than these servers and would hide them."""
    request = f"GET {path} HTTP/1.1\r\nHost: {LOOPBACK}:{port}\r\n\r\n".encode()
    connections = [await asyncio.open_connection(LOOPBACK, port) for _ in range(concurrency)]
    try:
        for reader, writer in connections:
            for _ in range(100 // concurrency + 1):
                assert await _get(reader, writer, request) == 200, path
        remaining = requests
        done = 0
        stop_at = time.perf_counter() + max_seconds

        async def worker(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            nonlocal remaining, done
            while remaining > 0 and time.perf_counter() < stop_at:
                remaining -= 1
                assert await _get(reader, writer, request) == 200
                done += 1

        cpu_before = cpu_seconds(pid)
        started = time.perf_counter()
        await asyncio.gather(*(worker(r, w) for r, w in connections))
        elapsed = time.perf_counter() - started
        cpu = cpu_seconds(pid) - cpu_before
    finally:
        for _, writer in connections:
            writer.close()
    return {"requests": done, "rps": done / elapsed, "cpu_ms": cpu * 1000 / max(done, 1)}


async def run(args: argparse.Namespace) -> None:
    from cms.config import Settings
    from media import operations, renditions, specs
    from media.storage import Storage, content_hash, original_key

    data = photo()
    ladder = specs.Ladder.of(Settings())
    spec = specs.make(800, None, specs.Fit.CONTAIN, specs.Format.WEBP, ladder=ladder)
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        rendered = operations.render(data, spec, ladder.max_pixels)
        timings.append(time.perf_counter() - started)
    first_ms = statistics.median(timings) * 1000

    with tempfile.TemporaryDirectory(prefix="cms-bench-media-") as tmp:
        root = Path(tmp)
        key = original_key(content_hash(data), "jpg")
        Storage(root / "media").put(key, data)
        (root / "static").mkdir()
        (root / "static" / "plain.webp").write_bytes(rendered)
        url = renditions.url(renditions.Signer(SECRET), key, spec)
        port = free_port()
        base = f"http://{LOOPBACK}:{port}"
        server = start_server(tmp, port)
        try:
            await wait_ready(base)
            async with httpx.AsyncClient(base_url=base, timeout=30.0) as client:
                started = time.perf_counter()
                response = await client.get(url)
                first_http_ms = (time.perf_counter() - started) * 1000
                assert response.status_code == 200, response.text
                assert response.content == rendered
            ours = await load(
                port, url, args.requests, args.concurrency, args.max_run_seconds, server.pid
            )
            static = await load(
                port,
                "/static/plain.webp",
                args.requests,
                args.concurrency,
                args.max_run_seconds,
                server.pid,
            )
        finally:
            server.terminate()
            server.wait(10)
        shutil.rmtree(root / "media", ignore_errors=True)

    print(
        f"original: 2400x1600 JPEG, {len(data):,} bytes; rendition: 800 px WebP, "
        f"{len(rendered):,} bytes"
    )
    print(f"first rendition, render only (median of 5): {first_ms:7.1f} ms")
    print(f"first rendition, first HTTP GET end to end: {first_http_ms:7.1f} ms")
    print(f"serving, {args.concurrency} connections, {args.requests} requests each:")
    for name, figures in (("cached rendition (ours)", ours), ("StaticFiles, same file", static)):
        print(
            f"  {name:26} {figures['rps']:8.0f} req/s  {figures['cpu_ms']:.3f} server CPU "
            f"ms/req  ({figures['requests']:.0f} requests)"
        )
    print(
        f"ratio ours / StaticFiles: {ours['rps'] / static['rps']:.2f}x requests/s, "
        f"{ours['cpu_ms'] / static['cpu_ms']:.2f}x server CPU per request"
    )


def serve():  # type: ignore[no-untyped-def]
    """The uvicorn factory of the subprocess."""
    return app(os.environ["BENCH_MEDIA_DIR"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--max-run-seconds", type=float, default=30.0)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
