"""Rich text through the API: the safety checks are linear, nesting is bounded before the
sanitiser runs, and sanitising happens in a worker thread, never on the event loop."""

from __future__ import annotations

import threading
from typing import Any

import anyio
import anyio.lowlevel
import nh3
import pytest

from cms import models
from cms.services import richtext
from tests import factories
from tests.factories import bearer, database_state
from tests.support.api import graphql

pytestmark = pytest.mark.anyio

CREATE_NEWS = """
mutation ($input: CreateNewsItemInput!) {
  createNewsItem(input: $input) { newsItem { slug body } errors { field message code } }
}"""
CREATE_PAGE = """
mutation ($input: CreatePageInput!) {
  createPage(input: $input) { page { path body } errors { field message code } }
}"""


async def _editor(client: Any) -> dict[str, str]:
    home = await factories.tenant(slug="home")
    return bearer((await factories.token(home, "editor"))[1])


def _refuse_sanitising(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> str:
        raise AssertionError("the sanitiser ran on HTML the depth check should have refused")

    monkeypatch.setattr(nh3, "clean", refuse)


DEEP = [
    pytest.param("<div>" * 40_000, id="40000-nested-div"),
    pytest.param("<div>" * 101 + "text" + "</div>" * 101, id="101-nested-div"),
    # An end tag the parser ignores (</span> does not close past a <div>) hides no depth.
    pytest.param("<span><div></span>" * 200, id="ignored-end-tags"),
    pytest.param("<li><ul></li>" * 200, id="lists-in-items"),
    pytest.param("<table><tr><td>" * 60, id="tables-in-cells"),
    # Each of these nests in the parser though a closing or reopening tag seems to undo it.
    pytest.param("<p><div>" * 200, id="blocks-in-paragraphs"),
    pytest.param("<option><div>" * 200, id="blocks-in-options"),
    pytest.param("<div><svg><foreignObject></div>" * 100, id="ends-past-svg"),
    pytest.param("<table><template></table>" * 100, id="templates-in-tables"),
]


@pytest.mark.parametrize("body", DEEP)
@pytest.mark.parametrize("kind", ["NewsItem", "Page"])
async def test_deep_nesting_is_refused_before_the_sanitiser_runs(client, monkeypatch, body, kind):
    headers = await _editor(client)
    _refuse_sanitising(monkeypatch)
    before = await database_state()
    document, field, values = {
        "NewsItem": (CREATE_NEWS, "createNewsItem", {"title": "Deep"}),
        "Page": (CREATE_PAGE, "createPage", {"title": "Deep", "path": "deep"}),
    }[kind]
    response = await graphql(
        client, document, {"input": {**values, "body": body}}, tenant="home", headers=headers
    )
    payload = response.json()["data"][field]
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("body", "TOO_DEEP")]
    assert str(richtext.MAX_DEPTH) in payload["errors"][0]["message"]
    assert await database_state() == before


async def test_nesting_up_to_the_limit_is_kept(client):
    headers = await _editor(client)
    depth = richtext.MAX_DEPTH
    body = "<div>" * depth + "deep" + "</div>" * depth
    body += "<ul><li>a<li>b<li>c</ul>" * 300 + "<p>x<p>y<p>z" * 300  # unclosed items nest not
    response = await graphql(
        client,
        CREATE_NEWS,
        {"input": {"title": "Deep", "body": body}},
        tenant="home",
        headers=headers,
    )
    payload = response.json()["data"]["createNewsItem"]
    assert payload["errors"] == []
    assert payload["newsItem"]["body"].count("<div>") == depth


async def test_a_body_of_angle_brackets_is_answered(client):
    """200,000 `<` (the longest body): the event-handler check once scanned from every `<` to
    the end, minutes of CPU for this body; now it is one pass."""
    headers = await _editor(client)
    response = await graphql(
        client,
        CREATE_NEWS,
        {"input": {"title": "Brackets", "body": "<" * 200_000}},
        tenant="home",
        headers=headers,
    )
    payload = response.json()["data"]["createNewsItem"]
    assert payload["errors"] == []
    assert payload["newsItem"]["body"] == "&lt;" * 200_000


async def test_a_longer_body_is_refused(client):
    headers = await _editor(client)
    response = await graphql(
        client,
        CREATE_NEWS,
        {"input": {"title": "Long", "body": "x" * 200_001}},
        tenant="home",
        headers=headers,
    )
    errors = response.json()["data"]["createNewsItem"]["errors"]
    assert [(e["field"], e["code"]) for e in errors] == [("body", "TOO_LONG")]
    assert not await models.NewsItem.exists()


async def test_sanitising_runs_off_the_event_loop(client, monkeypatch):
    """While the sanitiser works, the server still answers: /healthz completes before the
    sanitiser is let go. On the event loop, the sanitiser would wait for a health check that
    could never run."""
    headers = await _editor(client)
    answered = threading.Event()
    sanitise = richtext.sanitise

    def slow_sanitise(html: str) -> str:
        assert threading.current_thread() is not threading.main_thread()
        answered.wait(timeout=30)  # a guard against a deadlock, not a measurement
        return sanitise(html)

    monkeypatch.setattr("cms.services.validation.sanitise", slow_sanitise)
    results: dict[str, Any] = {}

    async def create() -> None:
        results["create"] = await graphql(
            client,
            CREATE_NEWS,
            {"input": {"title": "T", "body": "<p>hello</p>"}},
            tenant="home",
            headers=headers,
        )

    async def health() -> None:
        await anyio.lowlevel.checkpoint()  # let the create start first
        results["health"] = await client.get("/healthz")
        results["created_before_health"] = "create" in results
        answered.set()

    async with anyio.create_task_group() as group:
        group.start_soon(create)
        group.start_soon(health)
    assert results["health"].status_code == 200
    assert results["created_before_health"] is False
    assert results["create"].json()["data"]["createNewsItem"]["newsItem"]["body"] == (
        "<p>hello</p>"
    )
