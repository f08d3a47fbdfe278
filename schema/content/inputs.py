"""Mutation inputs, declared once per kind and made into Create… and Update… input types.

An update input has every field optional (left out = unchanged) plus `expectedVersion`; a
create input requires what the kind requires. Relations are set by global id, tags by slug.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import strawberry

from schema.core.enums import (
    EventFormat,
    NewsKind,
    OrganisationKind,
    ProfileRole,
    ResourceKind,
    ThematicArea,
    VideoProvider,
)


@dataclass(frozen=True)
class In:
    """One input field: its python name, GraphQL type, and whether create requires it."""

    name: str
    type: Any
    description: str
    required: bool = False
    id_of: str | None = None  # the node type a global id (or list of ids) must name


def _lifecycle() -> list[In]:
    return [
        In("expires_at", datetime, "When it stops being public, with a timezone offset; "
           "null: never."),
        In("translation_group", str, "Links translations: same group, same tenant; null: none."),
    ]  # fmt: skip


def _common() -> list[In]:
    return [
        In("slug", str, "URL name; made from the title or name when left out."),
        In("language", str, "BCP 47 language tag, e.g. en, es, pt-BR."),
        *_lifecycle(),
    ]


_AREAS = In("thematic_areas", list[ThematicArea], "Areas the item addresses.")
_TAGS = In("tags", list[str], "Tag slugs of this tenant's vocabulary (replaces the set).")

SPECS: dict[str, list[In]] = {
    "Resource": [
        In("title", str, "Title.", required=True),
        In("kind", ResourceKind, "What the resource is.", required=True),
        In("summary", str, "One-paragraph summary (plain text)."),
        In("body", str, "Full text (HTML, sanitised)."),
        _AREAS,
        In("external_url", str, "Where the resource lives, if elsewhere."),
        In("shared", bool, "Share it with every tenant's knowledge base."),
        In("organisation_id", strawberry.ID, "Publishing organisation.", id_of="Organisation"),
        In("cover_image_id", strawberry.ID, "Cover picture.", id_of="Image"),
        _TAGS,
        In("authors", list[strawberry.ID], "Author profiles in byline order.", id_of="Profile"),
        In("attachments", list[strawberry.ID], "Attached files.", id_of="File"),
        *_common(),
    ],
    "Video": [
        In("title", str, "Title.", required=True),
        In("provider", VideoProvider, "YouTube, Vimeo or an uploaded file.", required=True),
        In("description", str, "What the video shows (HTML, sanitised)."),
        In("source_url", str, "The video's page at its provider."),
        In("embed_url", str, "Player URL for an iframe."),
        In("duration_seconds", int, "Length in seconds."),
        In("transcript", str, "Transcript (plain text)."),
        _AREAS,
        In("shared", bool, "Share it with every tenant's knowledge base."),
        In("thumbnail_id", strawberry.ID, "Still picture.", id_of="Image"),
        _TAGS,
        *_common(),
    ],
    "Profile": [
        In("name", str, "Full name.", required=True),
        In("roles", list[ProfileRole], "Roles in the programme."),
        In("expertise", list[str], "Fields of expertise."),
        In("languages", list[str], "Languages the person works in."),
        In("country", str, "ISO 3166-1 alpha-2 code."),
        In("bio", str, "Short biography (HTML, sanitised)."),
        In("eligible_for_contracting", bool, "Listed for contracting under support packages."),
        In("private_contact", str, "Contact details for editors only; never public."),
        In("shared", bool, "Share the profile with every tenant."),
        In("organisation_id", strawberry.ID, "Where the person works.", id_of="Organisation"),
        In("photo_id", strawberry.ID, "Portrait.", id_of="Image"),
        *_common(),
    ],
    "Organisation": [
        In("name", str, "Full name.", required=True),
        In("kind", OrganisationKind, "What the organisation is.", required=True),
        In("acronym", str, "Short name."),
        In("country", str, "ISO 3166-1 alpha-2 code."),
        In("website", str, "Public website URL."),
        In("description", str, "About the organisation (HTML, sanitised)."),
        In("shared", bool, "Share it with every tenant."),
        *_common(),
    ],
    "Event": [
        In("title", str, "Title.", required=True),
        In("start", datetime, "Start, with a timezone offset.", required=True),
        In("end", datetime, "End, with a timezone offset.", required=True),
        In("format", EventFormat, "Online, in person or hybrid.", required=True),
        In("description", str, "Programme and details (HTML, sanitised)."),
        In("timezone", str, "IANA zone it is announced in, e.g. Europe/Madrid."),
        In("location", str, "Venue and city, or the platform."),
        In("registration_url", str, "Where to register."),
        In("contact_name", str, "Who answers questions about it (at most 200 characters)."),
        In("contact_email", str, "Where to send questions about it (an email address)."),
        _AREAS,
        In("host_organisation_id", strawberry.ID, "Host.", id_of="Organisation"),
        _TAGS,
        *_common(),
    ],
    "NewsItem": [
        In("title", str, "Headline.", required=True),
        In("kind", NewsKind, "News or press release."),
        In("summary", str, "Standfirst (plain text)."),
        In("body", str, "Story (HTML, sanitised)."),
        _AREAS,
        In("image_id", strawberry.ID, "Lead image.", id_of="Image"),
        _TAGS,
        *_common(),
    ],
    "Page": [
        In("title", str, "Title.", required=True),
        In(
            "path",
            str,
            "Path in the site, e.g. about/how-to-join (its parent must exist).",
            required=True,
        ),  # fmt: skip
        In("summary", str, "Short description (plain text)."),
        In("body", str, "Content (HTML, sanitised)."),
        In("menu_order", int, "Position among its siblings."),
        In("show_in_menu", bool, "Whether menus list the page."),
        In("language", str, "BCP 47 language tag."),
        *_lifecycle(),
    ],
}


def _make(kind: str, *, partial: bool) -> type:
    specs = sorted(SPECS[kind], key=lambda s: not (s.required and not partial))
    annotations: dict[str, Any] = {}
    namespace: dict[str, Any] = {}
    if partial:
        annotations["expected_version"] = int
        namespace["expected_version"] = strawberry.field(
            description="The version you loaded; a newer one makes this a CONFLICT."
        )
    for spec in specs:
        if spec.required and not partial:
            annotations[spec.name] = spec.type
            namespace[spec.name] = strawberry.field(description=spec.description)
        else:
            annotations[spec.name] = spec.type | None
            namespace[spec.name] = strawberry.field(
                default=strawberry.UNSET, description=spec.description
            )
    namespace["__annotations__"] = annotations
    prefix = "Update" if partial else "Create"
    cls = type(f"{prefix}{kind}Input", (), namespace)
    description = (
        f"Fields to change on a {kind}; fields left out stay as they are."
        if partial
        else f"A new {kind}; it starts as a draft."
    )
    return strawberry.input(cls, description=description)


CREATE_INPUTS = {kind: _make(kind, partial=False) for kind in SPECS}
UPDATE_INPUTS = {kind: _make(kind, partial=True) for kind in SPECS}


@strawberry.input(description="A new tag of this site's vocabulary.")
class CreateTagInput:
    name: str = strawberry.field(description="As shown to readers.")
    slug: str | None = strawberry.field(default=None, description="Made from the name if left out.")


@strawberry.input(description="Changes to a tag; fields left out stay as they are.")
class UpdateTagInput:
    name: str | None = strawberry.field(default=None, description="As shown to readers.")
    slug: str | None = strawberry.field(default=None, description="As used in filters and URLs.")
