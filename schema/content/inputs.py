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
    ContentAudience,
    EventFormat,
    NewsKind,
    OrganisationKind,
    ProfileRole,
    ResourceKind,
    ThematicArea,
    VideoProvider,
)


@dataclass(frozen=True)
class InputField:
    """One input field: its python name, GraphQL type, and whether create requires it."""

    name: str
    type: Any
    description: str
    required: bool = False
    id_of: str | None = None  # the node type a global id (or list of ids) must name


def _lifecycle() -> list[InputField]:
    return [
        InputField(
            "expires_at",
            datetime,
            "When it stops being public, with a timezone offset; null: never.",
        ),
        InputField(
            "translation_group", str, "Links translations: same group, same tenant; null: none."
        ),
        InputField(
            "audience",
            ContentAudience,
            "PUBLIC (the default) or MEMBERS: only the tenant's members and staff read it; "
            "sharing never shows a MEMBERS item to other tenants.",
        ),
    ]


def _common() -> list[InputField]:
    return [
        InputField("slug", str, "URL name; made from the title or name when left out."),
        InputField("language", str, "BCP 47 language tag, e.g. en, es, pt-BR."),
        *_lifecycle(),
    ]


_AREAS = InputField("thematic_areas", list[ThematicArea], "Areas the item addresses.")
_TAGS = InputField("tags", list[str], "Tag slugs of this tenant's vocabulary (replaces the set).")

INPUT_FIELDS: dict[str, list[InputField]] = {
    "Resource": [
        InputField("title", str, "Title.", required=True),
        InputField("kind", ResourceKind, "What the resource is.", required=True),
        InputField("summary", str, "One-paragraph summary (plain text)."),
        InputField("body", str, "Full text (HTML, sanitised)."),
        _AREAS,
        InputField("external_url", str, "Where the resource lives, if elsewhere."),
        InputField("shared", bool, "Share it with every tenant's knowledge base."),
        InputField(
            "organisation_id", strawberry.ID, "Publishing organisation.", id_of="Organisation"
        ),
        InputField("cover_image_id", strawberry.ID, "Cover picture.", id_of="Image"),
        _TAGS,
        InputField(
            "authors", list[strawberry.ID], "Author profiles in byline order.", id_of="Profile"
        ),
        InputField("attachments", list[strawberry.ID], "Attached files.", id_of="File"),
        *_common(),
    ],
    "Video": [
        InputField("title", str, "Title.", required=True),
        InputField("provider", VideoProvider, "YouTube, Vimeo or an uploaded file.", required=True),
        InputField("description", str, "What the video shows (HTML, sanitised)."),
        InputField("source_url", str, "The video's page at its provider."),
        InputField("embed_url", str, "Player URL for an iframe."),
        InputField("duration_seconds", int, "Length in seconds."),
        InputField("transcript", str, "Transcript (plain text)."),
        _AREAS,
        InputField("shared", bool, "Share it with every tenant's knowledge base."),
        InputField("thumbnail_id", strawberry.ID, "Still picture.", id_of="Image"),
        _TAGS,
        *_common(),
    ],
    "Profile": [
        InputField("name", str, "Full name.", required=True),
        InputField("roles", list[ProfileRole], "Roles in the programme."),
        InputField("expertise", list[str], "Fields of expertise."),
        InputField("languages", list[str], "Languages the person works in."),
        InputField("country", str, "ISO 3166-1 alpha-2 code."),
        InputField("bio", str, "Short biography (HTML, sanitised)."),
        InputField("private_contact", str, "Contact details for editors only; never public."),
        InputField("shared", bool, "Share the profile with every tenant."),
        InputField(
            "organisation_id", strawberry.ID, "Where the person works.", id_of="Organisation"
        ),
        InputField("photo_id", strawberry.ID, "Portrait.", id_of="Image"),
        *_common(),
    ],
    "Organisation": [
        InputField("name", str, "Full name.", required=True),
        InputField("kind", OrganisationKind, "What the organisation is.", required=True),
        InputField("acronym", str, "Short name."),
        InputField("country", str, "ISO 3166-1 alpha-2 code."),
        InputField("website", str, "Public website URL."),
        InputField("description", str, "About the organisation (HTML, sanitised)."),
        InputField("shared", bool, "Share it with every tenant."),
        *_common(),
    ],
    "Event": [
        InputField("title", str, "Title.", required=True),
        InputField("start", datetime, "Start, with a timezone offset.", required=True),
        InputField("end", datetime, "End, with a timezone offset.", required=True),
        InputField("format", EventFormat, "Online, in person or hybrid.", required=True),
        InputField("description", str, "Programme and details (HTML, sanitised)."),
        InputField("timezone", str, "IANA zone it is announced in, e.g. Europe/Madrid."),
        InputField("location", str, "Venue and city, or the platform."),
        InputField("registration_url", str, "Where to register."),
        InputField("contact_name", str, "Who answers questions about it (at most 200 characters)."),
        InputField("contact_email", str, "Where to send questions about it (an email address)."),
        _AREAS,
        InputField("host_organisation_id", strawberry.ID, "Host.", id_of="Organisation"),
        _TAGS,
        *_common(),
    ],
    "NewsItem": [
        InputField("title", str, "Headline.", required=True),
        InputField("kind", NewsKind, "News or press release."),
        InputField("summary", str, "Standfirst (plain text)."),
        InputField("body", str, "Story (HTML, sanitised)."),
        _AREAS,
        InputField("image_id", strawberry.ID, "Lead image.", id_of="Image"),
        _TAGS,
        *_common(),
    ],
    "Page": [
        InputField("title", str, "Title.", required=True),
        InputField(
            "path",
            str,
            "Path in the site, e.g. about/how-to-join (its parent must exist).",
            required=True,
        ),
        InputField("summary", str, "Short description (plain text)."),
        InputField("body", str, "Content (HTML, sanitised)."),
        InputField("menu_order", int, "Position among its siblings."),
        InputField("show_in_menu", bool, "Whether menus list the page."),
        InputField("language", str, "BCP 47 language tag."),
        *_lifecycle(),
    ],
}


def input_type(kind: str, name: str, *, partial: bool) -> type:
    """The create (or, `partial`, update) input of a kind, named `name`."""
    fields = sorted(INPUT_FIELDS[kind], key=lambda s: not (s.required and not partial))
    annotations: dict[str, Any] = {}
    namespace: dict[str, Any] = {}
    if partial:
        annotations["expected_version"] = int
        namespace["expected_version"] = strawberry.field(
            description="The version you loaded; a newer one makes this a CONFLICT."
        )
    for spec in fields:
        if spec.required and not partial:
            annotations[spec.name] = spec.type
            namespace[spec.name] = strawberry.field(description=spec.description)
        else:
            annotations[spec.name] = spec.type | None
            namespace[spec.name] = strawberry.field(
                default=strawberry.UNSET, description=spec.description
            )
    namespace["__annotations__"] = annotations
    cls = type(name, (), namespace)
    description = (
        f"Fields to change on a {kind}; fields left out stay as they are."
        if partial
        else f"A new {kind}; it starts as a draft."
    )
    return strawberry.input(cls, description=description)


@strawberry.input(description="A new tag of this site's vocabulary.")
class CreateTagInput:
    name: str = strawberry.field(description="As shown to readers.")
    slug: str | None = strawberry.field(default=None, description="Made from the name if left out.")


@strawberry.input(description="Changes to a tag; fields left out stay as they are.")
class UpdateTagInput:
    name: str | None = strawberry.field(default=None, description="As shown to readers.")
    slug: str | None = strawberry.field(default=None, description="As used in filters and URLs.")
