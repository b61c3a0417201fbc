"""Stored budgets: one line per department, category (or "*") and period, and what each claim
reserved on it, so approval consumes and rejection releases exactly that."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from reimburse.core.db import Base

MONEY = Numeric(14, 2)


class BudgetRecord(Base):
    __tablename__ = "budgets"
    __table_args__ = (UniqueConstraint("department_id", "category", "period_start"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    category: Mapped[str] = mapped_column(String(32))  # a category, or "*" for all
    period: Mapped[str] = mapped_column(String(8))  # month | quarter | year
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)  # exclusive
    amount: Mapped[Decimal] = mapped_column(MONEY)
    committed: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0.00"))
    spent: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0.00"))


class BudgetReservation(Base):
    """What a claim took from a budget, so approval consumes and rejection releases exactly it."""

    __tablename__ = "budget_reservations"
    __table_args__ = (UniqueConstraint("claim_id", "budget_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("budgets.id"))
    amount: Mapped[Decimal] = mapped_column(MONEY)
    state: Mapped[str] = mapped_column(String(16), default="reserved")  # reserved|consumed|released
