"""Passwords (argon2id) and e-mail addresses as accounts store them."""

from __future__ import annotations

import unicodedata

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

# argon2-cffi's defaults (RFC 9106's low-memory profile: t=3, m=64 MiB, p=4).
_HASHER = PasswordHasher()
# Verified against when an address has no account, so that the time taken tells nothing.
_DUMMY = _HASHER.hash("not a password of anyone")

MIN_LENGTH = 10
MAX_LENGTH = 1000


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """Whether `password` matches `stored`; None (no account, no password) costs the same."""
    try:
        return _HASHER.verify(stored or _DUMMY, password) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    return _HASHER.check_needs_rehash(stored)


def normalise_email(address: str) -> str:
    """The form an address is stored and looked up in: NFC, trimmed, lower case."""
    return unicodedata.normalize("NFC", address).strip().lower()
