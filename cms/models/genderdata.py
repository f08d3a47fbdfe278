"""Gender-aggregated data: a network's versioned framework and its institutes' submissions."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from cms.models.people import Organisation
    from cms.models.tenants import Tenant


class VersionStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class SubmissionState(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    VALIDATED = "validated"
    RETURNED = "returned"


class DataFramework(Model):
    """A network's common framework for gender-aggregated data, with its protection settings."""

    id = fields.IntField(primary_key=True)
    tenant: fields.ForeignKeyRelation[Tenant] = fields.ForeignKeyField(
        "models.Tenant", related_name="data_frameworks", on_delete=fields.RESTRICT
    )
    tenant_id: int
    code = fields.CharField(max_length=64)
    name = fields.CharField(max_length=200)
    description = fields.TextField(default="")
    # Smallest count shown beyond an institute, and fewest institutes an aggregate may cover.
    threshold = fields.IntField(default=5)
    min_institutes = fields.IntField(default=3)
    # Bumped by every change to validated figures: charts and exports are keyed by it.
    data_version = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    versions: fields.ReverseRelation[FrameworkVersion]
    submissions: fields.ReverseRelation[Submission]

    class Meta:
        table = "data_framework"
        unique_together = (("tenant", "code"),)


class FrameworkVersion(Model):
    """One definition of a framework's indicators (published versions never change)."""

    id = fields.IntField(primary_key=True)
    framework: fields.ForeignKeyRelation[DataFramework] = fields.ForeignKeyField(
        "models.DataFramework", related_name="versions", on_delete=fields.CASCADE
    )
    framework_id: int
    number = fields.IntField()
    status = fields.CharEnumField(VersionStatus, max_length=16, default=VersionStatus.DRAFT)
    first_year = fields.IntField()
    last_year = fields.IntField()
    # {"dimensions": [...], "indicators": [...]}: see cms/services/frameworks.py.
    definition: fields.JSONField[dict[str, Any]] = fields.JSONField()
    published_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    submissions: fields.ReverseRelation[Submission]

    class Meta:
        table = "data_framework_version"
        unique_together = (("framework", "number"),)


class Submission(Model):
    """One institute's figures for one year, under the framework version they were reported in."""

    id = fields.IntField(primary_key=True)
    tenant: fields.ForeignKeyRelation[Tenant] = fields.ForeignKeyField(
        "models.Tenant", related_name="data_submissions", on_delete=fields.RESTRICT
    )
    tenant_id: int
    framework: fields.ForeignKeyRelation[DataFramework] = fields.ForeignKeyField(
        "models.DataFramework", related_name="submissions", on_delete=fields.RESTRICT
    )
    framework_id: int
    framework_version: fields.ForeignKeyRelation[FrameworkVersion] = fields.ForeignKeyField(
        "models.FrameworkVersion", related_name="submissions", on_delete=fields.RESTRICT
    )
    framework_version_id: int
    organisation: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name="data_submissions", on_delete=fields.RESTRICT
    )
    organisation_id: int
    year = fields.IntField()
    state = fields.CharEnumField(SubmissionState, max_length=16, default=SubmissionState.DRAFT)
    # {indicator code: {cell key: number}}; a cell key joins its categories with "|".
    figures: fields.JSONField[dict[str, dict[str, float]]] = fields.JSONField()
    comments = fields.TextField(default="")
    version = fields.IntField(default=1)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "data_submission"
        unique_together = (("framework", "organisation", "year"),)
