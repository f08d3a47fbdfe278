"""The content kinds editors write, declared once: what each requires, holds and points to."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from tortoise.models import Model

from cms import models


@dataclass(frozen=True)
class Ref:
    """A foreign key an editor sets by id; `shareable` targets may be another tenant's shared."""

    field: str
    model: type[Model]
    shareable: bool = False


@dataclass(frozen=True)
class Kind:
    """How one content kind is written."""

    name: str
    model: type[models.ContentModel]
    label: str
    required: tuple[str, ...]
    html: tuple[str, ...] = ()
    urls: tuple[str, ...] = ()
    refs: tuple[Ref, ...] = ()
    vocabularies: dict[str, type[Enum] | None] = field(default_factory=dict)
    tags: bool = False
    shareable: bool = False

    @property
    def editable(self) -> tuple[str, ...]:
        """Fields an update may set (and a revert restores), relations excluded."""
        skip = {"id", "tenant", "slug", "status", "published_at", "version", "created_at",
                "updated_at", *(r.field for r in self.refs)}  # fmt: skip
        return tuple(
            name
            for name in self.model._meta.fields_map
            if name not in skip
            and name not in self.model._meta.fk_fields
            and name not in self.model._meta.m2m_fields
            and name not in self.model._meta.backward_fk_fields
            and not name.endswith("_id")
        )


_IMAGE = models.Image
_ORG = models.Organisation
_AREAS: dict[str, type[Enum] | None] = {"thematic_areas": models.ThematicArea}

KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind(
            "Resource", models.Resource, "title", ("title", "kind"), html=("body",),
            urls=("external_url",),
            refs=(Ref("organisation", _ORG, True), Ref("cover_image", _IMAGE)),
            vocabularies=_AREAS, tags=True, shareable=True,
        ),
        Kind(
            "Video", models.Video, "title", ("title", "provider"), html=("description",),
            urls=("source_url", "embed_url"), refs=(Ref("thumbnail", _IMAGE),),
            vocabularies=_AREAS, tags=True, shareable=True,
        ),
        Kind(
            "Profile", models.Profile, "name", ("name",), html=("bio",),
            refs=(Ref("organisation", _ORG, True), Ref("photo", _IMAGE)),
            vocabularies={"roles": models.ProfileRole, "expertise": None, "languages": None},
            shareable=True,
        ),
        Kind(
            "Organisation", models.Organisation, "name", ("name", "kind"),
            html=("description",), urls=("website",), shareable=True,
        ),
        Kind(
            "Event", models.Event, "title", ("title", "start", "end", "format"),
            html=("description",), urls=("registration_url",),
            refs=(Ref("host_organisation", _ORG, True),), vocabularies=_AREAS, tags=True,
        ),
        Kind(
            "NewsItem", models.NewsItem, "title", ("title",), html=("body",),
            refs=(Ref("image", _IMAGE),), vocabularies=_AREAS, tags=True,
        ),
        Kind("Page", models.Page, "title", ("title", "path"), html=("body",)),
    )
}  # fmt: skip


def kind_of(model: type[Model]) -> Kind:
    for kind in KINDS.values():
        if kind.model is model:
            return kind
    raise KeyError(model.__name__)
