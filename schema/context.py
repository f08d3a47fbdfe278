"""The per-request context: settings, the reading scope, the caller and fresh DataLoaders."""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.requests import Request
from strawberry.types import Info as StrawberryInfo

from cms.auth import Principal
from cms.config import Settings
from cms.tenancy import Scope, TenantDirectory
from schema.loaders import Loaders


@dataclass
class Context:
    request: Request
    settings: Settings
    scope: Scope
    directory: TenantDirectory
    principal: Principal | None = None
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.scope)


Info = StrawberryInfo[Context, None]
