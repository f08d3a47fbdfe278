"""Field-level checks of an institute's figures, and the CSV template round trip."""

from cms.errors import ErrorCode
from cms.services.frameworks import (
    MAX_CSV_BYTES,
    SHE_FIGURES,
    cells,
    check_definition,
    check_figures,
    parse_csv,
    stored,
    template,
)


def complete_figures() -> dict[str, dict[str, int]]:
    figures: dict[str, dict[str, int]] = {}
    for spec in SHE_FIGURES["indicators"]:
        for key, _ in cells(SHE_FIGURES, spec["code"]):
            if not key.endswith("|total"):
                figures.setdefault(spec["code"], {})[key] = 7
    return figures


def codes(errors) -> set[tuple[str | None, ErrorCode]]:
    return {(e.field, e.code) for e in errors}


def test_she_figures_definition_is_sound() -> None:
    assert check_definition(SHE_FIGURES) == []
    assert ("A|women", "Grade A (full professor or equivalent) / Women") in cells(
        SHE_FIGURES, "staff"
    )


def test_complete_figures_pass() -> None:
    assert check_figures(SHE_FIGURES, 2020, 2030, 2024, complete_figures(), complete=True) == []


def test_each_rule_names_its_field() -> None:
    figures = complete_figures()
    figures["staff"]["A|men"] = -1
    figures["staff"]["B|men"] = 2.5  # type: ignore[assignment]
    figures["staff"]["C|total"] = 99
    del figures["decision"]["head|women"]
    errors = check_figures(SHE_FIGURES, 2020, 2030, 2031, figures, complete=True)
    assert codes(errors) == {
        ("year", ErrorCode.YEAR_NOT_COVERED),
        ("figures.staff.A|men", ErrorCode.NEGATIVE_FIGURE),
        ("figures.staff.B|men", ErrorCode.NOT_WHOLE_NUMBER),
        ("figures.staff.C|total", ErrorCode.PARTS_DO_NOT_ADD_UP),
        ("figures.decision.head|women", ErrorCode.REQUIRED),
    }
    # a draft may be partial
    partial = {"staff": {"A|women": 3}}
    assert check_figures(SHE_FIGURES, 2020, 2030, 2024, partial, complete=False) == []


def test_csv_template_round_trip_and_line_errors() -> None:
    text = template(SHE_FIGURES)
    lines = text.splitlines()
    assert lines[0] == "indicator,cell,label,value"
    filled = "\n".join([lines[0]] + [line + "4" for line in lines[1:]])
    figures, errors = parse_csv(filled)
    assert errors == []
    assert figures["staff"]["A|women"] == 4
    bad = lines[0] + "\nstaff,A|women,x,four\n"
    _, errors = parse_csv(bad)
    assert codes(errors) == {("csv.line2", ErrorCode.NOT_A_NUMBER)}
    _, errors = parse_csv(lines[0] + "\nstaff,A|women,4\n")
    assert codes(errors) == {("csv.line2", ErrorCode.INVALID_CSV)}
    _, errors = parse_csv("a,b\n")
    assert codes(errors) == {("csv", ErrorCode.INVALID_CSV)}
    _, errors = parse_csv("x" * (MAX_CSV_BYTES + 1))
    assert codes(errors) == {("csv", ErrorCode.TOO_LONG)}


FTE = {
    "dimensions": SHE_FIGURES["dimensions"],
    "indicators": [
        {"code": "fte", "name": "Research staff in FTE", "definition": "Full-time equivalents.",
         "unit": "fte", "breakdowns": ["grade", "gender"], "required": False},
    ],
}  # fmt: skip


def test_full_time_equivalents_are_kept_exactly() -> None:
    given = {"fte": {"A|women": 2.5, "A|men": "10.25", "A|other": 0, "A|unknown": 0.1,
                     "A|total": "12.85"}}  # fmt: skip
    assert check_figures(FTE, 2020, 2030, 2024, given, complete=False) == []
    assert stored(FTE, given) == {
        "fte": {"A|women": "2.50", "A|men": "10.25", "A|other": "0.00", "A|unknown": "0.10",
                "A|total": "12.85"}
    }  # fmt: skip
    # 0.1 + 0.2 is 0.3 here, as on paper; more than two decimals is refused
    sums = {"fte": {"B|women": 0.1, "B|men": 0.2, "B|other": 0, "B|unknown": 0, "B|total": 0.3}}
    assert check_figures(FTE, 2020, 2030, 2024, sums, complete=False) == []
    finer = {"fte": {"A|women": 2.555, "A|men": "x"}}
    assert codes(check_figures(FTE, 2020, 2030, 2024, finer, complete=False)) == {
        ("figures.fte.A|women", ErrorCode.TOO_MANY_DECIMALS),
        ("figures.fte.A|men", ErrorCode.NOT_A_NUMBER),
    }
    # headcounts stay whole
    assert stored(SHE_FIGURES, {"staff": {"A|women": 3.0}}) == {"staff": {"A|women": 3}}
    figures, errors = parse_csv("indicator,cell,label,value\nfte,A|women,,2.75\n")
    assert errors == [] and stored(FTE, figures) == {"fte": {"A|women": "2.75"}}


def test_a_funnel_stage_is_never_larger_than_the_one_before() -> None:
    given = {"recruitment": {"applicants|women": 10, "shortlisted|women": 12,
                             "appointed|women": 3, "shortlisted|men": 4}}  # fmt: skip
    assert codes(check_figures(SHE_FIGURES, 2020, 2030, 2024, given, complete=False)) == {
        ("figures.recruitment.shortlisted|women", ErrorCode.STAGE_ABOVE_PREVIOUS),
    }


def test_unknown_parts_of_a_definition_or_figures_have_their_own_codes() -> None:
    broken = {"dimensions": {}, "indicators": [{"code": "x", "unit": "headcount",
                                                 "breakdowns": ["grade"]}]}  # fmt: skip
    assert codes(check_definition(broken)) == {
        ("indicators[0].breakdowns", ErrorCode.UNKNOWN_DIMENSION)
    }
    given = {"nothing": {"A|women": 1}, "staff": {"Z|women": 1}}
    assert codes(check_figures(SHE_FIGURES, 2020, 2030, 2024, given, complete=False)) == {
        ("figures.nothing", ErrorCode.UNKNOWN_INDICATOR),
        ("figures.staff.Z|women", ErrorCode.UNKNOWN_CELL),
    }
