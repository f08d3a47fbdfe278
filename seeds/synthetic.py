"""Deterministic synthetic content spread over the CoP tenants, for load and search benchmarks.

Everything is drawn from ``random.Random(seed)`` in a fixed order before the database is read,
so the same seed gives the same items whatever is stored already; items whose slug exists are
skipped. Rows are written with bulk inserts in one transaction.
"""

from __future__ import annotations

import random
import string
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from pypika_tortoise.queries import Table
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model
from tortoise.transactions import in_transaction

from cms.models import (
    ContentModel,
    Event,
    EventFormat,
    Image,
    NewsItem,
    NewsKind,
    Profile,
    ProfileRole,
    Resource,
    ResourceAuthor,
    ResourceKind,
    Status,
    Tag,
    Tenant,
    TenantKind,
    ThematicArea,
    Video,
    VideoProvider,
)
from cms.services import generations
from cms.services.kinds import KINDS as CONTENT_KINDS
from cms.services.kinds import Kind, kind_of
from seeds import vocabulary as words
from seeds.spec import SeedError

# Share of ``count`` per kind when no explicit count is given for it.
WEIGHTS = {"profiles": 15, "resources": 40, "videos": 15, "news": 20, "events": 10}
# The registry's kinds by collection (only those in WEIGHTS are made).
KINDS: dict[str, Kind] = {kind.collection: kind for kind in CONTENT_KINDS.values()}
# Resources need authors: without profiles asked for, each tenant gets this many.
AUTHOR_POOL = 4
TAGS_PER_TENANT = 12
BATCH = 500
SHARED_RATE = 1 / 3
DRAFT_RATE = 0.05
IMAGE_RATE = 0.5
RESOURCE_KINDS = [kind for kind in ResourceKind if kind is not ResourceKind.SUPPORT_PACKAGE]
T = TypeVar("T")


@dataclass
class Planned:
    """One unsaved item with what it links to by slug (tags, authors) and its cover image."""

    obj: ContentModel
    tags: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    image: Image | None = None


def split_counts(count: int, explicit: dict[str, int | None], tenants: int) -> dict[str, int]:
    """Explicit counts as given; what is left of ``count`` shared by weight among the rest."""
    fixed = {kind: n for kind, n in explicit.items() if n is not None}
    if count < 0 or any(n < 0 for n in fixed.values()):
        raise ValueError("synthetic counts must not be negative")
    free = [kind for kind in WEIGHTS if kind not in fixed]
    rest = max(count - sum(fixed.values()), 0)
    weight = sum(WEIGHTS[kind] for kind in free)
    counts = dict.fromkeys(WEIGHTS, 0) | fixed
    for kind in free:
        counts[kind] = rest * WEIGHTS[kind] // weight
    for kind in free[: rest - sum(counts[k] for k in free)]:
        counts[kind] += 1  # the rounding remainder, at most one per kind
    if counts["resources"] and "profiles" not in fixed:
        counts["profiles"] = max(counts["profiles"], AUTHOR_POOL * tenants)
    return counts


def _chunks(items: Sequence[T], size: int = BATCH) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class _Generator:
    """Draws items from one random stream; the tenant of item ``i`` is ``tenants[i % n]``."""

    def __init__(self, rng: random.Random, seed: int, tenants: list[Tenant], now: datetime):
        self.rng, self.seed, self.tenants, self.now = rng, seed, tenants, now
        self.profiles: dict[int, list[str]] = {t.id: [] for t in tenants}
        # Tag vocabularies depend on the tenant only, so different seeds reuse the same tags.
        self.vocabulary = {
            t.id: random.Random(f"tags:{t.slug}").sample(words.TAG_NAMES, TAGS_PER_TENANT)
            for t in tenants
        }

    def slug(self, text: str, index: int) -> str:
        """A slug unique per seed and index, so reruns find their items again."""
        return f"{words.slugify(text)}-s{self.seed}-{index}"

    def common(self, tenant: Tenant, text: str, index: int) -> dict[str, Any]:
        """Tenant, slug, status, date and language; about 5% are drafts without a date."""
        draft = self.rng.random() < DRAFT_RATE
        age = timedelta(minutes=self.rng.randrange(3 * 365 * 24 * 60))
        return {
            "tenant_id": tenant.id,
            "slug": self.slug(text, index),
            "status": Status.DRAFT if draft else Status.PUBLISHED,
            "published_at": None if draft else self.now - age,
            "language": tenant.default_language,
        }

    def tags(self, tenant: Tenant) -> list[str]:
        """Two to five tag slugs from the tenant's vocabulary."""
        names = self.rng.sample(self.vocabulary[tenant.id], self.rng.randint(2, 5))
        return [words.slugify(name) for name in names]

    def areas(self) -> list[ThematicArea]:
        """One or two of the three substantive areas."""
        return self.rng.sample(list(ThematicArea), self.rng.randint(1, 2))

    def image(self, tenant: Tenant, kind: str, slug: str, alt: str) -> Image | None:
        """A cover image for about half the items; its key is as unique as the item."""
        if self.rng.random() >= IMAGE_RATE:
            return None
        width = self.rng.choice((1200, 1600, 1920, 2400))
        return Image(
            tenant_id=tenant.id,
            storage_key=f"synthetic/{tenant.slug}/{kind}/{slug}.jpg",
            content_type="image/jpeg",
            size=self.rng.randint(80_000, 900_000),
            width=width,
            height=width * self.rng.choice((9, 10, 12)) // 16,
            alt=alt,
        )

    def profile(self, tenant: Tenant, i: int) -> Planned:
        name = words.person_name(self.rng)
        values = self.common(tenant, name, i)
        roles = self.rng.sample(list(ProfileRole), self.rng.randint(1, 2))
        self.profiles[tenant.id].append(values["slug"])
        profile = Profile(
            **values,
            name=name,
            roles=roles,
            expertise=self.rng.sample(words.TOPICS, self.rng.randint(1, 3)),
            languages=["en", *self.rng.sample(("es", "pl", "it", "pt", "de", "fr"), 1)],
            country=self.rng.choice(words.COUNTRIES),
            bio=words.sentences(self.rng, 2, 3),
            private_contact=f"{values['slug']}@example.org",
            shared=self.rng.random() < SHARED_RATE,
        )
        return Planned(profile)

    def resource(self, tenant: Tenant, i: int) -> Planned:
        title = words.title(self.rng)
        values = self.common(tenant, title, i)
        pool = self.profiles[tenant.id]
        authors = self.rng.sample(pool, min(len(pool), self.rng.randint(1, 3)))
        resource = Resource(
            **values,
            kind=self.rng.choice(RESOURCE_KINDS),
            title=title,
            summary=words.sentences(self.rng, 1, 3),
            body=words.body(self.rng),
            thematic_areas=self.areas(),
            external_url=(
                f"https://{values['slug']}.example.org" if self.rng.random() < 0.2 else ""
            ),
            shared=self.rng.random() < SHARED_RATE,
        )
        image = self.image(tenant, "resources", resource.slug, title)
        return Planned(resource, self.tags(tenant), authors, image)

    def video(self, tenant: Tenant, i: int) -> Planned:
        title = words.title(self.rng)
        values = self.common(tenant, title, i)
        if self.rng.random() < 0.7:
            key = "".join(self.rng.choices(string.ascii_letters + string.digits, k=11))
            provider, source = VideoProvider.YOUTUBE, f"https://www.youtube.com/watch?v={key}"
            embed = f"https://www.youtube-nocookie.com/embed/{key}"
        else:
            key = str(self.rng.randint(100_000_000, 999_999_999))
            provider, source = VideoProvider.VIMEO, f"https://vimeo.com/{key}"
            embed = f"https://player.vimeo.com/video/{key}"
        video = Video(
            **values,
            title=title,
            provider=provider,
            source_url=source,
            embed_url=embed,
            description=words.sentences(self.rng, 1, 3),
            duration_seconds=self.rng.randint(90, 3600),
            transcript=words.body(self.rng) if self.rng.random() < 0.3 else "",
            thematic_areas=self.areas(),
            shared=self.rng.random() < SHARED_RATE,
        )
        return Planned(video, self.tags(tenant))

    def news(self, tenant: Tenant, i: int) -> Planned:
        title = words.title(self.rng)
        item = NewsItem(
            **self.common(tenant, title, i),
            kind=NewsKind.PRESS_RELEASE if self.rng.random() < 0.1 else NewsKind.NEWS,
            title=title,
            summary=words.sentences(self.rng, 1, 3),
            body=words.body(self.rng),
            thematic_areas=self.areas(),
        )
        return Planned(item, self.tags(tenant), image=self.image(tenant, "news", item.slug, title))

    def event(self, tenant: Tenant, i: int) -> Planned:
        title = words.event_title(self.rng)
        values = self.common(tenant, title, i)
        # About two thirds in the past, one third upcoming.
        day = self.now + timedelta(days=self.rng.randint(-730, 365))
        start = day.replace(hour=self.rng.randint(7, 15), minute=self.rng.choice((0, 30)))
        end = start + timedelta(hours=self.rng.randint(1, 8))
        if values["published_at"] is not None:
            values["published_at"] = min(start, self.now) - timedelta(days=self.rng.randint(7, 90))
        form = self.rng.choice(list(EventFormat))
        event = Event(
            **values,
            title=title,
            description=words.body(self.rng),
            start=start,
            end=end,
            timezone=self.rng.choice(("Europe/Brussels", "Europe/Madrid", "Europe/Warsaw")),
            format=form,
            location="" if form is EventFormat.ONLINE else self.rng.choice(words.CITIES),
            registration_url=f"https://{tenant.slug}.example.org/events/{values['slug']}",
            thematic_areas=self.areas(),
        )
        return Planned(event, self.tags(tenant))


async def load_synthetic(
    count: int,
    seed: int,
    *,
    resources: int | None = None,
    news: int | None = None,
    events: int | None = None,
    videos: int | None = None,
    profiles: int | None = None,
    reference_date: datetime | None = None,
    tenants: Sequence[str] | None = None,
) -> dict[str, int]:
    """Add ``count`` synthetic items (explicit counts per kind override the split); rows made.

    Items go round-robin to every tenant of kind cop, or to the CoPs named in ``tenants``.
    """
    query = Tenant.filter(kind=TenantKind.COP)
    if tenants is not None:
        query = query.filter(slug__in=list(tenants))
    cops = await query.order_by("slug")
    if not cops or (tenants is not None and len(cops) != len(set(tenants))):
        raise SeedError([f"synthetic content needs CoP tenants; found {[t.slug for t in cops]}"])
    explicit = {
        "resources": resources,
        "news": news,
        "events": events,
        "videos": videos,
        "profiles": profiles,
    }
    counts = split_counts(count, explicit, len(cops))
    now = reference_date or datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    gen = _Generator(random.Random(seed), seed, cops, now)
    makers = {
        "profiles": gen.profile,
        "resources": gen.resource,
        "videos": gen.video,
        "news": gen.news,
        "events": gen.event,
    }
    planned = {
        kind: [makers[kind](cops[i % len(cops)], i) for i in range(counts[kind])]
        for kind in WEIGHTS  # profiles first: resources pick their authors from them
    }
    async with in_transaction() as conn:
        # Rows written in bulk, past the services: every tenant's cached answers go at once.
        await generations.bump(None, shared=True)
        return await _write(conn, planned, [t.id for t in cops], f"-s{seed}-")


async def _write(
    conn: BaseDBAsyncClient, planned: dict[str, list[Planned]], tenant_ids: list[int], marker: str
) -> dict[str, int]:
    """Insert what is not there yet: images, tags, then items kind by kind, then their links."""
    report = {"tenants": len(tenant_ids), "skipped": 0, "tags": 0, "images": 0}
    for kind, items in planned.items():
        existing = await _ids(KINDS[kind].model, tenant_ids, marker)
        fresh = [p for p in items if (p.obj.tenant_id, p.obj.slug) not in existing]
        report["skipped"] += len(items) - len(fresh)
        planned[kind] = fresh
    tag_ids, report["tags"] = await _ensure_tags(planned, tenant_ids)
    report["images"] = await _attach_images(planned)
    for kind, items in planned.items():
        model = KINDS[kind].model
        await model.bulk_create([p.obj for p in items], batch_size=BATCH)
        report[kind] = len(items)
        ids = await _ids(model, tenant_ids, marker)
        if KINDS[kind].tags:
            pairs = [
                (ids[(p.obj.tenant_id, p.obj.slug)], tag_ids[(p.obj.tenant_id, slug)])
                for p in items
                for slug in p.tags
            ]
            await _link(conn, KINDS[kind], "tags", pairs)
        if KINDS[kind].authors and items:
            profile_ids = await _ids(Profile, tenant_ids, marker)
            await ResourceAuthor.bulk_create(
                [
                    ResourceAuthor(
                        resource_id=ids[(p.obj.tenant_id, p.obj.slug)],
                        profile_id=profile_ids[(p.obj.tenant_id, slug)],
                        position=position,
                    )
                    for p in items
                    for position, slug in enumerate(p.authors)
                ],
                batch_size=BATCH,
            )
    return report


async def _ids(
    model: type[Model], tenant_ids: list[int], marker: str
) -> dict[tuple[int, str], int]:
    """Ids of this seed's items (their slugs carry the marker), by (tenant id, slug)."""
    rows = await model.filter(tenant_id__in=tenant_ids, slug__contains=marker).values_list(
        "tenant_id", "slug", "id"
    )
    return {(tenant_id, slug): pk for tenant_id, slug, pk in rows}


async def _ensure_tags(
    planned: dict[str, list[Planned]], tenant_ids: list[int]
) -> tuple[dict[tuple[int, str], int], int]:
    """Create the tags the items use that their tenant lacks; ids by (tenant id, slug)."""
    wanted = {
        (p.obj.tenant_id, slug) for items in planned.values() for p in items for slug in p.tags
    }
    slugs = sorted({slug for _, slug in wanted})

    async def fetch() -> dict[tuple[int, str], int]:
        rows = await Tag.filter(tenant_id__in=tenant_ids, slug__in=slugs).values_list(
            "tenant_id", "slug", "id"
        )
        return {(tenant_id, slug): pk for tenant_id, slug, pk in rows}

    found = await fetch() if slugs else {}
    names = {words.slugify(name): name for name in words.TAG_NAMES}
    missing = sorted(wanted - set(found))
    if not missing:
        return found, 0
    await Tag.bulk_create([Tag(tenant_id=t, slug=s, name=names[s]) for t, s in missing])
    return await fetch(), len(missing)


async def _attach_images(planned: dict[str, list[Planned]]) -> int:
    """Insert the cover images and point their items at them."""
    with_image = [p for items in planned.values() for p in items if p.image is not None]
    images = [p.image for p in with_image if p.image is not None]
    if not images:
        return 0
    await Image.bulk_create(images, batch_size=BATCH)
    keys = [image.storage_key for image in images]
    ids: dict[str, int] = {}
    for chunk in _chunks(keys):
        ids.update(await Image.filter(storage_key__in=list(chunk)).values_list("storage_key", "id"))
    for p in with_image:
        assert p.image is not None
        cover = kind_of(type(p.obj)).image_refs[0]  # the kind's first image: cover, lead image
        setattr(p.obj, f"{cover.field}_id", ids[p.image.storage_key])
    return len(images)


async def _link(
    conn: BaseDBAsyncClient, kind: Kind, relation: str, pairs: Iterable[tuple[int, int]]
) -> None:
    """Insert many-to-many rows (own id, related id) in batches, straight into the through table."""
    link = kind.link(relation)
    table = Table(link.table)
    columns = (link.column, link.other)
    for chunk in _chunks(list(pairs)):
        query = conn.query_class.into(table).columns(*columns).insert(*chunk)
        await conn.execute_query(*query.get_parameterized_sql())
