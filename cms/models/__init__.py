"""Tortoise models; the one module the ORM config names."""

from cms.models.auth import ApiToken, Role
from cms.models.base import ContentModel, DelimitedListField, Status, ThematicArea
from cms.models.cache import SHARED, ContentGeneration
from cms.models.content import (
    Event,
    EventFormat,
    NewsItem,
    NewsKind,
    Page,
    Resource,
    ResourceAuthor,
    ResourceKind,
    Tag,
    Video,
    VideoProvider,
)
from cms.models.history import AuditEntry, OutboxConsumer, OutboxEvent, Revision
from cms.models.media import File, Image
from cms.models.people import Organisation, OrganisationKind, Profile, ProfileRole
from cms.models.persisted import PersistedQuery
from cms.models.tenants import Maturity, Tenant, TenantKind

__all__ = [
    "ApiToken",
    "AuditEntry",
    "OutboxConsumer",
    "OutboxEvent",
    "Revision",
    "Role",
    "SHARED",
    "ContentGeneration",
    "ContentModel",
    "DelimitedListField",
    "Event",
    "EventFormat",
    "File",
    "Image",
    "Maturity",
    "NewsItem",
    "NewsKind",
    "Organisation",
    "OrganisationKind",
    "Page",
    "PersistedQuery",
    "Profile",
    "ProfileRole",
    "Resource",
    "ResourceAuthor",
    "ResourceKind",
    "Status",
    "Tag",
    "Tenant",
    "TenantKind",
    "ThematicArea",
    "Video",
    "VideoProvider",
]
