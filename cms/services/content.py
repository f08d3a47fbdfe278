"""Create, update, delete, publish, unpublish, archive and revert content items.

Each operation is one transaction: check the caller, validate and sanitise, write the row,
then the revision, the audit entry and the outbox event. Any failure rolls all of it back.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q, Subquery
from tortoise.transactions import in_transaction

from cms import models
from cms.auth import Permission, Principal, require
from cms.errors import Conflict, ErrorCode, FieldError, NotFound, ValidationFailed
from cms.models import Audience, Role, Status
from cms.names import camel
from cms.services import history, redirects
from cms.services.kinds import AUTHORED, KINDS, Kind
from cms.services.validation import (
    check_path,
    check_slug,
    clean_values_off_loop,
    date_problem,
    slugify,
    to_utc,
)

# The principal of writes that no token makes: the seed loader and importers.
SYSTEM = Principal(token_id=0, name="system", role=Role.ADMIN, tenant_id=None)

RELATIONS = ("tags", "authors", "attachments")
KIND_PAGE = KINDS["Page"]
TAG_SLUG_MAX = 100  # models.Tag.slug
SLUG_ATTEMPTS = 5
PATH_MAX = 500  # models.Page.path


def _now() -> datetime:
    return datetime.now(UTC)


async def create(
    principal: Principal, tenant: models.Tenant, kind: Kind, values: dict[str, Any]
) -> models.ContentModel:
    """A new draft of `kind` in `tenant`."""
    require(principal, Permission.CREATE, tenant.id)
    errors: list[FieldError] = []
    fields, refs, relations, slug = _split(kind, values)
    for name in kind.required:
        if fields.get(name) is None:
            errors.append(FieldError(camel(name), "This field is required.", ErrorCode.REQUIRED))
    # Before the transaction: sanitising is CPU work, and on SQLite an open transaction holds
    # the process's one connection.
    cleaned = await clean_values_off_loop(
        kind, {k: v for k, v in fields.items() if v is not None}, errors
    )
    kind.rules.derive(cleaned)
    async with in_transaction() as connection:
        cleaned.update(await _resolve_refs(kind, tenant.id, refs, errors))
        if slug is None and kind.model is not models.Page:
            await _lock_slug_base(connection, kind, tenant.id, cleaned)
        if kind.model is models.Page and "path" in cleaned:
            cleaned.update(await _page_location(tenant.id, cleaned["path"], None, errors))
            slug = cleaned["path"].rsplit("/", 1)[-1]
        kind.rules.check(cleaned, errors)
        links = await _resolve_relations(kind, tenant.id, relations, errors)
        chosen = await _slug(kind, tenant.id, slug, cleaned, None, errors)
        if errors:
            raise ValidationFailed(errors)
        row = await _insert(kind, tenant.id, chosen, cleaned, made=slug is None)
        await _write_relations(kind, row, links)
        await _record(principal, "create", kind, row)
        return row


async def _lock_slug_base(
    connection: Any, kind: Kind, tenant_id: int, cleaned: dict[str, Any]
) -> None:
    """On PostgreSQL, make creates that derive a slug from one title take turns until commit,
    so each sees the slugs the others took (SQLite writes one transaction at a time anyway)."""
    if connection.capabilities.dialect != "postgres":
        return
    key = f"slug:{kind.name}:{tenant_id}:{_slug_base(kind, cleaned)}"
    await connection.execute_query("SELECT pg_advisory_xact_lock(hashtext($1))", [key])


async def _insert(
    kind: Kind, tenant_id: int, slug: str, cleaned: dict[str, Any], *, made: bool
) -> models.ContentModel:
    """Insert the row; a slug made from the title that a concurrent create took meanwhile
    (one that began before this one's lock, see `_lock_slug_base`) is made again."""
    for _attempt in range(SLUG_ATTEMPTS):
        try:
            async with in_transaction():  # a savepoint: a taken slug undoes only this insert
                return await kind.model.create(
                    tenant_id=tenant_id, slug=slug, status=Status.DRAFT, version=1, **cleaned
                )
        except IntegrityError:
            if not made or kind.key != "slug":
                break
            slug = await _slug(kind, tenant_id, None, cleaned, None, [])
    raise ValidationFailed(_duplicate(kind))


async def update(
    principal: Principal,
    kind: Kind,
    object_id: int,
    values: dict[str, Any],
    expected_version: int,
) -> models.ContentModel:
    """Change the given fields of an item written at `expected_version`; others stay."""
    # Who may edit and whether the version is current, before the CPU work of cleaning, which
    # runs outside the transaction (see `create`); both are checked again inside it.
    _check_version(await _editable(principal, kind, object_id), expected_version)
    errors: list[FieldError] = []
    fields, refs, relations, slug = _split(kind, values)
    cleaned = await clean_values_off_loop(kind, fields, errors)
    kind.rules.derive(cleaned)
    async with in_transaction():
        row = await _editable(principal, kind, object_id)
        _check_version(row, expected_version)
        cleaned.update(await _resolve_refs(kind, row.tenant_id, refs, errors))
        moved: str | None = None
        if isinstance(row, models.Page) and "path" in cleaned:
            location = await _page_location(row.tenant_id, cleaned["path"], row.id, errors)
            cleaned.update(location)
            slug = cleaned["path"].rsplit("/", 1)[-1]
            if location["path"] != row.path:
                moved = location["path"]
        kind.rules.check(
            {**{name: getattr(row, name) for name in kind.editable}, **cleaned}, errors
        )
        links = await _resolve_relations(kind, row.tenant_id, relations, errors)
        if slug is not None and slug != row.slug:
            cleaned["slug"] = await _slug(kind, row.tenant_id, slug, cleaned, row.id, errors)
        descendants = []
        if isinstance(row, models.Page) and moved:
            descendants = await _moved_descendants(row, moved, errors)
        if errors:
            raise ValidationFailed(errors)
        old_key = redirects.key_of(row)
        row = await _save(kind, row, cleaned)
        await redirects.remember(kind, old_key, row)
        await _write_relations(kind, row, links)
        await _record(principal, "update", kind, row)
        await _move(principal, descendants)
        return row


async def _move(principal: Principal, pages: list[tuple[models.Page, str]]) -> None:
    for page, path in pages:
        old_key = page.path
        moved = await _save(KIND_PAGE, page, {"path": path})
        await redirects.remember(KIND_PAGE, old_key, moved)
        await _record(principal, "move", KIND_PAGE, moved)


async def _moved_descendants(
    page: models.Page, new_path: str, errors: list[FieldError]
) -> list[tuple[models.Page, str]]:
    """Every page under `page` with its path under `new_path`: a move carries the subtree, so
    no child is left at a path whose parent is gone."""
    old_prefix = f"{page.path}/"
    below = await models.Page.filter(
        tenant_id=page.tenant_id, path__startswith=old_prefix
    ).order_by("path")
    moves = [(child, new_path + "/" + child.path[len(old_prefix) :]) for child in below]
    too_long = [path for _, path in moves if len(path) > PATH_MAX]
    if too_long:
        errors.append(
            FieldError(
                "path",
                f"The page {too_long[0]!r} would be longer than {PATH_MAX} characters.",
                ErrorCode.INVALID_PATH,
            )
        )
        return []
    targets = [path for _, path in moves]
    taken = (
        await models.Page.filter(tenant_id=page.tenant_id, path__in=targets)
        .exclude(id__in=[child.id for child, _ in moves])
        .values_list("path", flat=True)
        if targets
        else []
    )
    if taken:
        message = f"Another page has the path {sorted(taken)[0]!r}, where a page under it would go."
        errors.append(FieldError("path", message, ErrorCode.DUPLICATE))
    return moves


async def delete(principal: Principal, kind: Kind, object_id: int) -> None:
    """Remove an item; its revisions stay, so nothing saved is lost.

    An organisation or profile that other tenants' items use, and a page with pages under it,
    is not deleted: that would change items their editors did not touch, with no revision.
    """
    async with in_transaction():
        row = await _get(principal, kind, object_id)
        permission = (
            Permission.DELETE_DRAFT if row.status == Status.DRAFT else Permission.DELETE_PUBLISHED
        )
        require(principal, permission, row.tenant_id)
        await _check_unused(kind, row)
        state = await history.snapshot(kind, row)
        await history.record(
            principal,
            "delete",
            kind.name,
            row.tenant_id,
            row.id,
            version=row.version + 1,
            state=state,
        )
        await row.delete()


async def _check_unused(kind: Kind, row: models.ContentModel) -> None:
    """Refuse the delete of what other tenants' items, or pages under a page, still use."""
    if isinstance(row, models.Page):
        children = await models.Page.filter(
            tenant_id=row.tenant_id, path__startswith=f"{row.path}/"
        ).count()
        children += (
            await models.Page.filter(parent_id=row.id)
            .exclude(path__startswith=f"{row.path}/")
            .count()
        )
        if children:
            raise _in_use(f"{children} page(s) are under this page; move or delete them first.")
        return
    others = ~Q(tenant_id=row.tenant_id)
    # Only a shareable reference (or an author) may point across tenants.
    count = sum(
        [
            await other.model.filter(others, **{f"{ref.field}_id": row.id}).count()
            for other in KINDS.values()
            for ref in other.refs
            if ref.shareable and ref.model is kind.model
        ]
    )
    if kind.model is models.Profile:
        count += await AUTHORED.model.filter(
            others,
            id__in=Subquery(models.ResourceAuthor.filter(profile_id=row.id).values("resource_id")),
        ).count()
    if count:
        raise _in_use(
            f"{count} item(s) of other tenants use this {kind.name.lower()}, so it cannot be "
            "deleted; unshare it instead, or ask their editors to unlink it."
        )


def _in_use(message: str) -> ValidationFailed:
    return ValidationFailed([FieldError("id", message, ErrorCode.IN_USE)])


async def publish(
    principal: Principal, kind: Kind, object_id: int, at: datetime | None = None
) -> models.ContentModel:
    """Make an item public now, or at `at` (a future time schedules it; no job is needed)."""
    if at is not None:
        problem = date_problem(at)
        if problem is not None:
            raise ValidationFailed([FieldError("at", *problem)])
        at = to_utc(at)
    return await _transition(principal, kind, object_id, "publish", Status.PUBLISHED, at)


async def unpublish(principal: Principal, kind: Kind, object_id: int) -> models.ContentModel:
    """Take an item back to draft."""
    return await _transition(principal, kind, object_id, "unpublish", Status.DRAFT, None)


async def archive(principal: Principal, kind: Kind, object_id: int) -> models.ContentModel:
    """Retire an item from the public without deleting it."""
    return await _transition(principal, kind, object_id, "archive", Status.ARCHIVED, None)


async def revert(
    principal: Principal, kind: Kind, object_id: int, revision: int
) -> models.ContentModel:
    """Restore the content of an earlier revision as a new version (status stays as it is)."""
    async with in_transaction():
        row = await _editable(principal, kind, object_id)
        saved = await models.Revision.get_or_none(
            content_type=kind.name, object_id=object_id, version=revision
        )
        if saved is None:
            raise NotFound(f"{kind.name} has no revision {revision}.", field="revision")
        state: dict[str, Any] = saved.snapshot
        errors: list[FieldError] = []
        restored = {k: state[k] for k in kind.editable if k in state}
        for key in ("start", "end", "expires_at"):
            if isinstance(restored.get(key), str):
                restored[key] = datetime.fromisoformat(restored[key])
        cleaned = await clean_values_off_loop(kind, restored, errors)
        if isinstance(row, models.Page) and cleaned.get("path", row.path) != row.path:
            # A restored path must be free and under an existing parent, as in an update.
            location = await _page_location(row.tenant_id, cleaned["path"], row.id, errors)
            cleaned.update(location, slug=location["path"].rsplit("/", 1)[-1])
            descendants = await _moved_descendants(row, location["path"], errors)
        else:
            descendants = []
        refs = {f"{r.field}_id": state.get(f"{r.field}_id") for r in kind.refs}
        # A target deleted since the revision is dropped rather than failing the revert.
        ref_errors: list[FieldError] = []
        resolved = await _resolve_refs(kind, row.tenant_id, refs, ref_errors)
        cleaned.update(
            {k: v for k, v in resolved.items() if camel(k) not in {e.field for e in ref_errors}}
        )
        relations = {k: state[k] for k in RELATIONS if k in state}
        links = await _resolve_relations(kind, row.tenant_id, relations, [], lenient=True)
        if errors:
            raise ValidationFailed(errors)
        old_key = redirects.key_of(row)
        row = await _save(kind, row, cleaned)
        await redirects.remember(kind, old_key, row)
        await _write_relations(kind, row, links)
        await _record(principal, f"revert:{revision}", kind, row)
        await _move(principal, descendants)
        return row


# -- helpers ---------------------------------------------------------------------------------


def _split(
    kind: Kind, values: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any], str | None]:
    """Plain fields, foreign keys by id, many-to-many relations, and the slug."""
    ref_keys = {f"{r.field}_id" for r in kind.refs}
    fields = {
        k: v for k, v in values.items() if k not in ref_keys and k not in RELATIONS and k != "slug"
    }
    refs = {k: v for k, v in values.items() if k in ref_keys}
    relations = {k: v for k, v in values.items() if k in RELATIONS}
    unknown = set(fields) - set(kind.editable)
    if unknown:
        raise ValueError(f"{kind.name} has no editable fields {sorted(unknown)}")
    return fields, refs, relations, values.get("slug")


async def _get(principal: Principal, kind: Kind, object_id: int) -> models.ContentModel:
    """The item, if the caller has a role in its tenant; otherwise the same NOT_FOUND as for
    an id that names nothing, so that writes do not tell which ids other tenants hold."""
    row = await kind.model.get_or_none(id=object_id)
    if row is None or principal.role_in(row.tenant_id) is None:
        raise NotFound(f"No {kind.name} you may change has this id.", field="id")
    return row


async def _editable(principal: Principal, kind: Kind, object_id: int) -> models.ContentModel:
    row = await _get(principal, kind, object_id)
    permission = Permission.EDIT_DRAFT if row.status == Status.DRAFT else Permission.EDIT_PUBLISHED
    require(principal, permission, row.tenant_id)
    return row


def _check_version(row: models.ContentModel, expected: int) -> None:
    if row.version != expected:
        raise Conflict(
            f"The item is at version {row.version}, not {expected}: someone saved it since you "
            "loaded it. Reload, reapply your change and save again.",
            field="expectedVersion",
        )


async def _save(
    kind: Kind, row: models.ContentModel, changes: dict[str, Any]
) -> models.ContentModel:
    """Write `changes` and the next version only if nobody wrote in between.

    The row in hand then holds what the database holds: the update matched the version it was
    read at, the row stays locked until the transaction ends, and nothing is computed in the
    database, so it is brought up to date in memory rather than read again.
    """
    written = {**changes, "version": row.version + 1, "updated_at": _now()}
    count = await kind.model.filter(id=row.id, version=row.version).update(**written)
    if count != 1:
        raise Conflict(
            "The item changed while it was being saved; reload and retry.", field="expectedVersion"
        )
    row.update_from_dict(written)  # the fields' own conversions, as a read would apply them
    return row


async def _transition(
    principal: Principal,
    kind: Kind,
    object_id: int,
    operation: str,
    status: Status,
    published_at: datetime | None,
) -> models.ContentModel:
    async with in_transaction():
        row = await _get(principal, kind, object_id)
        require(principal, Permission.PUBLISH, row.tenant_id)
        if status == Status.PUBLISHED and published_at is None:
            now = _now()
            live = row.status == Status.PUBLISHED and row.published_at and row.published_at <= now
            # Publishing a live item again keeps its date: readers sort and cite by it.
            published_at = row.published_at if live else now
        row = await _save(kind, row, {"status": status, "published_at": published_at})
        await _record(principal, operation, kind, row)
        return row


async def _record(
    principal: Principal, operation: str, kind: Kind, row: models.ContentModel
) -> None:
    state = await history.snapshot(kind, row)
    await history.record(
        principal,
        operation,
        kind.name,
        row.tenant_id,
        row.id,
        version=row.version,
        state=state,
    )


async def _resolve_refs(
    kind: Kind, tenant_id: int, refs: dict[str, Any], errors: list[FieldError]
) -> dict[str, Any]:
    resolved: dict[str, Any] = {}
    for ref in kind.refs:
        key = f"{ref.field}_id"
        if key not in refs:
            continue
        target_id = refs[key]
        if target_id is None:
            resolved[key] = None
            continue
        target = await ref.model.get_or_none(id=target_id)
        if target is None or not _may_point_to(target, tenant_id, ref.shareable):
            errors.append(
                FieldError(camel(key), "No item you may link to has this id.", ErrorCode.NOT_FOUND)
            )
            continue
        resolved[key] = target_id
    return resolved


def _may_point_to(target: Any, tenant_id: int, shareable: bool) -> bool:
    """Own items, or another tenant's shared, published, public ones (sharing does not show a
    members-only item to other tenants, so it cannot be linked from them either)."""
    if target.tenant_id == tenant_id:
        return True
    return (
        shareable
        and bool(getattr(target, "shared", False))
        and target.status == Status.PUBLISHED
        and target.audience == Audience.PUBLIC
    )


async def _resolve_relations(
    kind: Kind,
    tenant_id: int,
    relations: dict[str, Any],
    errors: list[FieldError],
    *,
    lenient: bool = False,
) -> dict[str, list[Any]]:
    """Tags by slug (this tenant's), authors (profiles) and attachments (files) by id."""
    links: dict[str, list[Any]] = {}
    if relations.get("tags") is not None:
        slugs = list(dict.fromkeys(relations["tags"]))
        fitting = [s for s in slugs if len(s) <= TAG_SLUG_MAX]  # longer ones name no tag
        tags = {t.slug: t for t in await models.Tag.filter(tenant_id=tenant_id, slug__in=fitting)}
        missing = [s for s in slugs if s not in tags]
        if missing and not lenient:
            errors.append(
                FieldError("tags", f"Unknown tags: {', '.join(missing)}.", ErrorCode.NOT_FOUND)
            )
        links["tags"] = [tags[s] for s in slugs if s in tags]
    if relations.get("authors") is not None:
        ids = list(dict.fromkeys(relations["authors"]))
        found = {p.id: p for p in await models.Profile.filter(id__in=ids)}
        usable = [i for i in ids if i in found and _may_point_to(found[i], tenant_id, True)]
        if len(usable) != len(ids) and not lenient:
            errors.append(
                FieldError(
                    "authors", "Some authors are not profiles you may link to.", ErrorCode.NOT_FOUND
                )
            )
        links["authors"] = usable
    if relations.get("attachments") is not None:
        ids = list(dict.fromkeys(relations["attachments"]))
        files = await models.File.filter(id__in=ids, tenant_id=tenant_id)
        if len(files) != len(ids) and not lenient:
            errors.append(
                FieldError("attachments", "Some files are not this tenant's.", ErrorCode.NOT_FOUND)
            )
        links["attachments"] = files
    return links


async def _write_relations(kind: Kind, row: Any, links: dict[str, list[Any]]) -> None:
    if "tags" in links:
        await row.tags.clear()
        if links["tags"]:
            await row.tags.add(*links["tags"])
    if "authors" in links:
        await models.ResourceAuthor.filter(resource_id=row.id).delete()
        await models.ResourceAuthor.bulk_create(
            [
                models.ResourceAuthor(resource_id=row.id, profile_id=pid, position=i)
                for i, pid in enumerate(links["authors"])
            ]
        )
    if "attachments" in links:
        await row.attachments.clear()
        if links["attachments"]:
            await row.attachments.add(*links["attachments"])


async def _slug(
    kind: Kind,
    tenant_id: int,
    slug: str | None,
    cleaned: dict[str, Any],
    own_id: int | None,
    errors: list[FieldError],
) -> str:
    """The given slug if free, else a free one made from the title or name."""
    taken = kind.model.filter(tenant_id=tenant_id)
    if own_id is not None:
        taken = taken.exclude(id=own_id)
    if slug is not None:
        valid = len(errors)
        check_slug(slug, errors)
        valid = len(errors) == valid  # an invalid slug may not fit the column to look it up
        if valid and kind.key == "slug" and await taken.filter(slug=slug).exists():
            errors.extend(_duplicate(kind))
        return slug
    base = _slug_base(kind, cleaned)
    # Tortoise types a flat values_list as tuples (tortoise-orm#1112): these are slugs.
    slugs = await taken.filter(slug__startswith=base).values_list("slug", flat=True)
    existing = set(cast(list[str], slugs))
    candidate, n = base, 2
    while candidate in existing:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def _slug_base(kind: Kind, cleaned: dict[str, Any]) -> str:
    base = slugify(str(cleaned.get(kind.label) or "")) or kind.name.lower()
    return base[:190].rstrip("-")


def _duplicate(kind: Kind) -> list[FieldError]:
    field = kind.key
    return [
        FieldError(
            field,
            f"Another {kind.name} of this tenant already has this {field}.",
            ErrorCode.DUPLICATE,
        )
    ]


async def _page_location(
    tenant_id: int, path: str, own_id: int | None, errors: list[FieldError]
) -> dict[str, Any]:
    """The normalised path and the parent page its path names (which must exist)."""
    clean = check_path(path, errors)
    taken = models.Page.filter(tenant_id=tenant_id, path=clean)
    if own_id is not None:
        taken = taken.exclude(id=own_id)
    if await taken.exists():
        errors.extend(_duplicate(KIND_PAGE))
    parent_id = None
    if "/" in clean:
        parent = await models.Page.get_or_none(tenant_id=tenant_id, path=clean.rsplit("/", 1)[0])
        if parent is None:
            errors.append(
                FieldError(
                    "path", "The parent page of this path does not exist.", ErrorCode.NOT_FOUND
                )
            )
        elif own_id is not None and await _is_under(parent, own_id):
            errors.append(
                FieldError(
                    "path",
                    "A page cannot move under itself or its children.",
                    ErrorCode.INVALID_PATH,
                )
            )
        else:
            parent_id = parent.id
    return {"path": clean, "parent_id": parent_id}


async def _is_under(page: models.Page, ancestor_id: int) -> bool:
    """Whether `page` is the page `ancestor_id` or one of its descendants (a move there would
    make the tree a cycle)."""
    seen: set[int] = set()
    current: models.Page | None = page
    while current is not None and current.id not in seen:
        if current.id == ancestor_id:
            return True
        seen.add(current.id)
        parent_id = current.parent_id
        current = await models.Page.get_or_none(id=parent_id) if parent_id is not None else None
    return False
