"""`node(id:)`: any object by its global id, through the same visibility rule as its lists."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

import strawberry
from tortoise.models import Model

from cms import models
from cms.services.joining import may_coordinate
from cms.services.kinds import KINDS
from cms.tenancy import visible_q
from schema.content.types import CONTENT_TYPES, TagType
from schema.context import Info
from schema.core.ids import MAX_PK, from_global_id
from schema.core.nodes import Node
from schema.genderdata.types import DataFrameworkType, FrameworkVersionType, SubmissionType
from schema.genderdata.visibility import frameworks_q, submissions_q, versions_q
from schema.joining.types import JoinRequestType
from schema.media.types import FileType, ImageType
from schema.programmes.types import (
    ApplicationType,
    AttestationType,
    OutcomeType,
    SupportPackageType,
)
from schema.programmes.visibility import readable_applications_q
from schema.tenants.types import TenantType


class Rule(Enum):
    """Who may reach an object by id."""

    DIRECTORY = "anyone: the tenant directory is public"
    SHAREABLE = "as its lists: this site's items and every tenant's shared ones"
    OWNED = "as its lists: this site's items only"
    VOCABULARY = "this site's tags"
    # Media is public only through the items that show it; by id it could be a draft's
    # picture or file, so only the tenant's previewers get it.
    MEDIA = "this site's previewers"
    # Programme data: packages and attestations are public; applications and their outcomes
    # only for the CoP's tokens and its overseers' (schema.programmes.visibility).
    PROGRAMME = "anyone: a programme's packages and stakeholder listings are public"
    APPLICATION = "the CoP's tokens and its hub's and programme's"
    # Confirmed join requests: the tenant's coordinators and admins (issue 16).
    JOIN_REQUEST = "this site's coordinators and admins"
    # Gender data (schema.genderdata.visibility): frameworks and published versions within
    # their network tenant, drafts for its stewards, raw submissions for their institute and
    # the stewards only.
    GENDER_DATA = "as the gender-data lookups"


@dataclass(frozen=True)
class Reachable:
    model: type[Model]
    node_type: Any
    rule: Rule


NODE_TYPES: dict[str, Reachable] = {
    "Tenant": Reachable(models.Tenant, TenantType, Rule.DIRECTORY),
    **{
        name: Reachable(
            kind.model, CONTENT_TYPES[name], Rule.SHAREABLE if kind.shareable else Rule.OWNED
        )
        for name, kind in KINDS.items()
    },
    "Tag": Reachable(models.Tag, TagType, Rule.VOCABULARY),
    "Image": Reachable(models.Image, ImageType, Rule.MEDIA),
    "File": Reachable(models.File, FileType, Rule.MEDIA),
    "SupportPackage": Reachable(models.SupportPackage, SupportPackageType, Rule.PROGRAMME),
    "Attestation": Reachable(models.Attestation, AttestationType, Rule.PROGRAMME),
    "Application": Reachable(models.Application, ApplicationType, Rule.APPLICATION),
    "Outcome": Reachable(models.Outcome, OutcomeType, Rule.APPLICATION),
    "JoinRequest": Reachable(models.JoinRequest, JoinRequestType, Rule.JOIN_REQUEST),
    "DataFramework": Reachable(models.DataFramework, DataFrameworkType, Rule.GENDER_DATA),
    "DataFrameworkVersion": Reachable(
        models.FrameworkVersion, FrameworkVersionType, Rule.GENDER_DATA
    ),
    "DataSubmission": Reachable(models.Submission, SubmissionType, Rule.GENDER_DATA),
}
GENDER_DATA_RULES = {
    models.DataFramework: frameworks_q,
    models.FrameworkVersion: versions_q,
    models.Submission: submissions_q,
}


class NodeQuery:
    """The Relay `node` field."""

    @strawberry.field(description="Any object by its global id, if the reader may see it.")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        decoded = from_global_id(str(id))
        if decoded is None or decoded[0] not in NODE_TYPES:
            return None
        type_name, pk = decoded
        reachable = NODE_TYPES[type_name]
        if pk > MAX_PK:
            return None
        scope = info.context.scope
        query = reachable.model.filter(id=pk)
        if reachable.rule is Rule.SHAREABLE:
            query = query.filter(visible_q(scope, shareable=True))
        elif reachable.rule is Rule.OWNED:
            query = query.filter(visible_q(scope, shareable=False))
        elif reachable.rule is Rule.VOCABULARY:
            if scope.tenant_id is None:
                return None
            query = query.filter(tenant_id=scope.tenant_id)
        elif reachable.rule is Rule.MEDIA:
            if scope.tenant_id is None or not scope.preview:
                return None
            query = query.filter(tenant_id=scope.tenant_id)
        elif reachable.rule is Rule.APPLICATION:
            prefix = "application__" if reachable.model is models.Outcome else ""
            query = query.filter(await readable_applications_q(info, prefix))
        elif reachable.rule is Rule.JOIN_REQUEST:
            if scope.tenant_id is None or not may_coordinate(
                info.context.principal, scope.tenant_id
            ):
                return None
            query = query.filter(tenant_id=scope.tenant_id).exclude(
                state=models.JoinRequestState.UNCONFIRMED
            )
        elif reachable.rule is Rule.GENDER_DATA:
            query = query.filter(GENDER_DATA_RULES[reachable.model](info))
        row = await query.first()
        return reachable.node_type.from_model(row) if row else None
