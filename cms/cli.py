"""The `cms` command: serve, migrate, seed, tokens, reindex, search, import-plone, export-schema."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import sqlite3
import sys
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

from cms import db
from cms.config import Settings, SettingsError

log = logging.getLogger("cms")

_T = TypeVar("_T")  # what the work run with an open database returns

# Commands that may create and migrate a database; every other one needs an existing schema,
# so that a wrong CMS_DATA_DIR is reported instead of answered from a new, empty database.
CREATES_SCHEMA = {"serve", "migrate", "seed", "export-schema"}


def _shown_url(url: str) -> str:
    """The database URL without its password."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


_NO_SCHEMA_HINT = (
    "check CMS_DATA_DIR / CMS_DATABASE_URL, or create it with `cms migrate` "
    "(`cms serve` also loads the seed content)"
)


def _schema_problem(settings: Settings) -> str | None:
    """Why the configured database cannot be used without migrating it, or None."""
    url = settings.database_url
    shown = _shown_url(url)
    if not url.startswith("sqlite://"):
        return asyncio.run(_server_schema_problem(url, shown))
    path = url.removeprefix("sqlite://").split("?", 1)[0]
    if path == ":memory:" or not Path(path).is_file():
        return f"the database {shown} does not exist, so it has no schema; {_NO_SCHEMA_HINT}"
    # Read-only, so that looking changes nothing in a file that is not a database of ours.
    try:
        uri = f"{Path(path).resolve().as_uri()}?mode=ro"
        with contextlib.closing(sqlite3.connect(uri, uri=True)) as conn:
            found = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'tenant'"
            ).fetchone()
    except sqlite3.DatabaseError as error:
        return f"cannot open the database {shown}: {error}"
    return None if found else f"the database {shown} has no schema; {_NO_SCHEMA_HINT}"


async def _server_schema_problem(url: str, shown: str) -> str | None:
    from tortoise import Tortoise, connections
    from tortoise.exceptions import OperationalError

    try:
        await Tortoise.init(config=db.tortoise_config(url))
        try:
            await connections.get("default").execute_query('SELECT 1 FROM "tenant" WHERE 1 = 0')
        finally:
            await Tortoise.close_connections()
    except OperationalError:
        return f"the database {shown} has no schema; {_NO_SCHEMA_HINT}"
    except (OSError, ConnectionError) as error:
        return f"cannot open the database {shown}: {error}"
    return None


async def _migrate(settings: Settings) -> None:
    await db.migrate(settings)


async def _seed(settings: Settings, synthetic: int | None, seed: int) -> str:
    from seeds.loader import load_seed
    from seeds.synthetic import load_synthetic

    await db.init(settings)
    try:
        if synthetic is None:
            return str(await load_seed())
        return str(await load_synthetic(synthetic, seed))
    finally:
        await db.close()


async def _prepare(settings: Settings) -> str:
    """Migrate, and load the seed content if the database has no tenant yet."""
    from seeds.loader import database_is_empty, load_seed

    await db.init(settings)
    try:
        if await database_is_empty():
            return f"Loaded the seed content: {await load_seed()}"
        return "Database already has content; nothing loaded."
    finally:
        await db.close()


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    if args.workers is not None and args.workers < 1:
        print("cms serve: --workers must be at least 1", file=sys.stderr)
        return 2
    print(asyncio.run(_prepare(settings)), flush=True)
    indexed = asyncio.run(_index_if_empty(settings))
    if indexed:
        print(indexed, flush=True)
    workers = args.workers or settings.workers
    plural = "s" if workers > 1 else ""
    print(
        f"Serving on http://{settings.host}:{settings.port}/graphql ({workers} worker{plural})",
        flush=True,
    )
    # An import string and a factory, so that each worker process builds its own app (its
    # own connections and caches) from the same environment; the indexer runs in one of them.
    uvicorn.run(
        "cms.app:app_from_env",
        factory=True,
        workers=workers,
        host=settings.host,
        port=settings.port,
        log_level=args.log_level,
        access_log=args.access_log,
        proxy_headers=True,
    )
    return 0


def cmd_migrate(settings: Settings, args: argparse.Namespace) -> int:
    asyncio.run(_migrate(settings))
    print("Database schema is up to date.")
    return 0


def cmd_seed(settings: Settings, args: argparse.Namespace) -> int:
    print(asyncio.run(_seed(settings, args.synthetic, args.seed)))
    return 0


async def _with_db(settings: Settings, work: Callable[[], Awaitable[_T]]) -> _T:
    await db.init(settings)
    try:
        return await work()
    finally:
        await db.close()


def cmd_create_token(settings: Settings, args: argparse.Namespace) -> int:
    from cms.errors import ValidationFailed
    from cms.services.tokens import create_token

    try:
        row, value = asyncio.run(
            _with_db(settings, lambda: create_token(args.name, args.role, args.tenant))
        )
    except ValidationFailed as error:
        for problem in error.errors:
            print(f"cms create-token: {problem.field}: {problem.message}", file=sys.stderr)
        return 2
    scope = f"tenant {args.tenant}" if args.tenant else "every tenant (platform admin)"
    print(
        f"Token {row.name!r} ({row.role}, {scope}). It is shown once; keep it safe:",
        file=sys.stderr,
    )
    print(value)
    return 0


def cmd_create_tenant(settings: Settings, args: argparse.Namespace) -> int:
    from cms.errors import CMSError, ValidationFailed
    from cms.services.content import SYSTEM
    from cms.services.tenants import create_tenant

    values = {
        "slug": args.slug,
        "name": args.name,
        "kind": args.kind,
        "parent": args.parent,
        "acronym": args.acronym or "",
        "domains": args.domain or [],
        "languages": args.language or [],
        "contact_email": args.contact_email or "",
    }
    if args.timezone:
        values["timezone"] = args.timezone
    try:
        row = asyncio.run(_with_db(settings, lambda: create_tenant(SYSTEM, values)))
    except ValidationFailed as error:
        for problem in error.errors:
            print(f"cms create-tenant: {problem.field}: {problem.message}", file=sys.stderr)
        return 2
    except CMSError as error:
        print(f"cms create-tenant: {error.message}", file=sys.stderr)
        return 2
    under = f" under {args.parent}" if args.parent else ""
    print(f"Created {row.kind} {row.slug!r}{under}.")
    return 0


def cmd_revoke_token(settings: Settings, args: argparse.Namespace) -> int:
    from cms.errors import NotFound
    from cms.services.tokens import revoke_token

    try:
        asyncio.run(_with_db(settings, lambda: revoke_token(args.name)))
    except NotFound as error:
        print(f"cms revoke-token: {error.message}", file=sys.stderr)
        return 2
    print(f"Token {args.name!r} is revoked.")
    return 0


def cmd_bind_token(settings: Settings, args: argparse.Namespace) -> int:
    """Make a token an institute's: it then acts for that organisation in the gender data."""
    from cms.errors import CMSError
    from cms.services.genderdata import bind_token

    try:
        asyncio.run(_with_db(settings, lambda: bind_token(args.name, args.organisation)))
    except CMSError as error:
        print(f"cms bind-token: {error.message}", file=sys.stderr)
        return 2
    print(f"Token {args.name!r} now acts for organisation {args.organisation}.")
    return 0


def cmd_bind_member(settings: Settings, args: argparse.Namespace) -> int:
    """Make a person's membership an institute's, as `bind-token` does for a token."""
    from cms.errors import CMSError, ValidationFailed
    from cms.services import memberships
    from cms.services.content import SYSTEM

    async def bind() -> None:
        row = await memberships.membership_of(args.email, args.tenant)
        await memberships.set_institute(SYSTEM, row.id, args.organisation)

    try:
        asyncio.run(_with_db(settings, bind))
    except ValidationFailed as error:
        for problem in error.errors:
            print(f"cms bind-member: {problem.message}", file=sys.stderr)
        return 2
    except CMSError as error:
        print(f"cms bind-member: {error.message}", file=sys.stderr)
        return 2
    print(f"{args.email} now acts for organisation {args.organisation} in {args.tenant}.")
    return 0


class _ProgressBar:
    """A progress bar on stderr that ends its line when done, or by `end()` if the work stops."""

    width = 30

    def __init__(self) -> None:
        self.drawn = False

    def __call__(self, done: int, total: int) -> None:
        filled = self.width * done // total if total else self.width
        sys.stderr.write(f"\r[{'#' * filled}{' ' * (self.width - filled)}] {done}/{total} items")
        self.drawn = True
        if done >= total:
            self.end()
        sys.stderr.flush()

    def end(self) -> None:
        if self.drawn:
            sys.stderr.write("\n")
            sys.stderr.flush()
            self.drawn = False


async def _reindex(settings: Settings, progress: Callable[[int, int], None] | None) -> int:
    from search_index import SearchService

    service = SearchService.from_settings(settings)
    return await _with_db(settings, lambda: service.rebuild(progress))


async def _index_if_empty(settings: Settings) -> str | None:
    """Build the search index when it has no documents yet (e.g. right after seeding)."""
    from search_index import SearchService

    service = SearchService.from_settings(settings)
    if await service.document_count() > 0:
        return None
    count = await _with_db(settings, lambda: service.rebuild())
    return f"Built the search index: {count} items."


def cmd_reindex(settings: Settings, args: argparse.Namespace) -> int:
    progress = None if args.quiet else _ProgressBar()
    try:
        count = asyncio.run(_reindex(settings, progress))
    finally:
        if progress is not None:
            progress.end()
    print(f"Rebuilt the search index: {count} items.")
    return 0


async def _search(settings: Settings, args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from cms.errors import CMSError
    from cms.models import Tenant
    from cms.tenancy import Scope
    from search_index import Audience, SearchService

    tenant = None
    if args.tenant is not None:
        tenant = await Tenant.get_or_none(slug=args.tenant)
        if tenant is None:
            print(f"cms search: no tenant has the slug {args.tenant!r}", file=sys.stderr)
            return 2
    service = SearchService.from_settings(settings)
    audience = Audience.of(Scope(tenant=tenant, now=datetime.now(UTC)))
    try:
        results = await service.search(args.query, audience, first=args.limit)
    except CMSError as error:
        print(f"cms search: {error.message}", file=sys.stderr)
        return 2
    print(f"{results.page.total} results")
    for found in results.found:
        hit = found.hit
        print(f"{hit.score:7.2f}  {hit.content_type:<9} {hit.tenant:<14} {hit.title}")
        for _field, snippet in hit.highlights[:1]:
            print(f"{'':9}{' '.join(snippet.split())[:160]}")
    if results.page.suggestion:
        print(f"Did you mean: {results.page.suggestion}")
    return 0


def cmd_search(settings: Settings, args: argparse.Namespace) -> int:
    return int(asyncio.run(_with_db(settings, lambda: _search(settings, args))))


def cmd_import_plone(settings: Settings, args: argparse.Namespace) -> int:
    from importers.plone import ExportError, import_plone

    progress = None if args.quiet else _ProgressBar()

    async def work() -> Any:
        return await import_plone(
            settings,
            args.tenant,
            Path(args.path),
            blobs=args.blobs and Path(args.blobs),
            translations=args.translations and Path(args.translations),
            dry_run=args.dry_run,
            timezone=args.timezone,
            progress=progress,
        )

    try:
        report = asyncio.run(_with_db(settings, work))
    except ExportError as error:
        print(f"cms import-plone: {error}", file=sys.stderr)
        return 2
    finally:
        if progress is not None:
            progress.end()
    print(report)
    return 0


def cmd_export_schema(settings: Settings, args: argparse.Namespace) -> int:
    from schema import build_schema

    sdl = build_schema().as_str() + "\n"
    if args.output == "-":
        sys.stdout.write(sdl)
    else:
        Path(args.output).write_text(sdl)
        print(f"Wrote {args.output}")
    return 0


def cmd_persisted_add(settings: Settings, args: argparse.Namespace) -> int:
    import json

    from cms.services import persisted
    from schema import build_schema
    from schema.persisted import document_problem

    try:
        entries = persisted.parse_manifest(json.loads(Path(args.manifest).read_bytes()))
    except OSError as error:
        print(f"cms persisted-queries add: cannot read {args.manifest}: {error}", file=sys.stderr)
        return 2
    except (ValueError, persisted.ManifestError) as error:
        print(f"cms persisted-queries add: {args.manifest}: {error}", file=sys.stderr)
        return 2
    schema = build_schema()
    problems = [
        f"{entry.name or entry.sha256[:12]}: {problem}"
        for entry in entries
        if (problem := document_problem(schema, settings, entry.body)) is not None
    ]
    if problems:
        for problem in problems:
            print(f"cms persisted-queries add: {problem}", file=sys.stderr)
        print("cms persisted-queries add: nothing was added", file=sys.stderr)
        return 2
    added, kept = asyncio.run(_with_db(settings, lambda: persisted.add_trusted(entries)))
    print(f"Trusted documents: {added} added, {kept} already there.")
    return 0


def cmd_persisted_list(settings: Settings, args: argparse.Namespace) -> int:
    from cms.services import persisted

    rows = asyncio.run(_with_db(settings, persisted.all_documents))
    for row in rows:
        kind = "trusted" if row.trusted else "client"
        size = len(row.body.encode("utf-8"))
        print(f"{row.sha256}  {kind:<7}  {size:>6} B  {row.name or '-'}")
    trusted = sum(1 for row in rows if row.trusted)
    print(f"{len(rows)} documents ({trusted} trusted, {len(rows) - trusted} registered by clients)")
    return 0


async def _mail_rows(limit: int, state: str | None) -> list[Any]:
    from cms.models import MailMessage

    query = MailMessage.all().order_by("-id").limit(limit)
    if state:
        query = query.filter(state=state)
    return list(await query)


def cmd_mail_list(settings: Settings, args: argparse.Namespace) -> int:
    from cms.mailer import eml_path

    rows = asyncio.run(_with_db(settings, lambda: _mail_rows(args.limit, args.state)))
    for row in rows:
        when = row.created_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M")
        where = ""
        if row.state == "sent" and not settings.smtp_url and eml_path(settings, row).exists():
            where = f"  {eml_path(settings, row)}"
        print(f"{row.id:>6}  {when}  {row.state:<7}  {row.recipient}  {row.subject}{where}")
        if row.last_error and row.state != "sent":
            print(f"        attempts {row.attempts}, last error: {row.last_error}")
    print(f"{len(rows)} messages (newest first)")
    return 0


def cmd_mail_show(settings: Settings, args: argparse.Namespace) -> int:
    from cms.mailer import compose
    from cms.models import MailMessage

    row = asyncio.run(_with_db(settings, lambda: MailMessage.get_or_none(id=args.id)))
    if row is None:
        print(f"No message {args.id}.", file=sys.stderr)
        return 1
    print(compose(settings, row).as_string())
    return 0


def cmd_mail_send(settings: Settings, args: argparse.Namespace) -> int:
    from cms.mailer import Mailer

    sent = asyncio.run(_with_db(settings, Mailer(settings).drain))
    print(f"{sent} messages delivered ({'SMTP' if settings.smtp_url else 'files'}).")
    return 0


def cmd_purge_requests(settings: Settings, args: argparse.Namespace) -> int:
    """Delete join requests and enquiries past their retention, as the server does hourly."""
    from cms.services.joining import purge

    purged = asyncio.run(_with_db(settings, lambda: purge(settings)))
    print(
        f"Deleted {purged.unconfirmed_requests} unconfirmed and {purged.declined_requests} "
        f"declined join requests, {purged.unconfirmed_enquiries} unconfirmed and "
        f"{purged.delivered_enquiries} delivered enquiries, {purged.attempts} attempt counters."
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cms", description="CoP CMS command line.")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="migrate, seed an empty database, and serve the API")
    serve.add_argument("--log-level", default="info")
    serve.add_argument("--no-access-log", dest="access_log", action="store_false")
    serve.add_argument(
        "--workers", type=int, metavar="N", help="server processes (default CMS_WORKERS, 1)"
    )
    serve.set_defaults(func=cmd_serve)

    migrate = sub.add_parser("migrate", help="apply the committed database migrations")
    migrate.set_defaults(func=cmd_migrate)

    seed = sub.add_parser("seed", help="load the seed content (idempotent)")
    seed.add_argument("--synthetic", type=int, metavar="N", help="add N synthetic items instead")
    seed.add_argument("--seed", type=int, default=1, help="random seed of --synthetic")
    seed.set_defaults(func=cmd_seed)

    token = sub.add_parser("create-token", help="issue an API token and print it once")
    token.add_argument("--tenant", help="tenant slug (omit with --role admin for a platform admin)")
    token.add_argument("--role", required=True, help="admin, editor, contributor or viewer")
    token.add_argument("--name", required=True, help="a unique name to recognise it by")
    token.set_defaults(func=cmd_create_token)

    tenant = sub.add_parser("create-tenant", help="create a programme, hub or CoP")
    tenant.add_argument("--slug", required=True, help="unique short name (X-CMS-Tenant)")
    tenant.add_argument("--name", required=True, help="full name")
    tenant.add_argument("--kind", required=True, choices=["programme", "hub", "cop"])
    tenant.add_argument("--parent", help="slug of the hub or programme above it")
    tenant.add_argument("--acronym", help="short name")
    tenant.add_argument("--domain", action="append", help="a host name (repeatable; unique)")
    tenant.add_argument("--language", action="append", help="a language it works in (repeatable)")
    tenant.add_argument("--timezone", help="IANA timezone (default Europe/Brussels)")
    tenant.add_argument("--contact-email", help="public contact address")
    tenant.set_defaults(func=cmd_create_tenant)

    revoke = sub.add_parser("revoke-token", help="revoke an API token by name")
    revoke.add_argument("name")
    revoke.set_defaults(func=cmd_revoke_token)
    bind = sub.add_parser("bind-token", help="bind a token to a member organisation (gender data)")
    bind.add_argument("name")
    bind.add_argument("--organisation", type=int, required=True, help="the organisation's id")
    bind.set_defaults(func=cmd_bind_token)
    member = sub.add_parser(
        "bind-member", help="bind a person's membership to a member organisation (gender data)"
    )
    member.add_argument("email", help="the person's e-mail address")
    member.add_argument("--tenant", required=True, help="slug of the tenant of the membership")
    member.add_argument("--organisation", type=int, required=True, help="the organisation's id")
    member.set_defaults(func=cmd_bind_member)

    reindex = sub.add_parser("reindex", help="rebuild the search index from the database")
    reindex.add_argument("--quiet", action="store_true", help="no progress bar")
    reindex.set_defaults(func=cmd_reindex)

    search = sub.add_parser("search", help="search the index as the public would")
    search.add_argument("query")
    search.add_argument("--tenant", help="search as this tenant's site (default: platform)")
    search.add_argument("--limit", type=int, default=10, help="hits to print (default 10)")
    search.set_defaults(func=cmd_search)

    plone = sub.add_parser("import-plone", help="import a Plone site's export into a tenant")
    plone.add_argument("path", help="c.exportimport JSON, or plone.exportimport folder/ZIP")
    plone.add_argument("--tenant", required=True, help="slug of the tenant to import into")
    plone.add_argument("--blobs", metavar="DIR", help="folder the export's blob_path values are in")
    plone.add_argument("--translations", metavar="FILE", help="translation groups (JSON)")
    plone.add_argument("--dry-run", action="store_true", help="report, write nothing")
    plone.add_argument("--timezone", help="zone of naive dates (default: the tenant's)")
    plone.add_argument("--quiet", action="store_true", help="no progress bar")
    plone.set_defaults(func=cmd_import_plone)

    persisted = sub.add_parser("persisted-queries", help="trusted documents (persisted queries)")
    persisted_sub = persisted.add_subparsers(dest="action", required=True)
    add = persisted_sub.add_parser(
        "add", help="register a manifest's documents as trusted (Apollo format or {hash: body})"
    )
    add.add_argument("manifest", help="a JSON manifest file")
    add.set_defaults(func=cmd_persisted_add)
    listing = persisted_sub.add_parser("list", help="list the stored documents")
    listing.set_defaults(func=cmd_persisted_list)

    mail = sub.add_parser(
        "mail", help="list queued and sent mail (written to $CMS_DATA_DIR/mail/ without SMTP)"
    )
    mail.add_argument("--limit", type=int, default=50, help="how many, newest first")
    mail.add_argument("--state", choices=["pending", "sent", "failed"], help="only these")
    mail.set_defaults(func=cmd_mail_list)
    mail_sub = mail.add_subparsers(dest="action")
    show = mail_sub.add_parser("show", help="print one message as it is (or would be) sent")
    show.add_argument("id", type=int)
    show.set_defaults(func=cmd_mail_show)
    send = mail_sub.add_parser("send", help="deliver what is due now, without a server running")
    send.set_defaults(func=cmd_mail_send)

    purge = sub.add_parser(
        "purge-requests", help="delete join requests and enquiries past their retention"
    )
    purge.set_defaults(func=cmd_purge_requests)

    export = sub.add_parser("export-schema", help="print the GraphQL SDL")
    export.add_argument("-o", "--output", default="-", help="file to write (default stdout)")
    export.set_defaults(func=cmd_export_schema)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    # The ORM's start-up and shutdown lines are noise in a command's output.
    logging.getLogger("tortoise").setLevel(logging.WARNING)
    try:
        settings = Settings.from_env()
    except SettingsError as error:
        print(f"cms: {error}", file=sys.stderr)
        return 2
    if args.command not in CREATES_SCHEMA:
        problem = _schema_problem(settings)
        if problem is not None:
            print(f"cms {args.command}: {problem}", file=sys.stderr)
            return 2
    return int(args.func(settings, args))


if __name__ == "__main__":
    raise SystemExit(main())
