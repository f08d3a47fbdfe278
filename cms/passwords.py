"""Passwords (argon2id) and e-mail addresses as accounts store them."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

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


def needs_rehash(stored: str) -> bool:
    return _hashing.hasher.check_needs_rehash(stored)


def normalise_email(address: str) -> str:
    """The form an address is stored and looked up in: NFC, trimmed, lower case."""
    return unicodedata.normalize("NFC", address).strip().lower()
