"""A real HTTP receiver on loopback for webhook tests: records every POST, answers a status."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    url: str
    status: int = 204
    received: list[Received] = field(default_factory=list)


@contextmanager
def receiver(status: int = 204) -> Iterator[Receiver]:
    """A server on 127.0.0.1 answering every POST with `status`, in a thread."""
    box: list[Receiver] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the http.server API
            length = int(self.headers.get("content-length", "0"))
            body = self.rfile.read(length)
            box[0].received.append(Received({k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(box[0].status)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    box.append(Receiver(url=f"http://127.0.0.1:{server.server_address[1]}/hook", status=status))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield box[0]
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
