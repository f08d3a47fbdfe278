"""The content kinds editors write, declared once: what each requires, holds and points to.

Everything that treats kinds alike reads this registry instead of listing them again: the write
services and revisions here, the index documents (`search_index`), media visibility (`media`),
the seed loader (`seeds`) and the GraphQL API (`schema`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from tortoise.models import Model

from cms import models
from cms.services import rules
from cms.services.rules import Rules


@dataclass(frozen=True)
class Ref:
    """A foreign key an editor sets by id; `shareable` targets may be another tenant's shared."""

    field: str
    model: type[Model]
    shareable: bool = False


@dataclass(frozen=True)
class Search:
    """What the index documents of a kind hold: a title field, then text fields in this order.

    A list field is joined with commas; a field the kind sanitises as HTML, or named in `markup`,
    is read as text without its tags.
    """

    title: str
    text: tuple[str, ...]
    markup: tuple[str, ...] = ()


@dataclass(frozen=True)
class Link:
    """The table behind a many-to-many relation: `column` holds the item's id, `other` the
    related row's; `related_name` is how the related model names the items."""

    table: str
    column: str
    other: str
    related_name: str


@dataclass(frozen=True)
class Kind:
    """How one content kind is written, found, seeded and shown."""

    name: str  # also its GraphQL type and the content type of its revisions and outbox events
    model: type[models.ContentModel]
    label: str  # the field a slug is made from
    required: tuple[str, ...]
    collection: str  # a tenant's list of them: the seed data key and the GraphQL list field
    html: tuple[str, ...] = ()  # sanitised as rich text; the fields that may embed media
    urls: tuple[str, ...] = ()
    refs: tuple[Ref, ...] = ()
    vocabularies: dict[str, type[Enum] | None] = field(default_factory=dict)
    tags: bool = False  # a `tags` many-to-many relation to models.Tag
    shareable: bool = False
    key: str = "slug"  # the field that names an item within its tenant
    search: Search | None = None  # None: not in the search index
    # Relations only resources have today: their rows are models.ResourceAuthor (ordered
    # profiles) and the `attachments` many-to-many relation to models.File.
    authors: bool = False
    attachments: bool = False
    rules: Rules = rules.NONE  # derived values and checks across fields (cms/services/rules.py)

    @property
    def editable(self) -> tuple[str, ...]:
        """Fields an update may set (and a revert restores), relations excluded."""
        skip = {
            "id",
            "tenant",
            "slug",
            "status",
            "published_at",
            "version",
            "created_at",
            "updated_at",
            *(r.field for r in self.refs),
        }
        return tuple(
            name
            for name in self.model._meta.fields_map
            if name not in skip
            and name not in self.model._meta.fk_fields
            and name not in self.model._meta.m2m_fields
            and name not in self.model._meta.backward_fk_fields
            and not name.endswith("_id")
        )

    @property
    def indexed(self) -> bool:
        return self.search is not None

    @property
    def image_refs(self) -> tuple[Ref, ...]:
        """The images an item shows through a relation (a cover, a thumbnail, a photo)."""
        return tuple(ref for ref in self.refs if ref.model is models.Image)

    def link(self, relation: str) -> Link:
        """The table of a many-to-many relation (`tags`, `attachments`), as the model declares
        it and Tortoise completes it when it is initialised."""
        known = _links.get((self.model, relation))
        if known is not None:
            return known
        described = self.model.describe(serializable=False)["m2m_fields"]  # milliseconds
        found = next(m2m for m2m in described if m2m["name"] == relation)
        link = Link(
            found["through"], found["backward_key"], found["forward_key"], found["related_name"]
        )
        if link.column:  # empty until Tortoise is initialised
            _links[(self.model, relation)] = link
        return link


_links: dict[tuple[type[Model], str], Link] = {}


_IMAGE = models.Image
_ORG = models.Organisation
_AREAS: dict[str, type[Enum] | None] = {"thematic_areas": models.ThematicArea}

KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind(
            "Resource",
            models.Resource,
            label="title",
            required=("title", "kind"),
            collection="resources",
            html=("body",),
            urls=("external_url",),
            refs=(Ref("organisation", _ORG, True), Ref("cover_image", _IMAGE)),
            vocabularies=_AREAS,
            tags=True,
            shareable=True,
            search=Search("title", ("summary", "body")),
            authors=True,
            attachments=True,
        ),
        Kind(
            "Video",
            models.Video,
            label="title",
            required=("title", "provider"),
            collection="videos",
            html=("description",),
            urls=("source_url", "embed_url"),
            refs=(Ref("thumbnail", _IMAGE),),
            vocabularies=_AREAS,
            tags=True,
            shareable=True,
            search=Search("title", ("description", "transcript"), markup=("transcript",)),
            rules=rules.VIDEO,
        ),
        Kind(
            "Profile",
            models.Profile,
            label="name",
            required=("name",),
            collection="profiles",
            html=("bio",),
            refs=(Ref("organisation", _ORG, True), Ref("photo", _IMAGE)),
            vocabularies={"roles": models.ProfileRole, "expertise": None, "languages": None},
            shareable=True,
            # Never `private_contact`: a document holds only what the public may see.
            search=Search("name", ("bio", "expertise", "roles")),
        ),
        Kind(
            "Organisation",
            models.Organisation,
            label="name",
            required=("name", "kind"),
            collection="organisations",
            html=("description",),
            urls=("website",),
            shareable=True,
        ),
        Kind(
            "Event",
            models.Event,
            label="title",
            required=("title", "start", "end", "format"),
            collection="events",
            html=("description",),
            urls=("registration_url",),
            refs=(Ref("host_organisation", _ORG, True),),
            vocabularies=_AREAS,
            tags=True,
            search=Search("title", ("description", "location")),
            rules=rules.EVENT,
        ),
        Kind(
            "NewsItem",
            models.NewsItem,
            label="title",
            required=("title",),
            collection="news",
            html=("body",),
            refs=(Ref("image", _IMAGE),),
            vocabularies=_AREAS,
            tags=True,
            search=Search("title", ("summary", "body")),
        ),
        Kind(
            "Page",
            models.Page,
            label="title",
            required=("title", "path"),
            collection="pages",
            html=("body",),
            key="path",  # slugs repeat across sections
            search=Search("title", ("summary", "body")),
        ),
    )
}
# The one kind with authors (see Kind.authors).
AUTHORED = next(kind for kind in KINDS.values() if kind.authors)


def kind_of(model: type[Model]) -> Kind:
    for kind in KINDS.values():
        if kind.model is model:
            return kind
    raise KeyError(model.__name__)
