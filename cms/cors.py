"""CORS for the API and media: browsers on a tenant's own domains (and on origins an operator
configures) may call `/graphql` and fetch `/media/`; every other origin gets no CORS headers.

An allowed origin may read any request's answer, whatever tenant it addresses: everything a
browser can read this way is public, or read with a Bearer token the page itself sends.
Cookies and other credentials are never allowed cross-origin, so no ambient authority leaks.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cms.config import Settings
from cms.tenancy import TenantDirectory

ALLOWED_METHODS = "GET, POST, OPTIONS"
ALLOWED_HEADERS = "Authorization, Content-Type, X-CMS-Tenant"
EXPOSED_HEADERS = "ETag, Content-Disposition"
CORS_PATHS = ("/graphql", "/media/")


def origin_host(origin: str) -> tuple[str, str] | None:
    """(scheme, host) of a browser's Origin header value, or None when it is not one."""
    try:
        parts = urlsplit(origin)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    if parts.path or parts.query or parts.fragment or parts.username or parts.password:
        return None
    return parts.scheme, parts.hostname.lower()


class CORSMiddleware:
    """Answers preflights and marks answers readable for allowed origins (pure ASGI)."""

    def __init__(self, app: ASGIApp, settings: Settings, directory: TenantDirectory) -> None:
        self.app = app
        self.directory = directory
        tenant_origins = (origin for _, origin in settings.cors_tenant_origins)
        self.configured = frozenset(o.lower() for o in (*settings.cors_origins, *tenant_origins))
        self.max_age = str(settings.cors_max_age)

    async def allowed(self, origin: str) -> bool:
        """Whether a page of `origin` may read our answers."""
        if origin.lower() in self.configured:
            return True
        parsed = origin_host(origin)
        if parsed is None:
            return False
        _, host = parsed
        if origin.lower() != f"{parsed[0]}://{host}":  # tenant domains carry no port
            return False
        return await self.directory.by_domain(host) is not None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(CORS_PATHS):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        if origin is None:
            await self.app(scope, receive, send)
            return
        allowed = await self.allowed(origin)
        if scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
            await self.preflight(origin, allowed)(scope, receive, send)
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                response_headers = MutableHeaders(scope=message)
                response_headers.add_vary_header("Origin")
                if allowed:
                    response_headers["Access-Control-Allow-Origin"] = origin
                    response_headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
            await send(message)

        await self.app(scope, receive, send_with_cors)

    def preflight(self, origin: str, allowed: bool) -> Response:
        if not allowed:
            # No CORS headers: the browser refuses the real request; say why to a human.
            return PlainTextResponse(
                "This origin may not call the API.", status_code=403, headers={"Vary": "Origin"}
            )
        return Response(
            status_code=204,
            headers={
                "Access-Control-Allow-Origin": origin,
                "Access-Control-Allow-Methods": ALLOWED_METHODS,
                "Access-Control-Allow-Headers": ALLOWED_HEADERS,
                "Access-Control-Max-Age": self.max_age,
                "Vary": "Origin",
            },
        )
