"""The single writer: drains the outbox into the index, and rebuilds the index from the database.

Each index (one per node, in its data dir) is an outbox consumer with its own position
(`cms.outbox`): several servers sharing one database each keep their own index. Only the
process holding this index's writer lock writes to it; the others only search. A batch is
applied to the index and committed before the consumer's position moves past it, so a crash at
any point leaves those events ahead of the position and the next drain applies them again
(applying is idempotent: a document is rebuilt from the row as it is now, or deleted if the row
is gone). A consumer with no position (a new node, or one dropped after being away longer than
the keep period) rebuilds from the database first; so does an index built with other fields.

A document shows what the public may see of related rows (a resource's live authors, its tags),
so a change to one of those re-indexes the documents that show it. They are found both through
the database's links and through the ids each document keeps (`author_ids`, `tag_ids`): when a
tag or profile is deleted, its links are gone with it, and only the index still knows who
showed it. An author scheduled to go live (or to expire) changes no row when the time comes:
each drain also re-indexes the resources whose authors' publication or expiry time has passed
since the last one.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from anyio import to_thread
from tortoise.expressions import Q
from whoosh import query as wq

from cms import models, outbox
from cms.outbox import REBUILDING, Position
from cms.services.kinds import AUTHORED, kind_of
from search_index.documents import MODELS, key_of, load_documents, tagged_items, tenant_slugs
from search_index.store import IndexStore

log = logging.getLogger("cms.search")

# Authors are profiles: a profile's change re-indexes the items it is an author of.
PROFILE = kind_of(models.Profile).name
BATCH = 500
REBUILD_CHUNK = 2000
# The rebuild's posting buffer (by Whoosh's estimate of its size): one that holds most of a
# 50,000-item index saves most of the spill to sorted runs on disk and their merge.
REBUILD_BUFFER_MB = 1024


# How often a node deletes the outbox events every consumer has applied, and says it is alive.
PURGE_SECONDS = 60.0
SEEN_SECONDS = 60.0
# How many times (50 ms apart) a drain waits for events held back by an open transaction.
IN_FLIGHT_WAITS = 200  # of 50 ms: up to 10 s for events held behind a transaction still open


class Indexer:
    """Keeps the index in step with the database through the outbox."""

    def __init__(
        self,
        store: IndexStore,
        *,
        batch: int = BATCH,
        consumer: str = "",
        keep: timedelta = timedelta(days=7),
    ) -> None:
        self.store = store
        self.batch = batch
        # This index's name as an outbox consumer (read from the index directory when empty).
        self._consumer = consumer
        self.keep = keep
        self._purged_at: datetime | None = None
        self._seen_at: datetime | None = None
        # Tests stop a drain between the index commit and the outbox update with this hook.
        self.after_commit: Callable[[list[int]], None] | None = None
        # The instant documents are made at; tests move it to see scheduled authors go live.
        self.clock: Callable[[], datetime] = lambda: datetime.now(UTC)
        # Authors' publication and expiry times up to here are in the documents.
        self._timed_until: datetime | None = None

    @property
    def consumer(self) -> str:
        if not self._consumer:
            self._consumer = self.store.node_name()
        return self._consumer

    async def drain(self, *, max_batches: int | None = None) -> int:
        """Apply every pending outbox event; 0 when another process holds the writer lock."""
        if not self.store.lock.acquire():
            return 0
        try:
            position = await outbox.position_of(self.consumer)
            if position is None or position == REBUILDING:
                log.info("search index: consumer %s has no position; rebuilding", self.consumer)
                await self._rebuild(None)
            elif await to_thread.run_sync(self.store.current_is_stale):
                log.info("search index: built with other fields; rebuilding it")
                await self._rebuild(None)
            elif self.store.current_name() is None:
                log.info("search index: none in %s; rebuilding", self.store.root)
                await self._rebuild(None)
            position = await outbox.position_of(self.consumer)
            done = batches = 0
            waits = 0
            while position is not None and (max_batches is None or batches < max_batches):
                events = await outbox.pending(position, self.batch)
                if not events:
                    # Committed events behind a transaction still open (in any database of
                    # the cluster): wait a moment for it rather than a whole poll.
                    if waits < IN_FLIGHT_WAITS and await outbox.in_flight(position):
                        waits += 1
                        await asyncio.sleep(0.05)
                        continue
                    break
                await self._batch(events)
                position = events[-1].position
                if not await outbox.advance(self.consumer, position, datetime.now(UTC)):
                    break  # dropped as unseen meanwhile: the next drain rebuilds
                self._seen_at = datetime.now(UTC)
                done += len(events)
                batches += 1
            await self._authors_due()
            await self._housekeeping(position)
            return done
        finally:
            self.store.lock.release()

    async def _housekeeping(self, position: Position | None) -> None:
        """Say this node is alive, and delete the events every consumer has applied."""
        now = datetime.now(UTC)
        if position is not None and (
            self._seen_at is None or now - self._seen_at > timedelta(seconds=SEEN_SECONDS)
        ):
            await outbox.advance(self.consumer, position, now)
            self._seen_at = now
        if self._purged_at is None or now - self._purged_at > timedelta(seconds=PURGE_SECONDS):
            self._purged_at = now
            await outbox.purge(now, self.keep)

    async def _batch(self, events: list[outbox.Event]) -> None:
        wanted: dict[str, set[int]] = defaultdict(set)
        for event in events:
            if event.content_type in MODELS:
                wanted[event.content_type].add(event.object_id)
        profiles = sorted(wanted[PROFILE])
        if profiles:  # author names are part of their resources' documents
            authored = models.ResourceAuthor.filter(profile_id__in=profiles)
            # Tortoise types a flat values_list as tuples (tortoise-orm#1112): these are ids.
            resource_ids = cast(list[int], await authored.values_list("resource_id", flat=True))
            wanted[AUTHORED.name].update(resource_ids)
            await self._add_referrers(wanted, "author_ids", profiles)
        tags = sorted({e.object_id for e in events if e.content_type == "Tag"})
        if tags:  # a renamed or deleted tag changes the documents that carry it
            for content_type, ids in (await tagged_items(tags)).items():
                wanted[content_type].update(ids)
            await self._add_referrers(wanted, "tag_ids", tags)
        await self._reindex(wanted)
        if self.after_commit is not None:
            self.after_commit([e.position.id for e in events])

    async def _reindex(self, wanted: dict[str, set[int]]) -> None:
        """Rebuild the documents of these rows from the database (deleting the rows gone)."""
        wanted = {ct: ids for ct, ids in wanted.items() if ids}
        if not wanted:
            return
        slugs = await tenant_slugs()
        now = self.clock()
        updates: list[dict[str, Any]] = []
        deletes: list[str] = []
        for content_type, ids in wanted.items():
            docs = await load_documents(content_type, ids, slugs, now)
            updates.extend(docs.values())
            deletes.extend(key_of(content_type, i) for i in ids if i not in docs)
        if updates or deletes:
            await to_thread.run_sync(self._apply, updates, deletes)

    async def _add_referrers(self, wanted: dict[str, set[int]], field: str, ids: list[int]) -> None:
        found = await to_thread.run_sync(self._referrers, field, ids)
        for content_type, object_id in found:
            if content_type in MODELS:
                wanted[content_type].add(object_id)

    def _referrers(self, field: str, ids: list[int]) -> list[tuple[str, int]]:
        """The documents that were made with any of these related rows."""
        opened = self.store.open()
        if opened is None:
            return []
        _, ix = opened
        try:
            with ix.searcher() as searcher:
                query = wq.Or([wq.Term(field, str(i)) for i in ids])
                return [
                    (stored["kind"], int(stored["object_id"]))
                    for stored in (
                        searcher.stored_fields(docnum) for docnum in query.docs(searcher)
                    )
                ]
        finally:
            ix.close()

    async def _authors_due(self) -> None:
        """Re-index resources whose authors went live or expired since the last drain."""
        now = self.clock()
        since = self._timed_until
        if since is None:
            since = await to_thread.run_sync(self.store.last_written)
        self._timed_until = now
        if since is None or since >= now:
            return
        due = Q(published_at__gt=since, published_at__lte=now) | Q(
            expires_at__gt=since, expires_at__lte=now
        )
        profiles = await models.Profile.filter(due).values_list("id", flat=True)
        if not profiles:
            return
        authored = models.ResourceAuthor.filter(profile_id__in=list(profiles))
        resources = set(cast(list[int], await authored.values_list("resource_id", flat=True)))
        await self._reindex({AUTHORED.name: resources})

    def _apply(self, updates: list[dict[str, Any]], deletes: list[str]) -> None:
        ix = self.store.open_or_create()
        writer = ix.writer(timeout=10.0)
        try:
            for key in deletes:
                writer.delete_by_term("key", key)
            for doc in updates:
                writer.update_document(**doc)
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        ix.close()

    async def rebuild(self, progress: Callable[[int, int], None] | None = None) -> int:
        """A fresh index of every item, swapped in atomically; returns the documents written.

        It holds the writer lock throughout, so the consumer's position does not move against
        the old index meanwhile: what changes during the rebuild is applied to the new one.
        """
        while True:  # the poller of a running server may hold it for a batch
            if self.store.lock.acquire():
                break
            await asyncio.sleep(0.1)
        try:
            return await self._rebuild(progress)
        finally:
            self.store.lock.release()

    async def _rebuild(self, progress: Callable[[int, int], None] | None) -> int:
        """The rebuild itself; the caller holds the writer lock.

        A consumer new to the outbox holds every event back while it reads (REBUILDING), so
        that no other node deletes what it will need; afterwards it continues from the head
        taken before the first read (events between are applied again, which is harmless).
        """
        if await outbox.position_of(self.consumer) is None:
            await outbox.register(self.consumer, REBUILDING, datetime.now(UTC))
        head = await outbox.head()
        name = await to_thread.run_sync(self.store.new_generation)
        try:
            count = await self._fill(name, progress)
        except BaseException:
            self.store.discard(name)
            raise
        await to_thread.run_sync(self.store.publish, name)
        await outbox.register(self.consumer, head, datetime.now(UTC))
        self._seen_at = datetime.now(UTC)
        return count

    async def _fill(self, name: str, progress: Callable[[int, int], None] | None) -> int:
        from whoosh import index

        totals = {ct: await model.all().count() for ct, model in MODELS.items()}
        total = sum(totals.values())
        ix = index.open_dir(str(self.store.root / name))
        writer = ix.writer(limitmb=REBUILD_BUFFER_MB)
        done = 0
        try:
            slugs = await tenant_slugs()
            for content_type, model in MODELS.items():
                last = 0
                while True:
                    ids = cast(
                        list[int],
                        await model.filter(id__gt=last)
                        .order_by("id")
                        .limit(REBUILD_CHUNK)
                        .values_list("id", flat=True),
                    )
                    if not ids:
                        break
                    last = ids[-1]
                    docs = await load_documents(content_type, ids, slugs, self.clock())
                    await to_thread.run_sync(_add_all, writer, list(docs.values()))
                    done += len(docs)
                    if progress is not None:
                        progress(done, total)
            await to_thread.run_sync(writer.commit)
        except BaseException:
            writer.cancel()
            raise
        finally:
            ix.close()
        return done


def _add_all(writer: Any, docs: list[dict[str, Any]]) -> None:
    for doc in docs:
        writer.add_document(**doc)
