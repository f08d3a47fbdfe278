"""Types of the content kinds: tags, resources, videos, events, news items and pages."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.types import get_object_definition

from cms import models
from cms.services.kinds import KINDS
from schema.context import Info
from schema.core.enums import (
    EventFormat,
    NewsKind,
    ResourceKind,
    ThematicArea,
    VideoProvider,
    enum_list,
)
from schema.core.nodes import CONTENT_RELATIONS, TRANSLATIONS, Content, Node
from schema.core.relations import Relation, related
from schema.media.types import FileType, ImageType, image_by_id
from schema.people.types import OrganisationType, ProfileType, organisation_by_id

if TYPE_CHECKING:
    from schema.programmes.types import Provenance


@strawberry.type(name="Tag", description="A keyword of one tenant's vocabulary.")
class TagType(Node):
    name: str = strawberry.field(description="As shown to readers.")
    slug: str = strawberry.field(description="As used in filters and URLs.")
    model: strawberry.Private[models.Tag]


def _tags(rows: list[Any]) -> list[TagType]:
    return [TagType.from_model(row) for row in rows]


def _profiles(rows: list[Any]) -> list[ProfileType]:
    return [ProfileType.from_model(row) for row in rows]


def _files(rows: list[Any]) -> list[FileType]:
    return [FileType.from_model(row) for row in rows]


def _areas(model: Any) -> dict[str, Any]:
    return {"thematic_areas": enum_list(models.ThematicArea, model.thematic_areas)}


@strawberry.type(name="Resource", description="A knowledge-base item: toolkit, guide, report, …")
class ResourceType(Content):
    kind: ResourceKind = strawberry.field(description="What the resource is.")
    title: str = strawberry.field(description="Title.")
    summary: str = strawberry.field(description="One-paragraph summary (plain text).")
    body: str = strawberry.field(description="Full text (sanitised HTML).")
    thematic_areas: list[ThematicArea] = strawberry.field(description="Areas it addresses.")
    external_url: str = strawberry.field(description="Where the resource lives, if elsewhere.")
    shared: bool = strawberry.field(description="Part of the shared knowledge base.")
    model: strawberry.Private[models.Resource]
    relations = {
        **CONTENT_RELATIONS,
        "tags": Relation("tags_by_resource_id", "id"),
        "authors": Relation("authors_by_resource_id", "id"),
        "organisation": Relation("organisation_by_id", "organisation_id"),
        "coverImage": Relation("image_by_id", "cover_image_id"),
        "attachments": Relation("attachments_by_resource_id", "id"),
    }

    @classmethod
    def converted(cls, model: Any) -> dict[str, Any]:
        return _areas(model)

    @strawberry.field(description=TRANSLATIONS)
    async def translations(self, info: Info) -> list[ResourceType]:
        return [ResourceType.from_model(r) for r in await self._translations(info)]

    @strawberry.field(description="Keywords.")
    def tags(self, info: Info) -> list[TagType]:
        return related(info.context.loaders.tags_by_resource_id, self.model.id, _tags)

    @strawberry.field(description="Authors in byline order (only those visible to the reader).")
    def authors(self, info: Info) -> list[ProfileType]:
        return related(info.context.loaders.authors_by_resource_id, self.model.id, _profiles)

    @strawberry.field(description="Publishing organisation.")
    def organisation(self, info: Info) -> OrganisationType | None:
        return organisation_by_id(info, self.model.organisation_id)

    @strawberry.field(description="Cover picture.")
    def cover_image(self, info: Info) -> ImageType | None:
        return image_by_id(info, self.model.cover_image_id)

    @strawberry.field(description="Downloadable documents.")
    def attachments(self, info: Info) -> list[FileType]:
        loader = info.context.loaders.attachments_by_resource_id
        return related(loader, self.model.id, _files)

    @strawberry.field(
        description="Where it came from: the applications whose accepted outcome it is (package, "
        "CoP, hub); empty for other resources."
    )
    async def provenance(
        self, info: Info
    ) -> list[Annotated[Provenance, strawberry.lazy("schema.programmes.types")]]:
        from schema.programmes.types import Provenance

        found = await info.context.loaders.programmes.provenance_by_resource_id.load(self.model.id)
        return [Provenance.of(outcome, application) for outcome, application in found]


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
    model: strawberry.Private[models.Video]
    relations = {
        **CONTENT_RELATIONS,
        "tags": Relation("tags_by_video_id", "id"),
        "thumbnail": Relation("image_by_id", "thumbnail_id"),
    }

    @classmethod
    def converted(cls, model: Any) -> dict[str, Any]:
        return _areas(model)

    @strawberry.field(description=TRANSLATIONS)
    async def translations(self, info: Info) -> list[VideoType]:
        return [VideoType.from_model(r) for r in await self._translations(info)]

    @strawberry.field(description="Keywords.")
    def tags(self, info: Info) -> list[TagType]:
        return related(info.context.loaders.tags_by_video_id, self.model.id, _tags)

    @strawberry.field(description="Still picture shown before playing.")
    def thumbnail(self, info: Info) -> ImageType | None:
        return image_by_id(info, self.model.thumbnail_id)


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
    model: strawberry.Private[models.Event]
    relations = {
        **CONTENT_RELATIONS,
        "tags": Relation("tags_by_event_id", "id"),
        "hostOrganisation": Relation("organisation_by_id", "host_organisation_id"),
    }

    @classmethod
    def converted(cls, model: Any) -> dict[str, Any]:
        return _areas(model)

    @strawberry.field(description=TRANSLATIONS)
    async def translations(self, info: Info) -> list[EventType]:
        return [EventType.from_model(r) for r in await self._translations(info)]

    @strawberry.field(description="Keywords.")
    def tags(self, info: Info) -> list[TagType]:
        return related(info.context.loaders.tags_by_event_id, self.model.id, _tags)

    @strawberry.field(description="Organisation hosting the event.")
    def host_organisation(self, info: Info) -> OrganisationType | None:
        return organisation_by_id(info, self.model.host_organisation_id)


@strawberry.type(name="NewsItem", description="A news story or press release.")
class NewsItemType(Content):
    kind: NewsKind = strawberry.field(description="News or press release.")
    title: str = strawberry.field(description="Headline.")
    summary: str = strawberry.field(description="Standfirst (plain text).")
    body: str = strawberry.field(description="Story (sanitised HTML).")
    thematic_areas: list[ThematicArea] = strawberry.field(description="Areas it addresses.")
    model: strawberry.Private[models.NewsItem]
    relations = {
        **CONTENT_RELATIONS,
        "tags": Relation("tags_by_news_item_id", "id"),
        "image": Relation("image_by_id", "image_id"),
    }

    @classmethod
    def converted(cls, model: Any) -> dict[str, Any]:
        return _areas(model)

    @strawberry.field(description=TRANSLATIONS)
    async def translations(self, info: Info) -> list[NewsItemType]:
        return [NewsItemType.from_model(r) for r in await self._translations(info)]

    @strawberry.field(description="Keywords.")
    def tags(self, info: Info) -> list[TagType]:
        return related(info.context.loaders.tags_by_news_item_id, self.model.id, _tags)

    @strawberry.field(description="Lead image.")
    def image(self, info: Info) -> ImageType | None:
        return image_by_id(info, self.model.image_id)


@strawberry.type(name="Page", description="A page of a CoP site at a hierarchical path.")
class PageType(Content):
    title: str = strawberry.field(description="Title.")
    path: str = strawberry.field(description="Path within the site, e.g. `about/how-to-join`.")
    summary: str = strawberry.field(description="Short description (plain text).")
    body: str = strawberry.field(description="Content (sanitised HTML).")
    menu_order: int = strawberry.field(description="Position among its siblings in menus.")
    show_in_menu: bool = strawberry.field(description="Whether menus list the page.")
    model: strawberry.Private[models.Page]
    relations = {**CONTENT_RELATIONS, "parent": Relation("page_by_id", "parent_id")}

    @strawberry.field(description=TRANSLATIONS)
    async def translations(self, info: Info) -> list[PageType]:
        return [PageType.from_model(r) for r in await self._translations(info)]

    @strawberry.field(description="The page above this one.")
    async def parent(self, info: Info) -> PageType | None:
        parent_id = self.model.parent_id
        if parent_id is None:
            return None
        row = await info.context.loaders.page_by_id.load(parent_id)
        return PageType.from_model(row) if row else None

    @strawberry.field(description="Published pages below this one, in menu order.")
    async def children(self, info: Info) -> list[PageType]:
        rows = await info.context.loaders.children_by_page_id.load(self.model.id)
        return [PageType.from_model(p) for p in rows]


def _content_types() -> dict[str, type[Content]]:
    """The GraphQL type of each content kind of the registry, in its order: every type that
    implements Content is one, named as its kind (a kind without a type fails here)."""
    implemented = {get_object_definition(t, strict=True).name: t for t in _implementations(Content)}
    return {name: implemented[name] for name in KINDS}


def _implementations(interface: type) -> list[type]:
    found: list[type] = []
    subclass: type
    for subclass in interface.__subclasses__():
        found.append(subclass)
        found.extend(_implementations(subclass))
    return found


CONTENT_TYPES: dict[str, type[Content]] = _content_types()
