"""Run in a subprocess by ``test_document_memory``: read queued documents the way a worker does
(``documents.service.process`` with the real reader and OCR engine) and report, as JSON on
stdout, the process's resident memory before each measured document (after handing back all
free memory, so that the baseline is the process's floor), its peak while it was read
(``VmHWM`` after resetting it through ``/proc/self/clear_refs``), right after, and the floor
after that: what a ``malloc_trim`` of the probe's own still gives back is memory the worker kept
but did not need.

``python -m tests.security.memory_probe DATABASE_URL STORE_DIR WARM_IDS MEASURED_IDS``
(ids comma-separated). A process of its own, so that nothing the test runner holds is counted.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import json
import sys
import time
from pathlib import Path
from typing import Any

from reimburse.core.db import make_engine
from reimburse.core.models import import_all_models
from reimburse.documents import memory, service
from reimburse.documents.store import LocalStore
from reimburse.ocr.reader import DocumentReader


def _trim() -> None:
    """The probe's own trim (not ``memory.release``: the code under test)."""
    gc.collect()
    ctypes.CDLL(ctypes.util.find_library("c")).malloc_trim(0)


def _peak_reset() -> None:
    with open("/proc/self/clear_refs", "w") as f:  # "5": reset the peak resident set size
        f.write("5")


def _peak() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def _rss() -> int:
    now = memory.rss_bytes()
    if now is None:
        raise RuntimeError("/proc/self/statm cannot be read")
    return now


def main(argv: list[str]) -> dict[str, Any]:
    url, store_dir, warm, measured = argv
    import_all_models()
    engine = make_engine(url)
    store = LocalStore(Path(store_dir))
    reader = DocumentReader()  # the worker's defaults: the real OCR engine and the read limits
    for doc_id in warm.split(","):  # models loaded and every stage used once
        service.process(engine, store, lambda: reader, int(doc_id))
    out: dict[str, Any] = {}
    for doc_id in measured.split(","):
        _trim()
        before = _rss()
        _peak_reset()
        started = time.perf_counter()
        service.process(engine, store, lambda: reader, int(doc_id))
        seconds = round(time.perf_counter() - started, 2)
        peak, after = _peak(), _rss()
        _trim()
        out[doc_id] = {"before": before, "peak": peak, "after": after, "floor": _rss(), "seconds": seconds}
    engine.dispose()
    return out


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:])))
