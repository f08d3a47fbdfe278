"""A data framework's definition, the figures an institute reports against it, and its CSV.

A definition is JSON kept on a `FrameworkVersion`:

    {"dimensions": {"grade": {"name": "Career stage", "categories": [["A", "Grade A"], …]}, …},
     "indicators": [{"code": "staff", "name": …, "definition": …, "unit": "headcount",
                     "breakdowns": ["grade", "gender"], "required": true}, …]}

An indicator's cells are every combination of its breakdowns' categories, keyed by the codes
joined with "|" ("A|women"); a cell whose last part is "total" ("A|total") is an optional total
of the cells before it. A dimension may say `"additive": false` (its categories are not
parts of a whole: a head of institution may sit on the board) or `"nested": true` (a funnel:
each stage at most the one before). Figures are {indicator code: {cell key: value}}: a
headcount is a whole number, a full-time equivalent is kept exactly as a decimal string with
two places ("12.50"), never a binary float that would round or a whole number that would
truncate it.
"""

from __future__ import annotations

import csv
import io
import itertools
from decimal import Decimal, InvalidOperation
from typing import Any

from cms.errors import ErrorCode, FieldError

TOTAL = "total"
UNITS = ("headcount", "fte")
HUNDREDTH = Decimal("0.01")
CSV_HEADER = ("indicator", "cell", "label", "value")
# Bounds of one CSV upload (an authenticated institute's, but still bounded).
MAX_CSV_BYTES = 1_000_000
MAX_CSV_ROWS = 10_000

GENDERS = [
    ["women", "Women"],
    ["men", "Men"],
    ["other", "Another gender"],
    ["unknown", "Not known"],
]
GRADES = [
    ["A", "Grade A (full professor or equivalent)"],
    ["B", "Grade B (associate professor, senior researcher)"],
    ["C", "Grade C (assistant professor, postdoctoral researcher)"],
    ["D", "Grade D (first-grade researcher without a doctorate)"],
    ["doctoral", "Doctoral candidates"],
    ["tas", "Technical and administrative staff"],
]
# GENERA's framework, after She Figures: staff by grade, heads, boards, the recruitment funnel.
SHE_FIGURES: dict[str, Any] = {
    "dimensions": {
        "gender": {"name": "Gender", "categories": GENDERS},
        "grade": {"name": "Career stage (She Figures grades)", "categories": GRADES},
        "body": {
            "name": "Decision-making body",
            "categories": [["head", "Head of institution"], ["board", "Members of boards"]],
            "additive": False,
        },
        "stage": {
            "name": "Recruitment stage",
            "nested": True,
            "additive": False,
            "categories": [
                ["applicants", "Applicants"],
                ["shortlisted", "Shortlisted"],
                ["appointed", "Appointed"],
            ],
        },
    },
    "indicators": [
        {
            "code": "staff",
            "name": "Staff by grade and gender",
            "definition": "Researchers and staff on 31 December of the year, by She Figures grade.",
            "unit": "headcount",
            "breakdowns": ["grade", "gender"],
            "required": True,
        },
        {
            "code": "decision",
            "name": "Heads of institution and members of boards",
            "definition": "People heading the institute and members of its boards.",
            "unit": "headcount",
            "breakdowns": ["body", "gender"],
            "required": True,
        },
        {
            "code": "recruitment",
            "name": "Recruitment funnel for research positions",
            "definition": "Applicants, shortlisted candidates and appointments in the year.",
            "unit": "headcount",
            "breakdowns": ["stage", "gender"],
            "required": False,
        },
    ],
}


def categories(definition: dict[str, Any], dimension: str) -> list[tuple[str, str]]:
    return [(code, label) for code, label in definition["dimensions"][dimension]["categories"]]


def dimension_flags(definition: dict[str, Any], dimension: str) -> tuple[bool, bool]:
    """(additive, nested) of a dimension: do its categories add up, is it a funnel?"""
    spec = definition["dimensions"][dimension]
    return bool(spec.get("additive", True)), bool(spec.get("nested", False))


def unit(definition: dict[str, Any], code: str) -> str:
    spec = indicator(definition, code)
    return "headcount" if spec is None else str(spec["unit"])


def figure(value: Any) -> Decimal | None:
    """A figure as an exact decimal (from a whole number, a decimal string or a JSON number
    as written), or None when it is not a number."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def stored(definition: dict[str, Any], figures: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Checked figures as kept: headcounts as ints, full-time equivalents as "12.50"."""
    out: dict[str, Any] = {}
    for code, given in figures.items():
        fte = unit(definition, code) == "fte"
        row: dict[str, Any] = {}
        for key, value in given.items():
            number = figure(value)
            assert number is not None  # checked before
            row[key] = str(number.quantize(HUNDREDTH)) if fte else int(number)
        out[code] = row
    return out


def hundredths(value: Any) -> int:
    """A kept figure in hundredths (a headcount of 3 is 300), for exact sums."""
    number = figure(value)
    return 0 if number is None else int(number * 100)


def indicator(definition: dict[str, Any], code: str) -> dict[str, Any] | None:
    return next((i for i in definition["indicators"] if i["code"] == code), None)


def cells(definition: dict[str, Any], code: str) -> list[tuple[str, str]]:
    """(key, label) of an indicator's cells, each row's total after its parts."""
    spec = indicator(definition, code)
    assert spec is not None
    out: list[tuple[str, str]] = []
    *heads, last = [categories(definition, d) for d in spec["breakdowns"]]
    for combo in itertools.product(*heads):
        prefix = [c for c, _ in combo]
        labels = [label for _, label in combo]
        for c, label in last:
            out.append(("|".join([*prefix, c]), " / ".join([*labels, label])))
        out.append(("|".join([*prefix, TOTAL]), " / ".join([*labels, "Total"])))
    return out


def check_definition(definition: dict[str, Any]) -> list[FieldError]:
    """Problems of a definition: unknown dimensions, units, duplicate codes."""
    errors: list[FieldError] = []
    seen: set[str] = set()
    dimensions = definition.get("dimensions", {})
    for position, spec in enumerate(definition.get("indicators", [])):
        field = f"indicators[{position}]"
        if spec.get("code") in seen:
            errors.append(FieldError(field, "Indicator codes must differ.", ErrorCode.DUPLICATE))
        seen.add(spec.get("code"))
        if spec.get("unit") not in UNITS:
            errors.append(
                FieldError(f"{field}.unit", "headcount or fte.", ErrorCode.INVALID_CHOICE)
            )
        breakdowns = spec.get("breakdowns") or []
        if not breakdowns or any(d not in dimensions for d in breakdowns):
            errors.append(
                FieldError(
                    f"{field}.breakdowns", "Name defined dimensions.", ErrorCode.UNKNOWN_DIMENSION
                )
            )
    if not seen:
        errors.append(
            FieldError("indicators", "Define at least one indicator.", ErrorCode.REQUIRED)
        )
    return errors


def check_figures(
    definition: dict[str, Any],
    first_year: int,
    last_year: int,
    year: int,
    figures: dict[str, dict[str, Any]],
    *,
    complete: bool,
) -> list[FieldError]:
    """Field-level problems of an institute's figures; `complete` also asks for every required
    cell (on submit; a draft may be partial)."""
    errors: list[FieldError] = []
    if not first_year <= year <= last_year:
        errors.append(
            FieldError(
                "year",
                f"This framework version covers {first_year} to {last_year}.",
                ErrorCode.YEAR_NOT_COVERED,
            )
        )
    for code, given in figures.items():
        spec = indicator(definition, code)
        if spec is None or not isinstance(given, dict):
            errors.append(
                FieldError(f"figures.{code}", "No such indicator.", ErrorCode.UNKNOWN_INDICATOR)
            )
            continue
        errors += _check_indicator(definition, spec, given)
    if complete:
        for spec in definition["indicators"]:
            if not spec.get("required"):
                continue
            given = figures.get(spec["code"], {})
            for key, _ in cells(definition, spec["code"]):
                if not key.endswith(f"|{TOTAL}") and key not in given:
                    errors.append(
                        FieldError(
                            f"figures.{spec['code']}.{key}",
                            "This cell is required.",
                            ErrorCode.REQUIRED,
                        )
                    )
    return errors


def _check_indicator(
    definition: dict[str, Any], spec: dict[str, Any], given: dict[str, Any]
) -> list[FieldError]:
    code, fte = spec["code"], spec["unit"] == "fte"
    errors: list[FieldError] = []
    known = dict(cells(definition, code))
    numbers: dict[str, Decimal] = {}
    for key, value in given.items():
        field = f"figures.{code}.{key}"
        number = figure(value)
        if key not in known:
            errors.append(FieldError(field, "No such cell.", ErrorCode.UNKNOWN_CELL))
        elif number is None:
            errors.append(FieldError(field, "Give a number.", ErrorCode.NOT_A_NUMBER))
        elif number < 0:
            errors.append(
                FieldError(field, "Counts are never negative.", ErrorCode.NEGATIVE_FIGURE)
            )
        elif not fte and number != number.to_integral_value():
            errors.append(
                FieldError(field, "A headcount is a whole number.", ErrorCode.NOT_WHOLE_NUMBER)
            )
        elif fte and number != number.quantize(HUNDREDTH):
            errors.append(
                FieldError(
                    field, "Give a full-time equivalent to two decimals.",
                    ErrorCode.TOO_MANY_DECIMALS,
                )
            )  # fmt: skip
        else:
            numbers[key] = number
    for key in known:
        if not key.endswith(f"|{TOTAL}") or key not in numbers:
            continue
        prefix = key[: -len(TOTAL)]
        parts = [k for k in known if k.startswith(prefix) and k != key]
        if all(k in numbers for k in parts):
            total = sum((numbers[k] for k in parts), Decimal(0))
            if total != numbers[key]:
                errors.append(
                    FieldError(
                        f"figures.{code}.{key}",
                        f"The total {numbers[key]} is not the sum of its parts ({total}).",
                        ErrorCode.PARTS_DO_NOT_ADD_UP,
                    )
                )
    errors += _check_funnel(definition, spec, numbers)
    return errors


def _check_funnel(
    definition: dict[str, Any], spec: dict[str, Any], numbers: dict[str, Decimal]
) -> list[FieldError]:
    """A nested dimension's stages shrink: the shortlisted are among the applicants."""
    errors: list[FieldError] = []
    for position, dimension in enumerate(spec["breakdowns"]):
        if not dimension_flags(definition, dimension)[1]:
            continue
        stages = [c for c, _ in categories(definition, dimension)]
        for key, number in numbers.items():
            parts = key.split("|")
            if parts[position] not in stages[1:]:
                continue
            parts[position] = stages[stages.index(parts[position]) - 1]
            before = numbers.get("|".join(parts))
            if before is not None and number > before:
                errors.append(
                    FieldError(
                        f"figures.{spec['code']}.{key}",
                        f"{number} is more than the {before} of the stage before.",
                        ErrorCode.STAGE_ABOVE_PREVIOUS,
                    )
                )
    return errors


def template(definition: dict[str, Any]) -> str:
    """The CSV an institute fills in: one row per cell, `value` empty."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for spec in definition["indicators"]:
        for key, label in cells(definition, spec["code"]):
            writer.writerow((spec["code"], key, f"{spec['name']}: {label}", ""))
    return out.getvalue()


def parse_csv(text: str) -> tuple[dict[str, dict[str, Any]], list[FieldError]]:
    """Figures from a filled-in template; rows with an empty value are left out."""
    if len(text.encode()) > MAX_CSV_BYTES:
        return {}, [FieldError("csv", f"At most {MAX_CSV_BYTES} bytes.", ErrorCode.TOO_LONG)]
    rows = list(itertools.islice(csv.reader(io.StringIO(text)), MAX_CSV_ROWS + 2))
    if len(rows) > MAX_CSV_ROWS + 1:
        return {}, [FieldError("csv", f"At most {MAX_CSV_ROWS} rows.", ErrorCode.TOO_LONG)]
    if not rows or tuple(c.strip() for c in rows[0]) != CSV_HEADER:
        return {}, [
            FieldError(
                "csv", "The first line must be the template's header.", ErrorCode.INVALID_CSV
            )
        ]
    figures: dict[str, dict[str, Any]] = {}
    errors: list[FieldError] = []
    for line, row in enumerate(rows[1:], start=2):
        if len(row) != len(CSV_HEADER):
            errors.append(
                FieldError(f"csv.line{line}", "Give four columns.", ErrorCode.INVALID_CSV)
            )
            continue
        code, key, _, raw = (c.strip() for c in row)
        if not raw:
            continue
        number = figure(raw)
        if number is None:
            errors.append(
                FieldError(f"csv.line{line}", f"{raw!r} is not a number.", ErrorCode.NOT_A_NUMBER)
            )
            continue
        # Whole numbers as ints, anything else as its exact decimal text: the checks decide.
        exact: int | str = int(number) if number == number.to_integral_value() else raw
        figures.setdefault(code, {})[key] = exact
    return figures, errors
