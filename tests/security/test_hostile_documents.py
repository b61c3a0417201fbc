"""Malformed files fail once with their own code; the embedded reader honours the lease setting."""

from __future__ import annotations

import io
import threading
import zipfile
from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from reimburse.api.app import create_app
from reimburse.core.db import utcnow
from reimburse.core.principal import Principal
from reimburse.core.settings import Settings
from reimburse.documents import service
from reimburse.documents.local_worker import LocalWorker
from reimburse.documents.records import DocumentRecord
from reimburse.documents.store import LocalStore
from reimburse.ocr.reader import DocumentReader
from tests.api_helpers import wipe


def broken_ofd() -> bytes:
    """A zip that sniffs as OFD (its directory names OFD.xml) whose compressed data is corrupt."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("OFD.xml", b"<OFD>" + b"x" * 5000 + b"</OFD>")
        z.writestr("Doc_0/Document.xml", b"<a/>" * 1000)
    data = bytearray(buf.getvalue())
    for i in range(60, 120):
        data[i] ^= 0x5A
    return bytes(data)


def _queue(engine: Engine, store: LocalStore, data: bytes, name: str) -> int:
    with Session(engine) as s:
        doc = service.accept(s, store, Principal(subject="test:hostile"), service.Upload(name, data), 10**7)
        s.commit()
        return doc.id


def test_a_malformed_file_fails_once_with_its_own_code(migrated_engine: Engine, tmp_path: Path) -> None:
    wipe(migrated_engine)
    store = LocalStore(tmp_path / "store")
    reader = DocumentReader()
    try:
        doc_id = _queue(migrated_engine, store, broken_ofd(), "broken.ofd")
        assert service.process(migrated_engine, store, lambda: reader, doc_id) == doc_id
        with Session(migrated_engine) as s:
            doc = s.get(DocumentRecord, doc_id)
            assert doc is not None
            assert (doc.status, doc.attempts, doc.error_code) == ("failed", 1, "malformed_document")
            assert doc.error_message and "malformed" in doc.error_message
        # nothing left to retry
        assert service.process(migrated_engine, store, lambda: reader, None) is None
    finally:
        wipe(migrated_engine)


class _LeaseSpy(DocumentReader):
    """Notes the lease the worker took, then reads nothing."""

    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self.db, self.seen = engine, threading.Event()
        self.lease_left: timedelta | None = None

    def read(self, data: bytes) -> list:  # type: ignore[type-arg]
        with Session(self.db) as s:
            until = s.scalars(
                select(DocumentRecord.lease_until).where(DocumentRecord.status == "processing")
            ).one()
        self.lease_left = until - utcnow()
        self.seen.set()
        return []


def test_the_embedded_worker_honours_the_lease_setting(
    migrated_engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    wipe(migrated_engine)
    store = LocalStore(tmp_path / "store")
    spy = _LeaseSpy(migrated_engine)
    _queue(migrated_engine, store, b"<EInvoice/>", "a.xml")
    worker = LocalWorker(migrated_engine, store, lambda: spy, idle_seconds=0.05, lease=timedelta(seconds=7))
    worker.start()
    try:
        assert spy.seen.wait(30)
    finally:
        worker.stop()
        wipe(migrated_engine)
    assert spy.lease_left is not None and timedelta(seconds=5) < spy.lease_left <= timedelta(seconds=7)
    # and the app builds its embedded worker from REIMBURSE_DOCUMENT_LEASE_SECONDS
    with TestClient(
        create_app(settings.model_copy(update={"document_lease_seconds": 7}), local_worker=True)
    ) as c:
        assert c.app.state.local_worker.lease == timedelta(seconds=7)  # type: ignore[attr-defined]
