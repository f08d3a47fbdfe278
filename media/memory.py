"""Give freed memory back to the system after large image work.

Decoding a 40-megapixel photo takes a few hundred MB in a worker thread; Pillow frees it, but
glibc keeps the freed pages in that thread's arena, so a burst of renders left the server
about 60 MB larger for good (measured with bench.abuse's renditions-16: RSS kept after the
burst, 57 MiB without this, none with it). `malloc_trim(0)` returns them; it costs well
under a millisecond. On a C library without it (musl, macOS) this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
from collections.abc import Callable


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        trim: Callable[[int], int] = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):
        return None
    return trim


def release() -> None:
    """Return the freed heap pages of every arena to the system, where the C library can."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
