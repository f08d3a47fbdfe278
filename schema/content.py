"""Types of the content kinds: tags, resources, videos, events, news items and pages."""

from __future__ import annotations

from datetime import datetime

import strawberry

from cms import models
from schema.context import Info
from schema.enums import EventFormat, NewsKind, ResourceKind, ThematicArea, VideoProvider, enum_list
from schema.ids import to_global_id
from schema.media import FileType, ImageType
from schema.nodes import TRANSLATIONS, Content, Node, content_fields
from schema.people import OrganisationType, ProfileType


@strawberry.type(name="Tag", description="A keyword of one tenant's vocabulary.")
class TagType(Node):
    name: str = strawberry.field(description="As shown to readers.")
    slug: str = strawberry.field(description="As used in filters and URLs.")
    pk: strawberry.Private[int]
    tenant_id: strawberry.Private[int]

    @classmethod
    def from_model(cls, m: models.Tag) -> TagType:
        return cls(
            id=strawberry.ID(to_global_id("Tag", m.id)),
            name=m.name,
            slug=m.slug,
            pk=m.id,
            tenant_id=m.tenant_id,
        )


async def _image(info: Info, image_id: int | None) -> ImageType | None:
    if image_id is None:
        return None
    row = await info.context.loaders.image_by_id.load(image_id)
    return ImageType.from_model(row) if row else None


async def _organisation(info: Info, organisation_id: int | None) -> OrganisationType | None:
    if organisation_id is None:
        return None
    row = await info.context.loaders.organisation_by_id.load(organisation_id)
    return OrganisationType.from_model(row) if row else None


@strawberry.type(name="Resource", description="A knowledge-base item: toolkit, guide, report, …")
class ResourceType(Content):
    kind: ResourceKind = strawberry.field(description="What the resource is.")
    title: str = strawberry.field(description="Title.")
    summary: str = strawberry.field(description="One-paragraph summary (plain text).")
    body: str = strawberry.field(description="Full text (sanitised HTML).")
    thematic_areas: list[ThematicArea] = strawberry.field(description="Areas it addresses.")
    external_url: str = strawberry.field(description="Where the resource lives, if elsewhere.")
    shared: bool = strawberry.field(description="Part of the shared knowledge base.")
    organisation_id: strawberry.Private[int | None]
    cover_image_id: strawberry.Private[int | None]

    @classmethod
    def from_model(cls, m: models.Resource) -> ResourceType:
        return cls(
            **content_fields("Resource", m),
            kind=m.kind,
            title=m.title,
            summary=m.summary,
            body=m.body,
            thematic_areas=enum_list(models.ThematicArea, m.thematic_areas),
            external_url=m.external_url,
            shared=m.shared,
            organisation_id=m.organisation_id,
            cover_image_id=m.cover_image_id,
        )

    @strawberry.field(description=TRANSLATIONS)
    async def translations(self, info: Info) -> list[ResourceType]:
        return [ResourceType.from_model(r) for r in await self._translations(info)]

    @strawberry.field(description="Keywords.")
    async def tags(self, info: Info) -> list[TagType]:
        rows = await info.context.loaders.tags_by_resource_id.load(self.pk)
        return [TagType.from_model(t) for t in rows]

    @strawberry.field(description="Authors in byline order (only those visible to the reader).")
    async def authors(self, info: Info) -> list[ProfileType]:
        rows = await info.context.loaders.authors_by_resource_id.load(self.pk)
        return [ProfileType.from_model(p) for p in rows]

    @strawberry.field(description="Publishing organisation.")
    async def organisation(self, info: Info) -> OrganisationType | None:
        return await _organisation(info, self.organisation_id)

    @strawberry.field(description="Cover picture.")
    async def cover_image(self, info: Info) -> ImageType | None:
        return await _image(info, self.cover_image_id)

    @strawberry.field(description="Downloadable documents.")
    async def attachments(self, info: Info) -> list[FileType]:
        rows = await info.context.loaders.attachments_by_resource_id.load(self.pk)
        return [FileType.from_model(f) for f in rows]


@strawberry.type(name="Video", description="A video, hosted by a provider or uploaded.")
class VideoType(Content):
    title: str = strawberry.field(description="Title.")
    description: str = strawberry.field(description="What the video shows (HTML).")
    provider: VideoProvider = strawberry.field(description="YouTube, Vimeo or an uploaded file.")
    source_url: str = strawberry.field(description="The video's page at its provider.")
    embed_url: str = strawberry.field(description="Privacy-friendly player URL for an iframe.")
    duration_seconds: int | None = strawberry.field(description="Length in seconds.")
    transcript: str = strawberry.field(description="Transcript (plain text).")
    thematic_areas: list[ThematicArea] = strawberry.field(description="Areas it addresses.")
    shared: bool = strawberry.field(description="Part of the shared knowledge base.")
    thumbnail_id: strawberry.Private[int | None]

    @classmethod
    def from_model(cls, m: models.Video) -> VideoType:
        return cls(
            **content_fields("Video", m),
            title=m.title,
            description=m.description,
            provider=m.provider,
            source_url=m.source_url,
            embed_url=m.embed_url,
            duration_seconds=m.duration_seconds,
            transcript=m.transcript,
            thematic_areas=enum_list(models.ThematicArea, m.thematic_areas),
            shared=m.shared,
            thumbnail_id=m.thumbnail_id,
        )

    @strawberry.field(description=TRANSLATIONS)
    async def translations(self, info: Info) -> list[VideoType]:
        return [VideoType.from_model(r) for r in await self._translations(info)]

    @strawberry.field(description="Keywords.")
    async def tags(self, info: Info) -> list[TagType]:
        rows = await info.context.loaders.tags_by_video_id.load(self.pk)
        return [TagType.from_model(t) for t in rows]

    @strawberry.field(description="Still picture shown before playing.")
    async def thumbnail(self, info: Info) -> ImageType | None:
        return await _image(info, self.thumbnail_id)


@strawberry.type(name="Event", description="A webinar, workshop, symposium or meeting.")
class EventType(Content):
    title: str = strawberry.field(description="Title.")
    description: str = strawberry.field(description="Programme and practical details (HTML).")
    start: datetime = strawberry.field(description="Start, timezone-aware.")
    end: datetime = strawberry.field(description="End, timezone-aware.")
    timezone: str = strawberry.field(description="IANA zone the event is announced in.")
    format: EventFormat = strawberry.field(description="Online, in person or hybrid.")
    location: str = strawberry.field(description="Venue and city, or the platform.")
    registration_url: str = strawberry.field(description="Where to register.")
    contact_name: str = strawberry.field(description="Who answers questions about it.")
    contact_email: str = strawberry.field(description="Where to send questions about it.")
    thematic_areas: list[ThematicArea] = strawberry.field(description="Areas it addresses.")
    host_organisation_id: strawberry.Private[int | None]

    @classmethod
    def from_model(cls, m: models.Event) -> EventType:
        return cls(
            **content_fields("Event", m),
            title=m.title,
            description=m.description,
            start=m.start,
            end=m.end,
            timezone=m.timezone,
            format=m.format,
            location=m.location,
            registration_url=m.registration_url,
            contact_name=m.contact_name,
            contact_email=m.contact_email,
            thematic_areas=enum_list(models.ThematicArea, m.thematic_areas),
            host_organisation_id=m.host_organisation_id,
        )

    @strawberry.field(description=TRANSLATIONS)
    async def translations(self, info: Info) -> list[EventType]:
        return [EventType.from_model(r) for r in await self._translations(info)]

    @strawberry.field(description="Keywords.")
    async def tags(self, info: Info) -> list[TagType]:
        rows = await info.context.loaders.tags_by_event_id.load(self.pk)
        return [TagType.from_model(t) for t in rows]

    @strawberry.field(description="Organisation hosting the event.")
    async def host_organisation(self, info: Info) -> OrganisationType | None:
        return await _organisation(info, self.host_organisation_id)


@strawberry.type(name="NewsItem", description="A news story or press release.")
class NewsItemType(Content):
    kind: NewsKind = strawberry.field(description="News or press release.")
    title: str = strawberry.field(description="Headline.")
    summary: str = strawberry.field(description="Standfirst (plain text).")
    body: str = strawberry.field(description="Story (sanitised HTML).")
    thematic_areas: list[ThematicArea] = strawberry.field(description="Areas it addresses.")
    image_id: strawberry.Private[int | None]

    @classmethod
    def from_model(cls, m: models.NewsItem) -> NewsItemType:
        return cls(
            **content_fields("NewsItem", m),
            kind=m.kind,
            title=m.title,
            summary=m.summary,
            body=m.body,
            thematic_areas=enum_list(models.ThematicArea, m.thematic_areas),
            image_id=m.image_id,
        )

    @strawberry.field(description=TRANSLATIONS)
    async def translations(self, info: Info) -> list[NewsItemType]:
        return [NewsItemType.from_model(r) for r in await self._translations(info)]

    @strawberry.field(description="Keywords.")
    async def tags(self, info: Info) -> list[TagType]:
        rows = await info.context.loaders.tags_by_news_item_id.load(self.pk)
        return [TagType.from_model(t) for t in rows]

    @strawberry.field(description="Lead image.")
    async def image(self, info: Info) -> ImageType | None:
        return await _image(info, self.image_id)


@strawberry.type(name="Page", description="A page of a CoP site at a hierarchical path.")
class PageType(Content):
    title: str = strawberry.field(description="Title.")
    path: str = strawberry.field(description="Path within the site, e.g. `about/how-to-join`.")
    summary: str = strawberry.field(description="Short description (plain text).")
    body: str = strawberry.field(description="Content (sanitised HTML).")
    menu_order: int = strawberry.field(description="Position among its siblings in menus.")
    show_in_menu: bool = strawberry.field(description="Whether menus list the page.")
    parent_id: strawberry.Private[int | None]

    @classmethod
    def from_model(cls, m: models.Page) -> PageType:
        return cls(
            **content_fields("Page", m),
            title=m.title,
            path=m.path,
            summary=m.summary,
            body=m.body,
            menu_order=m.menu_order,
            show_in_menu=m.show_in_menu,
            parent_id=m.parent_id,
        )

    @strawberry.field(description=TRANSLATIONS)
    async def translations(self, info: Info) -> list[PageType]:
        return [PageType.from_model(r) for r in await self._translations(info)]

    @strawberry.field(description="The page above this one.")
    async def parent(self, info: Info) -> PageType | None:
        if self.parent_id is None:
            return None
        row = await info.context.loaders.page_by_id.load(self.parent_id)
        return PageType.from_model(row) if row else None

    @strawberry.field(description="Published pages below this one, in menu order.")
    async def children(self, info: Info) -> list[PageType]:
        rows = await info.context.loaders.children_by_page_id.load(self.pk)
        return [PageType.from_model(p) for p in rows]
