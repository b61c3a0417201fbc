"""Give freed memory back to the operating system after a document.

Decoding a large image or rendering a page allocates hundreds of megabytes in many pieces; after
they are freed, glibc keeps the pages in its arenas, so a worker that once read one huge file
stays that large. ``malloc_trim(0)`` returns what is free. A no-op where there is no glibc.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
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
