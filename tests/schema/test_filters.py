"""Every filter and every `orderBy` of every list, checked for exactly which items in which order.

Each list gets a small data set whose items differ in one property at a time, so that a
filter which did nothing, matched too much or sorted wrongly changes the answer. Titles and
names start with distinct capitalised words so SQLite's and PostgreSQL's collations agree.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from cms import models
from cms.models import Status
from tests import factories
from tests.support.api import data_of, graphql

pytestmark = pytest.mark.anyio

RESOURCES = """
query ($filter: ResourceFilter, $orderBy: PublicationOrder, $shared: Boolean! = false) {
  items: resources(first: 100, filter: $filter, orderBy: $orderBy, includeShared: $shared) {
    totalCount edges { node { slug } }
  }
}
"""
VIDEOS = """
query ($filter: VideoFilter, $orderBy: PublicationOrder, $shared: Boolean! = false) {
  items: videos(first: 100, filter: $filter, orderBy: $orderBy, includeShared: $shared) {
    totalCount edges { node { slug } }
  }
}
"""
PROFILES = """
query ($filter: ProfileFilter, $orderBy: NameOrder, $shared: Boolean! = false) {
  items: profiles(first: 100, filter: $filter, orderBy: $orderBy, includeShared: $shared) {
    totalCount edges { node { slug } }
  }
}
"""
ORGANISATIONS = """
query ($filter: OrganisationFilter, $orderBy: NameOrder, $shared: Boolean! = false) {
  items: organisations(first: 100, filter: $filter, orderBy: $orderBy, includeShared: $shared) {
    totalCount edges { node { slug } }
  }
}
"""
EVENTS = """
query ($filter: EventFilter, $orderBy: EventOrder) {
  items: events(first: 100, filter: $filter, orderBy: $orderBy) {
    totalCount edges { node { slug } }
  }
}
"""
NEWS = """
query ($filter: NewsFilter, $orderBy: PublicationOrder) {
  items: news(first: 100, filter: $filter, orderBy: $orderBy) {
    totalCount edges { node { slug } }
  }
}
"""
PAGES = """
query ($filter: PageFilter, $orderBy: PageOrder) {
  items: pages(first: 100, filter: $filter, orderBy: $orderBy) {
    totalCount edges { node { slug } }
  }
}
"""
TENANTS = """
query ($kind: TenantKind, $parent: String) { tenants(kind: $kind, parent: $parent) { slug } }
"""


def at(month: int, day: int = 10) -> datetime:
    return datetime(2024, month, day, 9, 0, tzinfo=UTC)


async def slugs_of(
    client: Any, query: str, variables: dict[str, Any], tenant: str = "a"
) -> list[str]:
    data = await data_of(client, query, variables, tenant=tenant)
    slugs = [edge["node"]["slug"] for edge in data["items"]["edges"]]
    assert data["items"]["totalCount"] == len(slugs)
    return slugs


@pytest.fixture
async def tenants(clean_database: None) -> dict[str, models.Tenant]:
    hub = await factories.tenant(slug="hub", name="Hub", kind=models.TenantKind.HUB)
    return {
        "hub": hub,
        "a": await factories.tenant(slug="a", name="Alpha", parent=hub),
        "b": await factories.tenant(slug="b", name="Beta", parent=hub),
        "c": await factories.tenant(slug="c", name="Gamma", kind=models.TenantKind.PROGRAMME),
    }


# Resources ----------------------------------------------------------------------------------


@pytest.fixture
async def resources(tenants: dict[str, models.Tenant]) -> None:
    a, b = tenants["a"], tenants["b"]
    gep, budget = await factories.tag(a, slug="gep"), await factories.tag(a, slug="budget")
    b_gep = await factories.tag(b, slug="gep")
    ana, ben = await factories.profile(a, slug="ana"), await factories.profile(a, slug="ben")
    uni = await factories.organisation(a, slug="uni")
    rfo = await factories.organisation(a, slug="rfo", kind=models.OrganisationKind.RFO)
    await factories.resource(
        a,
        slug="r1",
        title="Delta",
        kind=models.ResourceKind.TOOLKIT,
        tags=[gep, budget],
        language="en",
        thematic_areas=["hr-management"],
        authors=[ana],
        organisation=uni,
        published_at=at(1),
    )
    await factories.resource(
        a,
        slug="r2",
        title="Bravo",
        kind=models.ResourceKind.GUIDE,
        tags=[gep],
        language="fr",
        thematic_areas=["decision-making", "hr-management"],
        authors=[ben],
        organisation=rfo,
        published_at=at(2),
    )
    await factories.resource(
        a,
        slug="r3",
        title="Alpha",
        kind=models.ResourceKind.REPORT,
        tags=[budget],
        language="en",
        thematic_areas=["gender-dimension"],
        authors=[ben, ana],
        published_at=at(3),
    )
    await factories.resource(
        a,
        slug="r4",
        title="Charlie",
        kind=models.ResourceKind.TOOLKIT,
        language="de",
        published_at=at(4),
    )
    await factories.resource(
        b,
        slug="b1",
        title="Echo",
        kind=models.ResourceKind.DATASET,
        tags=[b_gep],
        language="it",
        shared=True,
        published_at=at(5),
    )
    # Never listed, whatever the filter: they must not disturb any expectation below.
    await factories.resource(
        a,
        slug="draft",
        kind=models.ResourceKind.TOOLKIT,
        tags=[gep],
        status=Status.DRAFT,
        published_at=at(1),
    )
    await factories.resource(b, slug="b-own", tags=[b_gep], published_at=at(1))


RESOURCE_CASES = [
    pytest.param(None, False, ["r4", "r3", "r2", "r1"], id="no-filter-newest-first"),
    pytest.param({"kinds": ["TOOLKIT"]}, False, ["r4", "r1"], id="kinds-one"),
    pytest.param({"kinds": ["TOOLKIT", "REPORT"]}, False, ["r4", "r3", "r1"], id="kinds-any"),
    pytest.param({"tags": ["gep"]}, False, ["r2", "r1"], id="tags-one"),
    pytest.param({"tags": ["gep", "budget"]}, False, ["r1"], id="tags-all-of"),
    pytest.param({"tags": ["budget", "gep"]}, False, ["r1"], id="tags-all-of-any-order"),
    pytest.param({"tags": ["gep", "missing"]}, False, [], id="tags-all-of-unknown"),
    pytest.param({"tags": ["gep"]}, True, ["b1", "r2", "r1"], id="tags-by-slug-across-tenants"),
    pytest.param({"language": "fr"}, False, ["r2"], id="language"),
    pytest.param({"language": "EN"}, False, [], id="language-is-exact"),
    pytest.param({"thematicArea": "HR_MANAGEMENT"}, False, ["r2", "r1"], id="thematic-area"),
    pytest.param({"thematicArea": "GENDER_DIMENSION"}, False, ["r3"], id="thematic-area-2"),
    pytest.param({"author": "ana"}, False, ["r3", "r1"], id="author"),
    pytest.param({"author": "nobody"}, False, [], id="author-unknown"),
    pytest.param({"organisation": "rfo"}, False, ["r2"], id="organisation"),
    pytest.param({"tenants": ["b"]}, True, ["b1"], id="tenants-other"),
    pytest.param({"tenants": ["b"]}, False, [], id="tenants-other-without-shared"),
    pytest.param({"tenants": ["a", "b"]}, True, ["b1", "r4", "r3", "r2", "r1"], id="tenants-both"),
    pytest.param(
        {"publishedAfter": "2024-02-10T09:00:00+00:00"},
        False,
        ["r4", "r3", "r2"],
        id="published-after-inclusive",
    ),
    pytest.param(
        {"publishedAfter": "2024-02-10T11:00:00+02:00"},
        False,
        ["r4", "r3", "r2"],
        id="published-after-other-offset",
    ),
    pytest.param(
        {"publishedBefore": "2024-03-10T09:00:00+00:00"},
        False,
        ["r2", "r1"],
        id="published-before-exclusive",
    ),
    pytest.param(
        {"publishedBefore": "2024-03-10T14:00:00+05:00"},
        False,
        ["r2", "r1"],
        id="published-before-other-offset",
    ),
    pytest.param(
        {"publishedAfter": "2024-02-10T09:00:00"},
        False,
        ["r4", "r3", "r2"],
        id="published-after-without-offset-is-utc",
    ),
    pytest.param(
        {"publishedAfter": "2024-01-15T00:00:00Z", "publishedBefore": "2024-04-01T00:00:00Z"},
        False,
        ["r3", "r2"],
        id="published-range",
    ),
    pytest.param(
        {"kinds": ["TOOLKIT"], "language": "en"}, False, ["r1"], id="fields-combine-with-and"
    ),
    pytest.param(
        {"tags": ["budget"], "author": "ben", "thematicArea": "GENDER_DIMENSION"},
        False,
        ["r3"],
        id="three-fields",
    ),
]


@pytest.mark.parametrize(("filter", "shared", "expected"), RESOURCE_CASES)
async def test_resource_filters(client, resources, filter, shared, expected):
    variables = {"filter": filter, "shared": shared}
    assert await slugs_of(client, RESOURCES, variables) == expected


PUBLICATION_ORDERS = [
    pytest.param(None, ["r4", "r3", "r2", "r1"], id="default-published-at-desc"),
    pytest.param(
        {"field": "PUBLISHED_AT"}, ["r4", "r3", "r2", "r1"], id="published-at-default-desc"
    ),
    pytest.param(
        {"field": "PUBLISHED_AT", "direction": "ASC"},
        ["r1", "r2", "r3", "r4"],
        id="published-at-asc",
    ),
    pytest.param({"field": "TITLE", "direction": "ASC"}, ["r3", "r2", "r4", "r1"], id="title-asc"),
    pytest.param(
        {"field": "TITLE", "direction": "DESC"}, ["r1", "r4", "r2", "r3"], id="title-desc"
    ),
    pytest.param(
        {"field": "UPDATED_AT", "direction": "ASC"}, ["r2", "r4", "r1", "r3"], id="updated-at-asc"
    ),
    pytest.param(
        {"field": "UPDATED_AT", "direction": "DESC"}, ["r3", "r1", "r4", "r2"], id="updated-at-desc"
    ),
]


async def _set_updated_at(model: type[models.ContentModel], order: list[str]) -> None:
    for n, slug in enumerate(order):
        await model.filter(slug=slug).update(updated_at=at(6, 1 + n))
    rows = {r.slug: r.updated_at for r in await model.filter(slug__in=order)}
    assert [rows[s] for s in order] == [at(6, 1 + n) for n in range(len(order))]


@pytest.mark.parametrize(("order", "expected"), PUBLICATION_ORDERS)
async def test_resource_orders(client, resources, order, expected):
    await _set_updated_at(models.Resource, ["r2", "r4", "r1", "r3"])
    assert await slugs_of(client, RESOURCES, {"orderBy": order}) == expected


# Videos ----------------------------------------------------------------------------------------


@pytest.fixture
async def videos(tenants: dict[str, models.Tenant]) -> None:
    a, b = tenants["a"], tenants["b"]
    talk, panel = await factories.tag(a, slug="talk"), await factories.tag(a, slug="panel")
    v1 = await factories.video(
        a,
        slug="v1",
        title="Charlie",
        provider=models.VideoProvider.YOUTUBE,
        language="en",
        thematic_areas=["hr-management"],
        published_at=at(1),
    )
    v2 = await factories.video(
        a,
        slug="v2",
        title="Alpha",
        provider=models.VideoProvider.VIMEO,
        language="es",
        thematic_areas=["decision-making"],
        published_at=at(2),
    )
    v3 = await factories.video(
        a,
        slug="v3",
        title="Bravo",
        provider=models.VideoProvider.FILE,
        language="en",
        published_at=at(3),
    )
    await v1.tags.add(talk, panel)
    await v2.tags.add(talk)
    await v3.tags.add(panel)
    await factories.video(
        b,
        slug="b1",
        title="Delta",
        provider=models.VideoProvider.VIMEO,
        language="fr",
        shared=True,
        published_at=at(4),
    )
    await factories.video(
        a,
        slug="draft",
        provider=models.VideoProvider.VIMEO,
        status=Status.ARCHIVED,
        published_at=at(1),
    )


VIDEO_CASES = [
    pytest.param(None, False, ["v3", "v2", "v1"], id="no-filter"),
    pytest.param({"providers": ["VIMEO"]}, False, ["v2"], id="providers-one"),
    pytest.param({"providers": ["VIMEO", "FILE"]}, True, ["b1", "v3", "v2"], id="providers-any"),
    pytest.param({"tags": ["talk"]}, False, ["v2", "v1"], id="tags-one"),
    pytest.param({"tags": ["talk", "panel"]}, False, ["v1"], id="tags-all-of"),
    pytest.param({"language": "en"}, False, ["v3", "v1"], id="language"),
    pytest.param({"thematicArea": "DECISION_MAKING"}, False, ["v2"], id="thematic-area"),
    pytest.param({"tenants": ["b"]}, True, ["b1"], id="tenants"),
    pytest.param({"tenants": ["a"]}, True, ["v3", "v2", "v1"], id="tenants-own"),
    pytest.param(
        {"publishedAfter": "2024-02-10T09:00:00Z"}, False, ["v3", "v2"], id="published-after"
    ),
    pytest.param({"publishedBefore": "2024-02-10T09:00:00Z"}, False, ["v1"], id="published-before"),
    pytest.param(
        {"providers": ["YOUTUBE", "FILE"], "tags": ["panel"], "language": "en"},
        False,
        ["v3", "v1"],
        id="fields-combine",
    ),
]


@pytest.mark.parametrize(("filter", "shared", "expected"), VIDEO_CASES)
async def test_video_filters(client, videos, filter, shared, expected):
    assert await slugs_of(client, VIDEOS, {"filter": filter, "shared": shared}) == expected


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        pytest.param(None, ["v3", "v2", "v1"], id="default"),
        pytest.param(
            {"field": "PUBLISHED_AT", "direction": "ASC"}, ["v1", "v2", "v3"], id="published-asc"
        ),
        pytest.param({"field": "TITLE", "direction": "ASC"}, ["v2", "v3", "v1"], id="title-asc"),
        pytest.param({"field": "TITLE", "direction": "DESC"}, ["v1", "v3", "v2"], id="title-desc"),
        pytest.param(
            {"field": "UPDATED_AT", "direction": "ASC"}, ["v3", "v1", "v2"], id="updated-asc"
        ),
        pytest.param(
            {"field": "UPDATED_AT", "direction": "DESC"}, ["v2", "v1", "v3"], id="updated-desc"
        ),
    ],
)
async def test_video_orders(client, videos, order, expected):
    await _set_updated_at(models.Video, ["v3", "v1", "v2"])
    assert await slugs_of(client, VIDEOS, {"orderBy": order}) == expected


# Profiles --------------------------------------------------------------------------------------


@pytest.fixture
async def profiles(tenants: dict[str, models.Tenant]) -> None:
    a, b = tenants["a"], tenants["b"]
    uni = await factories.organisation(a, slug="uni")
    rfo = await factories.organisation(a, slug="rfo")
    ana = await factories.profile(
        a,
        slug="ana",
        name="Ana",
        roles=["change-catalyst"],
        country="ES",
        languages=["es", "en"],
        organisation=uni,
        published_at=at(3),
    )
    ben = await factories.profile(
        a,
        slug="ben",
        name="Ben",
        roles=["expert", "facilitator"],
        country="DE",
        languages=["de"],
        organisation=rfo,
        published_at=at(1),
    )
    cleo = await factories.profile(
        a,
        slug="cleo",
        name="Cleo",
        roles=["member"],
        country="ES",
        languages=["en"],
        published_at=at(2),
    )
    dan = await factories.profile(
        b,
        slug="dan",
        name="Dan",
        roles=["expert"],
        country="IE",
        languages=["en"],
        shared=True,
        published_at=at(4),
    )
    await factories.profile(
        a,
        slug="draft",
        name="Aaron",
        roles=["expert"],
        country="ES",
        languages=["en"],
        status=Status.DRAFT,
    )
    # Eligible: listed now (an attestation in force); Cleo's was revoked, Dan's has expired.
    for person, ended in [(ana, {}), (ben, {}), (cleo, {"revoked_at": at(5)})]:
        await models.Attestation.create(
            profile=person, programme=a, attested_by=a, role="expert", actor_name="hub",
            valid_from=at(1), **ended,
        )  # fmt: skip
    await models.Attestation.create(
        profile=dan, programme=a, attested_by=a, role="expert", actor_name="hub",
        valid_from=at(1), valid_until=at(6),
    )  # fmt: skip


PROFILE_CASES = [
    pytest.param(None, False, ["ana", "ben", "cleo"], id="no-filter-by-name"),
    pytest.param({"roles": ["EXPERT"]}, True, ["ben", "dan"], id="roles-one"),
    pytest.param({"roles": ["FACILITATOR"]}, False, ["ben"], id="roles-second-of-several"),
    pytest.param({"roles": ["CHANGE_CATALYST", "MEMBER"]}, False, ["ana", "cleo"], id="roles-any"),
    pytest.param({"roles": ["COORDINATOR"]}, False, [], id="roles-none-match"),
    pytest.param({"country": "ES"}, False, ["ana", "cleo"], id="country"),
    pytest.param({"country": "es"}, False, ["ana", "cleo"], id="country-any-case"),
    pytest.param({"language": "en"}, True, ["ana", "cleo", "dan"], id="language-spoken"),
    pytest.param({"language": "de"}, False, ["ben"], id="language-only-one"),
    pytest.param({"language": "e"}, False, [], id="language-whole-value-only"),
    pytest.param({"organisation": "uni"}, False, ["ana"], id="organisation"),
    pytest.param({"eligibleForContracting": True}, False, ["ana", "ben"], id="eligible"),
    pytest.param({"eligibleForContracting": False}, True, ["cleo", "dan"], id="not-eligible"),
    pytest.param({"tenants": ["b"]}, True, ["dan"], id="tenants"),
    pytest.param(
        {"roles": ["EXPERT", "CHANGE_CATALYST"], "eligibleForContracting": True, "country": "DE"},
        True,
        ["ben"],
        id="fields-combine",
    ),
]


@pytest.mark.parametrize(("filter", "shared", "expected"), PROFILE_CASES)
async def test_profile_filters(client, profiles, filter, shared, expected):
    assert await slugs_of(client, PROFILES, {"filter": filter, "shared": shared}) == expected


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        pytest.param(None, ["ana", "ben", "cleo"], id="default-name-asc"),
        pytest.param({"field": "NAME"}, ["ana", "ben", "cleo"], id="name-default-asc"),
        pytest.param(
            {"field": "NAME", "direction": "DESC"}, ["cleo", "ben", "ana"], id="name-desc"
        ),
        pytest.param({"field": "PUBLISHED_AT"}, ["ben", "cleo", "ana"], id="published-asc"),
        pytest.param(
            {"field": "PUBLISHED_AT", "direction": "DESC"},
            ["ana", "cleo", "ben"],
            id="published-desc",
        ),
    ],
)
async def test_profile_orders(client, profiles, order, expected):
    assert await slugs_of(client, PROFILES, {"orderBy": order}) == expected


# Organisations ---------------------------------------------------------------------------------


@pytest.fixture
async def organisations(tenants: dict[str, models.Tenant]) -> None:
    a, b = tenants["a"], tenants["b"]
    await factories.organisation(
        a,
        slug="kit",
        name="Karolinska",
        kind=models.OrganisationKind.UNIVERSITY,
        country="SE",
        published_at=at(2),
    )
    await factories.organisation(
        a,
        slug="fwf",
        name="Austrian Science Fund",
        kind=models.OrganisationKind.RFO,
        country="AT",
        published_at=at(3),
    )
    await factories.organisation(
        a,
        slug="cnrs",
        name="National Centre",
        kind=models.OrganisationKind.RPO,
        country="FR",
        published_at=at(1),
    )
    await factories.organisation(
        b,
        slug="vub",
        name="Vrije Universiteit",
        kind=models.OrganisationKind.UNIVERSITY,
        country="BE",
        shared=True,
        published_at=at(4),
    )
    await factories.organisation(
        a,
        slug="draft",
        name="Aardvark",
        kind=models.OrganisationKind.RFO,
        country="AT",
        status=Status.DRAFT,
    )


ORGANISATION_CASES = [
    pytest.param(None, False, ["fwf", "kit", "cnrs"], id="no-filter-by-name"),
    pytest.param({"kinds": ["UNIVERSITY"]}, True, ["kit", "vub"], id="kinds-one"),
    pytest.param({"kinds": ["RPO", "RFO"]}, False, ["fwf", "cnrs"], id="kinds-any"),
    pytest.param({"kinds": ["COMPANY"]}, False, [], id="kinds-none"),
    pytest.param({"country": "FR"}, False, ["cnrs"], id="country"),
    pytest.param({"country": "be"}, True, ["vub"], id="country-any-case"),
    pytest.param({"kinds": ["UNIVERSITY"], "country": "SE"}, True, ["kit"], id="fields-combine"),
]


@pytest.mark.parametrize(("filter", "shared", "expected"), ORGANISATION_CASES)
async def test_organisation_filters(client, organisations, filter, shared, expected):
    assert await slugs_of(client, ORGANISATIONS, {"filter": filter, "shared": shared}) == expected


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        pytest.param(None, ["fwf", "kit", "cnrs"], id="default-name-asc"),
        pytest.param(
            {"field": "NAME", "direction": "DESC"}, ["cnrs", "kit", "fwf"], id="name-desc"
        ),
        pytest.param({"field": "PUBLISHED_AT"}, ["cnrs", "kit", "fwf"], id="published-asc"),
        pytest.param(
            {"field": "PUBLISHED_AT", "direction": "DESC"},
            ["fwf", "kit", "cnrs"],
            id="published-desc",
        ),
    ],
)
async def test_organisation_orders(client, organisations, order, expected):
    assert await slugs_of(client, ORGANISATIONS, {"orderBy": order}) == expected


# Events ----------------------------------------------------------------------------------------

NOW = datetime.now(UTC).replace(microsecond=0)
MINUS_5, PLUS_5 = timezone(timedelta(hours=-5)), timezone(timedelta(hours=5))
STARTS = {
    "long-ago": NOW - timedelta(days=20),
    "recent": NOW - timedelta(days=10),
    "ongoing": NOW - timedelta(hours=1),  # started, not yet ended: still upcoming
    "soon": NOW + timedelta(days=1),
    "later": NOW + timedelta(days=30),
}


def iso(moment: datetime) -> str:
    return moment.isoformat()


@pytest.fixture
async def events(tenants: dict[str, models.Tenant]) -> None:
    a = tenants["a"]
    webinar, workshop = (
        await factories.tag(a, slug="webinar"),
        await factories.tag(a, slug="workshop"),
    )
    host = await factories.organisation(a, slug="host")
    details = {
        "long-ago": dict(
            title="Echo",
            format=models.EventFormat.IN_PERSON,
            language="de",
            thematic_areas=["hr-management"],
        ),
        "recent": dict(title="Bravo", format=models.EventFormat.ONLINE, host_organisation=host),
        "ongoing": dict(
            title="Delta",
            format=models.EventFormat.HYBRID,
            thematic_areas=["hr-management", "gender-dimension"],
        ),
        "soon": dict(
            title="Alpha", format=models.EventFormat.ONLINE, language="de", host_organisation=host
        ),
        "later": dict(title="Charlie", format=models.EventFormat.IN_PERSON),
    }
    tags = {
        "long-ago": [webinar],
        "ongoing": [webinar, workshop],
        "soon": [workshop],
        "later": [webinar],
    }
    for slug, start in STARTS.items():
        row = await factories.event(
            a, slug=slug, start=start, end=start + timedelta(hours=2), **details[slug]
        )
        if slug in tags:
            await row.tags.add(*tags[slug])
    await factories.event(a, slug="draft", start=NOW + timedelta(days=2), status=Status.DRAFT)
    await factories.event(tenants["b"], slug="other", start=NOW + timedelta(days=2))


EVENT_CASES = [
    pytest.param(
        None, ["long-ago", "recent", "ongoing", "soon", "later"], id="no-filter-all-by-start"
    ),
    pytest.param({"when": "ALL"}, ["long-ago", "recent", "ongoing", "soon", "later"], id="all"),
    pytest.param(
        {"when": "UPCOMING"}, ["ongoing", "soon", "later"], id="upcoming-includes-ongoing"
    ),
    pytest.param({"when": "PAST"}, ["recent", "long-ago"], id="past-most-recent-first"),
    pytest.param(
        {"startsAfter": iso(STARTS["soon"])}, ["soon", "later"], id="starts-after-inclusive"
    ),
    pytest.param(
        {"startsBefore": iso(STARTS["soon"])},
        ["long-ago", "recent", "ongoing"],
        id="starts-before-exclusive",
    ),
    pytest.param(
        {"when": "UPCOMING", "startsBefore": iso(STARTS["later"])},
        ["ongoing", "soon"],
        id="upcoming-in-range",
    ),
    pytest.param(
        {"when": "PAST", "startsAfter": iso(STARTS["recent"] - timedelta(days=1))},
        ["recent"],
        id="past-in-range",
    ),
    pytest.param(
        {"when": "ALL", "startsAfter": iso(STARTS["recent"]), "startsBefore": iso(STARTS["later"])},
        ["recent", "ongoing", "soon"],
        id="all-in-range",
    ),
    # Instants in another offset mean the same instant (SQLite compares stored text).
    pytest.param(
        {"startsAfter": iso((STARTS["soon"] + timedelta(seconds=1)).astimezone(MINUS_5))},
        ["later"],
        id="starts-after-other-offset",
    ),
    pytest.param(
        {"startsBefore": iso(STARTS["soon"].astimezone(PLUS_5))},
        ["long-ago", "recent", "ongoing"],
        id="starts-before-other-offset",
    ),
    pytest.param(
        {"startsAfter": iso(STARTS["soon"].replace(tzinfo=None))},
        ["soon", "later"],
        id="starts-after-without-offset-is-utc",
    ),
    pytest.param({"formats": ["ONLINE"]}, ["recent", "soon"], id="formats-one"),
    pytest.param(
        {"formats": ["IN_PERSON", "HYBRID"]}, ["long-ago", "ongoing", "later"], id="formats-any"
    ),
    pytest.param({"tags": ["webinar"]}, ["long-ago", "ongoing", "later"], id="tags-one"),
    pytest.param({"tags": ["webinar", "workshop"]}, ["ongoing"], id="tags-all-of"),
    pytest.param({"language": "de"}, ["long-ago", "soon"], id="language"),
    pytest.param({"thematicArea": "HR_MANAGEMENT"}, ["long-ago", "ongoing"], id="thematic-area"),
    pytest.param({"organisation": "host"}, ["recent", "soon"], id="host-organisation"),
    pytest.param(
        {"when": "UPCOMING", "formats": ["ONLINE"], "organisation": "host"},
        ["soon"],
        id="fields-combine",
    ),
]


@pytest.mark.parametrize(("filter", "expected"), EVENT_CASES)
async def test_event_filters(client, events, filter, expected):
    assert await slugs_of(client, EVENTS, {"filter": filter}) == expected


@pytest.mark.parametrize(
    ("filter", "order", "expected"),
    [
        pytest.param(
            None,
            {"field": "START"},
            ["long-ago", "recent", "ongoing", "soon", "later"],
            id="start-asc",
        ),
        pytest.param(
            None,
            {"field": "START", "direction": "DESC"},
            ["later", "soon", "ongoing", "recent", "long-ago"],
            id="start-desc",
        ),
        pytest.param(
            None,
            {"field": "TITLE"},
            ["soon", "recent", "later", "ongoing", "long-ago"],
            id="title-asc",
        ),
        pytest.param(
            None,
            {"field": "TITLE", "direction": "DESC"},
            ["long-ago", "ongoing", "later", "recent", "soon"],
            id="title-desc",
        ),
        pytest.param(
            {"when": "PAST"},
            {"field": "START"},
            ["long-ago", "recent"],
            id="past-explicit-order-wins",
        ),
        pytest.param(
            {"when": "UPCOMING"},
            {"field": "START", "direction": "DESC"},
            ["later", "soon", "ongoing"],
            id="upcoming-desc",
        ),
    ],
)
async def test_event_orders(client, events, filter, order, expected):
    assert await slugs_of(client, EVENTS, {"filter": filter, "orderBy": order}) == expected


# News ------------------------------------------------------------------------------------------


@pytest.fixture
async def news(tenants: dict[str, models.Tenant]) -> None:
    a = tenants["a"]
    launch, call = await factories.tag(a, slug="launch"), await factories.tag(a, slug="call")
    n1 = await factories.news_item(
        a,
        slug="n1",
        title="Bravo",
        kind=models.NewsKind.NEWS,
        language="en",
        thematic_areas=["gender-dimension"],
        published_at=at(1),
    )
    n2 = await factories.news_item(
        a,
        slug="n2",
        title="Charlie",
        kind=models.NewsKind.PRESS_RELEASE,
        language="en",
        published_at=at(2),
    )
    n3 = await factories.news_item(
        a,
        slug="n3",
        title="Alpha",
        kind=models.NewsKind.NEWS,
        language="pl",
        thematic_areas=["gender-dimension"],
        published_at=at(3),
    )
    await n1.tags.add(launch, call)
    await n2.tags.add(launch)
    await n3.tags.add(call)
    await factories.news_item(
        a,
        slug="scheduled",
        kind=models.NewsKind.NEWS,
        published_at=datetime.now(UTC) + timedelta(days=1),
    )
    await factories.news_item(tenants["b"], slug="other", language="pl", published_at=at(2))


NEWS_CASES = [
    pytest.param(None, ["n3", "n2", "n1"], id="no-filter"),
    pytest.param({"kinds": ["PRESS_RELEASE"]}, ["n2"], id="kinds-one"),
    pytest.param({"kinds": ["NEWS", "PRESS_RELEASE"]}, ["n3", "n2", "n1"], id="kinds-any"),
    pytest.param({"tags": ["launch"]}, ["n2", "n1"], id="tags-one"),
    pytest.param({"tags": ["launch", "call"]}, ["n1"], id="tags-all-of"),
    pytest.param({"language": "pl"}, ["n3"], id="language"),
    pytest.param({"thematicArea": "GENDER_DIMENSION"}, ["n3", "n1"], id="thematic-area"),
    pytest.param({"publishedAfter": "2024-02-10T09:00:00Z"}, ["n3", "n2"], id="published-after"),
    pytest.param({"publishedBefore": "2024-02-10T09:00:00Z"}, ["n1"], id="published-before"),
    pytest.param({"kinds": ["NEWS"], "tags": ["call"], "language": "en"}, ["n1"], id="combine"),
]


@pytest.mark.parametrize(("filter", "expected"), NEWS_CASES)
async def test_news_filters(client, news, filter, expected):
    assert await slugs_of(client, NEWS, {"filter": filter}) == expected


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        pytest.param(None, ["n3", "n2", "n1"], id="default"),
        pytest.param(
            {"field": "PUBLISHED_AT", "direction": "ASC"}, ["n1", "n2", "n3"], id="published-asc"
        ),
        pytest.param({"field": "TITLE", "direction": "ASC"}, ["n3", "n1", "n2"], id="title-asc"),
        pytest.param({"field": "TITLE", "direction": "DESC"}, ["n2", "n1", "n3"], id="title-desc"),
        pytest.param(
            {"field": "UPDATED_AT", "direction": "ASC"}, ["n2", "n3", "n1"], id="updated-asc"
        ),
        pytest.param(
            {"field": "UPDATED_AT", "direction": "DESC"}, ["n1", "n3", "n2"], id="updated-desc"
        ),
    ],
)
async def test_news_orders(client, news, order, expected):
    await _set_updated_at(models.NewsItem, ["n2", "n3", "n1"])
    assert await slugs_of(client, NEWS, {"orderBy": order}) == expected


# Pages -----------------------------------------------------------------------------------------


@pytest.fixture
async def pages(tenants: dict[str, models.Tenant]) -> None:
    a = tenants["a"]
    about = await factories.page(a, path="about", title="About us", menu_order=1)
    await factories.page(a, path="about/team", title="Team", menu_order=2, parent=about)
    await factories.page(a, path="about/join", title="Join", menu_order=1, parent=about)
    await factories.page(
        a, path="about/history", title="History", menu_order=1, parent=about, show_in_menu=False
    )
    await factories.page(a, path="contact", title="Contact", menu_order=0)
    await factories.page(a, path="legal", title="Legal notice", menu_order=5, show_in_menu=False)
    await factories.page(a, path="accueil", title="Bienvenue", menu_order=1, language="fr")
    await factories.page(a, path="about/draft", title="Draft", parent=about, status=Status.DRAFT)
    await factories.page(tenants["b"], path="about/other", title="Other")


PAGE_CASES = [
    pytest.param(
        None,
        ["contact", "about", "accueil", "history", "join", "team", "legal"],
        id="no-filter-menu-order-then-title",
    ),
    pytest.param({"parentPath": ""}, ["contact", "about", "accueil", "legal"], id="top-level"),
    pytest.param(
        {"parentPath": "/"}, ["contact", "about", "accueil", "legal"], id="top-level-slash"
    ),
    pytest.param({"parentPath": "about"}, ["history", "join", "team"], id="children"),
    pytest.param({"parentPath": "/about/"}, ["history", "join", "team"], id="children-slashes"),
    pytest.param({"parentPath": "contact"}, [], id="no-children"),
    pytest.param({"parentPath": "nowhere"}, [], id="unknown-parent"),
    pytest.param({"inMenu": True}, ["contact", "about", "accueil", "join", "team"], id="in-menu"),
    pytest.param({"inMenu": False}, ["history", "legal"], id="not-in-menu"),
    pytest.param({"language": "fr"}, ["accueil"], id="language"),
    pytest.param({"parentPath": "about", "inMenu": True}, ["join", "team"], id="combine"),
]


@pytest.mark.parametrize(("filter", "expected"), PAGE_CASES)
async def test_page_filters(client, pages, filter, expected):
    assert await slugs_of(client, PAGES, {"filter": filter}) == expected


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        pytest.param(
            {"field": "MENU"},
            ["contact", "about", "accueil", "history", "join", "team", "legal"],
            id="menu-asc",
        ),
        pytest.param(
            {"field": "MENU", "direction": "DESC"},
            ["legal", "team", "join", "history", "accueil", "about", "contact"],
            id="menu-desc",
        ),
        pytest.param(
            {"field": "PATH"},
            ["about", "history", "join", "team", "accueil", "contact", "legal"],
            id="path-asc",
        ),
        pytest.param(
            {"field": "PATH", "direction": "DESC"},
            ["legal", "contact", "accueil", "team", "join", "history", "about"],
            id="path-desc",
        ),
        pytest.param(
            {"field": "TITLE"},
            ["about", "accueil", "contact", "history", "join", "legal", "team"],
            id="title-asc",
        ),
        pytest.param(
            {"field": "TITLE", "direction": "DESC"},
            ["team", "legal", "join", "history", "contact", "accueil", "about"],
            id="title-desc",
        ),
    ],
)
async def test_page_orders(client, pages, order, expected):
    assert await slugs_of(client, PAGES, {"orderBy": order}) == expected


# The tenant directory --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        pytest.param({}, ["a", "b", "c", "hub"], id="all-by-name"),
        pytest.param({"kind": "HUB"}, ["hub"], id="kind"),
        pytest.param({"kind": "COP"}, ["a", "b"], id="kind-cop"),
        pytest.param({"parent": "hub"}, ["a", "b"], id="parent"),
        pytest.param({"parent": "a"}, [], id="parent-without-children"),
        pytest.param({"kind": "COP", "parent": "nowhere"}, [], id="combine"),
    ],
)
async def test_tenant_directory_arguments(client, tenants, variables, expected):
    data = await data_of(client, TENANTS, variables)
    assert [t["slug"] for t in data["tenants"]] == expected


# Limits ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "filter", "argument"),
    [
        pytest.param(RESOURCES, {"tags": [f"t{n}" for n in range(51)]}, "tags", id="resource-tags"),
        pytest.param(RESOURCES, {"kinds": ["TOOLKIT"] * 51}, "kinds", id="resource-kinds"),
        pytest.param(
            RESOURCES, {"tenants": [f"t{n}" for n in range(51)]}, "tenants", id="resource-tenants"
        ),
        pytest.param(VIDEOS, {"providers": ["VIMEO"] * 51}, "providers", id="video-providers"),
        pytest.param(VIDEOS, {"tags": [f"t{n}" for n in range(51)]}, "tags", id="video-tags"),
        pytest.param(PROFILES, {"roles": ["EXPERT"] * 51}, "roles", id="profile-roles"),
        pytest.param(
            PROFILES, {"tenants": [f"t{n}" for n in range(51)]}, "tenants", id="profile-tenants"
        ),
        pytest.param(ORGANISATIONS, {"kinds": ["RFO"] * 51}, "kinds", id="organisation-kinds"),
        pytest.param(EVENTS, {"formats": ["ONLINE"] * 51}, "formats", id="event-formats"),
        pytest.param(EVENTS, {"tags": [f"t{n}" for n in range(51)]}, "tags", id="event-tags"),
        pytest.param(NEWS, {"kinds": ["NEWS"] * 51}, "kinds", id="news-kinds"),
        pytest.param(NEWS, {"tags": [f"t{n}" for n in range(51)]}, "tags", id="news-tags"),
    ],
)
async def test_a_filter_with_more_than_50_values_is_refused(
    client, tenants, query, filter, argument
):
    body = (await graphql(client, query, {"filter": filter}, tenant="a")).json()
    assert body["data"] is None
    [error] = body["errors"]
    assert error["message"] == f"`{argument}` takes at most 50 values."
    assert error["extensions"] == {
        "code": "BAD_USER_INPUT",
        "reason": "INVALID_INPUT",
        "field": f"filter.{argument}",
    }


@pytest.mark.parametrize(
    ("query", "filter", "argument"),
    [
        pytest.param(
            RESOURCES,
            {"publishedAfter": "0001-01-01T00:00:00+05:00"},
            "publishedAfter",
            id="published-after",
        ),
        pytest.param(
            NEWS,
            {"publishedBefore": "0001-01-01T00:00:00+05:00"},
            "publishedBefore",
            id="published-before",
        ),
        pytest.param(
            EVENTS, {"startsAfter": "0001-01-01T00:00:00+05:00"}, "startsAfter", id="starts-after"
        ),
        pytest.param(
            EVENTS,
            {"startsBefore": "9999-12-31T23:00:00-05:00"},
            "startsBefore",
            id="starts-before",
        ),
    ],
)
async def test_an_instant_outside_the_utc_range_is_refused(
    client, tenants, query, filter, argument
):
    body = (await graphql(client, query, {"filter": filter}, tenant="a")).json()
    assert body["data"] is None
    [error] = body["errors"]
    assert error["message"] == f"`{argument}` is out of range."
    assert error["extensions"] == {
        "code": "BAD_USER_INPUT",
        "reason": "INVALID_INPUT",
        "field": f"filter.{argument}",
    }


async def test_a_filter_with_50_values_is_accepted(client, resources):
    assert await slugs_of(client, RESOURCES, {"filter": {"tags": ["gep"] * 50}}) == ["r2", "r1"]
    assert await slugs_of(client, RESOURCES, {"filter": {"tenants": ["a"] * 50}}) == [
        "r4",
        "r3",
        "r2",
        "r1",
    ]
    assert await slugs_of(client, RESOURCES, {"filter": {"kinds": ["GUIDE"] * 50}}) == ["r2"]


@pytest.mark.parametrize(
    ("query", "make"),
    [
        pytest.param(RESOURCES, factories.resource, id="resources"),
        pytest.param(VIDEOS, factories.video, id="videos"),
        pytest.param(EVENTS, factories.event, id="events"),
        pytest.param(NEWS, factories.news_item, id="news"),
    ],
)
async def test_fifty_distinct_tags_are_matched_all_of_and_quickly(client, tenants, query, make):
    """The all-of tag filter costs one subquery, whatever the number of tags (one subquery
    per tag made PostgreSQL's planning time double with every tag: 50 never finished)."""
    a = tenants["a"]
    tags = [await factories.tag(a, slug=f"t{n:02}") for n in range(50)]
    every = await make(a, slug="every")
    await every.tags.add(*tags)
    most = await make(a, slug="most")
    await most.tags.add(*tags[:49])
    slugs = [t.slug for t in tags]
    started = time.monotonic()
    assert await slugs_of(client, query, {"filter": {"tags": slugs}}) == ["every"]
    assert await slugs_of(client, query, {"filter": {"tags": slugs[:49]}}) in (
        ["every", "most"],
        ["most", "every"],
    )
    assert await slugs_of(client, query, {"filter": {"tags": slugs[:49] + ["missing"]}}) == []
    assert time.monotonic() - started < 5
