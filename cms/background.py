"""Periodic background jobs of a server process that stop between rounds, never inside one.

Cancelling a task while it is inside a database transaction can leave the connection holding
its transaction lock (one connection on SQLite), and the next user of the database then waits
for ever. A `Periodic` job is asked to stop instead: the round under way finishes (each round
is bounded by its own timeouts), and the job ends before the next one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


class Periodic:
    """`work()` every `seconds` (after `first_wait`), logged and retried when it fails."""

    def __init__(
        self,
        name: str,
        work: Callable[[], Awaitable[object]],
        seconds: float,
        *,
        first_wait: float = 0.0,
    ) -> None:
        self.name = name
        self.work = work
        self.seconds = seconds
        self.first_wait = first_wait
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._stopping = asyncio.Event()
            self._task = asyncio.create_task(self._run(), name=self.name)

    async def stop(self) -> None:
        """Ask the job to stop and wait until the round under way (if any) has finished."""
        task, self._task = self._task, None
        if task is None:
            return
        self._stopping.set()
        await task

    async def _pause(self, seconds: float) -> bool:
        """Wait `seconds` or until asked to stop; True when asked to stop."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)
        return self._stopping.is_set()

    async def _run(self) -> None:
        if self.first_wait and await self._pause(self.first_wait):
            return
        while not self._stopping.is_set():
            try:
                await self.work()
            except Exception:  # the job must outlive a bad row or a database hiccup
                log.exception("%s: a round failed; retrying", self.name)
            if await self._pause(self.seconds):
                return
