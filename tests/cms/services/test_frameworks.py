"""Field-level checks of an institute's figures, and the CSV template round trip."""

from cms.errors import ErrorCode
from cms.services.frameworks import (
    MAX_CSV_BYTES,
    SHE_FIGURES,
    cells,
    check_definition,
    check_figures,
    parse_csv,
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
        ("year", ErrorCode.OUT_OF_RANGE),
        ("figures.staff.A|men", ErrorCode.OUT_OF_RANGE),
        ("figures.staff.B|men", ErrorCode.INVALID),
        ("figures.staff.C|total", ErrorCode.INVALID),
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
    assert codes(errors) == {("csv.line2", ErrorCode.INVALID)}
    _, errors = parse_csv("x" * (MAX_CSV_BYTES + 1))
    assert codes(errors) == {("csv", ErrorCode.TOO_LONG)}
