"""Shared model parts: enums, list fields, timestamps and the common content fields."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from cms.models.tenants import Tenant


class Status(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class Audience(StrEnum):
    """Who may read a content item: everyone, or its own tenant's members (and staff)."""

    PUBLIC = "public"
    MEMBERS = "members"


class ThematicArea(StrEnum):
    """ACT's three substantive areas: a fixed vocabulary across tenants."""

    HR_MANAGEMENT = "hr-management"
    DECISION_MAKING = "decision-making"
    GENDER_DIMENSION = "gender-dimension"


if TYPE_CHECKING:
    # What the attribute holds: a list of strings, which a TextField (a str) would hide.
    _ListInText = fields.Field[list[str]]
else:
    _ListInText = fields.TextField


class DelimitedListField(_ListInText):
    """A list of short strings stored as ``|a|b|`` so that one member filters portably.

    SQLite and PostgreSQL both answer ``LIKE '%|a|%'``, which JSON containment does not give us
    on both; the values are small vocabularies (roles, languages, thematic areas).
    """

    SEPARATOR = "|"

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("default", "")
        super().__init__(**kwargs)

    def to_db_value(self, value: Any, instance: Any) -> str | None:
        if value is None:
            return None
        if isinstance(value, str):
            return value
        items = [str(v).strip() for v in value if str(v).strip()]
        for item in items:
            if self.SEPARATOR in item:
                raise ValueError(f"list item {item!r} may not contain {self.SEPARATOR!r}")
        return f"|{'|'.join(items)}|" if items else ""

    def to_python_value(self, value: Any) -> list[str]:
        if value is None or value == "":
            return []
        if isinstance(value, list):
            return value
        return [v for v in str(value).split(self.SEPARATOR) if v]

    @staticmethod
    def member(value: str) -> str:
        """The fragment to filter with ``__contains`` for one member."""
        return f"|{value}|"


class TimestampedModel(Model):
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        abstract = True


class ContentModel(TimestampedModel):
    """Fields every tenant-owned content item has; each subclass declares its own tenant FK."""

    # Declared for the type checker only: each subclass's FK names its own reverse relation.
    tenant: fields.ForeignKeyRelation[Tenant]
    tenant_id: int
    id = fields.IntField(primary_key=True)
    slug = fields.CharField(max_length=200)
    status = fields.CharEnumField(Status, max_length=16, default=Status.DRAFT)
    # A future value means scheduled: the item becomes public at that time, no job needed.
    published_at = fields.DatetimeField(null=True)
    language = fields.CharField(max_length=16, default="en")
    version = fields.IntField(default=1)
    # Members-only items are read by the tenant's members and staff alone (cms.tenancy).
    audience = fields.CharEnumField(Audience, max_length=16, default=Audience.PUBLIC)
    # After this instant the public no longer sees the item (Plone's `expires`), null = never.
    expires_at = fields.DatetimeField(null=True)
    # The UID of the Plone item this one was imported from, unique per tenant (null = made here).
    source_uid = fields.CharField(max_length=64, null=True)
    # Items of one translation group are translations of one another (null = none known).
    translation_group = fields.CharField(max_length=64, null=True)

    class Meta:
        abstract = True
