"""Comparisons of gender-aggregated data (pure functions over protected tables).

Figures derived from a protected table use only its shown cells: a share, a Glass Ceiling
Index or a funnel step whose inputs include a suppressed cell is itself suppressed (None).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from cms.services.suppression import ProtectedTable, protect


@dataclass(frozen=True)
class Aggregate:
    """A network-wide table over `institutes` submissions, protected for showing."""

    rows: tuple[str, ...]
    columns: tuple[str, ...]
    table: ProtectedTable | None  # None: fewer institutes than the framework allows

    def cell(self, row: str, column: str) -> int | None:
        if self.table is None:
            return None
        return self.table.shown(
            self.table.layout.inner(self.rows.index(row), self.columns.index(column))
        )

    def row_total(self, row: str) -> int | None:
        if self.table is None:
            return None
        return self.table.shown(self.table.layout.row_total(self.rows.index(row)))


def network_aggregate(
    tables: list[list[list[int]]],
    rows: tuple[str, ...],
    columns: tuple[str, ...],
    *,
    threshold: int,
    min_institutes: int,
) -> Aggregate:
    """The sum of the institutes' tables, protected; nothing shown under `min_institutes`."""
    if len(tables) < min_institutes:
        return Aggregate(rows, columns, None)
    total = [[sum(t[r][c] for t in tables) for c in range(len(columns))] for r in range(len(rows))]
    return Aggregate(rows, columns, protect(total, threshold))


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
