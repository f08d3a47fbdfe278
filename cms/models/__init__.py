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
from cms.models.genderdata import (
    DataFramework,
    FrameworkVersion,
    Submission,
    SubmissionState,
    VersionStatus,
)
from cms.models.history import AuditEntry, OutboxEvent, Revision
from cms.models.media import File, Image
from cms.models.people import Organisation, OrganisationKind, Profile, ProfileRole
from cms.models.tenants import Maturity, Tenant, TenantKind

__all__ = [
    "DataFramework",
    "FrameworkVersion",
    "Submission",
    "SubmissionState",
    "VersionStatus",
    "ApiToken",
    "AuditEntry",
    "OutboxEvent",
    "Revision",
    "Role",
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
