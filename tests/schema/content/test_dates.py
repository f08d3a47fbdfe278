"""Dates through the API: every write stores UTC, so what is public, when, and in what order
does not depend on the offset a date was written with, on SQLite as on PostgreSQL."""

from __future__ import annotations

import importlib
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tortoise import connections

from cms import models
from tests import factories
from tests.factories import bearer, database_state
from tests.support.api import data_of, graphql

pytestmark = pytest.mark.anyio

CREATE_NEWS = """
mutation ($input: CreateNewsItemInput!) {
  createNewsItem(input: $input) { newsItem { id slug expiresAt } errors { field message code } }
}"""
CREATE_EVENT = """
mutation ($input: CreateEventInput!) {
  createEvent(input: $input) { event { id start end } errors { field message code } }
}"""
UPDATE_NEWS = """
mutation ($id: ID!, $input: UpdateNewsItemInput!) {
  updateNewsItem(id: $id, input: $input) { newsItem { expiresAt } errors { field code } }
}"""
PUBLISH = """
mutation ($id: ID!, $at: DateTime) {
  publish(id: $id, at: $at) { node { ... on NewsItem { publishedAt } } errors { field message code } }
}"""  # noqa: E501
PUBLIC_NEWS = "{ news(first: 100) { edges { node { slug publishedAt } } } }"
NEWS_AFTER = """
query ($after: DateTime!) { news(first: 100, filter: {publishedAfter: $after}) {
  edges { node { slug } } } }
"""


def written(moment: datetime, offset_minutes: int) -> str:
    """The instant as an editor in a zone `offset_minutes` east of UTC would write it."""
    return moment.astimezone(timezone(timedelta(minutes=offset_minutes))).isoformat()


async def _editor(slug: str = "home") -> tuple[models.Tenant, dict[str, str]]:
    home = await factories.tenant(slug=slug)
    return home, bearer((await factories.token(home, "editor"))[1])


async def _news(client: Any, headers: dict[str, str], tenant: str, **values: Any) -> str:
    response = await graphql(
        client,
        CREATE_NEWS,
        {"input": {"title": "News", **values}},
        tenant=tenant,
        headers=headers,
    )
    payload = response.json()["data"]["createNewsItem"]
    assert payload["errors"] == [], payload
    return payload["newsItem"]["id"]


async def _publish(client: Any, headers: dict[str, str], tenant: str, id: str, at: str) -> None:
    response = await graphql(client, PUBLISH, {"id": id, "at": at}, tenant=tenant, headers=headers)
    assert response.json()["data"]["publish"]["errors"] == [], response.json()


async def _public(client: Any, tenant: str) -> list[str]:
    data = await data_of(client, PUBLIC_NEWS, tenant=tenant)
    return [edge["node"]["slug"] for edge in data["news"]["edges"]]


async def test_an_item_scheduled_ahead_with_a_negative_offset_is_not_public_yet(client):
    _, headers = await _editor()
    item = await _news(client, headers, "home", slug="later")
    in_two_hours = datetime.now(UTC) + timedelta(hours=2)
    await _publish(client, headers, "home", item, written(in_two_hours, -10 * 60))
    assert await _public(client, "home") == []


async def test_an_expiry_passed_with_a_positive_offset_ends_public_life(client):
    _, headers = await _editor()
    an_hour_ago = datetime.now(UTC) - timedelta(hours=1)
    item = await _news(client, headers, "home", slug="gone")
    updated = await graphql(
        client,
        UPDATE_NEWS,
        {"id": item, "input": {"expectedVersion": 1, "expiresAt": written(an_hour_ago, 300)}},
        tenant="home",
        headers=headers,
    )
    assert updated.json()["data"]["updateNewsItem"]["errors"] == []
    await _publish(client, headers, "home", item, written(an_hour_ago - timedelta(days=1), 300))
    assert await _public(client, "home") == []


async def test_every_write_path_stores_utc(client):
    """Create, update, publish and an event's start and end: the stored value is UTC."""
    _, headers = await _editor()
    moment = datetime(2031, 6, 1, 8, 30, tzinfo=UTC)
    item = await _news(client, headers, "home", slug="n", expiresAt=written(moment, 60))
    await _publish(client, headers, "home", item, written(moment - timedelta(days=9), -570))
    updated = await graphql(
        client,
        UPDATE_NEWS,
        {"id": item, "input": {"expectedVersion": 2, "expiresAt": written(moment, 14 * 60)}},
        tenant="home",
        headers=headers,
    )
    assert updated.json()["data"]["updateNewsItem"]["errors"] == []
    event = await graphql(
        client,
        CREATE_EVENT,
        {
            "input": {
                "title": "E",
                "format": "ONLINE",
                "start": written(moment, -300),
                "end": written(moment, 345),
            }
        },
        tenant="home",
        headers=headers,
    )
    assert event.json()["data"]["createEvent"]["errors"] == []
    conn = connections.get("default")
    rows = [
        *(await conn.execute_query_dict("SELECT published_at, expires_at FROM news_item")),
        *(await conn.execute_query_dict('SELECT start, "end" FROM event')),
    ]
    stored = [value for row in rows for value in row.values()]
    for value in stored:
        if isinstance(value, str):  # SQLite keeps text: it must be UTC text
            assert value.endswith("+00:00"), stored
            value = datetime.fromisoformat(value)
        assert value == moment or value == moment - timedelta(days=9)


OUT_OF_RANGE = [
    "9999-12-31T23:00:00-10:00",  # after the year 9999 in UTC
    "0001-01-01T00:30:00+14:00",  # before the year 1 in UTC
]


@pytest.mark.parametrize("moment", OUT_OF_RANGE)
async def test_dates_outside_the_representable_range_are_input_errors(client, moment):
    home, headers = await _editor()
    item = await _news(client, headers, "home", slug="edge")
    before = await database_state()
    answers = [
        (
            await graphql(
                client,
                CREATE_NEWS,
                {"input": {"title": "X", "expiresAt": moment}},
                tenant="home",
                headers=headers,
            ),
            "createNewsItem",
            "expiresAt",
        ),
        (
            await graphql(
                client,
                CREATE_EVENT,
                {"input": {"title": "X", "format": "ONLINE", "start": moment, "end": moment}},
                tenant="home",
                headers=headers,
            ),
            "createEvent",
            "start",
        ),
        (
            await graphql(
                client,
                UPDATE_NEWS,
                {"id": item, "input": {"expectedVersion": 1, "expiresAt": moment}},
                tenant="home",
                headers=headers,
            ),
            "updateNewsItem",
            "expiresAt",
        ),
        (
            await graphql(
                client, PUBLISH, {"id": item, "at": moment}, tenant="home", headers=headers
            ),
            "publish",
            "at",
        ),
    ]
    for response, field, input_field in answers:
        body = response.json()
        assert "errors" not in body, body
        errors = body["data"][field]["errors"]
        assert (errors[0]["field"], errors[0]["code"]) == (input_field, "OUT_OF_RANGE"), body
    assert await database_state() == before
    response = await graphql(client, NEWS_AFTER, {"after": moment}, tenant="home")
    body = response.json()
    assert body["errors"][0]["message"] != "Internal server error.", body
    assert "out of range" in body["errors"][0]["message"]


async def test_the_first_and_last_instants_are_kept_and_read(client):
    _, headers = await _editor()
    first, last = "0001-01-01T00:00:00+00:00", "9999-12-31T23:59:59+00:00"
    item = await _news(client, headers, "home", slug="edges", expiresAt=last)
    await _publish(client, headers, "home", item, first)
    data = await data_of(client, PUBLIC_NEWS, tenant="home")
    assert data["news"]["edges"] == [{"node": {"slug": "edges", "publishedAt": first}}]


# -- the property: reads agree with the instants, whatever the offsets -------------------------

OFFSETS = st.integers(min_value=-12 * 60, max_value=14 * 60).map(lambda m: m - m % 15)
# Minutes from now, away from zero so that the seconds a test takes cannot change an answer.
DELTAS = st.integers(min_value=-3 * 24 * 60, max_value=3 * 24 * 60).filter(lambda m: abs(m) > 5)
ITEMS = st.lists(
    st.tuples(DELTAS, OFFSETS, st.one_of(st.none(), DELTAS), OFFSETS), min_size=1, max_size=5
)
_runs = iter(range(10**6))


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(items=ITEMS, after=st.tuples(DELTAS, OFFSETS))
async def test_public_lists_agree_with_the_instants_whatever_the_offsets(client, items, after):
    """Publish at, expire at, and filter from random instants written with random offsets:
    what is public, its order and the filter follow the instants alone."""
    tenant = f"prop-{next(_runs)}"
    _, headers = await _editor(tenant)
    now = datetime.now(UTC).replace(microsecond=0)
    expected: list[tuple[datetime, str]] = []
    after_instant = now + timedelta(minutes=after[0])
    expected_after: set[str] = set()
    for n, (publish_delta, publish_offset, expire_delta, expire_offset) in enumerate(items):
        published = now + timedelta(minutes=publish_delta, seconds=n)  # distinct instants
        expires = None if expire_delta is None else now + timedelta(minutes=expire_delta)
        values = {"slug": f"item-{n}"}
        if expires is not None:
            values["expiresAt"] = written(expires, expire_offset)
        item = await _news(client, headers, tenant, **values)
        await _publish(client, headers, tenant, item, written(published, publish_offset))
        live = published <= now and (expires is None or expires > now)
        if live:
            expected.append((published, f"item-{n}"))
            if published >= after_instant:
                expected_after.add(f"item-{n}")
    expected.sort(reverse=True)
    data = await data_of(client, PUBLIC_NEWS, tenant=tenant)
    shown = [(edge["node"]["slug"], edge["node"]["publishedAt"]) for edge in data["news"]["edges"]]
    assert shown == [(slug, moment.isoformat()) for moment, slug in expected]
    data = await data_of(
        client, NEWS_AFTER, {"after": written(after_instant, after[1])}, tenant=tenant
    )
    assert {edge["node"]["slug"] for edge in data["news"]["edges"]} == expected_after


# -- the migration that normalised rows stored before -----------------------------------------

migration = importlib.import_module("cms.migrations.0005_utc_datetimes")


class _Editor:
    def __init__(self, client: Any) -> None:
        self.client = client


async def test_the_migration_rewrites_stored_offsets_as_utc(client):
    home = await factories.tenant(slug="home")
    soon = datetime.now(UTC) + timedelta(hours=2)
    past = datetime.now(UTC) - timedelta(hours=1)
    await factories.news_item(home, slug="scheduled", published_at=soon)
    await factories.news_item(home, slug="expired", expires_at=past)
    await factories.news_item(home, slug="live")
    conn = connections.get("default")
    sqlite = conn.capabilities.dialect == "sqlite"
    if sqlite:  # what the code before wrote: the offset it was given, as text
        for slug, column, moment, offset in (
            ("scheduled", "published_at", soon, -600),
            ("expired", "expires_at", past, 300),
        ):
            await conn.execute_query(
                f"UPDATE news_item SET {column} = ? WHERE slug = ?",
                [written(moment, offset).replace("T", " "), slug],
            )
        # As the text compared before: both wrong, both public.
        assert set(await _public(client, "home")) == {"live", "scheduled", "expired"}
    await migration.normalise(None, _Editor(conn))
    assert await _public(client, "home") == ["live"]
    if sqlite:
        rows = await conn.execute_query_dict("SELECT published_at, expires_at FROM news_item")
        assert all(v is None or v.endswith("+00:00") for row in rows for v in row.values())


def test_the_migration_reads_every_stored_form():
    assert migration.utc_text("2030-01-01 10:00:00-10:00") == "2030-01-01 20:00:00+00:00"
    assert migration.utc_text("2030-01-01 10:00:00.5+05:30") == "2030-01-01 04:30:00.500000+00:00"
    assert migration.utc_text("2030-01-01 10:00:00") == "2030-01-01 10:00:00+00:00"
    assert migration.utc_text("2030-01-01 10:00:00+00:00") is None
    assert migration.utc_text("9999-12-31 23:00:00-10:00") == "9999-12-31 23:59:59.999999+00:00"
    assert migration.utc_text("0001-01-01 00:00:00+14:00") == "0001-01-01 00:00:00+00:00"
    assert migration.utc_text("not a date") is None
