"""Content kinds: tags, knowledge resources, videos, events, news and pages."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields

from cms.models.base import ContentModel, DelimitedListField, TimestampedModel

if TYPE_CHECKING:
    from cms.models.media import File, Image
    from cms.models.people import Organisation, Profile
    from cms.models.tenants import Tenant


class ResourceKind(StrEnum):
    TOOLKIT = "toolkit"
    GUIDE = "guide"
    TEMPLATE = "template"
    REPORT = "report"
    DELIVERABLE = "deliverable"
    POLICY_BRIEF = "policy-brief"
    TRAINING_MATERIAL = "training-material"
    ARTICLE = "article"
    DATASET = "dataset"
    SUPPORT_PACKAGE = "support-package"


class VideoProvider(StrEnum):
    YOUTUBE = "youtube"
    VIMEO = "vimeo"
    FILE = "file"


class EventFormat(StrEnum):
    ONLINE = "online"
    IN_PERSON = "in-person"
    HYBRID = "hybrid"


class NewsKind(StrEnum):
    NEWS = "news"
    PRESS_RELEASE = "press-release"


class Tag(TimestampedModel):
    """A keyword in one tenant's vocabulary."""

    id = fields.IntField(primary_key=True)
    tenant: fields.ForeignKeyRelation[Tenant] = fields.ForeignKeyField(
        "models.Tenant", related_name="tags", on_delete=fields.RESTRICT
    )
    tenant_id: int
    name = fields.CharField(max_length=100)
    slug = fields.CharField(max_length=100)

    # Reverse relations, filled in by Tortoise: declared so that the type checker knows them.
    resources: fields.ManyToManyRelation[Resource]
    videos: fields.ManyToManyRelation[Video]
    events: fields.ManyToManyRelation[Event]
    news: fields.ManyToManyRelation[NewsItem]

    class Meta:
        table = "tag"
        unique_together = (("tenant", "slug"),)


class Resource(ContentModel):
    """A knowledge-base item: toolkit, guide, report, deliverable, training material, …"""

    tenant: fields.ForeignKeyRelation[Tenant] = fields.ForeignKeyField(
        "models.Tenant", related_name="resources", on_delete=fields.RESTRICT
    )
    tenant_id: int
    kind = fields.CharEnumField(ResourceKind, max_length=32)
    title = fields.CharField(max_length=300)
    summary = fields.TextField(default="")
    body = fields.TextField(default="")
    thematic_areas = DelimitedListField()
    external_url = fields.CharField(max_length=1000, default="")
    shared = fields.BooleanField(default=False)
    organisation: fields.ForeignKeyNullableRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name="resources", null=True, on_delete=fields.SET_NULL
    )
    organisation_id: int | None
    cover_image: fields.ForeignKeyNullableRelation[Image] = fields.ForeignKeyField(
        "models.Image", related_name="resource_covers", null=True, on_delete=fields.SET_NULL
    )
    cover_image_id: int | None
    tags: fields.ManyToManyRelation[Tag] = fields.ManyToManyField(
        "models.Tag", related_name="resources", through="resource_tag"
    )
    attachments: fields.ManyToManyRelation[File] = fields.ManyToManyField(
        "models.File", related_name="resources", through="resource_attachment"
    )

    # Reverse relations, filled in by Tortoise: declared so that the type checker knows them.
    author_links: fields.ReverseRelation[ResourceAuthor]

    class Meta:
        table = "resource"
        unique_together = (("tenant", "slug"), ("tenant", "source_uid"))
        indexes = (("tenant_id", "status", "published_at"), ("shared", "status", "published_at"))


class ResourceAuthor(TimestampedModel):
    """An author of a resource, in byline order."""

    id = fields.IntField(primary_key=True)
    resource: fields.ForeignKeyRelation[Resource] = fields.ForeignKeyField(
        "models.Resource", related_name="author_links", on_delete=fields.CASCADE
    )
    resource_id: int
    profile: fields.ForeignKeyRelation[Profile] = fields.ForeignKeyField(
        "models.Profile", related_name="authored_links", on_delete=fields.CASCADE
    )
    profile_id: int
    position = fields.IntField(default=0)

    class Meta:
        table = "resource_author"
        unique_together = (("resource", "profile"),)


class Video(ContentModel):
    """A video in the knowledge base (ACT's thematic videos and the like)."""

    tenant: fields.ForeignKeyRelation[Tenant] = fields.ForeignKeyField(
        "models.Tenant", related_name="videos", on_delete=fields.RESTRICT
    )
    tenant_id: int
    title = fields.CharField(max_length=300)
    description = fields.TextField(default="")
    provider = fields.CharEnumField(VideoProvider, max_length=16)
    source_url = fields.CharField(max_length=1000, default="")
    embed_url = fields.CharField(max_length=1000, default="")
    duration_seconds = fields.IntField(null=True)
    transcript = fields.TextField(default="")
    thumbnail: fields.ForeignKeyNullableRelation[Image] = fields.ForeignKeyField(
        "models.Image", related_name="video_thumbnails", null=True, on_delete=fields.SET_NULL
    )
    thumbnail_id: int | None
    thematic_areas = DelimitedListField()
    shared = fields.BooleanField(default=False)
    tags: fields.ManyToManyRelation[Tag] = fields.ManyToManyField(
        "models.Tag", related_name="videos", through="video_tag"
    )

    class Meta:
        table = "video"
        unique_together = (("tenant", "slug"), ("tenant", "source_uid"))
        indexes = (("tenant_id", "status", "published_at"), ("shared", "status", "published_at"))


class Event(ContentModel):
    """A webinar, workshop, symposium or meeting, with timezone-aware start and end."""

    tenant: fields.ForeignKeyRelation[Tenant] = fields.ForeignKeyField(
        "models.Tenant", related_name="events", on_delete=fields.RESTRICT
    )
    tenant_id: int
    title = fields.CharField(max_length=300)
    description = fields.TextField(default="")
    start = fields.DatetimeField()
    end = fields.DatetimeField()
    timezone = fields.CharField(max_length=64, default="Europe/Brussels")
    format = fields.CharEnumField(EventFormat, max_length=16)
    location = fields.CharField(max_length=300, default="")
    host_organisation: fields.ForeignKeyNullableRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name="hosted_events", null=True, on_delete=fields.SET_NULL
    )
    host_organisation_id: int | None
    registration_url = fields.CharField(max_length=1000, default="")
    contact_name = fields.CharField(max_length=200, default="")
    contact_email = fields.CharField(max_length=254, default="")
    thematic_areas = DelimitedListField()
    tags: fields.ManyToManyRelation[Tag] = fields.ManyToManyField(
        "models.Tag", related_name="events", through="event_tag"
    )

    class Meta:
        table = "event"
        unique_together = (("tenant", "slug"), ("tenant", "source_uid"))
        indexes = (("tenant_id", "status", "start"),)


class NewsItem(ContentModel):
    """A news story or press release."""

    tenant: fields.ForeignKeyRelation[Tenant] = fields.ForeignKeyField(
        "models.Tenant", related_name="news", on_delete=fields.RESTRICT
    )
    tenant_id: int
    kind = fields.CharEnumField(NewsKind, max_length=16, default=NewsKind.NEWS)
    title = fields.CharField(max_length=300)
    summary = fields.TextField(default="")
    body = fields.TextField(default="")
    image: fields.ForeignKeyNullableRelation[Image] = fields.ForeignKeyField(
        "models.Image", related_name="news_items", null=True, on_delete=fields.SET_NULL
    )
    image_id: int | None
    thematic_areas = DelimitedListField()
    tags: fields.ManyToManyRelation[Tag] = fields.ManyToManyField(
        "models.Tag", related_name="news", through="news_tag"
    )

    class Meta:
        table = "news_item"
        unique_together = (("tenant", "slug"), ("tenant", "source_uid"))
        indexes = (("tenant_id", "status", "published_at"),)


class Page(ContentModel):
    """A page of a CoP site at a hierarchical path such as ``about/how-to-join``."""

    tenant: fields.ForeignKeyRelation[Tenant] = fields.ForeignKeyField(
        "models.Tenant", related_name="pages", on_delete=fields.RESTRICT
    )
    tenant_id: int
    title = fields.CharField(max_length=300)
    path = fields.CharField(max_length=500)
    parent: fields.ForeignKeyNullableRelation[Page] = fields.ForeignKeyField(
        "models.Page", related_name="children", null=True, on_delete=fields.SET_NULL
    )
    parent_id: int | None
    summary = fields.TextField(default="")
    body = fields.TextField(default="")
    menu_order = fields.IntField(default=0)
    show_in_menu = fields.BooleanField(default=True)

    # Reverse relations, filled in by Tortoise: declared so that the type checker knows them.
    children: fields.ReverseRelation[Page]

    class Meta:
        table = "page"
        # The path is a page's identity: `about/team` and `projects/team` may both exist.
        unique_together = (("tenant", "path"), ("tenant", "source_uid"))
        indexes = (("tenant_id", "status", "published_at"),)
