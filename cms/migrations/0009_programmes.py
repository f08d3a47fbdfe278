"""Programmes at work (issue 15): rules, support packages, applications, attestations, outcomes;
tenant domains in their own table, unique across tenants; the directory's generation.

Existing tenants' domains are copied into `tenant_domain` (two tenants that already shared a
host name make this migration fail, naming it: one of them must give it up first). A profile
that was marked eligible for contracting gets an attestation by the programme at the root of
its tenant's tree (none when the tree has no programme), valid from now, before the flag goes.
"""

from datetime import UTC, datetime
from typing import Any

from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from cms.models.base import DelimitedListField
from cms.models.programmes import (
    ApplicationState,
    AttestedRole,
    BudgetCategory,
    OutcomeState,
    PackageStatus,
)
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index


def _members(stored: Any) -> list[str]:
    return [part for part in str(stored or "").split("|") if part]


async def backfill(apps: Any, schema_editor: Any) -> None:
    client = schema_editor.client
    postgres = client.capabilities.dialect == "postgres"

    def marks(count: int) -> str:
        return ", ".join(f"${i + 1}" if postgres else "?" for i in range(count))

    _, tenants = await client.execute_query("SELECT id, parent_id, kind, domains FROM tenant")
    owner: dict[str, int] = {}
    for tenant in tenants:
        for domain in _members(tenant["domains"]):
            host = domain.lower()
            if host in owner and owner[host] != tenant["id"]:
                raise RuntimeError(f"tenants {owner[host]} and {tenant['id']} share {host!r}")
            if host in owner:
                continue
            owner[host] = tenant["id"]
            await client.execute_query(
                f"INSERT INTO tenant_domain (tenant_id, domain) VALUES ({marks(2)})",
                [tenant["id"], host],
            )
    by_id = {t["id"]: t for t in tenants}

    def programme_of(tenant_id: int) -> int | None:
        seen: set[int] = set()
        current = by_id.get(tenant_id)
        while current is not None and current["id"] not in seen:
            if current["kind"] == "programme":
                return int(current["id"])
            seen.add(current["id"])
            current = by_id.get(current["parent_id"]) if current["parent_id"] else None
        return None

    _, profiles = await client.execute_query(
        "SELECT id, tenant_id, roles FROM profile WHERE eligible_for_contracting"
        + (" = true" if postgres else " = 1")
    )
    now: Any = datetime.now(UTC)
    if not postgres:
        now = now.isoformat(" ")  # as Tortoise's SQLite adapter writes it
    for profile in profiles:
        programme = programme_of(profile["tenant_id"])
        if programme is None:
            continue
        roles = _members(profile["roles"])
        role = "change-catalyst" if "change-catalyst" in roles else "expert"
        await client.execute_query(
            "INSERT INTO attestation (profile_id, programme_id, attested_by_id, role, actor_name,"
            f" valid_from, created_at) VALUES ({marks(7)})",
            [profile["id"], programme, programme, role, "migration", now, now],
        )


class Migration(migrations.Migration):
    dependencies = [("models", "0008_outbox_consumers")]

    initial = False

    operations = [
        ops.CreateModel(
            name="Attestation",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "profile",
                    fields.ForeignKeyField(
                        "models.Profile",
                        source_field="profile_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="attestations",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "programme",
                    fields.ForeignKeyField(
                        "models.Tenant",
                        source_field="programme_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="programme_attestations",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "attested_by",
                    fields.ForeignKeyField(
                        "models.Tenant",
                        source_field="attested_by_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="given_attestations",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "role",
                    fields.CharEnumField(
                        description="CHANGE_CATALYST: change-catalyst\nEXPERT: expert",
                        enum_type=AttestedRole,
                        max_length=24,
                    ),
                ),
                ("thematic_areas", DelimitedListField(default="")),
                ("actor_name", fields.CharField(max_length=100)),
                ("valid_from", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                (
                    "valid_until",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
                ("revoked_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "attestation",
                "app": "models",
                "indexes": [Index(fields=["profile_id", "programme_id"])],
                "pk_attr": "id",
                "table_description": "A hub's or programme's record that a profile is a listed Change Catalyst or expert.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="DirectoryGeneration",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("generation", fields.BigIntField(default=0)),
            ],
            options={
                "table": "tenant_directory_generation",
                "app": "models",
                "pk_attr": "id",
                "table_description": "One row counting tenant writes: a process whose count differs reloads its directory.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="ProgrammeRules",
            fields=[
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "programme",
                    fields.OneToOneField(
                        "models.Tenant",
                        source_field="programme_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="programme_rules",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("window_opens", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("window_closes", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("packages_per_cop", fields.IntField()),
                ("budget_per_cop_cents", fields.BigIntField()),
                ("currency", fields.CharField(default="EUR", max_length=3)),
            ],
            options={
                "table": "programme_rules",
                "app": "models",
                "pk_attr": "id",
                "table_description": "A programme's rules for its CoPs' applications: data, not code.",
            },
            bases=["TimestampedModel"],
        ),
        ops.CreateModel(
            name="SupportPackage",
            fields=[
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "programme",
                    fields.ForeignKeyField(
                        "models.Tenant",
                        source_field="programme_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="support_packages",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("number", fields.IntField()),
                ("slug", fields.CharField(max_length=200)),
                ("title", fields.CharField(max_length=300)),
                ("summary", fields.TextField(default="", unique=False)),
                ("description", fields.TextField(default="", unique=False)),
                (
                    "includes",
                    fields.JSONField(
                        default=list,
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                (
                    "expected_outcomes",
                    fields.JSONField(
                        default=list,
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                ("targets", fields.TextField(default="", unique=False)),
                ("first_version_on", fields.DateField(null=True)),
                ("final_version_on", fields.DateField(null=True)),
                (
                    "status",
                    fields.CharEnumField(
                        default=PackageStatus.PLANNED,
                        description="PLANNED: planned\nFIRST_VERSION: first-version\nFINAL: final",
                        enum_type=PackageStatus,
                        max_length=16,
                    ),
                ),
                ("version", fields.IntField(default=1)),
                (
                    "resources",
                    fields.ManyToManyField(
                        "models.Resource",
                        unique=True,
                        db_constraint=True,
                        through="support_package_resource",
                        forward_key="resource_id",
                        backward_key="support_package_id",
                        related_name="support_packages",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
            ],
            options={
                "table": "support_package",
                "app": "models",
                "unique_together": (("programme", "number"), ("programme", "slug")),
                "pk_attr": "id",
                "table_description": "A standard bundle of support a programme offers its CoPs.",
            },
            bases=["TimestampedModel"],
        ),
        ops.CreateModel(
            name="Application",
            fields=[
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "cop",
                    fields.ForeignKeyField(
                        "models.Tenant",
                        source_field="cop_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="applications",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "hub",
                    fields.ForeignKeyField(
                        "models.Tenant",
                        source_field="hub_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="hub_applications",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "programme",
                    fields.ForeignKeyField(
                        "models.Tenant",
                        source_field="programme_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="programme_applications",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "package",
                    fields.ForeignKeyField(
                        "models.SupportPackage",
                        source_field="package_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="applications",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("title", fields.CharField(max_length=300)),
                ("objectives", fields.TextField(default="", unique=False)),
                ("work_plan", fields.TextField(default="", unique=False)),
                ("activities", fields.TextField(default="", unique=False)),
                ("languages", DelimitedListField(default="")),
                (
                    "state",
                    fields.CharEnumField(
                        default=ApplicationState.DRAFT,
                        description="DRAFT: draft\nSUBMITTED: submitted\nIN_NEGOTIATION: in-negotiation\nAPPROVED: approved\nREJECTED: rejected\nWITHDRAWN: withdrawn\nIN_DELIVERY: in-delivery\nCOMPLETED: completed",
                        enum_type=ApplicationState,
                        max_length=16,
                    ),
                ),
                ("version", fields.IntField(default=1)),
                ("budget_cents", fields.BigIntField(default=0)),
                (
                    "submitted_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
                ("decided_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                (
                    "people",
                    fields.ManyToManyField(
                        "models.Profile",
                        unique=True,
                        db_constraint=True,
                        through="application_person",
                        forward_key="profile_id",
                        backward_key="application_id",
                        related_name="applications",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "resources",
                    fields.ManyToManyField(
                        "models.Resource",
                        unique=True,
                        db_constraint=True,
                        through="application_resource",
                        forward_key="resource_id",
                        backward_key="application_id",
                        related_name="applications",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "mentors",
                    fields.ManyToManyField(
                        "models.Organisation",
                        unique=True,
                        db_constraint=True,
                        through="application_mentor",
                        forward_key="organisation_id",
                        backward_key="application_id",
                        related_name="mentored_applications",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
            ],
            options={
                "table": "application",
                "app": "models",
                "indexes": [Index(fields=["cop_id", "state"]), Index(fields=["hub_id", "state"])],
                "pk_attr": "id",
                "table_description": "A CoP's request to its hub for one support package.",
            },
            bases=["TimestampedModel"],
        ),
        ops.CreateModel(
            name="ApplicationComment",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "application",
                    fields.ForeignKeyField(
                        "models.Application",
                        source_field="application_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="comments",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "author_tenant",
                    fields.ForeignKeyField(
                        "models.Tenant",
                        source_field="author_tenant_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="application_comments",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("author_name", fields.CharField(max_length=100)),
                ("body", fields.TextField(unique=False)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "application_comment",
                "app": "models",
                "pk_attr": "id",
                "table_description": "One message of the negotiation between a CoP and its hub.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="ApplicationTransition",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "application",
                    fields.ForeignKeyField(
                        "models.Application",
                        source_field="application_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="transitions",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "from_state",
                    fields.CharEnumField(
                        null=True,
                        description="DRAFT: draft\nSUBMITTED: submitted\nIN_NEGOTIATION: in-negotiation\nAPPROVED: approved\nREJECTED: rejected\nWITHDRAWN: withdrawn\nIN_DELIVERY: in-delivery\nCOMPLETED: completed",
                        enum_type=ApplicationState,
                        max_length=16,
                    ),
                ),
                (
                    "to_state",
                    fields.CharEnumField(
                        description="DRAFT: draft\nSUBMITTED: submitted\nIN_NEGOTIATION: in-negotiation\nAPPROVED: approved\nREJECTED: rejected\nWITHDRAWN: withdrawn\nIN_DELIVERY: in-delivery\nCOMPLETED: completed",
                        enum_type=ApplicationState,
                        max_length=16,
                    ),
                ),
                ("actor_name", fields.CharField(max_length=100)),
                ("actor_tenant_id", fields.IntField(null=True)),
                ("reason", fields.TextField(default="", unique=False)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "application_transition",
                "app": "models",
                "pk_attr": "id",
                "table_description": "One step of an application's state machine: who, when, why.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="BudgetLine",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "application",
                    fields.ForeignKeyField(
                        "models.Application",
                        source_field="application_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="budget_lines",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("position", fields.IntField(default=0)),
                ("description", fields.CharField(max_length=500)),
                (
                    "category",
                    fields.CharEnumField(
                        description="EXPERT_FEES: expert-fees\nDESIGN_EDITORIAL: design-editorial\nTRAVEL: travel\nOTHER: other",
                        enum_type=BudgetCategory,
                        max_length=24,
                    ),
                ),
                ("amount_cents", fields.BigIntField()),
                (
                    "profile",
                    fields.ForeignKeyField(
                        "models.Profile",
                        source_field="profile_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="budget_lines",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
            ],
            options={
                "table": "budget_line",
                "app": "models",
                "pk_attr": "id",
                "table_description": "One line of an application's budget, in the programme's currency's cents.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Outcome",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "application",
                    fields.ForeignKeyField(
                        "models.Application",
                        source_field="application_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="outcomes",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "resource",
                    fields.ForeignKeyField(
                        "models.Resource",
                        source_field="resource_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="outcomes",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                (
                    "state",
                    fields.CharEnumField(
                        default=OutcomeState.PROPOSED,
                        description="PROPOSED: proposed\nACCEPTED: accepted\nCHANGES_REQUESTED: changes-requested",
                        enum_type=OutcomeState,
                        max_length=24,
                    ),
                ),
                ("note", fields.TextField(default="", unique=False)),
                ("proposed_by", fields.CharField(max_length=100)),
                ("decided_by", fields.CharField(default="", max_length=100)),
                ("proposed_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("decided_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "outcome",
                "app": "models",
                "unique_together": (("application", "resource"),),
                "pk_attr": "id",
                "table_description": "A resource a CoP proposes from a completed application for its hub's knowledge base.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="TenantDomain",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "tenant",
                    fields.ForeignKeyField(
                        "models.Tenant",
                        source_field="tenant_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="domain_rows",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("domain", fields.CharField(unique=True, max_length=253)),
            ],
            options={
                "table": "tenant_domain",
                "app": "models",
                "pk_attr": "id",
                "table_description": "One host name of one tenant: unique across tenants by the table's constraint.",
            },
            bases=["Model"],
        ),
        ops.RunPython(backfill, ops.RunPython.noop),
        ops.RemoveField(model_name="Profile", name="eligible_for_contracting"),
        ops.AddField(
            model_name="Tenant",
            name="languages",
            field=DelimitedListField(default=""),
        ),
    ]
