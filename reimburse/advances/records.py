"""Stored cash advances (借款 / 备用金): what was paid out to a person, what is still outstanding,
and every movement against it (an offset by a later claim, a cash repayment)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from reimburse.core.db import Base, UTCDateTime, utcnow

MONEY = Numeric(14, 2)


class AdvanceRecord(Base):
    """An advance once it is paid out: ``outstanding`` moves only by atomic, guarded
    ``UPDATE ... WHERE outstanding >= x RETURNING``, so it never goes below zero and two claims
    approved at once cannot both offset the same money."""

    __tablename__ = "advances"
    __table_args__ = (CheckConstraint("outstanding >= 0", name="outstanding_not_negative"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), unique=True)  # the approved request
    person_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    outstanding: Mapped[Decimal] = mapped_column(MONEY)
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    reference: Mapped[str | None] = mapped_column(String(128))
    paid_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AdvanceMovementRecord(Base):
    """One movement against an advance: ``offset`` (a later claim of the same person took
    ``amount`` of it at final approval) or ``repayment`` (cash returned, recorded by finance)."""

    __tablename__ = "advance_movements"
    __table_args__ = (UniqueConstraint("advance_id", "claim_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    advance_id: Mapped[int] = mapped_column(ForeignKey("advances.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # offset | repayment
    claim_id: Mapped[int | None] = mapped_column(ForeignKey("claims.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    reference: Mapped[str | None] = mapped_column(String(128))
    actor: Mapped[str] = mapped_column(String(128))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
