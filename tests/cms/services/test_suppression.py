"""Small numbers stay hidden: no shown set of cells lets a suppressed cell be recovered."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from cms.services.suppression import Layout, interval_bounds, protect

tables = st.integers(2, 5).flatmap(
    lambda columns: st.lists(
        st.lists(st.integers(0, 40), min_size=columns, max_size=columns), min_size=1, max_size=6
    )
)


def constraint_matrix(layout: Layout) -> np.ndarray:
    rows = []
    for constraint in layout.constraints():
        row = np.zeros(layout.size)
        for index, coefficient in constraint:
            row[index] += coefficient
        rows.append(row)
    return np.array(rows)


def recoverable_by_algebra(layout: Layout, suppressed: frozenset[int], index: int) -> bool:
    """Is e_index in the row space of the constraints over the suppressed cells? (numpy rank)"""
    hidden = sorted(suppressed)
    a = constraint_matrix(layout)[:, hidden]
    unit = np.zeros((1, len(hidden)))
    unit[0, hidden.index(index)] = 1
    return bool(np.linalg.matrix_rank(np.vstack([a, unit])) == np.linalg.matrix_rank(a))


@settings(max_examples=300, deadline=None)
@given(table=tables, threshold=st.integers(1, 8))
def test_no_suppressed_cell_can_be_recovered(table: list[list[int]], threshold: int) -> None:
    protected = protect(table, threshold)
    layout = protected.layout
    for index, value in enumerate(protected.values):
        if 0 < value < threshold:
            assert index in protected.suppressed  # primary suppression
    for index in protected.suppressed:
        assert not recoverable_by_algebra(layout, protected.suppressed, index)
    shown = {i: v for i, v in enumerate(protected.values) if i not in protected.suppressed}
    bounds = interval_bounds(layout.constraints(), shown, protected.suppressed)
    for index in protected.suppressed:
        lo, hi = bounds[index]
        assert lo < hi, f"cell {index} pinned to {lo} by bounds"
        assert lo <= protected.values[index] <= hi


def test_a_single_small_cell_takes_a_partner_in_its_row_and_column() -> None:
    # grade A: 2 women, 20 men; grade B: 12 women, 30 men
    protected = protect([[2, 20], [12, 30]], threshold=5)
    layout = protected.layout
    assert layout.inner(0, 0) in protected.suppressed
    assert layout.inner(0, 1) in protected.suppressed  # else 22 - 20 = 2
    assert layout.inner(1, 0) in protected.suppressed  # else 14 - 12 = 2
    assert protected.shown(layout.grand_total) == 64


def test_large_numbers_are_all_shown() -> None:
    protected = protect([[10, 20], [30, 40]], threshold=5)
    assert protected.suppressed == frozenset()
