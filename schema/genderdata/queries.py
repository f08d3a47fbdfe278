"""Root fields of the gender-data domain: frameworks, templates, submissions, comparisons."""

from __future__ import annotations

from typing import Annotated

import strawberry

from cms import models
from cms.errors import InvalidInput
from cms.services import frameworks, genderdata
from cms.services.statistics import Aggregate, glass_ceiling_index, share
from media import charts
from schema.context import Info
from schema.core.ids import database_id
from schema.genderdata.types import (
    Benchmark,
    ChartType,
    ComparisonType,
    DataFrameworkType,
    FrameworkVersionType,
    GradeShare,
    RangeComparisonType,
    SubmissionType,
    TrendPoint,
)
from schema.genderdata.visibility import frameworks_q, submissions_q, versions_q

Code = Annotated[str, strawberry.argument(description="The framework's code, e.g. genera.")]
Year = Annotated[int, strawberry.argument(description="Reporting year.")]


async def framework_of(info: Info, code: str) -> models.DataFramework | None:
    tenant = info.context.scope.tenant
    if tenant is None or len(code) > 64:
        return None
    return await models.DataFramework.get_or_none(tenant_id=tenant.id, code=code)


def _shares(aggregate: Aggregate | None) -> list[GradeShare]:
    if aggregate is None:
        return []
    out = []
    for row in aggregate.rows:
        women, total = aggregate.cell(row, "women"), aggregate.row_total(row)
        value = share(women, total)
        out.append(GradeShare(grade=row, women=women, total=total, share=value,
                              suppressed=value is None))  # fmt: skip
    return out


def _point(year: int, institutes: int, staff: Aggregate | None,
           funnel: Aggregate | None) -> TrendPoint:  # fmt: skip
    return TrendPoint(
        year=year,
        institutes=institutes,
        share_of_women=_shares(staff),
        glass_ceiling_index=_gci(staff),
        recruitment_funnel=_shares(funnel),
    )


async def _over_years(
    framework: models.DataFramework, from_year: int, to_year: int
) -> RangeComparisonType | None:
    staff = await genderdata.network_range(framework, from_year, to_year, "staff")
    if staff is None:
        return None
    funnel = await genderdata.network_range(framework, from_year, to_year, "recruitment")
    staffed, funnelled = staff[1], funnel[1] if funnel else None
    institutes = await genderdata.institutes_over(framework, from_year, to_year)
    trend = [
        _point(year, len(institutes.get(year, ())), aggregate,
               funnelled.per_year.get(year) if funnelled else None)
        for year, aggregate in sorted(staffed.per_year.items())
    ]  # fmt: skip
    counted = set().union(*(institutes.get(y, set()) for y in staffed.years))
    return RangeComparisonType(
        from_year=from_year,
        to_year=to_year,
        years=list(staffed.years),
        institutes=len(counted),
        share_of_women=_shares(staffed.total),
        glass_ceiling_index=_gci(staffed.total),
        recruitment_funnel=_shares(funnelled.total if funnelled else None),
        trend=trend,
        charts=[],
        staff_by_year=dict(staffed.per_year),
    )


def _gci(staff: Aggregate | None) -> float | None:
    return glass_ceiling_index(staff, genderdata.ACADEMIC_GRADES, "A") if staff else None


def _years(from_year: int, to_year: int) -> None:
    if not 0 <= to_year - from_year < charts.MAX_TREND_YEARS:
        raise InvalidInput(f"Ask for 1 to {charts.MAX_TREND_YEARS} years.", field="toYear")


class GenderDataQuery:
    """Gender-aggregated data of the addressed network tenant."""

    @strawberry.field(
        name="genderTrend",
        description="Share of women by grade, the Glass Ceiling Index and the recruitment "
        "funnel over years (at most 30), each year protected as it is alone.",
    )
    async def gender_trend(
        self, info: Info, code: Code, from_year: int, to_year: int
    ) -> list[TrendPoint]:
        _years(from_year, to_year)
        framework = await framework_of(info, code)
        if framework is None:
            return []
        over = await _over_years(framework, from_year, to_year)
        return over.trend if over else []

    @strawberry.field(
        name="genderComparisonOverYears",
        description="The network's figures summed over a range of years (at most 30), with "
        "the trend year by year: the sum is protected on top of each year's own protection, "
        "and years under the minimum of institutes are left out of it.",
    )
    async def gender_comparison_over_years(
        self, info: Info, code: Code, from_year: int, to_year: int
    ) -> RangeComparisonType | None:
        _years(from_year, to_year)
        framework = await framework_of(info, code)
        if framework is None:
            return None
        over = await _over_years(framework, from_year, to_year)
        tenant = info.context.scope.tenant
        if over is None or tenant is None:
            return None
        over.charts = [
            ChartType(
                kind="trend",
                url=charts.trend_url(tenant.slug, code, from_year, to_year),
                alt=charts.trend_alt_text(from_year, to_year, over.staff_by_year),
            )
        ]
        return over

    @strawberry.field(
        name="dataFramework",
        description="A framework of the addressed network tenant by its code (null if none).",
    )
    async def data_framework(self, info: Info, code: Code) -> DataFrameworkType | None:
        if len(code) > 64:
            return None
        row = await models.DataFramework.filter(frameworks_q(info), code=code).first()
        return DataFrameworkType.from_model(row) if row else None

    @strawberry.field(
        name="dataFrameworkVersions",
        description="Versions of a framework: published ones for everyone, drafts for stewards.",
    )
    async def data_framework_versions(self, info: Info, code: Code) -> list[FrameworkVersionType]:
        if len(code) > 64:
            return []
        rows = models.FrameworkVersion.filter(versions_q(info), framework__code=code)
        return [FrameworkVersionType.from_model(row) for row in await rows.order_by("number")]

    @strawberry.field(
        name="submissionTemplate",
        description="The CSV to fill in for a year (indicator,cell,label,value); null when no "
        "published version covers the year.",
    )
    async def submission_template(self, info: Info, code: Code, year: Year) -> str | None:
        framework = await framework_of(info, code)
        version = await genderdata.version_for(framework, year) if framework else None
        return frameworks.template(version.definition) if version else None

    @strawberry.field(
        name="dataSubmissions",
        description="Raw submissions the caller may read: its own institute's (institute "
        "tokens) or all (stewards); empty for the public and other institutes.",
    )
    async def data_submissions(self, info: Info, code: Code, year: Year) -> list[SubmissionType]:
        if len(code) > 64:
            return []
        rows = models.Submission.filter(submissions_q(info), framework__code=code, year=year)
        return [SubmissionType.from_model(r) for r in await rows.order_by("id")]

    @strawberry.field(
        name="genderDataCsv",
        description="CSV of what the caller may see: the protected network tables (suppressed "
        "cells marked `suppressed`), plus the raw figures of the submissions it may read.",
    )
    async def gender_data_csv(self, info: Info, code: Code, year: Year) -> str | None:
        framework = await framework_of(info, code)
        if framework is None:
            return None
        return await genderdata.export_csv(info.context.principal, framework, year)

    @strawberry.field(
        name="genderComparison",
        description="The network's protected figures for a year: small counts suppressed "
        "(null, never 0), nothing under the framework's minimum of institutes.",
    )
    async def gender_comparison(
        self,
        info: Info,
        code: Code,
        year: Year,
        organisation_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(
                name="organisationId", description="Institute to benchmark (own or stewards)."
            ),
        ] = None,
    ) -> ComparisonType | None:
        framework = await framework_of(info, code)
        if framework is None:
            return None
        principal = info.context.principal
        staff = await genderdata.network_table(framework, year, "staff")
        funnel = await genderdata.network_table(framework, year, "recruitment")
        institutes = len(await genderdata.validated(framework, year))
        org = principal.organisation_id if principal else None
        if organisation_id is not None:
            org = database_id(organisation_id, "Organisation", "organisationId")
        marks = await genderdata.benchmark(principal, framework, year, org) if org else []
        gci = _gci(staff)
        return ComparisonType(
            year=year,
            institutes=institutes,
            share_of_women=_shares(staff),
            glass_ceiling_index=gci,
            recruitment_funnel=_shares(funnel),
            charts=[
                ChartType(
                    kind=kind,
                    url=charts.chart_url(info.context.scope.tenant.slug, code, kind, year)
                    if info.context.scope.tenant
                    else "",
                    alt=charts.alt_text(kind, year, funnel if kind == "funnel" else staff),
                )
                for kind in charts.YEAR_KINDS
            ],
            benchmark=[
                Benchmark(
                    grade=grade,
                    own=own,
                    lower=spread.lower if spread else None,
                    median=spread.median if spread else None,
                    upper=spread.upper if spread else None,
                )
                for grade, own, spread in marks
            ],
        )
