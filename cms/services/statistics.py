"""Comparisons of gender-aggregated data (pure functions over protected tables).

Figures derived from a protected table use only its shown cells: a share, a Glass Ceiling
Index or a funnel step whose inputs include a suppressed cell is itself suppressed (None).
"""

from __future__ import annotations

import itertools
import statistics
from dataclasses import dataclass

from cms.services.suppression import TOTAL, Dimension, Layout, ProtectedTable, protect


@dataclass(frozen=True)
class Aggregate:
    """A network-wide rows x columns table over `institutes` submissions, protected for
    showing; `at` places it inside a larger protected table (one year of a range)."""

    rows: tuple[str, ...]
    columns: tuple[str, ...]
    table: ProtectedTable | None  # None: fewer institutes than the framework allows
    at: tuple[int, ...] = ()

    def cell(self, row: str, column: str) -> int | None:
        if self.table is None:
            return None
        index = self.table.layout.index(*self.at, self.rows.index(row), self.columns.index(column))
        return self.table.shown(index)

    def row_total(self, row: str) -> int | None:
        if self.table is None:
            return None
        return self.table.shown(self.table.layout.index(*self.at, self.rows.index(row), TOTAL))


def _sum(tables: list[list[list[int]]], rows: int, columns: int) -> list[list[int]]:
    return [[sum(t[r][c] for t in tables) for c in range(columns)] for r in range(rows)]


def _keep(layout: Layout, at: tuple[int, ...], rows: int, column: int) -> frozenset[int]:
    """The cells a comparison is about: one column (the women) and the row totals."""
    return frozenset(layout.index(*at, r, c) for r in range(rows) for c in (column, TOTAL))


def network_aggregate(
    tables: list[list[list[int]]],
    rows: tuple[str, ...],
    columns: tuple[str, ...],
    *,
    threshold: int,
    min_institutes: int,
    row_dimension: Dimension | None = None,
    keep: str = "women",
) -> Aggregate:
    """The sum of the institutes' tables, protected; nothing shown under `min_institutes`.
    `row_dimension` says whether the rows add up (grades) or nest (a funnel's stages)."""
    if len(tables) < min_institutes:
        return Aggregate(rows, columns, None)
    layout = Layout((row_dimension or Dimension(len(rows)), Dimension(len(columns))))
    values = layout.values(_sum(tables, len(rows), len(columns)))
    kept = _keep(layout, (), len(rows), columns.index(keep)) if keep in columns else frozenset()
    return Aggregate(rows, columns, protect(layout, values, threshold, keep=kept))


@dataclass(frozen=True)
class RangeAggregate:
    """A range of years: each counted year as protected alone, and their sum, protected on top
    of the years' own patterns so that the sum and the years together reveal nothing more."""

    years: tuple[int, ...]  # the years counted (those with enough institutes)
    per_year: dict[int, Aggregate]
    total: Aggregate


def range_aggregate(
    tables_by_year: dict[int, list[list[list[int]]]],
    rows: tuple[str, ...],
    columns: tuple[str, ...],
    *,
    threshold: int,
    min_institutes: int,
    row_dimension: Dimension | None = None,
    keep: str = "women",
) -> RangeAggregate:
    """Years under `min_institutes` are left out of the sum as well as shown as nothing: the
    sum less the shown years would otherwise be the hidden year."""
    per_year = {
        year: network_aggregate(tables, rows, columns, threshold=threshold,
                                min_institutes=min_institutes, row_dimension=row_dimension,
                                keep=keep)
        for year, tables in sorted(tables_by_year.items())
    }  # fmt: skip
    counted = tuple(y for y, a in per_year.items() if a.table is not None)
    if not counted:
        return RangeAggregate(counted, per_year, Aggregate(rows, columns, None))
    inner = row_dimension or Dimension(len(rows))
    layout = Layout((Dimension(len(counted)), inner, Dimension(len(columns))))
    values = layout.values([_sum(tables_by_year[y], len(rows), len(columns)) for y in counted])
    hidden: set[int] = set()
    for k, year in enumerate(counted):
        table = per_year[year].table
        assert table is not None
        for index in table.suppressed:
            hidden.add(_lift(table.layout, index, layout, k))
    sums = frozenset(
        layout.index(TOTAL, *cell)
        for cell in itertools.product(*[_range(d) for d in layout.dimensions[1:]])
    )
    kept = (
        _keep(layout, (TOTAL,), len(rows), columns.index(keep)) if keep in columns else frozenset()
    )
    protected = protect(
        layout, values, threshold, keep=kept, hidden=frozenset(hidden), candidates=sums
    )
    years = {y: Aggregate(rows, columns, protected, (k,)) for k, y in enumerate(counted)}
    per_year.update(years)
    return RangeAggregate(counted, per_year, Aggregate(rows, columns, protected, (TOTAL,)))


def _range(dimension: Dimension) -> list[int]:
    return [*range(dimension.size), *([TOTAL] if dimension.additive else [])]


def _lift(small: Layout, index: int, large: Layout, year: int) -> int:
    """A cell of one year's table as a cell of the years x rows x columns table."""
    coordinates = []
    for extent, dimension in zip(reversed(small.extents), reversed(small.dimensions), strict=True):
        position = index % extent
        index //= extent
        coordinates.append(TOTAL if dimension.additive and position == extent - 1 else position)
    return large.index(year, *reversed(coordinates))


def share(part: int | None, whole: int | None) -> float | None:
    """part / whole, or None when either is hidden or the whole is zero."""
    if part is None or whole is None or whole == 0:
        return None
    return part / whole


def shares_of(aggregate: Aggregate, column: str) -> dict[str, float | None]:
    """The share of `column` (e.g. women) in each row (e.g. grade)."""
    return {
        row: share(aggregate.cell(row, column), aggregate.row_total(row)) for row in aggregate.rows
    }


def glass_ceiling_index(
    aggregate: Aggregate, grades: tuple[str, ...], top: str, column: str = "women"
) -> float | None:
    """Share of women in all `grades` over their share in the `top` grade (1 = no ceiling)."""
    parts = [aggregate.cell(g, column) for g in grades]
    wholes = [aggregate.row_total(g) for g in grades]
    if any(v is None for v in parts + wholes):
        return None
    overall = share(sum(p for p in parts if p is not None), sum(w for w in wholes if w is not None))
    at_top = share(aggregate.cell(top, column), aggregate.row_total(top))
    if overall is None or at_top is None or at_top == 0:
        return None
    return overall / at_top


@dataclass(frozen=True)
class Quartiles:
    """The network's spread of one figure across institutes."""

    lower: float
    median: float
    upper: float
    institutes: int


def quartiles(values: list[float], min_institutes: int) -> Quartiles | None:
    """Lower quartile, median and upper quartile, or None under `min_institutes` values."""
    if len(values) < max(min_institutes, 2):
        return None
    lower, median, upper = statistics.quantiles(values, n=4, method="inclusive")
    return Quartiles(lower, median, upper, len(values))
