"""Give freed memory back to the operating system after a document.

Decoding a large image or rendering a page allocates hundreds of megabytes in many pieces; after
they are freed, glibc keeps the pages in its arenas, so a worker that once read one huge file
stays that large. ``malloc_trim(0)`` returns what is free. A no-op where there is no glibc.

Whether a document was big is judged by what reading it did to the process (``rss_bytes``
before and after), not only by its file: a 60 KB PNG can decode to hundreds of megabytes.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import os
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def _libc() -> Any:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    return libc if libc is not None and hasattr(libc, "malloc_trim") else None


def release() -> None:
    gc.collect()
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)


def rss_bytes() -> int | None:
    """This process's resident memory now (Linux ``/proc``), or None where it cannot be read."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError, AttributeError):
        return None


def grew_since(before: int | None) -> int:
    """Bytes the resident memory grew by since ``before`` (0 when either is unknown)."""
    now = rss_bytes()
    return 0 if before is None or now is None else max(0, now - before)
