"""The search interface the rest of the CMS uses: search with hydration, indexing, the poller.

Nothing outside `search_index/` imports Whoosh; the app, the schema and the CLI only see
`SearchService`, `Audience`, `Filters` and plain result objects.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TypeVar

import anyio
from anyio import to_thread

from cms import models
from cms.config import Settings
from cms.errors import LimitExceeded
from search_index.budget import SearchLimits
from search_index.cache import ResultCache
from search_index.documents import MODELS
from search_index.indexer import Indexer
from search_index.query import Filters, Hit, Searching, SearchPage
from search_index.store import LEADER, IndexStore, WriterLock
from search_index.visibility import Audience, database_q

log = logging.getLogger("cms.search")

_T = TypeVar("_T")  # what the work handed to a search thread returns

POLL_SECONDS = 0.5
# A process that is not the indexer looks this often whether the indexer's process is gone.
LEADER_RETRY_SECONDS = 2.0


@dataclass
class Found:
    """A hit whose row the audience may read, loaded from the database."""

    hit: Hit
    row: models.ContentModel


@dataclass
class Results:
    page: SearchPage
    found: list[Found]


def index_dir(settings: Settings) -> Path:
    return settings.data_dir / "search_index"


class SearchService:
    """One per process: the index store, its searchers, and the outbox indexer."""

    def __init__(
        self,
        root: Path,
        *,
        poll_seconds: float = POLL_SECONDS,
        limits: SearchLimits | None = None,
        threads: int = 4,
        queue: int = 32,
        node_name: str = "",
        outbox_keep: timedelta = timedelta(days=7),
        cache_bytes: int = 0,
    ) -> None:
        self.store = IndexStore(root)
        # Public results, by index generation (0 bytes: no cache).
        self.cache = ResultCache(cache_bytes) if cache_bytes > 0 else None
        self.searching = Searching(self.store, limits, pool_size=threads)
        self.indexer = Indexer(self.store, consumer=node_name, keep=outbox_keep)
        # Held for the process's life by the one process (of the workers of one data dir)
        # whose poller drains the outbox; the OS frees it if that process dies, and the
        # poller of another takes it (LEADER_RETRY_SECONDS).
        self.leader = WriterLock(root / LEADER)
        self.poll_seconds = poll_seconds
        self.threads = threads
        self.queue = queue
        self._limiter: anyio.CapacityLimiter | None = None
        self._task: asyncio.Task[None] | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> SearchService:
        limits = SearchLimits(
            time_seconds=settings.search_time_ms / 1000,
            max_expansions=settings.search_max_expansions,
        )
        return cls(
            index_dir(settings),
            limits=limits,
            threads=settings.search_threads,
            queue=settings.search_queue,
            node_name=settings.node_name,
            outbox_keep=timedelta(hours=settings.outbox_keep_hours),
            cache_bytes=settings.search_cache_mb * 2**20 if settings.search_cache else 0,
        )

    @property
    def limiter(self) -> anyio.CapacityLimiter:
        """The search threads: their own, so a burst of searches leaves the others' free."""
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(self.threads)
        return self._limiter

    async def _run(self, work: Callable[[], _T]) -> _T:
        limiter = self.limiter
        waiting = limiter.statistics().tasks_waiting
        if limiter.available_tokens == 0 and waiting >= self.queue:
            raise LimitExceeded(
                f"Too many searches at once ({self.threads} running and {waiting} waiting; "
                f"at most {self.queue} may wait). Try again shortly."
            )
        return await to_thread.run_sync(work, limiter=limiter)

    async def search(
        self,
        text: str,
        audience: Audience,
        filters: Filters = Filters(),  # noqa: B008 - frozen
        *,
        first: int = 20,
        offset: int = 0,
        facets: bool = True,
        highlights: bool = True,
        public: bool = False,
    ) -> Results:
        """A page of hits re-checked against the database and loaded in one query per kind.

        `public`: the caller is anonymous, so its page may come from (and go to) the result
        cache; a preview or member audience never does, whatever it says.
        """
        cache = self.cache if public and not (audience.preview or audience.member) else None
        page = await self._run(
            lambda: self.searching.search(
                text,
                audience,
                filters,
                first=first,
                offset=offset,
                facets=facets,
                highlights=highlights,
                cache=cache,
            )
        )
        return Results(page=page, found=await hydrate(page.hits, audience))

    async def document_count(self) -> int:
        return await self._run(self.searching.count)

    async def drain(self) -> int:
        return await self.indexer.drain()

    async def rebuild(self, progress: Callable[[int, int], None] | None = None) -> int:
        return await self.indexer.rebuild(progress)

    def start(self) -> None:
        """Poll the outbox in the background; the first round drains what a crash left."""
        if self._task is None:
            self._task = asyncio.create_task(self._poll(), name="search-indexer")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self.store.lock.release()
        self.leader.release()
        await to_thread.run_sync(self.searching.close)

    async def _poll(self) -> None:
        """Drain the outbox, in one process of those serving this data dir (the others only
        search, and take over if that process dies)."""
        while True:
            if not self.leader.acquire():
                await asyncio.sleep(LEADER_RETRY_SECONDS)
                continue
            try:
                await self.indexer.drain()
            except asyncio.CancelledError:
                raise
            except Exception:  # the poller must outlive a bad row or a database hiccup
                log.exception("search indexer: draining the outbox failed; retrying")
            await asyncio.sleep(self.poll_seconds)


async def hydrate(hits: list[Hit], audience: Audience) -> list[Found]:
    """The rows of the hits that the audience may still see, in hit order."""
    wanted: dict[str, list[int]] = defaultdict(list)
    for hit in hits:
        wanted[hit.content_type].append(hit.object_id)
    rows: dict[tuple[str, int], models.ContentModel] = {}
    for content_type, ids in wanted.items():
        model = MODELS[content_type]
        for row in await model.filter(database_q(audience, content_type), id__in=ids):
            rows[(content_type, row.id)] = row
    return [
        Found(hit, rows[(hit.content_type, hit.object_id)])
        for hit in hits
        if (hit.content_type, hit.object_id) in rows
    ]
