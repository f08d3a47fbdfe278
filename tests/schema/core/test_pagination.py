"""Keyset cursor connections: complete and stable paging, exact pageInfo, clear errors.

A cursor carries the ordering's name and the sort values of its row, so paging never skips or
repeats an item, even when items are inserted or deleted between pages, and ties in the sort
key are broken by id. Expected orders are computed here in Python from the rows' own values.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from cms import models
from schema.core.ids import to_global_id
from tests import factories
from tests.support.api import data_of, graphql

pytestmark = pytest.mark.anyio

CONNECTION = """
    totalCount
    edges { cursor node { slug } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
"""
ARGUMENTS = "first: $first, after: $after, last: $last, before: $before, orderBy: $orderBy"
VARIABLES = "$first: Int, $after: String, $last: Int, $before: String"
RESOURCES = f"""
query ({VARIABLES}, $orderBy: PublicationOrder) {{
  items: resources({ARGUMENTS}) {{ {CONNECTION} }}
}}
"""
EVENTS = f"""
query ({VARIABLES}, $orderBy: EventOrder) {{ items: events({ARGUMENTS}) {{ {CONNECTION} }} }}
"""
PAGES = f"""
query ({VARIABLES}, $orderBy: PageOrder) {{ items: pages({ARGUMENTS}) {{ {CONNECTION} }} }}
"""
PROFILES = f"""
query ({VARIABLES}, $orderBy: NameOrder) {{ items: profiles({ARGUMENTS}) {{ {CONNECTION} }} }}
"""
NEWS = f"""
query ({VARIABLES}, $orderBy: PublicationOrder) {{ items: news({ARGUMENTS}) {{ {CONNECTION} }} }}
"""
RESOURCES_WITH_FILTER = f"""
query ({VARIABLES}, $orderBy: PublicationOrder, $filter: ResourceFilter) {{
  items: resources({ARGUMENTS}, filter: $filter) {{ {CONNECTION} }}
}}
"""
FIRST_AND_LAST = "{ resources(first: 5, last: 5) { totalCount } }"

BASE = datetime(2024, 1, 1, 9, 0, tzinfo=UTC)
COUNT = 45


# Data: 45 items per list whose sort keys are scrambled and, where it matters, tied.


@pytest.fixture
async def tenant(clean_database: None) -> models.Tenant:
    owner = await factories.tenant(slug="a")
    other = await factories.tenant(slug="b")
    # Another tenant's items and hidden items must never count or show up on a page.
    await factories.resource(other, published_at=BASE + timedelta(minutes=7))
    await factories.resource(owner, status=models.Status.DRAFT, published_at=BASE)
    return owner


@pytest.fixture
async def resources(tenant: models.Tenant) -> list[models.Resource]:
    return await make_resources(tenant)


async def make_resources(tenant: models.Tenant) -> list[models.Resource]:
    rows = []
    for i in range(COUNT):
        rows.append(
            await factories.resource(
                tenant,
                slug=f"r{i:02}",
                title=f"Title {(i * 17) % COUNT:02}",
                published_at=BASE + timedelta(minutes=i),
            )
        )
    for i, row in enumerate(rows):
        await models.Resource.filter(pk=row.pk).update(
            updated_at=BASE + timedelta(hours=(i * 29) % COUNT)
        )
    return list(await models.Resource.filter(tenant=tenant, status="published"))


@pytest.fixture
async def events(tenant: models.Tenant) -> list[models.Event]:
    return await make_events(tenant)


async def make_events(tenant: models.Tenant) -> list[models.Event]:
    # Three events start at each hour: the start ties are broken by id.
    for i in range(COUNT):
        await factories.event(
            tenant,
            slug=f"e{i:02}",
            title=f"Event {(i * 11) % 15:02}",
            start=datetime(2030, 1, 1, tzinfo=UTC) + timedelta(hours=(i * 7) % 15),
        )
    return list(await models.Event.filter(tenant=tenant))


@pytest.fixture
async def pages(tenant: models.Tenant) -> list[models.Page]:
    return await make_pages(tenant)


async def make_pages(tenant: models.Tenant) -> list[models.Page]:
    # The menu ordering has two sort fields; both tie often (4 menu positions, 9 titles).
    for i in range(COUNT):
        await factories.page(tenant, path=f"p{i:02}", title=f"Page {(i * 7) % 9}", menu_order=i % 4)
    return list(await models.Page.filter(tenant=tenant))


@pytest.fixture
async def profiles(tenant: models.Tenant) -> list[models.Profile]:
    return await make_profiles(tenant)


async def make_profiles(tenant: models.Tenant) -> list[models.Profile]:
    for i in range(COUNT):
        await factories.profile(
            tenant,
            slug=f"p{i:02}",
            name=f"Person {(i * 3) % 10}",
            published_at=BASE + timedelta(days=i % 5),
        )
    return list(await models.Profile.filter(tenant=tenant))


def ordered(rows: list[Any], *fields: str, desc: bool = False) -> list[str]:
    """Slugs in the order a keyset over `fields`, then id, all in one direction, gives."""
    return [
        r.slug
        for r in sorted(rows, key=lambda r: (*[getattr(r, f) for f in fields], r.id), reverse=desc)
    ]


# (data maker, query, orderBy, sort fields, descending)
ORDERINGS = [
    pytest.param(make_resources, RESOURCES, None, ("published_at",), True, id="resources-default"),
    pytest.param(
        make_resources,
        RESOURCES,
        {"field": "PUBLISHED_AT", "direction": "ASC"},
        ("published_at",),
        False,
        id="resources-published-asc",
    ),
    pytest.param(
        make_resources,
        RESOURCES,
        {"field": "TITLE", "direction": "ASC"},
        ("title",),
        False,
        id="resources-title-asc",
    ),
    pytest.param(
        make_resources,
        RESOURCES,
        {"field": "UPDATED_AT", "direction": "DESC"},
        ("updated_at",),
        True,
        id="resources-updated-desc",
    ),
    pytest.param(make_events, EVENTS, None, ("start",), False, id="events-default-tied-starts"),
    pytest.param(
        make_events,
        EVENTS,
        {"field": "START", "direction": "DESC"},
        ("start",),
        True,
        id="events-start-desc",
    ),
    pytest.param(
        make_events, EVENTS, {"field": "TITLE"}, ("title",), False, id="events-tied-titles"
    ),
    pytest.param(make_pages, PAGES, None, ("menu_order", "title"), False, id="pages-menu-two-keys"),
    pytest.param(
        make_pages,
        PAGES,
        {"field": "MENU", "direction": "DESC"},
        ("menu_order", "title"),
        True,
        id="pages-menu-desc",
    ),
    pytest.param(make_pages, PAGES, {"field": "PATH"}, ("path",), False, id="pages-path"),
    pytest.param(make_profiles, PROFILES, None, ("name",), False, id="profiles-tied-names"),
    pytest.param(
        make_profiles,
        PROFILES,
        {"field": "PUBLISHED_AT", "direction": "DESC"},
        ("published_at",),
        True,
        id="profiles-tied-published",
    ),
]


async def fetch(
    client: httpx.AsyncClient, query: str, tenant: str | None = "a", **variables: Any
) -> dict[str, Any]:
    return (await data_of(client, query, variables, tenant=tenant))["items"]


def slugs(connection: dict[str, Any]) -> list[str]:
    return [edge["node"]["slug"] for edge in connection["edges"]]


def check_cursors(connection: dict[str, Any]) -> None:
    edges, info = connection["edges"], connection["pageInfo"]
    assert info["startCursor"] == (edges[0]["cursor"] if edges else None)
    assert info["endCursor"] == (edges[-1]["cursor"] if edges else None)


async def walk_forward(
    client: httpx.AsyncClient, query: str, size: int, total: int, **variables: Any
) -> list[str]:
    """Every item, page by page with first/after; checks each page's pageInfo and count."""
    seen: list[str] = []
    after = None
    while True:
        page = await fetch(client, query, first=size, after=after, **variables)
        assert page["totalCount"] == total
        check_cursors(page)
        seen += slugs(page)
        info = page["pageInfo"]
        assert info["hasPreviousPage"] is (after is not None)
        assert info["hasNextPage"] is (len(seen) < total)
        assert len(page["edges"]) == min(size, total - len(seen) + len(page["edges"]))
        if not info["hasNextPage"]:
            return seen
        after = info["endCursor"]
        assert len(seen) <= total, "paging does not end"


async def walk_backward(
    client: httpx.AsyncClient, query: str, size: int, total: int, **variables: Any
) -> list[str]:
    """Every item, page by page with last/before from the end; checks each page's pageInfo."""
    seen: list[str] = []
    before = None
    while True:
        page = await fetch(client, query, last=size, before=before, **variables)
        assert page["totalCount"] == total
        check_cursors(page)
        seen = slugs(page) + seen
        info = page["pageInfo"]
        assert info["hasNextPage"] is (before is not None)
        assert info["hasPreviousPage"] is (len(seen) < total)
        if not info["hasPreviousPage"]:
            return seen
        before = info["startCursor"]
        assert len(seen) <= total, "paging does not end"


# Paging through whole lists --------------------------------------------------------------


@pytest.mark.parametrize(("make", "query", "order", "fields", "desc"), ORDERINGS)
@pytest.mark.parametrize("size", [7, 20])
async def test_forward_paging_gives_every_item_once_in_order(
    client, tenant, make, query, order, fields, desc, size
):
    rows = await make(tenant)
    expected = ordered(rows, *fields, desc=desc)
    assert len(expected) == COUNT
    assert await walk_forward(client, query, size, COUNT, orderBy=order) == expected


@pytest.mark.parametrize(("make", "query", "order", "fields", "desc"), ORDERINGS)
@pytest.mark.parametrize("size", [7, 20])
async def test_backward_paging_gives_every_item_once_in_order(
    client, tenant, make, query, order, fields, desc, size
):
    rows = await make(tenant)
    expected = ordered(rows, *fields, desc=desc)
    assert await walk_backward(client, query, size, COUNT, orderBy=order) == expected


@pytest.mark.parametrize("size", [1, 2, 44, 45, 100])
async def test_page_sizes_at_the_edges(client, resources, size):
    expected = ordered(resources, "published_at", desc=True)
    assert await walk_forward(client, RESOURCES, size, COUNT) == expected
    assert await walk_backward(client, RESOURCES, size, COUNT) == expected


async def test_ties_in_the_sort_key_are_paged_without_skip_or_repeat(client, tenant):
    """Thirty items published at the same instant among fifteen others: id breaks the tie."""
    same = BASE + timedelta(days=3)
    for i in range(COUNT):
        moment = same if i % 3 else BASE + timedelta(days=i)
        await factories.resource(tenant, slug=f"r{i:02}", title="Same title", published_at=moment)
    rows = list(await models.Resource.filter(tenant=tenant, status="published"))
    for order, fields, desc in [
        (None, ("published_at",), True),
        ({"field": "PUBLISHED_AT", "direction": "ASC"}, ("published_at",), False),
        ({"field": "TITLE", "direction": "DESC"}, ("title",), True),
    ]:
        expected = ordered(rows, *fields, desc=desc)
        for size in (1, 4, 7):
            assert await walk_forward(client, RESOURCES, size, COUNT, orderBy=order) == expected
            assert await walk_backward(client, RESOURCES, size, COUNT, orderBy=order) == expected


async def test_mixing_directions_from_the_middle(client, resources):
    """`after` with `last`, and `before` with `first`, page inside the window they bound."""
    expected = ordered(resources, "published_at", desc=True)
    middle = await fetch(client, RESOURCES, first=10, after=None)
    cursor = middle["edges"][4]["cursor"]  # the 5th item
    assert slugs(await fetch(client, RESOURCES, first=3, before=cursor)) == expected[:3]
    assert slugs(await fetch(client, RESOURCES, last=3, after=cursor)) == expected[-3:]
    window = await fetch(
        client, RESOURCES, after=middle["edges"][1]["cursor"], before=cursor, first=10
    )
    assert slugs(window) == expected[2:4]


# Stability while the list changes -------------------------------------------------------


async def test_inserts_and_deletes_while_paging_forwards_never_skip_or_repeat(
    client, tenant, resources
):
    original = ordered(resources, "published_at", desc=True)  # r44 … r00
    first = await fetch(client, RESOURCES, first=10)
    seen = slugs(first)
    assert seen == original[:10]  # r44 … r35
    cursor_row = next(r for r in resources if r.slug == seen[-1])

    # Before the position (already passed): must not appear; after it: must appear in place.
    await factories.resource(tenant, slug="new-top", published_at=BASE + timedelta(days=1))
    await factories.resource(tenant, slug="new-tie-passed", published_at=cursor_row.published_at)
    await factories.resource(
        tenant, slug="new-mid", published_at=BASE + timedelta(minutes=20, seconds=30)
    )
    await factories.resource(tenant, slug="new-bottom", published_at=BASE - timedelta(days=1))
    # The cursor's own row and one not yet reached disappear.
    await models.Resource.filter(pk=cursor_row.pk).delete()
    await models.Resource.filter(slug="r10").delete()

    after = first["pageInfo"]["endCursor"]
    while after is not None:
        page = await fetch(client, RESOURCES, first=10, after=after)
        seen += slugs(page)
        after = page["pageInfo"]["endCursor"] if page["pageInfo"]["hasNextPage"] else None

    expected = original[:10] + [s for s in original[10:] if s != "r10"]
    expected.insert(expected.index("r20"), "new-mid")
    expected.append("new-bottom")
    assert seen == expected
    assert "new-top" not in seen and "new-tie-passed" not in seen


async def test_inserts_and_deletes_while_paging_backwards_never_skip_or_repeat(
    client, tenant, resources
):
    original = ordered(resources, "published_at", desc=True)
    last = await fetch(client, RESOURCES, last=10)
    seen = slugs(last)
    assert seen == original[-10:]  # r09 … r00
    cursor_row = next(r for r in resources if r.slug == seen[0])  # r09

    await factories.resource(tenant, slug="new-bottom", published_at=BASE - timedelta(days=1))
    await factories.resource(
        tenant, slug="new-mid", published_at=BASE + timedelta(minutes=30, seconds=30)
    )
    await factories.resource(tenant, slug="new-top", published_at=BASE + timedelta(days=1))
    await models.Resource.filter(pk=cursor_row.pk).delete()
    await models.Resource.filter(slug="r40").delete()

    before = last["pageInfo"]["startCursor"]
    while before is not None:
        page = await fetch(client, RESOURCES, last=10, before=before)
        seen = slugs(page) + seen
        before = page["pageInfo"]["startCursor"] if page["pageInfo"]["hasPreviousPage"] else None

    expected = [s for s in original[:-10] if s != "r40"] + original[-10:]
    expected.insert(expected.index("r30"), "new-mid")
    expected.insert(0, "new-top")
    assert seen == expected
    assert "new-bottom" not in seen


# pageInfo, sizes and totalCount ------------------------------------------------------------


def flags(connection: dict[str, Any]) -> tuple[bool, bool]:
    """(hasPreviousPage, hasNextPage) of a page."""
    info = connection["pageInfo"]
    return info["hasPreviousPage"], info["hasNextPage"]


async def test_page_info_at_both_ends(client, resources):
    expected = ordered(resources, "published_at", desc=True)

    head = await fetch(client, RESOURCES, first=10)
    assert slugs(head) == expected[:10]
    assert flags(head) == (False, True)
    check_cursors(head)
    tail = await fetch(client, RESOURCES, last=10)
    assert slugs(tail) == expected[-10:]
    assert flags(tail) == (True, False)
    check_cursors(tail)

    # Exactly the whole list: nothing on either side; one item less: one side has more.
    whole = await fetch(client, RESOURCES, first=COUNT)
    assert flags(whole) == (False, False)
    assert flags(await fetch(client, RESOURCES, last=COUNT)) == (False, False)
    assert flags(await fetch(client, RESOURCES, first=COUNT - 1)) == (False, True)
    assert flags(await fetch(client, RESOURCES, last=COUNT - 1)) == (True, False)

    # Past either end: an empty page without cursors.
    beyond = await fetch(client, RESOURCES, first=10, after=whole["pageInfo"]["endCursor"])
    assert beyond["edges"] == [] and beyond["totalCount"] == COUNT
    assert beyond["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": True,
        "startCursor": None,
        "endCursor": None,
    }
    before = await fetch(client, RESOURCES, last=10, before=whole["pageInfo"]["startCursor"])
    assert before["edges"] == []
    assert before["pageInfo"] == {
        "hasNextPage": True,
        "hasPreviousPage": False,
        "startCursor": None,
        "endCursor": None,
    }


async def test_page_of_zero_still_says_whether_items_follow(client, resources):
    page = await fetch(client, RESOURCES, first=0)
    assert page["edges"] == [] and page["totalCount"] == COUNT
    assert page["pageInfo"]["hasNextPage"] is True
    page = await fetch(client, RESOURCES, last=0)
    assert page["pageInfo"]["hasPreviousPage"] is True


async def test_an_empty_list_has_an_empty_first_page(client, tenant):
    for arguments in ({}, {"first": 5}, {"last": 5}):
        page = await fetch(client, EVENTS, **arguments)
        assert page == {
            "totalCount": 0,
            "edges": [],
            "pageInfo": {
                "hasNextPage": False,
                "hasPreviousPage": False,
                "startCursor": None,
                "endCursor": None,
            },
        }


async def test_first_defaults_to_20(client, resources):
    expected = ordered(resources, "published_at", desc=True)
    page = await fetch(client, RESOURCES)
    assert slugs(page) == expected[:20]
    assert page["pageInfo"]["hasNextPage"] is True
    page = await fetch(client, RESOURCES, after=page["pageInfo"]["endCursor"])
    assert slugs(page) == expected[20:40]
    # Only `before`: the 20 items just before it.
    page = await fetch(client, RESOURCES, before=page["pageInfo"]["endCursor"])
    assert slugs(page) == expected[19:39]


async def test_total_count_is_the_whole_lists_size_on_every_page(client, resources):
    for arguments in ({"first": 1}, {"last": 3}, {"first": 100}, {"first": 0}):
        assert (await fetch(client, RESOURCES, **arguments))["totalCount"] == COUNT
    cursor = (await fetch(client, RESOURCES, first=30))["pageInfo"]["endCursor"]
    assert (await fetch(client, RESOURCES, first=5, after=cursor))["totalCount"] == COUNT
    assert (await fetch(client, RESOURCES, last=5, before=cursor))["totalCount"] == COUNT
    # With a filter: the filtered list's size.
    filtered = await fetch(
        client,
        RESOURCES_WITH_FILTER,
        first=2,
        filter={"publishedBefore": (BASE + timedelta(minutes=10)).isoformat()},
    )
    assert filtered["totalCount"] == 10 and slugs(filtered) == ["r09", "r08"]


# Errors -----------------------------------------------------------------------------------


async def error_of(client: httpx.AsyncClient, query: str, **variables: Any) -> dict[str, Any]:
    response = await graphql(client, query, variables, tenant="a")
    assert response.status_code < 500
    body = response.json()
    assert body["data"] is None  # a connection is non-null: the error nulls the whole answer
    [error] = body["errors"]
    assert error["message"] != "Internal server error."
    assert error["extensions"]["reason"] == "INVALID_INPUT"
    return error


@pytest.mark.parametrize(
    ("argument", "value"),
    [("first", 101), ("first", -1), ("last", 101), ("last", -1), ("first", 10_000)],
)
async def test_a_page_size_outside_the_cap_is_refused(client, resources, argument, value):
    error = await error_of(client, RESOURCES, **{argument: value})
    assert error["message"] == f"`{argument}` must be between 0 and 100, got {value}."
    assert error["extensions"]["field"] == argument


async def test_the_cap_itself_is_allowed(client, resources):
    assert len((await fetch(client, RESOURCES, first=100))["edges"]) == COUNT
    assert len((await fetch(client, RESOURCES, last=100))["edges"]) == COUNT


async def test_first_and_last_together_are_refused(client, resources):
    error = await error_of(client, RESOURCES, first=5, last=5)
    assert "`first` or `last`, not both" in error["message"]
    body = (await graphql(client, FIRST_AND_LAST, tenant="a")).json()
    assert "not both" in body["errors"][0]["message"]


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def forged(name: str, values: list[Any]) -> str:
    return b64(json.dumps([name, values]).encode())


STAMP = {"t": "2024-01-01T09:00:00+00:00"}
NOT_A_CURSOR = [
    pytest.param("not a cursor!", id="random-string"),
    pytest.param("", id="empty"),
    pytest.param("Zm9v", id="base64-of-junk"),
    pytest.param(b64(b"\xff\xfe\x00junk"), id="base64-of-binary"),
    pytest.param(b64(b'{"a": 1}'), id="json-object"),
    pytest.param(b64(b'"PU"'), id="json-two-letter-string"),
    pytest.param(b64(b"[1, 2, 3]"), id="json-list-of-three"),
    pytest.param(b64(b"null"), id="json-null"),
    pytest.param(to_global_id("Resource", 1), id="a-global-id"),
    pytest.param(forged("PUBLISHED_AT:DESC", [STAMP]), id="too-few-values"),
    pytest.param(forged("PUBLISHED_AT:DESC", [STAMP, 1, 2]), id="too-many-values"),
    pytest.param(forged("PUBLISHED_AT:DESC", {"t": 1}), id="values-not-a-list"),
    pytest.param(forged("PUBLISHED_AT:DESC", [{"t": "junk"}, 1]), id="bad-datetime"),
    pytest.param(
        forged("PUBLISHED_AT:DESC", [{"t": "2024-01-01T09:00:00"}, 1]), id="naive-datetime"
    ),
    pytest.param(
        forged("PUBLISHED_AT:DESC", [{"t": "0001-01-01T00:00:00+05:00"}, 1]),
        id="datetime-out-of-range",
    ),
    pytest.param(forged("PUBLISHED_AT:DESC", ["2024-01-01", 1]), id="datetime-as-string"),
    pytest.param(forged("PUBLISHED_AT:DESC", [5, 1]), id="datetime-as-int"),
    pytest.param(forged("PUBLISHED_AT:DESC", [None, 1]), id="datetime-null"),
    pytest.param(forged("PUBLISHED_AT:DESC", [True, 1]), id="datetime-as-bool"),
    pytest.param(forged("PUBLISHED_AT:DESC", [STAMP, "1"]), id="id-as-string"),
    pytest.param(forged("PUBLISHED_AT:DESC", [STAMP, 1.5]), id="id-as-float"),
    pytest.param(forged("PUBLISHED_AT:DESC", [STAMP, True]), id="id-as-bool"),
    pytest.param(forged("PUBLISHED_AT:DESC", [STAMP, 10**30]), id="id-too-large"),
    pytest.param(forged("PUBLISHED_AT:DESC", [STAMP, 2**31]), id="id-over-int32"),
    pytest.param(forged("PUBLISHED_AT:DESC", [STAMP, [1]]), id="id-as-list"),
    pytest.param(forged("PUBLISHED_AT:DESC", [STAMP, {"t": "x"}]), id="id-as-object"),
]


@pytest.mark.parametrize("cursor", NOT_A_CURSOR)
@pytest.mark.parametrize("argument", ["after", "before"])
async def test_a_malformed_cursor_is_a_clear_error(client, resources, cursor, argument):
    error = await error_of(client, RESOURCES, **{argument: cursor})
    assert error["message"] == f"`{argument}` is not a valid cursor."
    assert error["extensions"]["field"] == argument


@pytest.mark.parametrize(
    "cursor",
    [
        pytest.param(forged("TITLE:ASC", ["Title 01\x00", 1]), id="nul-in-title"),
        pytest.param(forged("TITLE:ASC", [7, 1]), id="title-as-int"),
    ],
)
async def test_a_tampered_title_cursor_is_a_clear_error(client, resources, cursor):
    error = await error_of(
        client, RESOURCES, after=cursor, orderBy={"field": "TITLE", "direction": "ASC"}
    )
    assert error["message"] == "`after` is not a valid cursor."


async def test_a_tampered_menu_cursor_is_a_clear_error(client, pages):
    for values in ([2**40, "Page 1", 1], ["1", "Page 1", 1], [1, None, 1]):
        error = await error_of(client, PAGES, after=forged("MENU:ASC", values))
        assert error["message"] == "`after` is not a valid cursor."


async def test_a_cursor_of_another_ordering_is_a_clear_error(client, resources, events):
    by_date = (await fetch(client, RESOURCES, first=3))["pageInfo"]["endCursor"]
    by_title = (
        await fetch(client, RESOURCES, first=3, orderBy={"field": "TITLE", "direction": "ASC"})
    )["pageInfo"]["endCursor"]
    ascending = (
        await fetch(
            client, RESOURCES, first=3, orderBy={"field": "PUBLISHED_AT", "direction": "ASC"}
        )
    )["pageInfo"]["endCursor"]
    event = (await fetch(client, EVENTS, first=3))["pageInfo"]["endCursor"]
    for cursor, order in [
        (by_title, None),
        (by_date, {"field": "TITLE", "direction": "ASC"}),
        (ascending, None),  # the same field in the other direction is another ordering
        (event, None),
    ]:
        for argument in ("after", "before"):
            error = await error_of(client, RESOURCES, **{argument: cursor}, orderBy=order)
            assert error["message"] == (
                f"`{argument}` is a cursor of another ordering; restart paging without it."
            )
            assert error["extensions"]["field"] == argument
