"""Stored invoice checks: one row per invoice key, its request, state, answer and schedule."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from reimburse.core.db import Base, UTCDateTime, utcnow


class InvoiceCheckRecord(Base):
    __tablename__ = "invoice_checks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    invoice_key: Mapped[str] = mapped_column(String(64), unique=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("claim_items.id", ondelete="SET NULL"))
    request: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(16), default="pending", index=True)  # pending|done|gave_up
    status: Mapped[str | None] = mapped_column(String(24))  # the VerificationStatus of the answer
    answer: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    checks_day: Mapped[date | None] = mapped_column()
    checks_today: Mapped[int] = mapped_column(Integer, default=0)
    next_check_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
