"""The embedded worker: a thread in the ``reimburse serve`` process that reads queued documents.

With no broker configured the documents table is the queue: the thread claims the oldest
waiting document (or one whose lease expired after a crash), reads it, and sleeps briefly
when there is nothing to do. A restart loses nothing: unfinished documents are still queued.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import Engine

from reimburse.documents import service
from reimburse.documents.store import Store
from reimburse.ocr.reader import DocumentReader

log = logging.getLogger(__name__)
MAX_BACKOFF_SECONDS = 30.0


class LocalWorker:
    def __init__(
        self,
        engine: Engine,
        store: Store,
        reader: Callable[[], DocumentReader],
        idle_seconds: float = 0.5,
        housekeeping: Callable[[], object] | None = None,
        housekeeping_seconds: float = 5.0,
        lease: timedelta = service.LEASE,
    ) -> None:
        self.engine, self.store, self.reader = engine, store, reader
        self.lease = lease  # REIMBURSE_DOCUMENT_LEASE_SECONDS: a crashed reader's document returns after it
        self.idle_seconds = idle_seconds
        # the embedded stand-in for `reimburse beat`: SLA timers, notifications, webhooks
        self.housekeeping, self.housekeeping_seconds = housekeeping, housekeeping_seconds
        self._last_housekeeping = 0.0
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name="reimburse-local-worker", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def wake(self) -> None:
        """New work arrived: don't wait for the next poll."""
        self._wake.set()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            try:
                done = service.process(self.engine, self.store, self.reader, None, self.lease)
                failures = 0
            except Exception:
                log.exception("local worker: processing failed; the document stays queued")
                done, failures = None, failures + 1
            if (
                self.housekeeping is not None
                and time.monotonic() - self._last_housekeeping > self.housekeeping_seconds
            ):
                self._last_housekeeping = time.monotonic()
                try:
                    self.housekeeping()
                except Exception:
                    log.exception("local worker: housekeeping failed; it runs again shortly")
            if done is None:
                # back off while failures repeat (the document store or database is down)
                self._wake.wait(min(self.idle_seconds * 2 ** min(failures, 10), MAX_BACKOFF_SECONDS))
                self._wake.clear()
