"""Accepting uploads and processing them.

Upload: size check, content sniffing (the name is not trusted), the bytes into the store,
then a ``queued`` row — all before the client gets its answer. Processing claims one
document with a conditional UPDATE (queued, or processing with an expired lease), so two
workers never read the same document at once and a killed worker's document comes back.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from prometheus_client import Histogram
from sqlalchemy import Engine, or_, select, update
from sqlalchemy.orm import Session

from reimburse.core.db import unit_of_work, utcnow
from reimburse.core.errors import NotFound, ReimburseError
from reimburse.core.principal import Principal
from reimburse.documents import memory
from reimburse.documents.exceptions import StorageUnavailable
from reimburse.documents.records import DocumentRecord, DocumentResultRecord
from reimburse.documents.store import Store
from reimburse.ocr.errors import FileTooLarge, UnsupportedFormat
from reimburse.ocr.reader import DocumentReader
from reimburse.ocr.serialize import extraction_to_json
from reimburse.ocr.sniff import FileKind, sniff

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 5
_TRIM_AFTER_BYTES = 2 * 1024 * 1024
_TRIM_AFTER_GROWTH = 32 * 1024 * 1024  # resident memory the reading of one document added
OCR_SECONDS = Histogram(
    "reimburse_document_seconds", "time to read one document", buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30)
)


@dataclass(frozen=True, slots=True)
class Upload:
    filename: str
    data: bytes


@dataclass(frozen=True, slots=True)
class Staged:
    """A checked upload already in the store: what its row needs, without the bytes."""

    filename: str
    sha256: str
    size: int
    kind: FileKind


def stage(store: Store, upload: Upload, max_bytes: int) -> Staged:
    """Check one upload and put its bytes in the store (content-addressed: a repeat is free).
    The caller can drop the bytes afterwards, so a request holds one file in memory at a time."""
    if len(upload.data) > max_bytes:
        raise FileTooLarge(f"{upload.filename}: {len(upload.data)} bytes; the limit is {max_bytes}")
    if not upload.data:
        raise UnsupportedFormat(f"{upload.filename}: the file is empty")
    kind = sniff(upload.data)
    if kind is FileKind.UNKNOWN:
        raise UnsupportedFormat(f"{upload.filename}: not an image, PDF, OFD or XML file")
    digest = store.put(upload.data)
    return Staged(
        filename=(upload.filename or "upload")[-255:], sha256=digest, size=len(upload.data), kind=kind
    )


ATTACHMENT = "attachment"  # the status of a document kept beside an item, never read


def record(
    session: Session, principal: Principal, staged: Staged, *, attachment: bool = False
) -> DocumentRecord:
    """The stored upload: queued for reading, or (``attachment``: an itinerary, an attendee
    list) only kept, never queued for OCR."""
    doc = DocumentRecord(
        owner_subject=principal.subject,
        owner_user_id=principal.user_id,
        sha256=staged.sha256,
        size=staged.size,
        kind=staged.kind.value,
        filename=staged.filename,
        status=ATTACHMENT if attachment else "queued",
    )
    session.add(doc)
    session.flush()
    return doc


def accept(
    session: Session, store: Store, principal: Principal, upload: Upload, max_bytes: int
) -> DocumentRecord:
    return record(session, principal, stage(store, upload, max_bytes))


def claim(session: Session, document_id: int | None, now: datetime, lease: timedelta = LEASE) -> int | None:
    """Take a document to process (a given one, or the oldest waiting); None if there is none."""
    waiting = or_(
        DocumentRecord.status == "queued",
        (DocumentRecord.status == "processing") & (DocumentRecord.lease_until < now),
    )
    if document_id is None:
        document_id = session.scalars(
            select(DocumentRecord.id).where(waiting).order_by(DocumentRecord.id).limit(1)
        ).first()
        if document_id is None:
            return None
    taken = session.execute(
        update(DocumentRecord)
        .where(DocumentRecord.id == document_id, waiting)
        .values(status="processing", lease_until=now + lease, attempts=DocumentRecord.attempts + 1)
    )
    return document_id if taken.rowcount == 1 else None  # type: ignore[attr-defined]


def process(
    engine: Engine,
    store: Store,
    reader: Callable[[], DocumentReader],
    document_id: int | None,
    lease: timedelta = LEASE,
) -> int | None:
    """Claim and read one document; returns its id, or None when there was nothing to do.

    Each step owns its own transaction: the claim commits first (so the lease is visible to
    other workers), the results and the final status commit together.
    """
    with unit_of_work(engine) as session:
        claimed = claim(session, document_id, utcnow(), lease)
        if claimed is None:
            return None
        doc = session.get(DocumentRecord, claimed)
        assert doc is not None
        digest, attempts = doc.sha256, doc.attempts
    started = time.perf_counter()
    resident = memory.rss_bytes()
    data = b""
    try:
        data = store.get(digest)
        results = reader().read(data)
        rows = [extraction_to_json("", r.extraction, pages=r.page_numbers) for r in results]
        outcome: tuple[str, str | None, str | None] = ("done", None, None)
    except StorageUnavailable as exc:
        # The store is down, the document is fine: give it back without using up one of its
        # attempts, so an outage never fails documents; Celery retries, the sweep or the
        # local worker picks it up again.
        log.warning("document %s: %s", claimed, exc.message)
        _give_back(engine, claimed, attempts - 1, exc)
        raise
    except ReimburseError as exc:
        rows, outcome = [], ("failed", exc.code, exc.message)
    except Exception as exc:
        log.exception("document %s failed unexpectedly (attempt %s)", claimed, attempts)
        if _give_back(engine, claimed, attempts, exc):
            return claimed
        raise
    elapsed = time.perf_counter() - started
    OCR_SECONDS.observe(elapsed)
    with unit_of_work(engine) as session:
        doc = session.get(DocumentRecord, claimed)
        assert doc is not None
        for old in session.scalars(
            select(DocumentResultRecord).where(DocumentResultRecord.document_id == claimed)
        ):
            session.delete(old)  # a re-run replaces, never duplicates
        for pos, row in enumerate(rows):
            row.pop("source", None)
            session.add(DocumentResultRecord(document_id=claimed, position=pos, result=row))
        doc.status, doc.error_code, doc.error_message = outcome
        if doc.kind == "image" and outcome[0] == "done":
            doc.image_hash = photo_hash(data)
        doc.lease_until, doc.processed_at, doc.seconds = None, utcnow(), round(elapsed, 3)
    size, data, rows = len(data), b"", []
    # a big document: hand its memory back rather than keep the peak; last, after the photo's
    # hash too (it decodes the image once more)
    if size > _TRIM_AFTER_BYTES or elapsed > 1.0 or memory.grew_since(resident) > _TRIM_AFTER_GROWTH:
        memory.release()
    return claimed


def _give_back(engine: Engine, document_id: int, attempts: int, exc: Exception) -> bool:
    """After a failure that may pass, re-queue the document with ``attempts`` recorded, or
    mark it failed once ``MAX_ATTEMPTS`` are used up; True when it was marked failed."""
    final = attempts >= MAX_ATTEMPTS
    with unit_of_work(engine) as session:
        doc = session.get(DocumentRecord, document_id)
        assert doc is not None
        doc.status = "failed" if final else "queued"
        doc.attempts, doc.lease_until = attempts, None
        doc.error_code, doc.error_message = (
            ("processing_failed", type(exc).__name__) if final else (None, None)
        )
    return final


def photo_hash(data: bytes) -> int | None:
    """The photo's dHash as a signed 64-bit integer (what the database column holds)."""
    import cv2
    import numpy as np

    from reimburse.policy.rules.duplicates import dhash

    grey = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_REDUCED_GRAYSCALE_4)
    if grey is None or min(grey.shape[:2]) < 9:
        return None
    value = dhash(grey)
    return value - (1 << 64) if value >= 1 << 63 else value


def document_view(doc: DocumentRecord, results: list[DocumentResultRecord]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": doc.id,
        "filename": doc.filename,
        "kind": doc.kind,
        "size": doc.size,
        "sha256": doc.sha256,
        "status": doc.status,
        "created_at": doc.created_at.isoformat(),
        "processed_at": doc.processed_at.isoformat() if doc.processed_at else None,
        "results": [r.result for r in sorted(results, key=lambda r: r.position)],
    }
    if doc.error_code:
        out["error"] = {"code": doc.error_code, "message": doc.error_message}
    return out


# Whether the caller sees a claim that uses the document (the claims side knows; this one does not)
SeenThroughClaim = Callable[[Session, Principal, int], bool]


def visible_document(
    session: Session, principal: Principal, document_id: int, through_claim: SeenThroughClaim
) -> DocumentRecord:
    """The uploader's own document, or one used by a claim the caller may see; otherwise not
    found (ids reveal nothing)."""
    doc = session.get(DocumentRecord, document_id)
    if doc is None or not (
        doc.owner_subject == principal.subject or through_claim(session, principal, doc.id)
    ):
        raise NotFound("document not found")
    return doc


def document_page(session: Session, principal: Principal, limit: int) -> list[dict[str, Any]]:
    """The caller's own uploads, newest first."""
    docs = session.scalars(
        select(DocumentRecord)
        .where(DocumentRecord.owner_subject == principal.subject)
        .order_by(DocumentRecord.id.desc())
        .limit(min(max(limit, 1), 200))
    ).all()
    return [document_view(d, []) for d in docs]


def document_with_results(
    session: Session, principal: Principal, document_id: int, through_claim: SeenThroughClaim
) -> dict[str, Any]:
    doc = visible_document(session, principal, document_id, through_claim)
    results = list(
        session.scalars(select(DocumentResultRecord).where(DocumentResultRecord.document_id == doc.id))
    )
    return document_view(doc, results)
