"""Who may fetch a stored original or its renditions: the public only when live content uses it.

The rule: the bytes at a storage key are public when some Image or File row with that key is
used by a published, live item (published, its time passed, not expired) of the row's own
tenant, either through a relation (a resource's cover image and attachments, a video's
thumbnail, a news item's lead image, a profile's photo) or through a link in its rich text
(imported Plone bodies link originals and renditions). Media that only drafts, scheduled,
expired or archived items use, or nothing at all (a fresh upload), is not public: a token
that may preview the row's tenant still fetches it, and gets it with `private, no-store`.
Media that only live members-only items use is not public either: the tenant's members fetch
it as previewers do (`Media.members`, `Principal.reads_members_of`).

Answers are kept per key for `media_visibility_seconds`, so a burst of requests for one image
costs one round of queries; the cache is bounded.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from tortoise.expressions import Q

from cms import models
from cms.auth import Permission, Principal
from cms.services.kinds import KINDS
from cms.tenancy import live_q, published_q

MAX_ENTRIES = 10_000
# Relations from content to media, and rich text that may link media (the fields the kinds
# sanitise as HTML), as (model, lookup of the media rows' ids) and (model, field).
_IMAGE_USES: tuple[tuple[type[models.ContentModel], str], ...] = tuple(
    (kind.model, f"{ref.field}_id__in") for kind in KINDS.values() for ref in kind.image_refs
)
_FILE_USES: tuple[tuple[type[models.ContentModel], str], ...] = tuple(
    (kind.model, "attachments__id__in") for kind in KINDS.values() if kind.attachments
)
_RICH_TEXT: tuple[tuple[type[models.ContentModel], str], ...] = tuple(
    (kind.model, name) for kind in KINDS.values() for name in kind.html
)


class Media:
    """The rows that hold one storage key, and whether the public may fetch their bytes."""

    def __init__(self, images: list[models.Image], files: list[models.File], public: bool):
        self.images = images
        self.files = files
        self.public = public
        # Used by a live members-only item: its tenant's members may fetch it.
        self.members = False

    @property
    def exists(self) -> bool:
        return bool(self.images or self.files)

    @property
    def tenant_ids(self) -> set[int]:
        rows: list[models.Image | models.File] = [*self.images, *self.files]
        return {row.tenant_id for row in rows}

    def previewable_by(self, principal: Principal | None) -> bool:
        return principal is not None and any(
            principal.can(Permission.PREVIEW, tenant_id)
            or (self.members and principal.reads_members_of(tenant_id))
            for tenant_id in self.tenant_ids
        )


class Visibility:
    """Looks media up by storage key and decides, with a short-lived per-process cache."""

    def __init__(self, ttl_seconds: float = 5.0) -> None:
        self.ttl_seconds = ttl_seconds
        self._cache: dict[str, tuple[float, Media]] = {}

    async def of(self, storage_key: str) -> Media:
        now = time.monotonic()
        cached = self._cache.get(storage_key)
        if cached is not None and now - cached[0] < self.ttl_seconds:
            return cached[1]
        media = await self._lookup(storage_key)
        if self.ttl_seconds > 0:
            if len(self._cache) >= MAX_ENTRIES:
                self._cache.clear()
            self._cache[storage_key] = (now, media)
        return media

    async def _lookup(self, storage_key: str) -> Media:
        images = await models.Image.filter(storage_key=storage_key)
        files = await models.File.filter(storage_key=storage_key)
        media = Media(images, files, public=False)
        if media.exists:
            now = datetime.now(UTC)
            media.public = await _used_live(media, storage_key, published_q(now))
            if not media.public:
                media.members = await _used_live(media, storage_key, live_q(now))
        return media


async def _used_live(media: Media, storage_key: str, live: Q) -> bool:
    uses: list[tuple[type[models.ContentModel], str, list[int]]] = []
    for image_model, lookup in _IMAGE_USES:
        uses.append((image_model, lookup, [row.id for row in media.images]))
    for file_model, lookup in _FILE_USES:
        uses.append((file_model, lookup, [row.id for row in media.files]))
    tenants = list(media.tenant_ids)
    for model, lookup, ids in uses:
        if ids and await model.filter(live, tenant_id__in=tenants, **{lookup: ids}).exists():
            return True
    # The content hash names the bytes in every URL made of them: originals and renditions.
    digest = storage_key.rsplit("/", 1)[-1].split(".", 1)[0]
    if len(digest) < 32:  # not a key this app made (e.g. test rows): no link can be trusted
        return False
    for model, field in _RICH_TEXT:
        if await model.filter(
            live, tenant_id__in=tenants, **{f"{field}__contains": digest}
        ).exists():
            return True
    return False
