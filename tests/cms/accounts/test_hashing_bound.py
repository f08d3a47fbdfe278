"""Password hashing holds argon2's memory while it runs: a burst of sign-ins queues for a few
slots instead of running all at once."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from cms import passwords

pytestmark = pytest.mark.anyio


async def test_at_most_a_few_hashes_run_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    running = 0
    most = 0
    lock = threading.Lock()

    def slow_verify(stored: str | None, password: str) -> bool:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.02)  # holds the slot, as a real hash does; no assertion depends on time
        with lock:
            running -= 1
        return False

    monkeypatch.setattr(passwords, "verify_password", slow_verify)
    results = await asyncio.gather(*(passwords.verify_in_thread(None, "x") for _ in range(12)))
    assert results == [False] * 12
    assert 1 <= most <= passwords.HASHING_AT_ONCE  # without the bound, up to 12 at once


async def test_the_bounded_helpers_hash_and_verify() -> None:
    stored = await passwords.hash_in_thread("a long enough passphrase")
    assert await passwords.verify_in_thread(stored, "a long enough passphrase")
    assert not await passwords.verify_in_thread(stored, "another passphrase")
    assert not await passwords.verify_in_thread(None, "a long enough passphrase")
