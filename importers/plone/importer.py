"""Import a Plone export into one tenant, through the write services, safely repeatable.

The import plans first (types, parents, paths, slugs, workflow states), then writes in an
order that lets every reference resolve: tags, images and files, pages parent first, then
news, events and resources. Each item is written in its own (nested) transaction, so an item
that fails is reported and leaves nothing behind while the rest imports; items are committed
in batches of BATCH.

Items are matched by their Plone UID (`source_uid`): a second import of the same export
changes nothing; a newer export updates what changed, as new revisions. An item an editor
has changed here since it was imported is left as it is (and reported), so a re-import never
overwrites work done in the CMS. `--dry-run` does all of it inside a transaction that is
rolled back, with media written to a temporary folder, so its report is the real one.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from typing import Any, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import anyio.to_thread
from tortoise.transactions import in_transaction

from cms import models
from cms.auth import Principal
from cms.config import Settings
from cms.errors import CMSError, ValidationFailed
from cms.models import Role, Status
from cms.services import content, history, tags
from cms.services.kinds import KINDS
from cms.services.validation import clean_values
from cms.urls import Routes, routes_of
from importers.plone import mapping
from importers.plone.html import (
    Target,
    make_safe,
    plain_to_html,
    referenced_uids,
    rewrite_links,
    uid_of,
)
from importers.plone.mapping import EVENT, FILE, IMAGE, NEWS, PAGE, RESOURCE, ROUTES, text_of
from importers.plone.source import (
    ROOT_TYPES,
    Export,
    ExportError,
    ItemProblem,
    RawItem,
    open_export,
    read_translations,
)
from media import renditions, specs
from media.storage import Storage
from media.uploads import Upload, upload_file, upload_image

log = logging.getLogger("cms.plone")

# Whose revisions an import writes; a later revision by anyone else is an edit made here.
IMPORTER = Principal(token_id=0, name="plone-import", role=Role.ADMIN, tenant_id=None)
OUTCOMES = ("imported", "updated", "unchanged", "skipped")
# Items per transaction: a commit per item made PostgreSQL imports wait on the disk.
BATCH = 100
# The content kinds an import writes (files and images are media rows, not content kinds).
_MODELS = {name: KINDS[name].model for name in (PAGE, NEWS, EVENT, RESOURCE)}


@dataclass
class Entry:
    """One item of the export and what the plan made of it."""

    raw: RawItem
    uid: str
    plone_type: str
    title: str
    kind: str | None = None
    parent_uid: str | None = None
    skip: str | None = None
    depth: int = 0
    path: str | None = None  # pages
    slug: str | None = None  # news, events, resources (links, stand-alone files)
    standalone: bool = False  # a file no imported item links to: also a resource
    published: bool = False
    published_at: datetime | None = None
    expires_at: datetime | None = None
    position: int = 0
    media_outcome: str | None = None  # a stand-alone file's own row


@dataclass
class ImportReport:
    """Counts per Plone type and outcome, every skipped item with its reason, and warnings."""

    format: str = ""
    dry_run: bool = False
    counts: dict[str, Counter[str]] = field(default_factory=dict)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def add(self, plone_type: str, outcome: str) -> None:
        self.counts.setdefault(plone_type, Counter())[outcome] += 1

    def total(self, outcome: str) -> int:
        return sum(c[outcome] for c in self.counts.values())

    def __str__(self) -> str:
        head = "Dry run (nothing was written)" if self.dry_run else "Imported"
        lines = [f"{head}: {self.format} export", ""]
        lines.append(f"{'type':<14}" + "".join(f"{o:>11}" for o in OUTCOMES))
        for plone_type in sorted(self.counts):
            counts = self.counts[plone_type]
            lines.append(f"{plone_type:<14}" + "".join(f"{counts[o]:>11}" for o in OUTCOMES))
        lines.append(f"{'total':<14}" + "".join(f"{self.total(o):>11}" for o in OUTCOMES))
        if self.skipped:
            lines += ["", "Skipped:"] + [f"  {who}: {why}" for who, why in self.skipped]
        if self.warnings:
            lines += ["", "Warnings:"] + [f"  {w}" for w in self.warnings]
        return "\n".join(lines)


class _DryRun(Exception):
    """Raised to roll the dry run's transaction back."""


async def import_plone(
    settings: Settings,
    tenant_slug: str,
    path: Path,
    *,
    blobs: Path | None = None,
    translations: Path | None = None,
    dry_run: bool = False,
    timezone: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Import the export at `path` into the tenant; ExportError when it cannot start."""
    tenant = await models.Tenant.get_or_none(slug=tenant_slug)
    if tenant is None:
        raise ExportError(f"no tenant has the slug {tenant_slug!r}")
    try:
        zone = ZoneInfo(timezone or tenant.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ExportError(f"{timezone or tenant.timezone!r} is not an IANA timezone") from None
    export = await anyio.to_thread.run_sync(open_export, path, blobs)
    try:
        if translations is not None:
            raw = await anyio.to_thread.run_sync(translations.read_bytes)
            export.translations = read_translations(raw, translations.name)
        run = _Import(settings, tenant, export, zone, dry_run, progress)
        return await run.run()
    finally:
        export.close()


class _Import:
    def __init__(
        self,
        settings: Settings,
        tenant: models.Tenant,
        export: Export,
        zone: ZoneInfo,
        dry_run: bool,
        progress: Callable[[int, int], None] | None,
    ) -> None:
        self.settings = settings
        self.tenant = tenant
        self.export = export
        self.zone = zone
        self.dry_run = dry_run
        self.progress = progress
        self.report = ImportReport(format=export.format, dry_run=dry_run)
        self.entries: dict[str, Entry] = {}
        self.order: list[Entry] = []
        self.existing: dict[str, dict[str, Any]] = {}
        self.edited_here: dict[tuple[str, int], str] = {}
        self.media: dict[str, Any] = {}  # uid → Image or File row written or found
        self.groups: dict[str, str] = {}
        self.routes = Routes()  # the tenant's, read in `run` (cms/urls.py decides public URLs)
        self.done = 0

    # -- plan ---------------------------------------------------------------------------

    async def run(self) -> ImportReport:
        self.routes = await routes_of(self.tenant)
        self._plan()
        await self._load_existing()
        self._place()
        if not self.dry_run:
            await self._write_all(self._storage(self.settings.data_dir / "media"))
            return self.report
        with tempfile.TemporaryDirectory(prefix="cms-dry-run-") as temp:
            try:
                async with in_transaction():
                    await self._write_all(self._storage(Path(temp)))
                    raise _DryRun
            except _DryRun:
                pass
        return self.report

    @staticmethod
    def _storage(root: Path) -> Storage:
        return Storage(root)

    def _plan(self) -> None:
        """Entries for every item: its kind, or why it is skipped; parents resolved."""
        root_uids = {uid.lower() for uid in self.export.root_uids}
        for raw in self.export.items:
            data = raw.data
            if raw.problem is None and data.get("@type") in ROOT_TYPES:
                root_uids.add(raw.uid.lower())
                continue
            uid = raw.uid.lower()
            entry = Entry(raw, uid, str(data.get("@type") or "?"), text_of(data.get("title")))
            self.order.append(entry)
            if raw.problem is not None:
                entry.skip = raw.problem
            elif len(uid) < 8 or len(uid) > 64 or not uid.isalnum():
                entry.skip = "the item has no usable UID"
            elif uid in self.entries:
                entry.skip = f"another item of the export has the UID {uid}"
            elif entry.plone_type in mapping.SKIPPED_TYPES:
                entry.skip = mapping.SKIPPED_TYPES[entry.plone_type]
            elif entry.plone_type not in mapping.KIND_OF_TYPE:
                entry.skip = f"the type {entry.plone_type!r} has no counterpart here"
            else:
                entry.kind = mapping.KIND_OF_TYPE[entry.plone_type]
            if uid and uid not in self.entries:
                self.entries[uid] = entry
            parent = data.get("parent")
            if isinstance(parent, dict):
                if parent.get("@type") in ROOT_TYPES or str(parent.get("UID")).lower() in root_uids:
                    entry.parent_uid = None
                else:
                    entry.parent_uid = str(parent.get("UID") or "").lower() or "?"
            elif entry.skip is None:
                entry.skip = "the item names no parent"
        for entry in self.order:
            if entry.parent_uid is not None and entry.parent_uid in root_uids:
                entry.parent_uid = None
        for entry in self.order:
            self._resolve_parent(entry, set())
        self._mark_standalone_files()
        for entry in sorted(self.order, key=lambda e: e.depth):  # a folder before its items
            if entry.skip is None:
                self._dates(entry)

    def _resolve_parent(self, entry: Entry, seen: set[str]) -> None:
        """Skip an entry whose parent is missing or skipped; set its depth."""
        if entry.skip is not None or entry.parent_uid is None or entry.depth:
            return
        parent = self.entries.get(entry.parent_uid)
        if parent is None:
            entry.skip = f"its parent {entry.parent_uid} is not in the export"
            return
        if entry.uid in seen:
            entry.skip = "its parents form a cycle"
            return
        self._resolve_parent(parent, seen | {entry.uid})
        if parent.skip is not None:
            entry.skip = f"its parent {parent.uid} ({parent.title or parent.plone_type}) is skipped"
        elif entry.kind == PAGE and parent.kind != PAGE:
            entry.skip = f"a page inside a {parent.plone_type} has no place here"
        else:
            entry.depth = parent.depth + 1

    def _mark_standalone_files(self) -> None:
        linked: set[str] = set()
        for entry in self.order:
            if entry.skip is None:
                linked |= referenced_uids(mapping.body_html(entry.raw.data))
                linked.add(uid_of(text_of(entry.raw.data.get("remoteUrl"))) or "")
        for entry in self.order:
            entry.standalone = entry.kind == FILE and entry.uid not in linked

    def _dates(self, entry: Entry) -> None:
        data = entry.raw.data
        try:
            effective = mapping.parse_date(data.get("effective"), self.zone, "effective")
            entry.expires_at = mapping.parse_date(data.get("expires"), self.zone, "expires")
            fallback = mapping.parse_date(
                data.get("modified") or data.get("created"), self.zone, "modified"
            )
        except ItemProblem as problem:
            entry.skip = str(problem)
            return
        state = data.get("review_state")
        if state is None and entry.parent_uid is not None:
            parent = self.entries[entry.parent_uid]
            entry.published = parent.published  # no workflow: as public as its folder
        else:
            entry.published = state is None or state == "published"
        entry.published_at = effective or fallback if entry.published else None

    async def _load_existing(self) -> None:
        """Rows already imported from these UIDs, and who last changed them."""
        live = {e.uid for e in self.order if e.skip is None}
        sources: list[tuple[str, type[models.ContentModel | models.Image | models.File]]] = [
            *_MODELS.items(),
            (IMAGE, models.Image),
            (FILE, models.File),
        ]
        for name, model in sources:
            rows = await model.filter(tenant_id=self.tenant.id, source_uid__isnull=False)
            self.existing[name] = {r.source_uid: r for r in rows if r.source_uid is not None}
        for name in _MODELS:
            ids = [r.id for uid, r in self.existing[name].items() if uid in live]
            revisions = await models.Revision.filter(
                content_type=name, object_id__in=ids
            ).values_list("object_id", "version", "author_name")
            latest: dict[int, tuple[int, str]] = {}
            for object_id, version, author in revisions:
                if object_id not in latest or version > latest[object_id][0]:
                    latest[object_id] = (version, author)
            for object_id, (_, author) in latest.items():
                if author != IMPORTER.name:
                    self.edited_here[(name, object_id)] = author
        # Tortoise types a flat values_list as tuples (tortoise-orm#1112): these are strings.
        paths = await models.Page.filter(tenant_id=self.tenant.id).values_list("path", flat=True)
        self.taken_paths = set(cast(list[str], paths))
        self.taken_slugs = {
            name: set(
                cast(
                    list[str],
                    await model.filter(tenant_id=self.tenant.id).values_list("slug", flat=True),
                )
            )
            for name, model in _MODELS.items()
            if name != PAGE
        }
        for uid, row in self.existing[PAGE].items():
            if uid in live:
                self.taken_paths.discard(row.path)  # it will take its planned path again

    def _place(self) -> None:
        """Paths of pages (parents first) and slugs of everything else, free in the tenant."""
        siblings: Counter[str | None] = Counter()
        for entry in sorted(self.order, key=lambda e: e.depth):
            if entry.skip is not None:
                continue
            data = entry.raw.data
            segment = mapping.segment(text_of(data.get("id")), entry.title, entry.uid)
            if entry.kind == PAGE:
                parent = self.entries.get(entry.parent_uid or "")
                prefix = f"{parent.path}/" if parent is not None else ""
                entry.path = self._free(prefix, segment, self.taken_paths)
                entry.position = siblings[entry.parent_uid]
                siblings[entry.parent_uid] += 1
            kind = RESOURCE if entry.kind == FILE and entry.standalone else entry.kind
            if kind in (NEWS, EVENT, RESOURCE):
                row = self.existing[kind].get(entry.uid)
                entry.slug = (
                    row.slug if row is not None else self._free("", segment, self.taken_slugs[kind])
                )
        for group in self.export.translations:
            members = [uid.lower() for uid in group.values()]
            key = f"plone-{min(members)}"
            for uid in members:
                self.groups[uid] = key

    def _free(self, prefix: str, segment: str, taken: set[str]) -> str:
        """`prefix + segment`, or with `-2`, `-3`… when the tenant already uses it (said so)."""
        wanted = candidate = f"{prefix}{segment}"
        n = 2
        while candidate in taken:
            candidate, n = f"{prefix}{segment}-{n}", n + 1
        taken.add(candidate)
        if candidate != wanted:
            self.report.warnings.append(
                f"{wanted!r} is taken in this tenant; imported as {candidate!r}"
            )
        return candidate

    # -- write --------------------------------------------------------------------------

    async def _write_all(self, storage: Storage) -> None:
        self.storage = storage
        live = [e for e in self.order if e.skip is None]
        for entry in self.order:
            if entry.skip is not None:
                self._skipped(entry, entry.skip)
        await self._write_tags(live)
        stages = (
            [e for e in live if e.kind in (IMAGE, FILE)],
            sorted((e for e in live if e.kind == PAGE), key=lambda e: e.depth),
            [e for e in live if e.kind in (NEWS, EVENT, RESOURCE)],
            [e for e in live if e.kind == FILE and e.standalone],
        )
        total = len(self.order) + len(stages[3])
        done = total - sum(len(stage) for stage in stages)
        for stage in stages:
            for start in range(0, len(stage), BATCH):
                # One commit per batch, a savepoint per item: a failed item is rolled back alone.
                async with in_transaction():
                    for entry in stage[start : start + BATCH]:
                        if entry.skip is None:  # a stand-alone file whose bytes failed
                            await self._write_one(entry)
                        done += 1
                        if self.progress is not None:
                            self.progress(done, total)

    def _skipped(self, entry: Entry, reason: str) -> None:
        self.report.add(entry.plone_type, "skipped")
        name = entry.raw.origin
        if entry.uid:
            name = f"{entry.plone_type} {entry.uid} {entry.title!r}".strip()
        self.report.skipped.append((name, reason))

    async def _write_one(self, entry: Entry) -> None:
        try:
            async with in_transaction():
                outcome = await self._write(entry)
        except ValidationFailed as error:
            problems = "; ".join(f"{e.field}: {e.message}" for e in error.errors)
            return self._failed(entry, problems)
        except (ItemProblem, CMSError) as error:
            return self._failed(entry, str(getattr(error, "message", error)))
        except Exception as error:  # one bad item must not stop the import
            log.exception("importing %s %s failed", entry.plone_type, entry.uid)
            return self._failed(entry, f"unexpected error: {type(error).__name__}")
        if outcome is not None:
            self.report.add(entry.plone_type, outcome)

    def _failed(self, entry: Entry, reason: str) -> None:
        entry.skip = reason
        self.media.pop(entry.uid, None)
        self._skipped(entry, reason)

    async def _write(self, entry: Entry) -> str | None:
        data = entry.raw.data
        if entry.kind == IMAGE:
            alt = text_of(data.get("description")) or entry.title
            return (await self._image(entry.uid, data, alt))[1]
        if entry.kind == FILE and entry.uid not in self.media:
            entry.media_outcome = await self._file(entry)
            return None if entry.standalone else entry.media_outcome
        values = self._values(entry)
        kind = RESOURCE if entry.kind == FILE else entry.kind
        assert kind is not None
        if kind == NEWS and data.get("image") is not None:
            caption = text_of(data.get("image_caption")) or entry.title
            image, _ = await self._image(f"{entry.uid}/image", data, caption)
            values["image_id"] = image.id
        outcome = await self._content(entry, kind, values)
        if outcome == "unchanged" and entry.media_outcome == "updated":
            return "updated"  # a stand-alone file's new bytes are its change
        return outcome

    def _values(self, entry: Entry) -> dict[str, Any]:
        """The fields of a page, news item, event or resource, as the write services take them."""
        data = entry.raw.data
        kind = RESOURCE if entry.kind == FILE else entry.kind
        assert kind is not None, "only planned entries, which have a kind, get values"
        values: dict[str, Any] = {
            "language": mapping.language(data, self.tenant.default_language),
            "source_uid": entry.uid,
            "translation_group": self.groups.get(entry.uid),
            "expires_at": entry.expires_at,
        }
        summary = text_of(data.get("description"))
        body = self._body(entry)
        if kind == PAGE:
            values.update(
                title=entry.title,
                path=entry.path,
                summary=summary,
                body=body,
                menu_order=entry.position,
                show_in_menu=not data.get("exclude_from_nav"),
            )
        elif kind == NEWS:
            values.update(title=entry.title, summary=summary, body=body)
        elif kind == EVENT:
            lead = plain_to_html(summary) if summary else ""
            values.update(
                title=entry.title, description=lead + body, **mapping.event_fields(data, self.zone)
            )
        elif entry.kind == RESOURCE:  # a Link
            url, body = self._link_target(entry, body)
            values.update(
                title=entry.title,
                kind=models.ResourceKind.ARTICLE,
                summary=summary,
                body=body,
                external_url=url,
            )
        else:  # a stand-alone file
            row = self.media[entry.uid]
            values.update(
                title=entry.title or row.filename,
                kind=mapping.file_resource_kind(row.content_type),
                summary=summary,
                body=body,
                attachments=[row.id],
            )
        if KINDS[kind].tags:
            values["tags"] = [slug for slug, _ in mapping.subjects(data)]
        return values

    def _link_target(self, entry: Entry, body: str) -> tuple[str, str]:
        """A Link's URL: external ones as they are; one to an item of the site becomes a link
        in the body (the external URL field only holds http(s) addresses)."""
        url = text_of(entry.raw.data.get("remoteUrl"))
        if url.startswith(("http://", "https://")):
            return url, body
        rewritten = rewrite_links(f'<a href="{url}">{entry.title}</a>', self._target)
        if rewritten.unresolved or not url:
            self.report.warnings.append(f"Link {entry.uid}: {url!r} is not an address; dropped")
            return "", body
        return "", f"<p>{rewritten.html}</p>{body}"

    def _body(self, entry: Entry) -> str:
        body = mapping.body_html(entry.raw.data)
        if not body:
            return ""
        rewritten = rewrite_links(body, self._target)
        for uid in dict.fromkeys(rewritten.unresolved):
            self.report.warnings.append(
                f"{entry.plone_type} {entry.uid}: a link to {uid}, which is not imported, "
                "is kept as it was"
            )
        html, removed = make_safe(rewritten.html)
        for what in dict.fromkeys(removed):
            self.report.warnings.append(f"{entry.plone_type} {entry.uid}: removed {what}")
        return html

    def _target(self, uid: str) -> Target | None:
        """Where a link to the item with this UID goes now."""
        entry = self.entries.get(uid)
        if entry is None or entry.skip is not None:
            return None
        if entry.kind == PAGE:
            return Target(self.routes.path(PAGE, path=entry.path or ""))
        if entry.kind in ROUTES:
            return Target(self.routes.path(entry.kind, slug=entry.slug or ""))
        row = self.media.get(uid)
        if row is None:
            return None
        original = f"/media/{row.storage_key}"
        if entry.kind == FILE:
            standalone = self.routes.path(RESOURCE, slug=entry.slug or "")
            page = standalone if entry.standalone else original
            return Target(page, download_url=original)
        return Target(original, image=lambda width: self._rendition(row, width))

    def _rendition(self, image: models.Image, width: int | None) -> str:
        if width is None or width >= image.width:
            return f"/media/{image.storage_key}"
        spec = specs.make(width, None, specs.Fit.CONTAIN, ladder=specs.Ladder.of(self.settings))
        return renditions.url(renditions.signer_for(self.settings), image.storage_key, spec)

    async def _write_tags(self, live: list[Entry]) -> None:
        wanted: dict[str, str] = {}
        for entry in live:
            if entry.kind in (NEWS, EVENT, RESOURCE, FILE):
                for slug, name in mapping.subjects(entry.raw.data):
                    wanted.setdefault(slug, name)
        have: set[str] = set()
        if wanted:
            slugs = await models.Tag.filter(
                tenant_id=self.tenant.id, slug__in=list(wanted)
            ).values_list("slug", flat=True)
            have = set(cast(list[str], slugs))
        for slug, name in wanted.items():
            if slug not in have:
                try:
                    await tags.create_tag(IMPORTER, self.tenant, name or slug, slug)
                except ValidationFailed as error:
                    problems = "; ".join(e.message for e in error.errors)
                    self.report.warnings.append(f"tag {name!r} not created: {problems}")

    # -- media --------------------------------------------------------------------------

    def _bytes(self, value: mapping.Binary) -> bytes:
        if value.data is not None:
            return value.data
        if self.export.blobs is None:
            raise ItemProblem("the item's blob_path needs --blobs DIR (the exported blobs)")
        assert value.blob_path is not None
        return self.export.blobs.read(value.blob_path, self.settings.max_upload_bytes)

    async def _image(self, uid: str, data: dict[str, Any], alt: str) -> tuple[models.Image, str]:
        """The Image of an item's `image` field (an Image item, a news item's lead image)."""
        value = mapping.binary(data, "image")
        if value is None:
            raise ItemProblem("the item has no image")
        raw = await anyio.to_thread.run_sync(self._bytes, value)
        alt = alt[:500]
        existing = self.existing[IMAGE].get(uid)
        if existing is not None and existing.content_hash == _sha256(raw) and existing.alt == alt:
            self.media[uid] = existing
            return existing, "unchanged"
        image = await upload_image(
            IMPORTER,
            self.tenant,
            self.storage,
            Upload(raw, value.filename),
            alt=alt,
            max_bytes=self.settings.max_upload_bytes,
            source_uid=uid,
            replace=existing,
        )
        self.media[uid] = image
        return image, "updated" if existing is not None else "imported"

    async def _file(self, entry: Entry) -> str:
        value = mapping.binary(entry.raw.data, "file")
        if value is None:
            raise ItemProblem("the item has no file")
        raw = await anyio.to_thread.run_sync(self._bytes, value)
        title = entry.title[:300]
        existing = self.existing[FILE].get(entry.uid)
        if (
            existing is not None
            and existing.content_hash == _sha256(raw)
            and existing.title == (title or existing.filename)
        ):
            self.media[entry.uid] = existing
            return "unchanged"
        row = await upload_file(
            IMPORTER,
            self.tenant,
            self.storage,
            Upload(raw, value.filename or entry.uid),
            title=title,
            max_bytes=self.settings.max_upload_bytes,
            source_uid=entry.uid,
            replace=existing,
        )
        self.media[entry.uid] = row
        return "updated" if existing is not None else "imported"

    # -- content ------------------------------------------------------------------------

    async def _content(self, entry: Entry, name: str, values: dict[str, Any]) -> str | None:
        kind = KINDS[name]
        row = self.existing[name].get(entry.uid)
        if row is None:
            if entry.kind == PAGE:
                values.pop("slug", None)
            else:
                values["slug"] = entry.slug
            row = await content.create(IMPORTER, self.tenant, kind, values)
            await self._status(kind, row, entry)
            return "imported"
        editor = self.edited_here.get((name, row.id))
        if editor is not None:
            self._skipped(entry, f"changed here by {editor} since it was imported; left as it is")
            return None
        changes = await self._changes(kind, row, values)
        changed = bool(changes)
        if changes:
            row = await content.update(IMPORTER, kind, row.id, changes, row.version)
        changed = await self._status(kind, row, entry) or changed
        return "updated" if changed else "unchanged"

    async def _changes(self, kind: Any, row: Any, values: dict[str, Any]) -> dict[str, Any]:
        """The values that differ from what the row holds, compared as the services store them."""
        current = await history.snapshot(kind, row)
        plain = {
            k: v for k, v in values.items() if k not in content.RELATIONS and not k.endswith("_id")
        }
        errors: list[Any] = []
        cleaned = clean_values(kind, plain, errors)
        if errors:
            raise ValidationFailed(errors)
        changes: dict[str, Any] = {}
        for key, value in values.items():
            if key in ("tags", "attachments"):
                same = sorted(current.get(key, [])) == sorted(value)
            elif key.endswith("_id"):
                same = current.get(key) == value
            else:
                same = _comparable(current.get(key)) == _comparable(cleaned.get(key))
            if not same:
                changes[key] = value
        return changes

    async def _status(self, kind: Any, row: Any, entry: Entry) -> bool:
        """Publish at the Plone effective date, or keep as a draft; True when it changed."""
        if entry.published:
            at = entry.published_at
            if row.status == Status.PUBLISHED and (at is None or _same(row.published_at, at)):
                return False
            await content.publish(IMPORTER, kind, row.id, at)
            return True
        if row.status == Status.DRAFT:
            return False
        await content.unpublish(IMPORTER, kind, row.id)
        return True


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _same(a: datetime | None, b: datetime | None) -> bool:
    if a is None or b is None:
        return a is b
    return a.astimezone(UTC).replace(microsecond=0) == b.astimezone(UTC).replace(microsecond=0)


def _comparable(value: Any) -> Any:
    """Values of a snapshot (JSON) and of cleaned input in one form: instants in UTC."""
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and value[10] == "T":
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(microsecond=0).isoformat()
    if isinstance(value, Enum):
        return value.value
    return value
