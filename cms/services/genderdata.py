"""Writes and protected reads of gender-aggregated data, one transaction per write.

Who may do what (tested cell by cell over HTTP in tests/schema/genderdata/test_permissions.py;
the API's reads go through schema/genderdata/visibility.py, which follows this table):

| action                                   | public | other tenant |    institute    | steward |
| ---------------------------------------- | ------ | ------------ | --------------- | ------- |
| define and publish a framework version   |        |              |                 |    x    |
| save, upload CSV, submit own figures     |        |              |  x (not viewer) |         |
| read own institute's raw figures         |        |              |        x        |    x    |
| read another institute's raw figures     |        |              |                 |    x    |
| validate or return a submission          |        |              |                 |    x    |
| protected network aggregates             |   x    |      x       |        x        |    x    |

An institute is a token of the network tenant bound to one of its member organisations
(`ApiToken.organisation`); a person acts for an institute as such a token does, with the role
of their membership of the network tenant, once an admin bound that membership to it
(`Membership.organisation`, `cms.services.memberships.set_institute`; carried as
`Principal.organisation_id`). A steward is an unbound admin or editor token or person of the
network tenant (or a platform admin). Entering figures needs an editorial role other than
viewer: a person with only a community role reads their institute's figures, as a viewer does.
"""

from __future__ import annotations

import csv
import functools
import io
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import anyio
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from cms.auth import Principal
from cms.errors import (
    Conflict,
    ErrorCode,
    FieldError,
    NotFound,
    PermissionDenied,
    RuleBroken,
    ValidationFailed,
)
from cms.models import (
    ApiToken,
    DataFramework,
    FrameworkVersion,
    Organisation,
    Role,
    Submission,
    SubmissionState,
    Tenant,
    VersionStatus,
)
from cms.services import frameworks, history
from cms.services.statistics import Aggregate, Quartiles, RangeAggregate, quartiles, range_aggregate
from cms.services.suppression import Dimension

CONTENT_TYPE = "Submission"
ENTERING_ROLES = frozenset({Role.ADMIN, Role.EDITOR, Role.CONTRIBUTOR})


def is_steward(principal: Principal | None, tenant_id: int) -> bool:
    if principal is None:
        return False
    if principal.is_platform_admin:
        return True
    return (
        principal.tenant_id == tenant_id
        and principal.organisation_id is None
        and principal.role in (Role.ADMIN, Role.EDITOR)
    )


def is_institute(principal: Principal | None, tenant_id: int, organisation_id: int) -> bool:
    return (
        principal is not None
        and principal.tenant_id == tenant_id
        and principal.organisation_id == organisation_id
    )


def may_enter(principal: Principal | None, tenant_id: int, organisation_id: int) -> bool:
    """Whether the caller enters and submits the institute's figures: its own, with a role
    that writes (a viewer's, or a person's without an editorial role, only reads)."""
    return (
        is_institute(principal, tenant_id, organisation_id)
        and principal is not None
        and principal.role in ENTERING_ROLES
    )


def may_read_raw(principal: Principal | None, submission: Submission) -> bool:
    return is_steward(principal, submission.tenant_id) or is_institute(
        principal, submission.tenant_id, submission.organisation_id
    )


def _require_steward(principal: Principal | None, tenant_id: int) -> None:
    if not is_steward(principal, tenant_id):
        raise PermissionDenied("Only the network's data stewards may do this.")


async def require_institute(tenant_id: int, organisation_id: int, field: str) -> None:
    """Raise unless the organisation is one of the tenant's institutes: a member organisation
    of the network, which a token or a person of the tenant may then act for."""
    if not await Organisation.exists(id=organisation_id):
        raise NotFound("No organisation has this id.", field=field)
    if not await Organisation.exists(id=organisation_id, memberships__id=tenant_id):
        raise ValidationFailed(
            [
                FieldError(
                    field,
                    "The organisation is not a member of this tenant's network.",
                    ErrorCode.NOT_AN_INSTITUTE,
                )
            ]
        )


async def bind_token(token_name: str, organisation_id: int) -> ApiToken:
    """Bind a token to an organisation that is a member of the token's tenant."""
    token = await ApiToken.get_or_none(name=token_name)
    if token is None or token.tenant_id is None:
        raise NotFound(f"No tenant token is named {token_name!r}.", field="token")
    await require_institute(token.tenant_id, organisation_id, "organisation")
    token.organisation_id = organisation_id
    await token.save(update_fields=["organisation_id"])
    return token


async def define_framework(
    principal: Principal,
    tenant: Tenant,
    code: str,
    name: str,
    definition: dict[str, Any],
    first_year: int,
    last_year: int,
    *,
    threshold: int = 5,
    min_institutes: int = 3,
) -> FrameworkVersion:
    """A new draft version of the framework `code` (made if new): a changed definition is a
    new version, and figures keep the version they were reported under."""
    _require_steward(principal, tenant.id)
    errors = frameworks.check_definition(definition)
    if first_year > last_year:
        errors.append(FieldError("lastYear", "Before the first year.", ErrorCode.OUT_OF_RANGE))
    if threshold < 1 or min_institutes < 1:
        errors.append(FieldError("threshold", "At least 1.", ErrorCode.OUT_OF_RANGE))
    if errors:
        raise ValidationFailed(errors)
    async with in_transaction():
        framework, _ = await DataFramework.get_or_create(
            tenant_id=tenant.id,
            code=code,
            defaults={"name": name, "threshold": threshold, "min_institutes": min_institutes},
        )
        framework.name, framework.threshold = name, threshold
        framework.min_institutes = min_institutes
        await framework.save()
        number = await FrameworkVersion.filter(framework_id=framework.id).count() + 1
        version = await FrameworkVersion.create(
            framework=framework,
            number=number,
            first_year=first_year,
            last_year=last_year,
            definition=definition,
        )
        await history.record(principal, "define", "FrameworkVersion", tenant.id, version.id)
    return version


async def publish_version(
    principal: Principal, tenant: Tenant, version_id: int
) -> FrameworkVersion:
    version = await FrameworkVersion.get_or_none(id=version_id, framework__tenant_id=tenant.id)
    if version is None:
        raise NotFound("No such framework version.", field="id")
    _require_steward(principal, tenant.id)
    async with in_transaction():
        version.status = VersionStatus.PUBLISHED
        version.published_at = datetime.now(UTC)
        await version.save(update_fields=["status", "published_at"])
        # Which version a year's figures are read with may change: charts are made anew.
        await DataFramework.filter(id=version.framework_id).update(
            data_version=F("data_version") + 1
        )
        await history.record(principal, "publish", "FrameworkVersion", tenant.id, version.id)
    return version


async def version_for(framework: DataFramework, year: int) -> FrameworkVersion | None:
    """The latest published version whose years include `year`."""
    return (
        await FrameworkVersion.filter(
            framework_id=framework.id,
            status=VersionStatus.PUBLISHED,
            first_year__lte=year,
            last_year__gte=year,
        )
        .order_by("-number")
        .first()
    )


async def covers(framework: DataFramework, first: int, last: int) -> bool:
    """Do published versions cover the first and the last year asked for?"""
    return (
        await version_for(framework, first) is not None
        and await version_for(framework, last) is not None
    )


def _state(row: Submission) -> dict[str, Any]:
    return {"state": row.state.value, "figures": row.figures, "comments": row.comments}


async def save_figures(
    principal: Principal,
    tenant: Tenant,
    framework_code: str,
    organisation_id: int,
    year: int,
    figures: dict[str, dict[str, Any]],
    expected_version: int | None = None,
) -> Submission:
    """Create or correct an institute's draft for a year; a correction is a new revision and
    takes a submitted or validated submission back to draft."""
    if not may_enter(principal, tenant.id, organisation_id):
        raise PermissionDenied(
            "Only the institute's own tokens and people may enter its figures (not as viewers)."
        )
    framework = await DataFramework.get_or_none(tenant_id=tenant.id, code=framework_code)
    if framework is None:
        raise NotFound("No such framework.", field="framework")
    version = await version_for(framework, year)
    if version is None:
        raise ValidationFailed(
            [
                FieldError(
                    "year", "No published version covers this year.", ErrorCode.YEAR_NOT_COVERED
                )
            ]
        )
    errors = frameworks.check_figures(
        version.definition, version.first_year, version.last_year, year, figures, complete=False
    )
    if errors:
        raise ValidationFailed(errors)
    figures = frameworks.stored(version.definition, figures)
    async with in_transaction():
        row = await Submission.get_or_none(
            framework_id=framework.id, organisation_id=organisation_id, year=year
        )
        was_validated = row is not None and row.state is SubmissionState.VALIDATED
        if row is None:
            row = await Submission.create(
                tenant_id=tenant.id,
                framework=framework,
                framework_version=version,
                organisation_id=organisation_id,
                year=year,
                figures=figures,
            )
            operation = "create"
        else:
            if expected_version is not None and expected_version != row.version:
                raise Conflict(f"The submission is at version {row.version}.")
            row.figures, row.framework_version_id = figures, version.id
            row.state, row.version = SubmissionState.DRAFT, row.version + 1
            await row.save()
            operation = "update"
        if was_validated:
            await DataFramework.filter(id=framework.id).update(data_version=F("data_version") + 1)
        await history.record(
            principal,
            operation,
            CONTENT_TYPE,
            tenant.id,
            row.id,
            version=row.version,
            state=_state(row),
        )
    return row


async def save_csv(
    principal: Principal,
    tenant: Tenant,
    framework_code: str,
    organisation_id: int,
    year: int,
    text: str,
) -> Submission:
    figures, errors = frameworks.parse_csv(text)
    if errors:
        raise ValidationFailed(errors)
    return await save_figures(principal, tenant, framework_code, organisation_id, year, figures)


async def _transition(
    principal: Principal,
    tenant: Tenant,
    submission_id: int,
    allowed: set[SubmissionState],
    target: SubmissionState,
    *,
    steward: bool,
    comments: str = "",
) -> Submission:
    row = await Submission.get_or_none(id=submission_id, tenant_id=tenant.id).prefetch_related(
        "framework_version", "framework"
    )
    if row is None or not may_read_raw(principal, row):
        raise NotFound("No such submission.", field="id")
    if steward:
        _require_steward(principal, tenant.id)
    elif not may_enter(principal, tenant.id, row.organisation_id):
        raise PermissionDenied(
            "Only the institute's own tokens and people may submit its figures (not as viewers)."
        )
    if row.state not in allowed:
        raise RuleBroken(
            ErrorCode.INVALID_SUBMISSION_STEP,
            f"A {row.state.value} submission cannot become {target.value}.",
        )
    if target is SubmissionState.SUBMITTED:
        version = row.framework_version
        errors = frameworks.check_figures(
            version.definition,
            version.first_year,
            version.last_year,
            row.year,
            row.figures,
            complete=True,
        )
        if errors:
            raise ValidationFailed(errors)
    async with in_transaction():
        row.state, row.version, row.comments = target, row.version + 1, comments
        await row.save(update_fields=["state", "version", "comments", "updated_at"])
        if target is SubmissionState.VALIDATED:
            framework = row.framework
            await DataFramework.filter(id=framework.id).update(data_version=F("data_version") + 1)
        await history.record(
            principal,
            target.value,
            CONTENT_TYPE,
            tenant.id,
            row.id,
            version=row.version,
            state=_state(row),
        )
    return row


async def submit(principal: Principal, tenant: Tenant, submission_id: int) -> Submission:
    """draft or returned -> submitted, once every required cell is there."""
    return await _transition(
        principal,
        tenant,
        submission_id,
        {SubmissionState.DRAFT, SubmissionState.RETURNED},
        SubmissionState.SUBMITTED,
        steward=False,
    )


async def validate(principal: Principal, tenant: Tenant, submission_id: int) -> Submission:
    return await _transition(
        principal,
        tenant,
        submission_id,
        {SubmissionState.SUBMITTED},
        SubmissionState.VALIDATED,
        steward=True,
    )


async def return_submission(
    principal: Principal, tenant: Tenant, submission_id: int, comments: str
) -> Submission:
    return await _transition(
        principal,
        tenant,
        submission_id,
        {SubmissionState.SUBMITTED},
        SubmissionState.RETURNED,
        steward=True,
        comments=comments,
    )


@dataclass(frozen=True)
class Shape:
    """How an indicator is shown: rows x columns, whether the rows add up or nest, and the
    scale of its kept figures (full-time equivalents are summed in hundredths)."""

    rows: tuple[str, ...]
    columns: tuple[str, ...]
    row_dimension: Dimension
    scale: int


def shape_of(definition: dict[str, Any], indicator_code: str) -> Shape | None:
    spec = frameworks.indicator(definition, indicator_code)
    if spec is None or len(spec["breakdowns"]) != 2:
        return None  # tables are two-way: one row dimension, one column dimension
    head, last = spec["breakdowns"]
    rows = tuple(c for c, _ in frameworks.categories(definition, head))
    columns = tuple(c for c, _ in frameworks.categories(definition, last))
    additive, nested = frameworks.dimension_flags(definition, head)
    scale = 100 if spec["unit"] == "fte" else 1
    return Shape(rows, columns, Dimension(len(rows), additive, nested), scale)


def _table(row: Submission, indicator_code: str, shape: Shape) -> list[list[int]]:
    given = row.figures.get(indicator_code, {})
    return [
        [
            frameworks.hundredths(given.get(f"{r}|{c}", 0)) * shape.scale // 100
            for c in shape.columns
        ]
        for r in shape.rows
    ]


async def network_range(
    framework: DataFramework, from_year: int, to_year: int, indicator_code: str
) -> tuple[Shape, RangeAggregate] | None:
    """The protected network tables of one indicator for each year of a range and their sum,
    each year read with the version it was reported under (years whose version shapes the
    indicator otherwise than the last year's are left out). Two queries, whatever the range."""
    versions = await FrameworkVersion.filter(
        framework_id=framework.id,
        status=VersionStatus.PUBLISHED,
        first_year__lte=to_year,
        last_year__gte=from_year,
    ).order_by("-number")
    by_year = {
        year: next((v for v in versions if v.first_year <= year <= v.last_year), None)
        for year in range(from_year, to_year + 1)
    }
    latest = by_year[to_year] or next((v for v in by_year.values() if v), None)
    shape = shape_of(latest.definition, indicator_code) if latest else None
    if shape is None:
        return None
    rows = await Submission.filter(
        framework_id=framework.id,
        year__gte=from_year,
        year__lte=to_year,
        state=SubmissionState.VALIDATED,
    ).order_by("id")
    tables: dict[int, list[list[list[int]]]] = {}
    for year, version in by_year.items():
        if version is None or shape_of(version.definition, indicator_code) != shape:
            continue
        tables[year] = [
            _table(r, indicator_code, shape)
            for r in rows
            if r.year == year and r.framework_version_id == version.id
        ]
    protected = await anyio.to_thread.run_sync(
        functools.partial(
            range_aggregate, tables, shape.rows, shape.columns,
            threshold=framework.threshold * shape.scale,
            min_institutes=framework.min_institutes, row_dimension=shape.row_dimension,
        )
    )  # fmt: skip
    return shape, protected


async def institutes_over(
    framework: DataFramework, from_year: int, to_year: int
) -> dict[int, set[int]]:
    """The institutes with a validated submission, by year."""
    out: dict[int, set[int]] = {}
    for year, organisation in await Submission.filter(
        framework_id=framework.id,
        year__gte=from_year,
        year__lte=to_year,
        state=SubmissionState.VALIDATED,
    ).values_list("year", "organisation_id"):
        out.setdefault(year, set()).add(organisation)
    return out


async def network_table(
    framework: DataFramework, year: int, indicator_code: str
) -> Aggregate | None:
    """The protected network total of one indicator over the year's validated submissions."""
    found = await network_range(framework, year, year, indicator_code)
    if found is None:
        return None
    return found[1].per_year.get(year)


ACADEMIC_GRADES = ("A", "B", "C", "D")


async def validated(framework: DataFramework, year: int) -> list[Submission]:
    return await Submission.filter(
        framework_id=framework.id, year=year, state=SubmissionState.VALIDATED
    ).order_by("id")


def _institute_shares(row: Submission) -> dict[str, float | None]:
    staff = row.figures.get("staff", {})
    out: dict[str, float | None] = {}
    for grade in ACADEMIC_GRADES:
        total = sum(
            v for k, v in staff.items() if k.startswith(f"{grade}|") and k != f"{grade}|total"
        )
        out[grade] = staff.get(f"{grade}|women", 0) / total if total else None
    return out


async def benchmark(
    principal: Principal | None, framework: DataFramework, year: int, organisation_id: int
) -> list[tuple[str, float | None, Quartiles | None]]:
    """(grade, the institute's own share of women, the network's quartiles) for the
    institute's own tokens and the stewards; empty for anyone else."""
    if not (
        is_steward(principal, framework.tenant_id)
        or is_institute(principal, framework.tenant_id, organisation_id)
    ):
        return []
    rows = await validated(framework, year)
    own = next((r for r in rows if r.organisation_id == organisation_id), None)
    if own is None:
        own = await Submission.get_or_none(
            framework_id=framework.id, organisation_id=organisation_id, year=year
        )
    shares = [_institute_shares(r) for r in rows]
    out = []
    for grade in ACADEMIC_GRADES:
        values = [s[grade] for s in shares if s[grade] is not None]
        spread = quartiles([v for v in values if v is not None], framework.min_institutes)
        out.append((grade, _institute_shares(own)[grade] if own else None, spread))
    return out


SUPPRESSED = "suppressed"


def _shown(value: int | None, scale: int) -> str | int:
    """A protected cell as exported: marked when suppressed, FTE with its two decimals."""
    if value is None:
        return SUPPRESSED
    return f"{value / scale:.2f}" if scale != 1 else value


async def export_csv(principal: Principal | None, framework: DataFramework, year: int) -> str:
    """What the caller may see as CSV: the protected network tables (suppressed cells marked,
    never 0), then the raw rows of the submissions the caller may read."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("scope", "indicator", "row", "column", "value"))
    version = await version_for(framework, year)
    if version is None:
        return out.getvalue()
    for spec in version.definition["indicators"]:
        found = await network_range(framework, year, year, spec["code"])
        aggregate = found[1].per_year.get(year) if found else None
        if found is None or aggregate is None:
            continue
        scale = found[0].scale
        for row in aggregate.rows:
            for column in aggregate.columns:
                value = aggregate.cell(row, column)
                writer.writerow(("network", spec["code"], row, column, _shown(value, scale)))
            total = aggregate.row_total(row)
            writer.writerow(("network", spec["code"], row, "total", _shown(total, scale)))
    rows = await Submission.filter(framework_id=framework.id, year=year).order_by("id")
    for submission in rows:
        if not may_read_raw(principal, submission):
            continue
        scope = f"organisation:{submission.organisation_id}:{submission.state.value}"
        for code, given in submission.figures.items():
            for key, figure in given.items():
                head, _, tail = key.rpartition("|")
                writer.writerow((scope, code, head, tail, figure))
    return out.getvalue()
