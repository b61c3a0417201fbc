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

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


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


def _pdf(pages: int, width: float, height: float, text: str = "") -> bytes:
    import pymupdf

    doc = pymupdf.open()
    for _ in range(pages):
        page = doc.new_page(width=width, height=height)
        if text:
            page.insert_text((40, 60), text, fontsize=11)
    data: bytes = doc.tobytes()
    doc.close()
    return data


def test_giant_pages_are_refused_before_any_render() -> None:
    import pytest

    from reimburse.ocr.errors import DocumentTooComplex

    hostile = _pdf(3, 14400, 14400)  # a few KB: three blank pages of 5 x 5 metres
    assert len(hostile) < 20_000
    with pytest.raises(DocumentTooComplex) as caught:
        DocumentReader().read(hostile)
    assert caught.value.code == "document_too_complex"


def test_a_document_over_its_time_budget_fails_with_document_too_complex() -> None:
    import pytest

    from reimburse.ocr.einvoice.pdf import read_pdf
    from reimburse.ocr.errors import DocumentTooComplex
    from reimburse.ocr.reader import ReadLimits

    ticks = iter([0.0, 0.0, 0.5, 99.0])  # start, page 1, page 2, page 3: over a 10 s budget
    data = _pdf(3, 595, 842, "Invoice page with a text layer of more than twenty characters")
    with pytest.raises(DocumentTooComplex, match="2 of 3 pages"):
        read_pdf(
            data, limits=ReadLimits(time_budget_seconds=10), ocr=lambda b: None, clock=lambda: next(ticks)
        )  # type: ignore[arg-type, return-value]


def test_every_render_stays_within_the_pixel_budget() -> None:
    from reimburse.ocr.einvoice.pdf import render_zoom

    # the QR look-up renders the top 40 % of the page at 2x unless that passes the budget
    for width, height in ((595, 337), (2400, 960), (14400, 5760)):
        zoom = render_zoom(width, height, 2.0, 16_000_000)
        assert zoom <= 2.0 and (width * zoom) * (height * zoom) <= 16_000_000 * 1.0001
    assert render_zoom(595, 337, 2.0, 16_000_000) == 2.0  # an ordinary page is not degraded


def test_a_16_bit_image_is_refused_by_its_bytes_per_pixel_not_only_its_pixels() -> None:
    import numpy as np
    import pytest
    from PIL import Image

    from reimburse.ocr.errors import DecompressionBomb
    from reimburse.ocr.imaging.load import load_image

    side, budget = 3000, 100 * 1024 * 1024

    def png(image: Image.Image) -> bytes:
        out = io.BytesIO()
        image.save(out, "PNG")
        return out.getvalue()

    wide = png(Image.fromarray(np.full((side, side), 40000, dtype=np.uint16)))
    with pytest.raises(DecompressionBomb, match="MB to decode"):
        load_image(wide, max_pixels=80_000_000, max_decode_bytes=budget)
    narrow = png(Image.fromarray(np.zeros((side, side, 3), dtype=np.uint8)))
    assert load_image(narrow, max_pixels=80_000_000, max_decode_bytes=budget).shape == (side, side, 3)
    small = png(Image.fromarray(np.full((300, 300), 40000, dtype=np.uint16)))
    assert load_image(small, max_pixels=80_000_000, max_decode_bytes=budget)[0, 0, 0] == 255


def test_one_slow_document_does_not_starve_the_embedded_worker(
    migrated_engine: Engine, tmp_path: Path
) -> None:
    from reimburse.ocr.reader import ReadLimits

    wipe(migrated_engine)
    store = LocalStore(tmp_path / "store")
    reader = DocumentReader(limits=ReadLimits(time_budget_seconds=1e-9))  # every PDF is over budget
    slow = _queue(migrated_engine, store, _pdf(2, 595, 842, "x" * 40), "slow.pdf")
    fine = _queue(migrated_engine, store, next(SAMPLES.glob("*.xml")).read_bytes(), "fine.xml")
    worker = LocalWorker(migrated_engine, store, lambda: reader, idle_seconds=0.05)
    worker.start()
    try:
        for _ in range(600):
            with Session(migrated_engine) as s:
                states = {d.id: (d.status, d.error_code) for d in s.scalars(select(DocumentRecord))}
            if all(status in ("done", "failed") for status, _ in states.values()):
                break
            threading.Event().wait(0.05)
    finally:
        worker.stop()
        wipe(migrated_engine)
    assert states[slow] == ("failed", "document_too_complex")
    assert states[fine] == ("done", None)
