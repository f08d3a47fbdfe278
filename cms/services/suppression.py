"""Protecting small numbers in every table the API shows (pure functions).

A table is a grid of counts over one or more dimensions: grade x gender, year x grade x gender,
recruitment stage x gender. An *additive* dimension is shown with its total, so each line of
cells along it, with its total, is a linear constraint a reader can use (a two-way table has
its row, column and grand totals; a three-way one its margins of every order). A dimension may
also show subtotals of groups of its categories (hierarchical totals: grades A to D as academic
staff), each one more constraint. A *nested* dimension is a funnel (applicants, then
shortlisted, then appointed): each category is at most the one before, an inequality a reader
can use too. Every count is at least 0.

`protect` marks cells to suppress so that no suppressed cell can be worked out exactly from
the shown ones:

1. primary suppression: every count below the threshold, zeros included (a zero shown says
   "no women at grade A" as plainly as a 1 says "one");
2. complementary suppression, repeated until nothing changes:
   - a constraint whose hidden cells sum to less than the threshold loses its cheapest shown
     cell (one hidden cell alone is recoverable by subtraction);
   - a hidden cell that the shown cells fix makes a line through it lose its cheapest shown
     cell. A cell is fixed when it is constant on the polytope {hidden cells >= 0, the
     constraints}: a linear program finds the hidden zeros no change can move off zero
     (`implicit_zeros`), and the cell is fixed when it is constant on the constraints together
     with those zeros (null space of the matrix, `exposed`).
Cells in `keep` (the figures a comparison is about, e.g. the women and the row totals) go last
when a partner is chosen. Suppressed cells are marked as such, never shown as zero.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

TOTAL = -1  # the coordinate of an additive dimension's total
Constraint = tuple[tuple[int, int], ...]  # (cell index, coefficient) pairs summing to zero
# Numerical tolerances of the linear program and the null space (counts are whole numbers,
# so a real freedom is far above these).
MOVES = 1e-6
CONSTANT = 1e-7


@dataclass(frozen=True)
class Dimension:
    """One dimension of a table: its number of categories and how they relate."""

    size: int
    additive: bool = True  # shown with a total over its categories
    nested: bool = False  # each category is at most the one before (a funnel)
    # Hierarchical totals shown beside the categories, e.g. grades A to D as "academic
    # staff": each a group of category positions; the subtotal of group k sits at `size + k`.
    subtotals: tuple[tuple[int, ...], ...] = ()


@dataclass(frozen=True)
class Layout:
    """Cell indices of a table with the totals of its additive dimensions."""

    dimensions: tuple[Dimension, ...]

    @classmethod
    def two_way(cls, rows: int, columns: int) -> Layout:
        return cls((Dimension(rows), Dimension(columns)))

    @property
    def extents(self) -> tuple[int, ...]:
        return tuple(d.size + len(d.subtotals) + (1 if d.additive else 0) for d in self.dimensions)

    @property
    def size(self) -> int:
        return math.prod(self.extents)

    def index(self, *coordinates: int) -> int:
        """The cell at these coordinates; TOTAL names an additive dimension's total."""
        out = 0
        for coordinate, dimension, extent in zip(
            coordinates, self.dimensions, self.extents, strict=True
        ):
            position = extent - 1 if coordinate == TOTAL and dimension.additive else coordinate
            if not 0 <= position < extent:
                raise IndexError(coordinates)
            out = out * extent + position
        return out

    def _axes(self, skip: int) -> Iterator[tuple[int, ...]]:
        """Every combination of coordinates of the other dimensions (totals included)."""
        ranges = [
            [*range(d.size + len(d.subtotals)), *([TOTAL] if d.additive else [])]
            if k != skip
            else [0]
            for k, d in enumerate(self.dimensions)
        ]
        return itertools.product(*ranges)

    def constraints(self) -> list[Constraint]:
        out: list[Constraint] = []
        for k, dimension in enumerate(self.dimensions):
            sums = [(tuple(g), dimension.size + n) for n, g in enumerate(dimension.subtotals)]
            if dimension.additive:
                sums.append((tuple(range(dimension.size)), TOTAL))
            for other in self._axes(k):
                at = list(other)
                for group, total in sums:
                    parts = []
                    for category in group:
                        at[k] = category
                        parts.append((self.index(*at), 1))
                    at[k] = total
                    out.append((*parts, (self.index(*at), -1)))
        return out

    def nestings(self) -> list[tuple[int, int]]:
        """(smaller, larger) pairs of cells: a funnel's later stage is within the earlier."""
        out = []
        for k, dimension in enumerate(self.dimensions):
            if not dimension.nested:
                continue
            for other in self._axes(k):
                at = list(other)
                for category in range(1, dimension.size):
                    at[k] = category
                    smaller = self.index(*at)
                    at[k] = category - 1
                    out.append((smaller, self.index(*at)))
        return out

    def values(self, counts: Any) -> tuple[int, ...]:
        """Every cell's value, totals included, from the nested lists of the inner counts."""
        shape = tuple(d.size for d in self.dimensions)
        grid = np.array(counts, dtype=np.int64).reshape(shape)
        for k, dimension in enumerate(self.dimensions):
            parts = [grid]
            for group in dimension.subtotals:
                parts.append(grid.take(list(group), axis=k).sum(axis=k, keepdims=True))
            if dimension.additive:
                parts.append(grid.sum(axis=k, keepdims=True))
            grid = np.concatenate(parts, axis=k)
        return tuple(int(v) for v in grid.ravel())


@dataclass(frozen=True)
class ProtectedTable:
    """A table with its totals; `suppressed` holds the indices of the cells not shown."""

    layout: Layout
    values: tuple[int, ...]
    suppressed: frozenset[int]

    def shown(self, index: int) -> int | None:
        return None if index in self.suppressed else self.values[index]


def _equations(
    layout: Layout, values: Sequence[int], hidden: list[int]
) -> tuple[np.ndarray, list[int]]:
    """The constraints over the hidden cells (and one slack per funnel inequality that holds
    a hidden cell) as a homogeneous system of the changes a reader cannot rule out, with the
    current value of every variable."""
    column = {cell: k for k, cell in enumerate(hidden)}
    current = [values[cell] for cell in hidden]
    rows: list[dict[int, int]] = []
    for constraint in layout.constraints():
        row = {column[i]: c for i, c in constraint if i in column}
        if row:
            rows.append(row)
    for smaller, larger in layout.nestings():
        if smaller not in column and larger not in column:
            continue
        slack = len(current)
        current.append(values[larger] - values[smaller])
        row = {slack: -1}
        if larger in column:
            row[column[larger]] = 1
        if smaller in column:
            row[column[smaller]] = row.get(column[smaller], 0) - 1
        rows.append(row)
    matrix = np.zeros((len(rows), len(current)))
    for r, row in enumerate(rows):
        for k, coefficient in row.items():
            matrix[r, k] += coefficient
    return matrix, current


def implicit_zeros(matrix: np.ndarray, at_zero: list[int]) -> set[int]:
    """The variables at zero that no change d (matrix @ d = 0, d >= 0 where at zero) moves:
    linear programs, each finding at least one that can move, until none is left."""
    from scipy.optimize import linprog  # heavy: imported when a table is first protected

    width = matrix.shape[1]
    zero = set(at_zero)
    bounds = [(0.0, 1.0) if k in zero else (-1.0, 1.0) for k in range(width)]
    stuck = sorted(zero)
    while stuck:
        objective = np.zeros(width)
        objective[stuck] = -1.0  # maximise the moves of the ones not known to move
        result = linprog(
            objective,
            A_eq=matrix if matrix.shape[0] else None,
            b_eq=np.zeros(matrix.shape[0]) if matrix.shape[0] else None,
            bounds=bounds,
            method="highs",
        )
        if result.status != 0:
            break
        moved = [k for k in stuck if result.x[k] > MOVES]
        if not moved:
            break
        stuck = [k for k in stuck if k not in moved]
    return set(stuck)


def exposed(layout: Layout, values: Sequence[int], suppressed: frozenset[int]) -> set[int]:
    """The suppressed cells whose value the shown cells fix exactly."""
    from scipy.linalg import null_space

    hidden = sorted(suppressed)
    if not hidden:
        return set()
    matrix, current = _equations(layout, values, hidden)
    fixed = implicit_zeros(matrix, [k for k, v in enumerate(current) if v == 0])
    units = np.zeros((len(fixed), len(current)))
    for r, k in enumerate(sorted(fixed)):
        units[r, k] = 1.0
    basis = null_space(np.vstack([matrix, units]))
    if basis.shape[1] == 0:
        return set(hidden)
    return {cell for k, cell in enumerate(hidden) if np.abs(basis[k]).max() < CONSTANT}


def protect(
    layout: Layout,
    values: Sequence[int],
    threshold: int,
    *,
    keep: frozenset[int] = frozenset(),
    hidden: frozenset[int] = frozenset(),
    candidates: frozenset[int] | None = None,
) -> ProtectedTable:
    """The cells to suppress (see the module docstring). `hidden` are already suppressed
    elsewhere (e.g. each year's own pattern inside a range of years); only `candidates` (all
    cells when None) may be suppressed here, so what was shown elsewhere stays consistent."""
    allowed = frozenset(range(layout.size)) if candidates is None else candidates
    if candidates is not None:
        # What the cells shown elsewhere fix even with every candidate hidden is public
        # already: it is shown, never a (useless) partner.
        allowed -= exposed(layout, values, frozenset(hidden | candidates))
    suppressed = set(hidden) | {i for i in allowed if values[i] < threshold}
    constraints = layout.constraints()
    lines: dict[int, list[Sequence[int]]] = {}
    for constraint in constraints:
        for index, _ in constraint:
            lines.setdefault(index, []).append([i for i, _ in constraint])
    for pair in layout.nestings():
        for index in pair:
            lines.setdefault(index, []).append(pair)

    def plain(cell: int) -> bool:
        """Would hiding the cell be undone at once by a line whose other cells are shown?"""
        return any(
            all(j == cell or j not in suppressed for j in line)
            for line in lines.get(cell, [])
            if len(line) > 2
        )

    def cheapest(cells: Sequence[int]) -> int | None:
        shown = [i for i in cells if i not in suppressed and i in allowed]
        if not shown:
            return None
        return min(shown, key=lambda i: (i in keep, plain(i), values[i], i))

    while True:
        added: set[int] = set()
        for constraint in constraints:
            cells = [i for i, _ in constraint]
            inside = [i for i in cells if i in suppressed]
            if inside and sum(values[i] for i in inside) < threshold:
                partner = cheapest(cells)
                if partner is not None:
                    added.add(partner)
                    break
        if not added:
            found = exposed(layout, values, frozenset(suppressed))
            near = {i for cell in found for line in lines.get(cell, []) for i in line}
            # Without a shown partner beside them, hiding any other allowed cell widens what
            # the reader cannot tell (hiding every allowed cell is always safe).
            partner = cheapest(sorted(near)) if found else None
            if found and partner is None:
                partner = cheapest(range(layout.size))
            if partner is not None:
                added.add(partner)  # one at a time: it may protect the others too
        if not added:
            return ProtectedTable(layout, tuple(values), frozenset(suppressed))
        suppressed |= added
