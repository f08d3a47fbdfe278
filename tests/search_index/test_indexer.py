"""The indexer: outbox draining, crash safety (kill -9), one writer, and the atomic rebuild."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cms.services import content
from cms.services.content import SYSTEM
from cms.services.kinds import KINDS
from search_index import Audience, Filters, SearchService
from search_index import service as search_service
from tests import factories
from tests.support.search import follow_from_start, pending_events

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parents[2]
PLATFORM = Audience(tenant_id=None, now=datetime(2100, 1, 1, tzinfo=UTC))

# A child that drains the outbox in batches of 7 and stops dead at a chosen point of batch 3.
CHILD = textwrap.dedent(
    """
    import asyncio, sys, time
    from pathlib import Path
    from cms import db
    from cms.config import Settings
    from search_index import SearchService
    from search_index import indexer as indexer_module

    database_url, root, point = sys.argv[1:4]
    service = SearchService(Path(root))
    service.indexer.batch = 7
    batches = 0

    def stop_here():
        print("READY", flush=True)
        time.sleep(600)

    real_apply = service.indexer._apply

    def apply(updates, deletes):
        global batches
        batches += 1
        if batches == 3 and point == "writing":
            ix = service.store.open_or_create()
            writer = ix.writer()
            for doc in updates[: len(updates) // 2]:
                writer.update_document(**doc)
            stop_here()  # killed with the Whoosh writer open and half a batch written
        real_apply(updates, deletes)

    def committed(ids):
        if batches == 3 and point == "committed":
            stop_here()  # killed after the index commit, before the outbox rows are marked

    service.indexer._apply = apply
    service.indexer.after_commit = committed

    async def main():
        settings = Settings(data_dir=Path(root), database_url=database_url)
        await db.init(settings, run_migrations=False)
        await service.drain()

    asyncio.run(main())
    """
)


async def _published_items(count: int) -> list[int]:
    owner = await factories.tenant()
    ids = []
    for n in range(count):
        row = await content.create(
            SYSTEM,
            owner,
            KINDS["Resource"],
            {"title": f"Crash proof item {n}", "kind": "report", "shared": True},
        )
        await content.publish(SYSTEM, KINDS["Resource"], row.id)
        ids.append(row.id)
    return ids


@pytest.mark.parametrize("point", ["writing", "committed"])
async def test_kill_9_mid_batch_loses_nothing(app_settings, clean_database, tmp_path, point):
    ids = await _published_items(15)  # 30 outbox rows: batches of 7, killed in the third
    root = tmp_path / "search_index"
    service = SearchService(root)
    await follow_from_start(service)  # a node that has applied none of them yet
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        CHILD,
        app_settings.database_url,
        str(root),
        point,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        line = await asyncio.wait_for(child.stdout.readline(), timeout=60)
        assert line.strip() == b"READY", line
        assert await pending_events(service) > 0
    finally:
        child.send_signal(signal.SIGKILL)
        await child.communicate()
    assert child.returncode == -signal.SIGKILL

    # The next start drains what is left.
    assert await service.drain() > 0
    assert await pending_events(service) == 0
    results = await service.search("crash proof", PLATFORM, first=100)
    assert sorted(f.row.id for f in results.found) == sorted(ids)
    assert results.page.total == 15
    assert await service.document_count() == 15
    service.searching.close()


async def test_one_writer_at_a_time_across_services_on_one_directory(clean_database, tmp_path):
    await _published_items(2)
    first, second = SearchService(tmp_path / "ix"), SearchService(tmp_path / "ix")
    await follow_from_start(first)
    assert first.store.lock.acquire()
    try:
        assert await second.drain() == 0  # the other holds the lock: it only searches
        assert await pending_events(second) == 4
    finally:
        first.store.lock.release()
    assert await second.drain() == 4
    assert (await first.search("crash", PLATFORM)).page.total == 2
    first.searching.close()
    second.searching.close()


async def test_rebuild_swaps_atomically_while_searches_keep_answering(clean_database, tmp_path):
    await _published_items(30)
    service = SearchService(tmp_path / "ix")
    await service.drain()
    assert service.store.current_name() == "index.1"
    counts: list[int] = []
    progress: list[tuple[int, int]] = []

    async def keep_searching() -> None:
        while True:
            counts.append((await service.search("crash", PLATFORM, first=100)).page.total)
            await asyncio.sleep(0)

    searcher = asyncio.create_task(keep_searching())
    try:
        assert await service.rebuild(lambda done, total: progress.append((done, total))) == 30
        await asyncio.sleep(0.05)
    finally:
        searcher.cancel()
        with pytest.raises(asyncio.CancelledError):
            await searcher
    assert counts and set(counts) == {30}
    assert progress[-1] == (30, 30)
    assert service.store.current_name() == "index.2"
    await service.rebuild()
    assert service.store.current_name() == "index.3"
    assert sorted(p.name for p in (tmp_path / "ix").glob("index.*")) == ["index.2", "index.3"]
    assert (await service.search("crash", PLATFORM)).page.total == 30
    service.searching.close()


async def test_the_lifespan_poller_drains_on_start_what_was_left(app, clean_database):
    await _published_items(3)
    service = app.state.search
    await follow_from_start(service)
    async with app.router.lifespan_context(app):
        for _ in range(50):
            if await pending_events(service) == 0:
                break
            await asyncio.sleep(0.1)
    assert await pending_events(service) == 0
    assert (await app.state.search.search("crash", PLATFORM)).page.total == 3
    app.state.search.searching.close()


async def test_renamed_tags_and_authors_reach_the_documents_that_show_them(
    clean_database, tmp_path
):
    from cms.services.tags import update_tag

    owner = await factories.tenant()
    tag = await factories.tag(owner, slug="old-slug")
    # Shared, so the platform may see her name on the shared resource.
    author = await factories.profile(owner, name="Ada Quillfeather", shared=True)
    row = await factories.resource(
        owner, title="Budget lines", shared=True, tags=[tag], authors=[author]
    )
    service = SearchService(tmp_path / "ix")
    await service.rebuild()
    resources = Filters(kinds=("Resource",))
    assert (await service.search("quillfeather", PLATFORM, resources)).page.total == 1
    await update_tag(SYSTEM, tag.id, None, "new-slug")
    await content.update(SYSTEM, KINDS["Profile"], author.id, {"name": "Ada Lovelace"}, 1)
    await service.drain()
    results = await service.search("lovelace", PLATFORM, resources)
    assert [f.row.id for f in results.found] == [row.id]
    assert dict(results.page.facets["tags"]) == {"new-slug": 1}
    assert (await service.search("quillfeather", PLATFORM)).page.total == 0
    service.searching.close()


async def test_an_index_built_with_other_fields_is_ignored_then_rebuilt(clean_database, tmp_path):
    from whoosh import index

    from search_index.documents import build_schema

    await _published_items(3)
    service = SearchService(tmp_path / "ix")
    # What an earlier release left: the same index without the expiry field, and no version.
    old = service.store.root / "index.1"
    old.mkdir(parents=True)
    fields = build_schema()
    fields.remove("expires_at")
    writer = index.create_in(str(old), fields).writer()
    writer.add_document(key="Resource:999", kind="Resource", status="published")
    writer.commit()
    service.store.publish("index.1")
    assert service.store.current_is_stale()
    # Its filters would name a field it lacks: searches find nothing rather than failing, and
    # it counts as empty, so `cms serve` rebuilds it before serving.
    assert (await service.search("crash", PLATFORM)).page.total == 0
    assert await service.document_count() == 0
    await follow_from_start(service)  # (it had applied none of the events either)
    service.store.publish("index.1")
    assert await service.drain() == 0  # rebuilt first, which covers every pending event
    assert await pending_events(service) == 0
    assert service.store.current_name() == "index.2" and not service.store.current_is_stale()
    assert (await service.search("crash", PLATFORM)).page.total == 3
    service.searching.close()


async def test_one_poller_across_services_and_another_takes_over_when_it_stops(
    clean_database, tmp_path, monkeypatch
):
    monkeypatch.setattr(search_service, "LEADER_RETRY_SECONDS", 0.05)
    first = SearchService(tmp_path / "ix", poll_seconds=0.05)
    second = SearchService(tmp_path / "ix", poll_seconds=0.05)
    drains = {"first": 0, "second": 0}
    for name, service in (("first", first), ("second", second)):
        original = service.indexer.drain

        async def counted(*, name: str = name, original=original, **kwargs) -> int:
            drains[name] += 1
            return await original(**kwargs)

        service.indexer.drain = counted  # type: ignore[method-assign]
    first.start()
    for _ in range(100):
        if drains["first"] >= 3:
            break
        await asyncio.sleep(0.05)
    second.start()
    for _ in range(5):
        await asyncio.sleep(0.05)
    assert first.leader.held and not second.leader.held
    assert drains["second"] == 0  # it only searches while the other polls
    await first.stop()
    await _published_items(2)
    for _ in range(100):
        if await pending_events(second) == 0:
            break
        await asyncio.sleep(0.05)
    assert await pending_events(second) == 0
    assert second.leader.held and drains["second"] > 0
    assert (await second.search("crash", PLATFORM)).page.total == 2
    await second.stop()
