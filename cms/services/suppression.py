"""Protecting small numbers in a two-way table with its margins (pure functions).

A table of counts (rows x columns, e.g. grade x gender) is shown with its row totals, column
totals and grand total, so every row and column is an additive constraint a reader can use.
`protect` marks cells to suppress so that no suppressed cell can be worked out exactly:

1. primary suppression: every count from 1 to below the threshold (a zero counts no one and is
   shown: hiding it would hide every row of a gender no institute reports);
2. complementary suppression, repeated until nothing changes:
   - a constraint with suppressed cells whose hidden sum is below the threshold (one suppressed
     cell alone is always recoverable by subtraction) loses its smallest shown cell too;
   - a suppressed cell that the shown cells determine through the constraints together (its
     unit vector lies in the row space of the constraint matrix over the suppressed cells, exact
     rational elimination) or pin down by interval bounds (each count at least 0) makes a
     constraint through it lose its smallest shown cell.
Suppressed cells are marked as such, never shown as zero.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

Constraint = tuple[tuple[int, int], ...]  # (cell index, coefficient) pairs summing to zero


@dataclass(frozen=True)
class Layout:
    """Cell indices of a rows x columns table with its margins."""

    rows: int
    columns: int

    def inner(self, r: int, c: int) -> int:
        return r * self.columns + c

    def row_total(self, r: int) -> int:
        return self.rows * self.columns + r

    def column_total(self, c: int) -> int:
        return self.rows * self.columns + self.rows + c

    @property
    def grand_total(self) -> int:
        return self.rows * self.columns + self.rows + self.columns

    @property
    def size(self) -> int:
        return self.grand_total + 1

    def constraints(self) -> list[Constraint]:
        out: list[Constraint] = []
        for r in range(self.rows):
            cells = tuple((self.inner(r, c), 1) for c in range(self.columns))
            out.append((*cells, (self.row_total(r), -1)))
        for c in range(self.columns):
            cells = tuple((self.inner(r, c), 1) for r in range(self.rows))
            out.append((*cells, (self.column_total(c), -1)))
        rows = tuple((self.row_total(r), 1) for r in range(self.rows))
        out.append((*rows, (self.grand_total, -1)))
        columns = tuple((self.column_total(c), 1) for c in range(self.columns))
        out.append((*columns, (self.grand_total, -1)))
        return out


@dataclass(frozen=True)
class ProtectedTable:
    """A table with margins; `suppressed` holds the indices of the cells not shown."""

    layout: Layout
    values: tuple[int, ...]
    suppressed: frozenset[int]

    def shown(self, index: int) -> int | None:
        return None if index in self.suppressed else self.values[index]


def with_margins(table: list[list[int]]) -> tuple[Layout, tuple[int, ...]]:
    """The layout and every cell value (inner cells, row totals, column totals, grand total)."""
    rows, columns = len(table), len(table[0]) if table else 0
    layout = Layout(rows, columns)
    values = [value for row in table for value in row]
    values += [sum(row) for row in table]
    values += [sum(table[r][c] for r in range(rows)) for c in range(columns)]
    values.append(sum(values[: rows * columns]))
    return layout, tuple(values)


def determined(constraints: list[Constraint], suppressed: frozenset[int]) -> set[int]:
    """The suppressed cells that the constraints fix exactly once the other cells are known."""
    order = sorted(suppressed)
    column = {index: i for i, index in enumerate(order)}
    matrix = []
    for constraint in constraints:
        row = [Fraction(0)] * len(order)
        for index, coefficient in constraint:
            if index in column:
                row[column[index]] += coefficient
        if any(row):
            matrix.append(row)
    pivots: list[tuple[int, int]] = []  # (row, column)
    r = 0
    for c in range(len(order)):
        pivot = next((i for i in range(r, len(matrix)) if matrix[i][c] != 0), None)
        if pivot is None:
            continue
        matrix[r], matrix[pivot] = matrix[pivot], matrix[r]
        lead = matrix[r][c]
        matrix[r] = [value / lead for value in matrix[r]]
        for i in range(len(matrix)):
            if i != r and matrix[i][c] != 0:
                factor = matrix[i][c]
                matrix[i] = [a - factor * b for a, b in zip(matrix[i], matrix[r], strict=True)]
        pivots.append((r, c))
        r += 1
    out = set()
    for pivot_row, c in pivots:
        if all(value == 0 for j, value in enumerate(matrix[pivot_row]) if j != c):
            out.add(order[c])
    return out


def interval_bounds(
    constraints: list[Constraint], shown: dict[int, int], hidden: frozenset[int]
) -> dict[int, tuple[float, float]]:
    """Bounds of each hidden cell from the shown ones and non-negativity, by propagation."""
    bounds: dict[int, tuple[float, float]] = {i: (0.0, float("inf")) for i in hidden}
    for _ in range(4 * len(constraints) + 4):
        changed = False
        for constraint in constraints:
            for index, coefficient in constraint:
                if index not in hidden:
                    continue
                # coefficient * x = -(sum of the others)
                lo, hi = 0.0, 0.0
                for other, weight in constraint:
                    if other == index:
                        continue
                    if other in hidden:
                        olo, ohi = bounds[other]
                    else:
                        olo = ohi = float(shown[other])
                    a, b = -weight * olo, -weight * ohi
                    lo += min(a, b)
                    hi += max(a, b)
                if coefficient < 0:
                    lo, hi = -hi, -lo
                old = bounds[index]
                new = (max(old[0], lo), min(old[1], hi))
                if new != old:
                    bounds[index] = new
                    changed = True
        if not changed:
            break
    return bounds


def _exposed(
    constraints: list[Constraint], values: tuple[int, ...], suppressed: frozenset[int]
) -> set[int]:
    shown = {i: v for i, v in enumerate(values) if i not in suppressed}
    exposed = determined(constraints, suppressed)
    for index, (lo, hi) in interval_bounds(constraints, shown, suppressed).items():
        if lo == hi:
            exposed.add(index)
    return exposed


def _first(candidates: Iterable[int | None]) -> int | None:
    return next((c for c in candidates if c is not None), None)


def protect(table: list[list[int]], threshold: int) -> ProtectedTable:
    """The table with its margins and the cells to suppress (see the module docstring)."""
    layout, values = with_margins(table)
    constraints = layout.constraints()
    suppressed = {i for i, value in enumerate(values) if 0 < value < threshold}

    def smallest_shown(constraint: Constraint) -> int | None:
        shown = [index for index, _ in constraint if index not in suppressed]
        # A zero partner adds nothing to the hidden sum: the smallest non-zero cell goes first.
        return min(shown, key=lambda i: (values[i] == 0, values[i], i)) if shown else None

    while True:
        added: int | None = None
        for constraint in constraints:
            hidden = [index for index, _ in constraint if index in suppressed]
            if hidden and (len(hidden) == 1 or sum(values[i] for i in hidden) < threshold):
                added = smallest_shown(constraint)
                if added is not None:
                    break
        if added is None:
            added = _first(
                smallest_shown(constraint)
                for index in sorted(_exposed(constraints, values, frozenset(suppressed)))
                for constraint in constraints
                if any(i == index for i, _ in constraint)
            )
        if added is None:
            return ProtectedTable(layout, values, frozenset(suppressed))
        suppressed.add(added)
