"""The per-request context: the app's services, the reading scope, the caller, fresh loaders."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from starlette.requests import Request
from strawberry.types import Info as StrawberryInfo
from strawberry.types.graphql import OperationType

from cms.auth import Permission, Principal, can
from cms.config import Settings
from cms.models import Tenant
from cms.oversight import Act, allowed
from cms.tenancy import Scope, TenantDirectory
from media.storage import Storage
from schema.loaders import Loaders
from search_index import SearchService


@dataclass(frozen=True)
class Services:
    """What the app factory builds once and every request's resolvers share."""

    settings: Settings
    directory: TenantDirectory
    search: SearchService
    storage: Storage


@dataclass
class Context:
    request: Request
    services: Services
    scope: Scope
    principal: Principal | None = None
    loaders: Loaders = field(init=False)
    # Read by the response cache (schema/cache.py): what ran, and whether it used the search
    # index, whose answers may lag a write and so are not stored.
    operation: OperationType | None = None
    searched: bool = False

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.scope)

    @classmethod
    def of(
        cls,
        request: Request,
        services: Services,
        tenant: Tenant | None,
        principal: Principal | None,
        now: datetime,
    ) -> Context:
        """The context of a request to `tenant` by `principal`, reading as of `now`."""
        preview = can(principal, Permission.PREVIEW, tenant.id if tenant else None)
        if not preview and tenant is not None and principal is not None:
            # A hub's or programme's tokens preview the tenants below theirs (oversight).
            ancestors = services.directory.ancestor_ids(tenant)
            preview = allowed(principal, Act.PREVIEW, tenant.id, ancestors)
        member = principal is not None and principal.reads_members_of(tenant.id if tenant else None)
        scope = Scope(tenant=tenant, now=now, preview=preview, member=member)
        return cls(request=request, services=services, scope=scope, principal=principal)

    @property
    def settings(self) -> Settings:
        return self.services.settings

    @property
    def directory(self) -> TenantDirectory:
        return self.services.directory

    @property
    def search(self) -> SearchService:
        return self.services.search

    @property
    def storage(self) -> Storage:
        return self.services.storage


Info = StrawberryInfo[Context, None]
