"""The app factory: routes, middleware and the lifespan that opens the database."""

from __future__ import annotations

import contextlib
import gc
import logging
import os
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route
from tortoise import connections

from cms import db, passwords
from cms.background import Periodic
from cms.config import Settings
from cms.cors import CORSMiddleware, CORSPolicy
from cms.delivery import DeliveryService
from cms.mailer import Mailer
from cms.tenancy import TenantDirectory

log = logging.getLogger("cms.app")

# A read allocates thousands of short-lived containers (rows, types, results); with the
# default threshold of 700 the young generation is collected several times per request.
GC_THRESHOLDS = (50_000, 20, 10)


def tune_collector() -> None:
    """For a long-lived server, once started: what start-up made (modules, the schema, the
    caches' first entries) moves out of the collector's sight (`gc.freeze`), and the young
    generation is collected less often. Measured in bench/README.md ("Lean execution")."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def app_from_env() -> Starlette:
    """The app for the environment's settings: what each worker of `cms serve` imports."""
    return create_app(Settings.from_env())


def create_app(settings: Settings, *, manage_database: bool = True) -> Starlette:
    """A fresh app for `settings`; tests pass `manage_database=False` and open the db themselves."""
    from cms.services import joining
    from media.routes import media_routes
    from media.storage import Storage
    from schema import build_schema
    from schema.context import Services
    from schema.http import GraphQLEndpoint
    from search_index import SearchService
    from sites.routes import site_routes

    passwords.configure(settings)
    directory = TenantDirectory(settings.tenant_cache_seconds)
    search = SearchService.from_settings(settings)
    storage = Storage(settings.data_dir / "media")
    services = Services(settings=settings, directory=directory, search=search, storage=storage)
    graphql = GraphQLEndpoint(build_schema(), services)
    delivery = DeliveryService(settings)
    mailer = Mailer(settings)
    interval = settings.purge_minutes * 60
    purging = Periodic(
        "purge", lambda: joining.purge_and_log(settings), interval, first_wait=interval
    )

    async def healthz(request: Request) -> JSONResponse:
        try:
            await connections.get("default").execute_query("SELECT 1")
        except Exception:  # the health check reports, it does not raise
            log.exception("health check failed")
            return JSONResponse({"status": "unavailable"}, status_code=503)
        # The pid tells the workers of `cms serve --workers N` apart (bench, tests, operators).
        return JSONResponse({"status": "ok", "pid": os.getpid()})

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if manage_database:
            await db.init(settings, run_migrations=False, serving=True)
        search.start()  # drains what a crash left, then polls the outbox
        tune_collector()
        delivery.start()  # webhooks: scheduled events, fan-out, sending
        mailer.start()  # queued mail, after the transactions that queued it
        # Join requests and enquiries past their retention (cms.services.joining.purge).
        purging.start()
        try:
            yield
        finally:
            await purging.stop()
            await mailer.stop()
            await delivery.stop()
            await search.stop()
            if manage_database:
                await db.close()

    app = Starlette(
        debug=False,
        routes=[
            Route("/graphql", graphql),
            Route("/healthz", healthz, methods=["GET", "HEAD"]),
            Mount("/media", routes=media_routes(settings, storage=storage), name="media"),
            Mount("/sites", routes=site_routes(settings, directory), name="sites"),
        ],
        middleware=[Middleware(CORSMiddleware, policy=CORSPolicy(settings, directory))],
        lifespan=lifespan,
    )
    app.state.delivery = delivery
    app.state.mailer = mailer
    app.state.search = search  # for tests; resolvers get it on the GraphQL context
    return app
