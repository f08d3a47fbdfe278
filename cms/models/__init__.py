"""Tortoise models; the one module the ORM config names."""

from cms.models.auth import ApiToken, Role
from cms.models.base import ContentModel, DelimitedListField, Status, ThematicArea
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
from cms.models.delivery import (
    DeliveryStatus,
    Redirect,
    ScheduleClock,
    SiteRoutes,
    Webhook,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEvent,
)
from cms.models.history import AuditEntry, OutboxConsumer, OutboxEvent, Revision
from cms.models.media import File, Image
from cms.models.people import Organisation, OrganisationKind, Profile, ProfileRole
from cms.models.tenants import Maturity, Tenant, TenantKind

__all__ = [
    "ApiToken",
    "AuditEntry",
    "OutboxConsumer",
    "OutboxEvent",
    "Revision",
    "Role",
    "ContentModel",
    "DeliveryStatus",
    "Redirect",
    "ScheduleClock",
    "SiteRoutes",
    "Webhook",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEvent",
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
