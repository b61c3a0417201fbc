"""Stored GL mapping versions and vouchers. A voucher is written once, with its number and
lines, when its claim (or an advance movement booked on its own, a cash repayment) first
qualifies: exports read these rows, so a re-export is identical."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from reimburse.core.db import Base, UTCDateTime, utcnow


class GlMappingVersionRecord(Base):
    __tablename__ = "gl_mapping_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class VoucherRecord(Base):
    __tablename__ = "vouchers"
    __table_args__ = (
        UniqueConstraint("period", "seq"),
        # one voucher per claim, for the vouchers of claims; a movement's voucher (a repayment)
        # names the advance's request as its claim beside the payout's own voucher
        Index(
            "uq_vouchers_claim_voucher",
            "claim_id",
            unique=True,
            sqlite_where=text("movement_id IS NULL"),
            postgresql_where=text("movement_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"))
    # set on the voucher of an advance movement booked on its own (a cash repayment): one each
    movement_id: Mapped[int | None] = mapped_column(ForeignKey("advance_movements.id"), unique=True)
    period: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    seq: Mapped[int] = mapped_column(Integer)  # 凭证号 within the period
    number: Mapped[str] = mapped_column(String(32), unique=True)
    voucher_date: Mapped[date] = mapped_column(Date)
    mapping_version: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    total: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
