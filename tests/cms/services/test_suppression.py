"""Small numbers stay hidden: no shown set of cells lets a suppressed cell be recovered.

Each table shape the API shows is drawn at random: one-way with a total, two-way with its
margins, three-way with margins of every order, a funnel (nested stages x gender), rows that do
not add up (decision-making bodies), grades with a subtotal (hierarchical totals), and a range
of years (each year protected alone, their sum on top). A suppressed cell is recoverable when
the shown cells fix it: the tests check with numpy ranks (is its unit vector in the row space
of the constraints over the hidden cells?) and with exact bounds from a linear program (scipy's
HiGHS, min and max of the cell over every table of non-negative counts the shown cells allow),
independently of how `protect` decides.
"""

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from cms.services.statistics import range_aggregate
from cms.services.suppression import TOTAL, Dimension, Layout, ProtectedTable, protect

counts = st.integers(0, 40) | st.sampled_from([0, 1, 2, 3, 4])


def grid(shape: tuple[int, ...]) -> st.SearchStrategy[list[int]]:
    size = int(np.prod(shape))
    return st.lists(counts, min_size=size, max_size=size)


@st.composite
def additive_tables(draw: st.DrawFn, dimensions: int) -> tuple[Layout, list[int]]:
    shape = tuple(draw(st.integers(1 if dimensions > 1 else 2, 4)) for _ in range(dimensions))
    if dimensions == 3:
        shape = tuple(min(n, 3) for n in shape)
    return Layout(tuple(Dimension(n) for n in shape)), draw(grid(shape))


@st.composite
def funnels(draw: st.DrawFn) -> tuple[Layout, list[int]]:
    """Stages x gender: each stage at most the one before, per gender."""
    stages, genders = draw(st.integers(2, 3)), draw(st.integers(2, 4))
    rows = [draw(st.lists(counts, min_size=genders, max_size=genders))]
    for _ in range(stages - 1):
        rows.append([draw(st.integers(0, v)) for v in rows[-1]])
    layout = Layout((Dimension(stages, additive=False, nested=True), Dimension(genders)))
    return layout, [v for row in rows for v in row]


@st.composite
def bodies(draw: st.DrawFn) -> tuple[Layout, list[int]]:
    """Rows that do not add up (a head of institution and board members)."""
    rows, columns = draw(st.integers(1, 3)), draw(st.integers(2, 4))
    layout = Layout((Dimension(rows, additive=False), Dimension(columns)))
    return layout, draw(grid((rows, columns)))


@st.composite
def hierarchies(draw: st.DrawFn) -> tuple[Layout, list[int]]:
    """Grades with a subtotal of the first few (academic staff) beside their total, x gender."""
    rows, columns = draw(st.integers(3, 5)), draw(st.integers(2, 4))
    group = tuple(range(draw(st.integers(2, rows - 1))))
    layout = Layout((Dimension(rows, subtotals=(group,)), Dimension(columns)))
    return layout, draw(grid((rows, columns)))


shapes = st.one_of(
    additive_tables(1), additive_tables(2), additive_tables(3), funnels(), bodies(), hierarchies()
)


def bounds(protected: ProtectedTable, index: int) -> tuple[float, float]:
    """Exact LP bounds of a hidden cell over every table the shown cells allow."""
    layout, values = protected.layout, protected.values
    hidden = sorted(protected.suppressed)
    column = {cell: k for k, cell in enumerate(hidden)}
    equations, targets = [], []
    for constraint in layout.constraints():
        row, target = np.zeros(len(hidden)), 0.0
        for cell, coefficient in constraint:
            if cell in column:
                row[column[cell]] += coefficient
            else:
                target -= coefficient * values[cell]
        if row.any():
            equations.append(row)
            targets.append(target)
    inequalities, limits = [], []
    for smaller, larger in layout.nestings():  # smaller - larger <= 0
        row, limit = np.zeros(len(hidden)), 0.0
        for cell, sign in ((smaller, 1), (larger, -1)):
            if cell in column:
                row[column[cell]] += sign
            else:
                limit -= sign * values[cell]
        if row.any():
            inequalities.append(row)
            limits.append(limit)
    out = []
    for sense in (1.0, -1.0):
        objective = np.zeros(len(hidden))
        objective[column[index]] = sense
        result = linprog(
            objective,
            A_eq=np.array(equations) if equations else None,
            b_eq=np.array(targets) if equations else None,
            A_ub=np.array(inequalities) if inequalities else None,
            b_ub=np.array(limits) if inequalities else None,
            bounds=[(0, None)] * len(hidden),
            method="highs",
        )
        assert result.status in (0, 3), result.message  # 3: unbounded above, fine
        out.append(sense * result.fun if result.status == 0 else float("inf"))
    return out[0], out[1]


def recoverable_by_algebra(protected: ProtectedTable, index: int) -> bool:
    """Is the cell's unit vector in the row space of the constraints over the hidden cells?"""
    hidden = sorted(protected.suppressed)
    rows = []
    for constraint in protected.layout.constraints():
        row = np.zeros(len(hidden))
        for cell, coefficient in constraint:
            if cell in protected.suppressed:
                row[hidden.index(cell)] += coefficient
        rows.append(row)
    a = np.array(rows) if rows else np.zeros((0, len(hidden)))
    unit = np.zeros((1, len(hidden)))
    unit[0, hidden.index(index)] = 1
    return bool(np.linalg.matrix_rank(np.vstack([a, unit])) == np.linalg.matrix_rank(a))


def assert_protected(protected: ProtectedTable, threshold: int) -> None:
    for index in protected.suppressed:
        assert not recoverable_by_algebra(protected, index), index
        low, high = bounds(protected, index)
        assert low <= protected.values[index] <= high
        assert high - low > 1e-6, f"cell {index} pinned to {low}"


@settings(max_examples=250, deadline=None)
@given(table=shapes, threshold=st.integers(1, 8))
def test_no_suppressed_cell_can_be_recovered(table: tuple[Layout, list[int]], threshold: int):
    layout, inner = table
    protected = protect(layout, layout.values(inner), threshold)
    for index, value in enumerate(protected.values):
        if value < threshold:
            assert index in protected.suppressed  # primary suppression, zeros included
    assert_protected(protected, threshold)


years_of_tables = st.integers(2, 4).flatmap(
    lambda years: st.lists(
        st.lists(st.lists(counts, min_size=3, max_size=3), min_size=2, max_size=2),
        min_size=years,
        max_size=years,
    )
)


@settings(max_examples=120, deadline=None)
@given(years=years_of_tables, threshold=st.integers(2, 6))
def test_a_range_of_years_and_its_years_together_reveal_nothing(years, threshold):
    """The sum over years is protected on top of each year's own pattern: what the single
    years show is unchanged, and the years with the sum reveal no hidden cell."""
    tables = {2020 + k: [table] for k, table in enumerate(years)}
    ranged = range_aggregate(
        tables, ("A", "B"), ("women", "men", "other"), threshold=threshold, min_institutes=1
    )
    protected = ranged.total.table
    assert protected is not None
    alone = range_aggregate(
        {2020: tables[2020]}, ("A", "B"), ("women", "men", "other"),
        threshold=threshold, min_institutes=1,
    )  # fmt: skip
    for row, column in itertools.product(("A", "B"), ("women", "men", "other")):
        assert ranged.per_year[2020].cell(row, column) == alone.per_year[2020].cell(row, column)
    for index, value in enumerate(protected.values):
        if value < threshold:
            assert index in protected.suppressed
    assert_protected(protected, threshold)


def test_years_under_the_minimum_are_left_out_of_the_sum():
    tables = {2023: [[[10, 10]]] * 3, 2024: [[[10, 10]]] * 2}
    ranged = range_aggregate(tables, ("A",), ("women", "men"), threshold=5, min_institutes=3)
    assert ranged.years == (2023,)
    assert ranged.per_year[2024].table is None
    assert ranged.total.cell("A", "women") == 30


def test_a_single_small_cell_takes_a_partner_in_its_row_and_column() -> None:
    # grade A: 2 women, 20 men; grade B: 12 women, 30 men
    layout = Layout.two_way(2, 2)
    protected = protect(layout, layout.values([[2, 20], [12, 30]]), threshold=5)
    assert protected.suppressed == {layout.index(r, c) for r in (0, 1) for c in (0, 1)}
    assert protected.shown(layout.index(TOTAL, TOTAL)) == 64


def test_a_zero_is_suppressed_like_any_small_count() -> None:
    # no women at grade A: the 0 says as much as a 1 would
    layout = Layout.two_way(2, 2)
    protected = protect(layout, layout.values([[0, 20], [12, 30]]), threshold=5)
    assert protected.shown(layout.index(0, 0)) is None
    assert protected.shown(layout.index(0, 1)) is None  # else 20 - 20 = 0


def test_partners_spare_the_kept_cells() -> None:
    layout = Layout.two_way(2, 3)
    values = layout.values([[3, 10, 10], [10, 10, 10]])
    kept = frozenset(layout.index(r, c) for r in (0, 1) for c in (0, TOTAL))
    protected = protect(layout, values, threshold=5, keep=kept)
    assert protected.shown(layout.index(0, 0)) is None
    # the partners are the men of grade A and the column totals: grade B's women and every
    # row total stay shown
    assert protected.shown(layout.index(1, 0)) == 10
    assert protected.shown(layout.index(0, TOTAL)) == 23
    assert_protected(protected, 5)


def test_large_numbers_are_all_shown() -> None:
    layout = Layout.two_way(2, 2)
    assert protect(layout, layout.values([[10, 20], [30, 40]]), threshold=5).suppressed == set()


def test_a_funnel_hides_what_its_stages_would_give_away() -> None:
    # 3 women appointed among 6 shortlisted: the later stage is bounded by the earlier one
    layout = Layout((Dimension(2, additive=False, nested=True), Dimension(2)))
    protected = protect(layout, layout.values([[6, 30], [3, 10]]), threshold=5)
    assert protected.shown(layout.index(1, 0)) is None
    assert_protected(protected, 5)


def test_a_subtotal_is_one_more_line_to_protect() -> None:
    # grades A, B, C; A and B shown together as "senior"; women and men
    layout = Layout((Dimension(3, subtotals=((0, 1),)), Dimension(2)))
    values = layout.values([[3, 20], [30, 30], [40, 40]])
    assert values[layout.index(3, 0)] == 33  # the subtotal of the women of A and B
    protected = protect(layout, values, threshold=5)
    assert protected.shown(layout.index(0, 0)) is None
    assert_protected(protected, 5)
