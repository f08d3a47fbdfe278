"""The ceiling of the API benchmark: a bare Starlette app that replays canned responses.

`POST /graphql` reads the request body (as any server must) and answers with the exact bytes
and content type our server returned for the same shape, chosen by the `X-Bench-Shape` header.
It does no GraphQL and no database work, so its figures are what Starlette and uvicorn cost
on this machine with the same load generator: the best our server could possibly do.

Run as `python -m bench.ceiling --responses FILE` with `CMS_HOST`/`CMS_PORT` in the
environment; it is served by uvicorn with the same options as `cms serve`.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Sequence
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

SHAPE_HEADER = "x-bench-shape"


def create_app(responses: dict[str, dict[str, str]]) -> Starlette:
    """An app answering each shape with `responses[shape]` (body, content_type, status)."""
    canned = {
        shape: (entry["body"].encode("utf-8"), entry["content_type"], int(entry.get("status", 200)))
        for shape, entry in responses.items()
    }

    async def graphql(request: Request) -> Response:
        await request.body()
        found = canned.get(request.headers.get(SHAPE_HEADER, ""))
        if found is None:
            return JSONResponse({"errors": [{"message": "unknown shape"}]}, status_code=400)
        body, content_type, status = found
        return Response(body, status_code=status, headers={"content-type": content_type})

    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    return Starlette(
        routes=[
            Route("/graphql", graphql, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET", "HEAD"]),
        ]
    )


def main(argv: Sequence[str] | None = None) -> int:
    import uvicorn

    parser = argparse.ArgumentParser(prog="python -m bench.ceiling")
    parser.add_argument("--responses", required=True, type=Path, help="JSON file of canned bodies")
    parser.add_argument("--log-level", default="info")
    parser.add_argument("--no-access-log", dest="access_log", action="store_false")
    args = parser.parse_args(argv)
    responses = json.loads(args.responses.read_text(encoding="utf-8"))
    host = os.environ.get("CMS_HOST") or "127.0.0.1"
    port = int(os.environ.get("CMS_PORT") or "8000")
    # The same uvicorn options as `cms serve` (cms/cli.py).
    uvicorn.run(
        create_app(responses),
        host=host,
        port=port,
        log_level=args.log_level,
        access_log=args.access_log,
        proxy_headers=True,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
