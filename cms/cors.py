"""CORS: which web pages may call /graphql and read /media from a browser.

An origin is known when it is `https://<one of a tenant's domains>` (default port), or listed
in CMS_CORS_ORIGINS (global) or CMS_CORS_TENANT_ORIGINS (one tenant's extras). A preflight from
a known origin is answered with the methods and headers we accept; the browser then sends the
request, and its answer carries `Access-Control-Allow-Origin` only when the origin may read it:

- a global origin reads everything (any tenant, the platform scope, media);
- a tenant's origin reads /graphql answers of requests that address that tenant (by Host or
  X-CMS-Tenant), and media (public by URL, the same bytes for everyone);
- no other origin gets any CORS header, and credentials (cookies) are never allowed, so a
  browser never sends its cookies to us cross-origin; tokens go in Authorization.

A preflight cannot say which tenant the request will address (it carries no header values),
so it is answered for any known origin; the answer of the request itself decides. Lookups use
the TenantDirectory cache, so CORS costs no SQL while the cache is fresh.
"""

from __future__ import annotations

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cms.config import Settings, SettingsError, parse_origin
from cms.errors import CMSError
from cms.models import Tenant
from cms.tenancy import TENANT_HEADER, TenantDirectory

GRAPHQL_PATH = "/graphql"
MEDIA_PREFIX = "/media/"
ALLOW_HEADERS = "Accept, Authorization, Content-Type, X-CMS-Tenant"
EXPOSE_HEADERS = "Content-Disposition, ETag, WWW-Authenticate"
# Seconds a browser may reuse a preflight (Chromium caps it at 7200). A removed origin loses
# read access at once all the same: every answer is checked again.
MAX_AGE = "7200"


def _methods(path: str) -> str:
    return "GET, POST" if path == GRAPHQL_PATH else "GET, HEAD"


def _normalised(origin: str) -> str | None:
    """The origin as we list them, or None for `null` and anything that is not one."""
    try:
        return parse_origin(origin, "Origin")
    except SettingsError:
        return None


class CORSPolicy:
    """Decides which origins may call and read, from the settings and the tenant directory."""

    def __init__(self, settings: Settings, directory: TenantDirectory) -> None:
        self.directory = directory
        self.global_origins = frozenset(settings.cors_origins)
        self.tenant_origins: dict[str, frozenset[str]] = {}
        for slug, origin in settings.cors_tenant_origins:
            self.tenant_origins[slug] = self.tenant_origins.get(slug, frozenset()) | {origin}

    async def _domain_tenant(self, origin: str) -> Tenant | None:
        host = origin.removeprefix("https://")
        if host == origin or ":" in host.lstrip("[").split("]")[-1]:
            return None  # only https on the default port stands for a tenant's domain
        return await self.directory.by_domain(host)

    async def known(self, origin: str) -> bool:
        """Whether `origin` may call at all (a preflight's question)."""
        if origin in self.global_origins:
            return True
        for slug, origins in self.tenant_origins.items():
            if origin in origins and await self.directory.by_slug(slug) is not None:
                return True
        return await self._domain_tenant(origin) is not None

    async def may_read(self, origin: str, tenant: Tenant | None) -> bool:
        """Whether `origin` may read the answer to a request that addresses `tenant`."""
        if origin in self.global_origins:
            return True
        if tenant is None:
            return False
        if origin in self.tenant_origins.get(tenant.slug, ()):
            return True
        owner = await self._domain_tenant(origin)
        return owner is not None and owner.id == tenant.id


def _vary_origin(headers: MutableHeaders) -> None:
    vary = headers.get("vary")
    if vary is None:
        headers["Vary"] = "Origin"
    elif vary.strip() != "*" and "origin" not in {v.strip().lower() for v in vary.split(",")}:
        headers["Vary"] = f"{vary}, Origin"


class CORSMiddleware:
    """Pure ASGI middleware for /graphql and /media/*: answers preflights and adds the CORS
    headers of allowed origins to answers, without touching request or response bodies (so
    uploads and streamed files pass as they are)."""

    def __init__(self, app: ASGIApp, policy: CORSPolicy) -> None:
        self.app = app
        self.policy = policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if path != GRAPHQL_PATH and not path.startswith(MEDIA_PREFIX):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        raw_origin = headers.get("origin")
        origin = _normalised(raw_origin) if raw_origin else None
        if scope["method"] == "OPTIONS":
            await self._options(path, origin, headers, send)
            return
        allowed = origin is not None and await self._may_read(path, origin, headers)

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                out = MutableHeaders(scope=message)
                _vary_origin(out)
                if allowed:
                    assert origin is not None
                    out["Access-Control-Allow-Origin"] = origin
                    out["Access-Control-Expose-Headers"] = EXPOSE_HEADERS
            await send(message)

        await self.app(scope, receive, send_with_cors)

    async def _may_read(self, path: str, origin: str, headers: Headers) -> bool:
        if path != GRAPHQL_PATH:
            return await self.policy.known(origin)
        try:
            tenant = await self.policy.directory.resolve(
                headers.get("host"), headers.get(TENANT_HEADER)
            )
        except CMSError:  # an unknown slug: the endpoint answers it, for global origins only
            tenant = None
        return await self.policy.may_read(origin, tenant)

    async def _options(self, path: str, origin: str | None, headers: Headers, send: Send) -> None:
        methods = _methods(path)
        out: list[tuple[bytes, bytes]] = [(b"vary", b"Origin")]
        status, body = 204, b""
        if headers.get("access-control-request-method") is None or headers.get("origin") is None:
            out.append((b"allow", f"{methods}, OPTIONS".encode()))
        elif origin is not None and await self.policy.known(origin):
            out += [
                (b"access-control-allow-origin", origin.encode()),
                (b"access-control-allow-methods", methods.encode()),
                (b"access-control-allow-headers", ALLOW_HEADERS.encode()),
                (b"access-control-max-age", MAX_AGE.encode()),
            ]
        else:
            status, body = 403, b"This origin may not call the API from a browser.\n"
            out.append((b"content-type", b"text/plain; charset=utf-8"))
        out.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": out})
        await send({"type": "http.response.body", "body": body})
