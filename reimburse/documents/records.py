"""Stored documents and what was read from them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from reimburse.core.db import Base, UTCDateTime, utcnow


class DocumentRecord(Base):
    """An uploaded file. ``status``: queued -> processing -> done | failed.

    ``lease_until`` makes the table itself a crash-safe queue: a worker that dies while
    processing leaves a lease that expires, and the document is picked up again.
    """

    __tablename__ = "documents"
    __table_args__ = (Index("ix_documents_status_lease", "status", "lease_until"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_subject: Mapped[str] = mapped_column(String(128), index=True)
    owner_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(8))
    filename: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error_code: Mapped[str | None] = mapped_column(String(64))
    error_message: Mapped[str | None] = mapped_column(Text)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    seconds: Mapped[float | None] = mapped_column()
    # 64-bit difference hash of a photo (stored signed), to flag the same photo submitted twice
    image_hash: Mapped[int | None] = mapped_column(BigInteger, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class DocumentResultRecord(Base):
    """One invoice (or non-invoice) found in a document, in the CLI/API JSON shape."""

    __tablename__ = "document_results"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
