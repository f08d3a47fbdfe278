"""The Node interface, the fields every content item shares, and saved revisions."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import get_object_definition

from cms.auth import Permission, can
from schema.context import Info
from schema.core.enums import ContentStatus
from schema.core.relations import Relation, related
from schema.core.types import HoldsModel

if TYPE_CHECKING:
    from schema.tenants.types import TenantType


@strawberry.interface(description="An object with a stable global id that `node(id:)` resolves.")
class Node(HoldsModel):
    id: strawberry.ID = strawberry.field(description="Global id, stable across releases.")


@strawberry.interface(description="What every tenant-owned content item has.")
class Content(Node):
    slug: str = strawberry.field(description="URL name, unique within the tenant.")
    status: ContentStatus = strawberry.field(
        description="Workflow state (public reads: PUBLISHED)."
    )
    published_at: datetime | None = strawberry.field(description="When it became public.")
    language: str = strawberry.field(description="BCP 47 language tag of the content.")
    version: int = strawberry.field(description="Increments with every saved change.")
    created_at: datetime = strawberry.field(description="When it was created.")
    updated_at: datetime = strawberry.field(description="When it last changed.")
    expires_at: datetime | None = strawberry.field(
        description="When it stops being public (null: never); previewers still see it after."
    )
    source_uid: str | None = strawberry.field(
        description="UID of the Plone item it was imported from (null: made here)."
    )
    translation_group: str | None = strawberry.field(
        description="Items of this tenant with the same group are translations of one another."
    )
    model: strawberry.Private[Any]

    @property
    def kind_name(self) -> str:
        """The content kind, which is the GraphQL type's name (see cms.services.kinds)."""
        return get_object_definition(type(self), strict=True).name

    @strawberry.field(
        description="The old slug or path this lookup named, when the item has moved since "
        "(null when it was found under its own)."
    )
    def redirected_from(self) -> str | None:
        return getattr(self.model, "redirected_from", None)

    @strawberry.field(description="The tenant that owns the item.")
    def tenant(self, info: Info) -> Annotated[TenantType, strawberry.lazy("schema.tenants.types")]:
        from schema.tenants.types import TenantType

        loader = info.context.loaders.tenant_by_id
        return related(loader, self.model.tenant_id, TenantType.from_model)

    async def _translations(self, info: Info) -> list[Any]:
        """Rows of the other items of this one's translation group that the reader may see."""
        if self.translation_group is None:
            return []
        key = (self.kind_name, self.model.tenant_id, self.translation_group)
        rows = await info.context.loaders.translations_by_group.load(key)
        return [row for row in rows if row.id != self.model.id]

    async def _history(self, info: Info) -> list[Any]:
        if not can(info.context.principal, Permission.PREVIEW, self.model.tenant_id):
            return []
        return await info.context.loaders.revisions_by_item.load((self.kind_name, self.model.id))

    @strawberry.field(
        description="Saved versions, oldest first; only for tokens that may preview the tenant."
    )
    async def revisions(self, info: Info) -> list[RevisionType]:
        return [RevisionType.from_model(r) for r in await self._history(info)]

    @strawberry.field(
        description="Who created it (a token's or a person's name); only for callers that may "
        "preview the tenant."
    )
    async def created_by(self, info: Info) -> str | None:
        history = await self._history(info)
        return history[0].author_name if history else None

    @strawberry.field(
        description="Who saved it last (a token's or a person's name); only for callers that "
        "may preview the tenant."
    )
    async def updated_by(self, info: Info) -> str | None:
        history = await self._history(info)
        return history[-1].author_name if history else None


CONTENT_RELATIONS = {"tenant": Relation("tenant_by_id", "tenant_id")}
"""The relations every content item has (see schema/core/relations.py)."""

TRANSLATIONS = (
    "The other items of its translation group in this tenant that you may see, by language."
)
WRITE_ONLY = frozenset({"private_contact"})


@strawberry.type(name="Revision", description="A saved version of a content item.")
class RevisionType(HoldsModel):
    version: int = strawberry.field(description="The item's version after this save.")
    operation: str = strawberry.field(description="create, update, publish, revert:N, …")
    author: str = strawberry.field(
        description="Name of the token, the person (`former member` once they closed their "
        "account) or `system` that saved it."
    )
    created_at: datetime = strawberry.field(description="When it was saved.")
    snapshot: JSON = strawberry.field(description="Every editable field as it was saved.")
    model: strawberry.Private[Any]

    @classmethod
    def converted(cls, model: Any) -> dict[str, Any]:
        return {
            "author": model.author_name,
            # Private contact details are write-only in the API, history included.
            "snapshot": {k: v for k, v in model.snapshot.items() if k not in WRITE_ONLY},
        }
