"""Comparisons read only shown cells, and say nothing under too few institutes."""

from cms.services.statistics import glass_ceiling_index, network_aggregate, quartiles, shares_of

GRADES = ("A", "B", "C", "D")
GENDERS = ("women", "men", "other", "unknown")


def institute(a_women: int) -> list[list[int]]:
    return [[a_women, 20, 0, 0], [10, 20, 0, 0], [15, 15, 0, 0], [20, 10, 0, 0]]


def test_share_of_women_and_glass_ceiling_index() -> None:
    aggregate = network_aggregate(
        [institute(5), institute(5), institute(5)], GRADES, GENDERS, threshold=5, min_institutes=3
    )
    shares = shares_of(aggregate, "women")
    assert shares["A"] == 15 / 75
    assert shares["D"] == 60 / 90
    # women 15+30+45+60 = 150 of 150+150+90+... : computed from the cells themselves
    overall = 150 / (75 + 90 + 90 + 90)
    index = glass_ceiling_index(aggregate, GRADES, "A")
    assert index is not None
    assert abs(index - overall / (15 / 75)) < 1e-9
    # a zero is suppressed like any small count (never shown as 0); its partners spare the
    # women and the row totals, so the shares above stay shown
    assert aggregate.cell("A", "other") is None
    assert all(aggregate.cell(g, "other") is None for g in GRADES)


def test_too_few_institutes_show_nothing() -> None:
    aggregate = network_aggregate(
        [institute(5), institute(5)], GRADES, GENDERS, threshold=5, min_institutes=3
    )
    assert shares_of(aggregate, "women") == dict.fromkeys(GRADES)
    assert glass_ceiling_index(aggregate, GRADES, "A") is None


def test_a_suppressed_top_cell_suppresses_the_index() -> None:
    aggregate = network_aggregate(
        [institute(1), institute(1), institute(1)], GRADES, GENDERS, threshold=5, min_institutes=3
    )
    assert aggregate.cell("A", "women") is None
    assert glass_ceiling_index(aggregate, GRADES, "A") is None


def test_quartiles() -> None:
    found = quartiles([0.1, 0.2, 0.3, 0.4, 0.5], min_institutes=3)
    assert found is not None
    assert (found.lower, found.median, found.upper) == (0.2, 0.3, 0.4)
    assert quartiles([0.1, 0.2], min_institutes=3) is None
