"""Real `cms serve` processes on loopback for the tests that need more than one process.

One place starts them (a free port, an environment naming the data dir and the database), waits
for `/healthz` with a generous bound (start-up migrates, may seed and builds the index on a slow
shared machine), stops them with terminate and then kill, and shows the server's log whenever the
test fails while it runs.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path

import anyio
import anyio.to_thread
import httpx

ROOT = Path(__file__).resolve().parents[2]
START_SECONDS = 180.0
STOP_SECONDS = 60.0
POLL_SECONDS = 0.2


@dataclass
class Server:
    """A started `cms serve`: where it answers, its process and the file its output goes to."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        """Everything the server printed so far."""
        return self.log.read_text(errors="replace")


def free_port() -> int:
    """A port on 127.0.0.1 nobody listens on now (the server binds it a moment later)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve_env(
    data_dir: Path,
    port: int,
    database_url: str | None,
    extra: Mapping[str, str | None] | None = None,
) -> dict[str, str]:
    """This process's environment for a server: without a database URL it uses the data dir's
    SQLite file; a None in `extra` removes that variable."""
    env = {
        **os.environ,
        "CMS_DATA_DIR": str(data_dir),
        "CMS_PORT": str(port),
        "CMS_HOST": "127.0.0.1",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("CMS_DATABASE_URL", None)
    if database_url is not None:
        env["CMS_DATABASE_URL"] = database_url
    for name, value in (extra or {}).items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def _start(
    data_dir: Path,
    database_url: str | None,
    args: Sequence[str],
    env: Mapping[str, str | None] | None,
) -> Server:
    data_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = data_dir / f"serve-{port}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "cms.cli", "serve", "--no-access-log", *args],
            cwd=ROOT,
            env=serve_env(data_dir, port, database_url, env),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return Server(url=f"http://127.0.0.1:{port}", process=process, log=log)


def _answers(server: Server, client: httpx.Client) -> bool:
    """Whether the server is up; a server that exited fails the test with its output."""
    assert server.process.poll() is None, f"the server exited:\n{server.output()}"
    try:
        return client.get(f"{server.url}/healthz").status_code == 200
    except httpx.TransportError:
        return False


def _wait_ready(server: Server) -> None:
    deadline = time.monotonic() + START_SECONDS
    with httpx.Client(timeout=2) as client:
        while not _answers(server, client):
            if time.monotonic() > deadline:
                raise AssertionError(f"the server did not start:\n{server.output()}")
            time.sleep(POLL_SECONDS)


def _stop(server: Server) -> None:
    """Terminate, and kill what does not exit within a generous while."""
    server.process.terminate()
    try:
        server.process.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


def _show(server: Server) -> None:
    """The server's log on the test's captured output, which pytest shows for a failure."""
    print(f"--- {server.log}\n{server.output()}")


@contextmanager
def serving(
    data_dir: Path,
    database_url: str | None = None,
    args: Sequence[str] = (),
    env: Mapping[str, str | None] | None = None,
) -> Iterator[Server]:
    """`cms serve` answering until the block ends; its log is printed if the block fails."""
    server = _start(data_dir, database_url, args, env)
    try:
        _wait_ready(server)  # its failure shows the log itself
        try:
            yield server
        except BaseException:
            _show(server)
            raise
    finally:
        _stop(server)


@asynccontextmanager
async def serving_async(
    data_dir: Path,
    database_url: str | None = None,
    args: Sequence[str] = (),
    env: Mapping[str, str | None] | None = None,
) -> AsyncIterator[Server]:
    """`serving` for async tests: the waits run in a thread, so the event loop keeps going."""
    server = _start(data_dir, database_url, args, env)
    try:
        await anyio.to_thread.run_sync(_wait_ready, server)
        try:
            yield server
        except BaseException:
            _show(server)
            raise
    finally:
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(_stop, server)
