"""HTTP routes under /sites/<tenant>/: feeds, the events calendar and the sitemap.

Anonymous callers reach them, so each answer is bounded (CMS_FEED_ITEMS items per feed,
CMS_SITEMAP_URLS URLs per sitemap), carries an ETag and Last-Modified, answers 304 to a
matching If-None-Match or If-Modified-Since, and a rendered body is kept per ETag (a small
in-process cache), so a poller that comes back costs one bounded query.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from cms import models
from cms.config import Settings
from cms.tenancy import TenantDirectory
from cms.urls import Routes, routes_of
from sites import calendar, feeds, sitemap
from sites.items import public_items, validator

CACHE_CONTROL = "public, max-age=60"
RENDERED = 64  # bodies kept per process
TYPES = {
    "rss": "application/rss+xml; charset=utf-8",
    "atom": "application/atom+xml; charset=utf-8",
    "ics": "text/calendar; charset=utf-8",
    "xml": "application/xml; charset=utf-8",
}
FEEDS: dict[str, tuple[type[models.ContentModel], str, str]] = {
    "news": (models.NewsItem, "NewsItem", "News"),
    "resources": (models.Resource, "Resource", "Resources"),
}
SITEMAP_KINDS: tuple[tuple[type[models.ContentModel], str], ...] = (
    (models.Page, "Page"),
    (models.NewsItem, "NewsItem"),
    (models.Event, "Event"),
    (models.Resource, "Resource"),
)


def _not_modified(request: Request, etag: str, last_modified: datetime | None) -> bool:
    match = request.headers.get("if-none-match")
    if match is not None:
        return etag in [m.strip() for m in match.split(",")] or match.strip() == "*"
    since = request.headers.get("if-modified-since")
    if since and last_modified is not None:
        try:
            return last_modified.replace(microsecond=0) <= parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
    return False


def site_routes(settings: Settings, directory: TenantDirectory) -> list[BaseRoute]:
    rendered: OrderedDict[tuple[str, str], bytes] = OrderedDict()

    async def answer(
        request: Request,
        name: str,
        fmt: str,
        rows: list[models.ContentModel],
        tenant: models.Tenant,
        routes: Routes,
        render: Callable[[], bytes],
    ) -> Response:
        etag, last_modified = validator(name, tenant, rows, repr(routes))
        headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL}
        if last_modified is not None:
            headers["Last-Modified"] = format_datetime(last_modified.astimezone(UTC), usegmt=True)
        if _not_modified(request, etag, last_modified):
            return Response(status_code=304, headers=headers)
        key = (request.url.path, etag)
        body = rendered.get(key)
        if body is None:
            body = render()
            rendered[key] = body
            while len(rendered) > RENDERED:
                rendered.popitem(last=False)
        else:
            rendered.move_to_end(key)
        return Response(body, media_type=TYPES[fmt], headers=headers)

    def tenant_route(
        handler: Callable[[Request, models.Tenant], Awaitable[Response]],
    ) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            tenant = await directory.by_slug(str(request.path_params["tenant"]))
            if tenant is None:
                return PlainTextResponse("No such site.", status_code=404)
            return await handler(request, tenant)

        return endpoint

    async def feed(request: Request, tenant: models.Tenant) -> Response:
        name, fmt = str(request.path_params["feed"]), str(request.path_params["format"])
        if name not in FEEDS or fmt not in ("rss", "atom"):
            return PlainTextResponse("No such feed.", status_code=404)
        model, kind, title = FEEDS[name]
        now = datetime.now(UTC)
        rows = await public_items(model, tenant, now, settings.feed_items)
        routes = await routes_of(tenant)
        render = feeds.rss if fmt == "rss" else feeds.atom
        return await answer(
            request,
            f"{name}.{fmt}",
            fmt,
            rows,
            tenant,
            routes,
            lambda: render(tenant, title, kind, rows, routes, str(request.url), now),
        )

    async def events(request: Request, tenant: models.Tenant) -> Response:
        now = datetime.now(UTC)
        rows = await public_items(
            models.Event, tenant, now, settings.feed_items, order=("-start", "-id")
        )
        routes = await routes_of(tenant)
        events_rows = [r for r in rows if isinstance(r, models.Event)]
        return await answer(
            request,
            "events.ics",
            "ics",
            rows,
            tenant,
            routes,
            lambda: calendar.calendar(tenant, events_rows, routes, now),
        )

    async def sitemap_xml(request: Request, tenant: models.Tenant) -> Response:
        now = datetime.now(UTC)
        entries: list[tuple[str, models.ContentModel]] = []
        each = max(1, settings.sitemap_urls // len(SITEMAP_KINDS))
        for model, kind in SITEMAP_KINDS:
            rows = await public_items(model, tenant, now, each, order=("-updated_at", "-id"))
            entries.extend((kind, row) for row in rows)
        routes = await routes_of(tenant)
        return await answer(
            request,
            "sitemap.xml",
            "xml",
            [row for _, row in entries],
            tenant,
            routes,
            lambda: sitemap.sitemap(entries, routes),
        )

    return [
        Route("/{tenant}/{feed}.{format}", tenant_route(_dispatch(feed, events, sitemap_xml))),
    ]


def _dispatch(
    feed: Callable[[Request, models.Tenant], Awaitable[Response]],
    events: Callable[[Request, models.Tenant], Awaitable[Response]],
    sitemap_xml: Callable[[Request, models.Tenant], Awaitable[Response]],
) -> Callable[[Request, models.Tenant], Awaitable[Response]]:
    async def handler(request: Request, tenant: models.Tenant) -> Response:
        name, fmt = request.path_params["feed"], request.path_params["format"]
        if (name, fmt) == ("events", "ics"):
            return await events(request, tenant)
        if (name, fmt) == ("sitemap", "xml"):
            return await sitemap_xml(request, tenant)
        return await feed(request, tenant)

    return handler
