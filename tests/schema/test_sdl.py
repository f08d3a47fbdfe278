"""The committed schema.graphql is the schema the code builds."""

from pathlib import Path

from schema import build_schema

SDL_PATH = Path(__file__).resolve().parents[2] / "schema.graphql"


def test_committed_sdl_matches_the_code():
    expected = build_schema().as_str() + "\n"
    assert SDL_PATH.read_text() == expected, "schema.graphql is stale: run `make schema`"


def test_public_schema_has_no_private_contact():
    sdl = build_schema().as_str()
    assert "privateContact" not in sdl
    assert "private_contact" not in sdl
