"""Passwords (argon2id) and e-mail addresses as accounts store them."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from anyio import CapacityLimiter, to_thread
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from cms.config import Settings

MIN_LENGTH = 10
MAX_LENGTH = 1000


@dataclass
class _Hashing:
    """The process's hasher, and a hash of nothing verified when there is no account, so that
    the time taken tells nothing (made on first need: hashing is deliberately slow)."""

    hasher: PasswordHasher = field(default_factory=PasswordHasher)
    dummy: str = ""

    def dummy_hash(self) -> str:
        if not self.dummy:
            self.dummy = self.hasher.hash("not a password of anyone")
        return self.dummy


# argon2-cffi's defaults (RFC 9106's low-memory profile: t=3, m=64 MiB, p=4) until `configure`.
_hashing = _Hashing()


def configure(settings: Settings) -> None:
    """Hash at the cost the settings give (CMS_ARGON2_*); the app factory calls this once."""
    global _hashing
    cost = (settings.argon2_time_cost, settings.argon2_memory_kib, settings.argon2_parallelism)
    current = _hashing.hasher
    if cost != (current.time_cost, current.memory_cost, current.parallelism):
        time_cost, memory_cost, parallelism = cost
        hasher = PasswordHasher(
            time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism
        )
        _hashing = _Hashing(hasher)


def hash_password(password: str) -> str:
    return _hashing.hasher.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """Whether `password` matches `stored`; None (no account, no password) costs the same."""
    try:
        return _hashing.hasher.verify(stored or _hashing.dummy_hash(), password) and (
            stored is not None
        )
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


# Each hash holds `argon2_memory_kib` of memory while it runs: at most this many run at once in
# a process (the others wait their turn), so a burst of anonymous sign-ins costs CPU time, not
# memory without bound (anyio's default thread pool would run 40 at once: 2.5 GiB).
HASHING_AT_ONCE = 2
_limiter: CapacityLimiter | None = None


def _slots() -> CapacityLimiter:
    global _limiter
    if _limiter is None:
        _limiter = CapacityLimiter(HASHING_AT_ONCE)
    return _limiter


async def hash_in_thread(password: str) -> str:
    """`hash_password` in a worker thread, at most `HASHING_AT_ONCE` at a time."""
    return await to_thread.run_sync(hash_password, password, limiter=_slots())


async def verify_in_thread(stored: str | None, password: str) -> bool:
    """`verify_password` in a worker thread, at most `HASHING_AT_ONCE` at a time."""
    return await to_thread.run_sync(verify_password, stored, password, limiter=_slots())


def needs_rehash(stored: str) -> bool:
    return _hashing.hasher.check_needs_rehash(stored)


def normalise_email(address: str) -> str:
    """The form an address is stored and looked up in: NFC, trimmed, lower case."""
    return unicodedata.normalize("NFC", address).strip().lower()
