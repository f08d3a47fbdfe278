"""Every request's DataLoaders, composed from the domains' loaders and built fresh per request.

Each domain keeps its loaders in its own `loaders.py`; this is where they meet, so a loader
that needs another (a resource's authors go through the visible-profile loader) shares the
same request cache.
"""

from __future__ import annotations

from cms.tenancy import Scope
from schema.content.loaders import (
    PageByIdLoader,
    PagesByParentIdLoader,
    RevisionsByItemLoader,
    TagsByItemIdLoader,
    TranslationsByGroupLoader,
)
from schema.genderdata.loaders import GenderDataLoaders
from schema.media.loaders import FileByIdLoader, FilesByResourceIdLoader, ImageByIdLoader
from schema.people.loaders import (
    OrganisationByIdLoader,
    ProfileByIdLoader,
    ProfilesByResourceIdLoader,
)
from schema.programmes.loaders import ProgrammeLoaders
from schema.tenants.loaders import (
    TenantByIdLoader,
    TenantsByOrganisationIdLoader,
    TenantsByParentIdLoader,
)


class Loaders:
    """One request's loaders; never shared across requests, so their caches cannot go stale."""

    def __init__(self, scope: Scope) -> None:
        self.tenant_by_id = TenantByIdLoader()
        self.children_by_tenant_id = TenantsByParentIdLoader()
        self.memberships_by_organisation_id = TenantsByOrganisationIdLoader(self.tenant_by_id)
        self.image_by_id = ImageByIdLoader()
        self.file_by_id = FileByIdLoader()
        self.attachments_by_resource_id = FilesByResourceIdLoader()
        self.organisation_by_id = OrganisationByIdLoader(scope)
        self.profile_by_id = ProfileByIdLoader(scope)
        self.authors_by_resource_id = ProfilesByResourceIdLoader(self.profile_by_id)
        self.page_by_id = PageByIdLoader(scope)
        self.children_by_page_id = PagesByParentIdLoader(scope)
        self.tags_by_resource_id = TagsByItemIdLoader("resource_tag", "resource_id")
        self.tags_by_video_id = TagsByItemIdLoader("video_tag", "video_id")
        self.tags_by_event_id = TagsByItemIdLoader("event_tag", "event_id")
        self.tags_by_news_item_id = TagsByItemIdLoader("news_tag", "news_item_id")
        self.translations_by_group = TranslationsByGroupLoader(scope)
        self.revisions_by_item = RevisionsByItemLoader()
        self.programmes = ProgrammeLoaders(scope)
        self.genderdata = GenderDataLoaders()
