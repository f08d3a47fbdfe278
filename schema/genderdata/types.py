"""GraphQL types of the gender-data domain; raw figures only on submissions the caller may read."""

from __future__ import annotations

from typing import cast

import strawberry
from strawberry.scalars import JSON

from cms import models
from cms.services.statistics import Aggregate
from schema.context import Info
from schema.core.ids import to_global_id
from schema.core.nodes import Node
from schema.genderdata.visibility import sees_drafts


@strawberry.type(
    name="DataFramework", description="A network's common framework for gender-aggregated data."
)
class DataFrameworkType(Node):
    model: strawberry.Private[models.DataFramework]

    @strawberry.field(description="Stable code, e.g. genera.")
    def code(self) -> str:
        return self.model.code

    @strawberry.field(description="Human name.")
    def name(self) -> str:
        return self.model.name

    @strawberry.field(description="Smallest count shown beyond an institute.")
    def threshold(self) -> int:
        return self.model.threshold

    @strawberry.field(
        name="minInstitutes", description="Fewest institutes a network figure may cover."
    )
    def min_institutes(self) -> int:
        return self.model.min_institutes

    @strawberry.field(description="Its versions: published ones, and drafts for stewards.")
    async def versions(self, info: Info) -> list[FrameworkVersionType]:
        key = (self.model.id, sees_drafts(info))
        rows = await info.context.loaders.genderdata.versions_by_framework_id.load(key)
        return [FrameworkVersionType.from_model(row) for row in rows]


@strawberry.type(name="DataFrameworkVersion", description="One definition of a framework.")
class FrameworkVersionType(Node):
    model: strawberry.Private[models.FrameworkVersion]

    @strawberry.field(description="1, 2, …: figures are read with the version they used.")
    def number(self) -> int:
        return self.model.number

    @strawberry.field(description="draft or published.")
    def status(self) -> str:
        return self.model.status.value

    @strawberry.field(name="firstYear", description="First reporting year it covers.")
    def first_year(self) -> int:
        return self.model.first_year

    @strawberry.field(name="lastYear", description="Last reporting year it covers.")
    def last_year(self) -> int:
        return self.model.last_year

    @strawberry.field(description="Dimensions and indicators (code, name, unit, breakdowns).")
    def definition(self) -> JSON:
        return cast(JSON, self.model.definition)

    @strawberry.field(description="The framework it defines.")
    async def framework(self, info: Info) -> DataFrameworkType | None:
        row = await info.context.loaders.genderdata.framework_by_id.load(self.model.framework_id)
        return DataFrameworkType.from_model(row) if row else None


@strawberry.type(name="DataSubmission", description="One institute's figures for one year.")
class SubmissionType(Node):
    model: strawberry.Private[models.Submission]

    @strawberry.field(name="organisationId", description="The institute (an Organisation id).")
    def organisation_id(self) -> strawberry.ID:
        return strawberry.ID(to_global_id("Organisation", self.model.organisation_id))

    @strawberry.field(description="Reporting year.")
    def year(self) -> int:
        return self.model.year

    @strawberry.field(description="draft, submitted, validated or returned.")
    def state(self) -> str:
        return self.model.state.value

    @strawberry.field(description="The stewards' comments when returned.")
    def comments(self) -> str:
        return self.model.comments

    @strawberry.field(description="Revision number; each correction adds one.")
    def version(self) -> int:
        return self.model.version

    @strawberry.field(
        name="frameworkVersion",
        description="The number of the framework version it was reported under.",
    )
    async def framework_version(self, info: Info) -> int:
        row = await self._reported_under(info)
        return row.number if row else 0

    @strawberry.field(
        name="reportedUnder",
        description="The framework version it was reported under, with its definition.",
    )
    async def reported_under(self, info: Info) -> FrameworkVersionType | None:
        row = await self._reported_under(info)
        return FrameworkVersionType.from_model(row) if row else None

    async def _reported_under(self, info: Info) -> models.FrameworkVersion | None:
        loader = info.context.loaders.genderdata.version_by_id
        return await loader.load(self.model.framework_version_id)

    @strawberry.field(description="The framework it reports against.")
    async def framework(self, info: Info) -> DataFrameworkType | None:
        row = await info.context.loaders.genderdata.framework_by_id.load(self.model.framework_id)
        return DataFrameworkType.from_model(row) if row else None

    @strawberry.field(
        description="Raw figures: {indicator: {cell: value}}; headcounts are whole numbers, "
        'full-time equivalents decimal strings with two places ("12.50").'
    )
    def figures(self) -> JSON:
        return cast(JSON, self.model.figures)


@strawberry.type(name="GradeShare", description="The share of women in one row of a table.")
class GradeShare:
    grade: str = strawberry.field(description="Row category (a grade, a recruitment stage).")
    women: int | None = strawberry.field(description="Women; null when suppressed.")
    total: int | None = strawberry.field(description="Everyone; null when suppressed.")
    share: float | None = strawberry.field(description="women / total; null when suppressed.")
    suppressed: bool = strawberry.field(description="True when the share cannot be shown.")


@strawberry.type(name="Benchmark", description="An institute's own share beside the network.")
class Benchmark:
    grade: str = strawberry.field(description="Grade.")
    own: float | None = strawberry.field(description="The institute's own share of women.")
    lower: float | None = strawberry.field(description="The network's lower quartile.")
    median: float | None = strawberry.field(description="The network's median.")
    upper: float | None = strawberry.field(description="The network's upper quartile.")


@strawberry.type(name="DataChart", description="An SVG chart to embed with <img>.")
class ChartType:
    kind: str = strawberry.field(
        description="share-by-grade, scissors, funnel (one year) or trend (a range of years)."
    )
    url: str = strawberry.field(description="Path of the SVG on this server.")
    alt: str = strawberry.field(description="Text alternative: the figures drawn, in words.")


@strawberry.type(name="GenderComparison", description="Protected network figures for a year.")
class ComparisonType:
    year: int = strawberry.field(description="Reporting year.")
    institutes: int = strawberry.field(description="Validated submissions counted.")
    share_of_women: list[GradeShare] = strawberry.field(
        name="shareOfWomen", description="Share of women per grade (staff indicator)."
    )
    glass_ceiling_index: float | None = strawberry.field(
        name="glassCeilingIndex",
        description="Share of women in grades A-D over their share in grade A; null when "
        "suppressed.",
    )
    recruitment_funnel: list[GradeShare] = strawberry.field(
        name="recruitmentFunnel", description="Share of women per recruitment stage."
    )
    charts: list[ChartType] = strawberry.field(
        description="The comparison as SVG charts (protected figures only), with alt text."
    )
    benchmark: list[Benchmark] = strawberry.field(
        description="The caller's institute (or, for stewards, the one asked) beside the "
        "network's quartiles; empty for everyone else."
    )


@strawberry.type(name="GenderTrendPoint", description="One year of a trend (protected figures).")
class TrendPoint:
    year: int = strawberry.field(description="Reporting year.")
    institutes: int = strawberry.field(description="Validated submissions counted.")
    share_of_women: list[GradeShare] = strawberry.field(
        name="shareOfWomen", description="Share of women per grade."
    )
    glass_ceiling_index: float | None = strawberry.field(
        name="glassCeilingIndex", description="Null when suppressed."
    )
    recruitment_funnel: list[GradeShare] = strawberry.field(
        name="recruitmentFunnel", description="Share of women per recruitment stage."
    )


@strawberry.type(
    name="GenderRangeComparison",
    description="The network's figures over a range of years: their sum, protected on top of "
    "each year's own protection (so the sum and the years together reveal no hidden cell), "
    "and the trend year by year.",
)
class RangeComparisonType:
    from_year: int = strawberry.field(name="fromYear", description="First year asked for.")
    to_year: int = strawberry.field(name="toYear", description="Last year asked for.")
    years: list[int] = strawberry.field(
        description="The years counted: those with enough institutes (the others are left "
        "out of the sum, which would otherwise give them away)."
    )
    institutes: int = strawberry.field(
        description="Distinct institutes with a validated submission in the years counted."
    )
    share_of_women: list[GradeShare] = strawberry.field(
        name="shareOfWomen", description="Share of women per grade over the years counted."
    )
    glass_ceiling_index: float | None = strawberry.field(
        name="glassCeilingIndex", description="Over the years counted; null when suppressed."
    )
    recruitment_funnel: list[GradeShare] = strawberry.field(
        name="recruitmentFunnel", description="Share of women per recruitment stage, summed."
    )
    trend: list[TrendPoint] = strawberry.field(
        description="Each year of the range with a published version, protected as alone."
    )
    charts: list[ChartType] = strawberry.field(
        description="The trend chart of the range (an SVG with its text alternative)."
    )
    staff_by_year: strawberry.Private[dict[int, Aggregate | None]]
