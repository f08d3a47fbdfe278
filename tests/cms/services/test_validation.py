"""Field checks of the write services: slugs, values of every kind, page paths."""

from __future__ import annotations

from typing import Any

import pytest

from cms.services.kinds import KINDS
from cms.services.validation import check_path, clean_values, slugify

EVENT, PROFILE = KINDS["Event"], KINDS["Profile"]


@pytest.mark.parametrize(
    ("text", "slug"),
    [("Gender Equality Plans: a guide", "gender-equality-plans-a-guide"),
     ("Igualdad de género — guía", "igualdad-de-genero-guia"), ("¡¿?!", ""),
     ("  many   spaces  ", "many-spaces")],
)  # fmt: skip
def test_slugify(text, slug):
    assert slugify(text) == slug


def test_field_checks_collect_every_problem_at_once():
    errors: list[Any] = []
    cleaned = clean_values(
        PROFILE,
        {
            "name": "Ana",
            "country": "es",
            "language": "Spanish!",
            "roles": ["expert", "king"],
            "expertise": ["a|b"],
            "shared": "yes",
            "bio": "<b>ok</b>",
        },
        errors,
    )
    assert {(e.field, e.code) for e in errors} == {
        ("language", "INVALID_LANGUAGE"),
        ("roles", "INVALID_CHOICE"),
        ("expertise", "INVALID"),
        ("shared", "INVALID"),
    }
    assert cleaned == {"name": "Ana", "country": "ES", "bio": "<b>ok</b>"}
    errors = []
    clean_values(EVENT, {"timezone": "Europe/Nowhere", "title": "", "start": "tomorrow"}, errors)
    assert {(e.field, e.code) for e in errors} == {
        ("timezone", "INVALID_TIMEZONE"),
        ("title", "REQUIRED"),
        ("start", "INVALID"),
    }
    errors = []
    assert check_path("/about/team/", errors) == "about/team" and errors == []
    check_path("about//team", errors)
    assert [e.code for e in errors] == ["INVALID_PATH"]
