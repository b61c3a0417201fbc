"""Stored expense claims: claims, items, the invoice registry, budgets, approval tasks, audit.

The invoice registry's unique key is what makes duplicate refusal race-free: two claims
that submit the same invoice at the same moment both try to insert the same key and the
database lets exactly one of them through. Budgets are rows that submissions lock
(``SELECT ... FOR UPDATE`` on PostgreSQL) before they reserve, so approvals that race
cannot spend the same money twice.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    select,
    text,
)
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from reimburse.claims.domain import ClaimStatus
from reimburse.core.db import Base, UTCDateTime, utcnow
from reimburse.identity.records import UserRecord

MONEY = Numeric(14, 2)


# the statuses in which a claim no longer holds its pre-approval (another claim may link it)
PRE_APPROVAL_RELEASED = (ClaimStatus.REJECTED.value, ClaimStatus.WITHDRAWN.value, ClaimStatus.DELETED.value)
_LIVE_LINK = text(
    "pre_approval_id IS NOT NULL AND status NOT IN ({})".format(
        ", ".join(f"'{s}'" for s in PRE_APPROVAL_RELEASED)
    )
)


class ClaimRecord(Base):
    __tablename__ = "claims"
    # a pre-approval is taken over by one live claim at most: the database decides when two
    # claims link it at the same moment (migration 0020)
    __table_args__ = (
        Index(
            "uq_claims_live_pre_approval",
            "pre_approval_id",
            unique=True,
            sqlite_where=_LIVE_LINK,
            postgresql_where=_LIVE_LINK,
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str | None] = mapped_column(String(32), unique=True)
    submitter_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    cost_centre: Mapped[str | None] = mapped_column(String(32))  # a cost_centres.code
    purpose: Mapped[str] = mapped_column(String(500))
    # what the row is: an expense claim, a cash-advance request (借款) or a pre-approval (事前申请);
    # all three run through the approval flows, only expense claims are reimbursed
    kind: Mapped[str] = mapped_column(String(16), index=True, default="expense", server_default="expense")
    # an expense claim's approved pre-approval (same person), whose budget reservation it takes over
    pre_approval_id: Mapped[int | None] = mapped_column(ForeignKey("claims.id"), index=True)
    trip_start: Mapped[date | None] = mapped_column(Date)
    trip_end: Mapped[date | None] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    total: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0.00"))
    status: Mapped[str] = mapped_column(String(16), index=True, default=ClaimStatus.DRAFT.value)
    risk_score: Mapped[int | None] = mapped_column(Integer)
    decision: Mapped[str | None] = mapped_column(String(16))
    findings: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    flow_id: Mapped[str | None] = mapped_column(String(64))
    flow_version: Mapped[int | None] = mapped_column(Integer)
    route: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    payout_reference: Mapped[str | None] = mapped_column(String(128))
    paid_by: Mapped[str | None] = mapped_column(String(128))  # who told us it was paid
    claim_type: Mapped[str] = mapped_column(String(32), default="expense")  # selects the flow
    # the money, items, invoices, categories and department the route was planned on (see
    # claims.content): a resubmission with other content is routed again from the start
    routed_content: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # {"reasons": [...], "since": ...} while the claim is stopped for a finance decision
    hold: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    items: Mapped[list[ClaimItemRecord]] = relationship(
        back_populates="claim", cascade="all, delete-orphan", order_by="ClaimItemRecord.position"
    )
    # read with the claim (a primary-key lookup inside the same statement): every view of a
    # claim names its submitter, and a separate query for one name cost as much as the claim
    submitter_name: Mapped[str | None] = column_property(
        select(UserRecord.display_name)
        .where(UserRecord.id == submitter_id)
        .correlate_except(UserRecord)  # also when a query joins users itself
        .scalar_subquery()
    )

    # optimistic concurrency: a stale page's write fails instead of overwriting
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class ClaimItemRecord(Base):
    __tablename__ = "claim_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    category: Mapped[str] = mapped_column(String(32))
    amount: Mapped[Decimal] = mapped_column(MONEY)
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    expense_date: Mapped[date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(String(500), default="")
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"), index=True)
    result_index: Mapped[int | None] = mapped_column(Integer)
    invoice: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # extracted fields, corrections applied
    corrections: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    invoice_key: Mapped[str | None] = mapped_column(String(64), index=True)
    no_invoice_kind: Mapped[str | None] = mapped_column(String(32))
    no_invoice_reason: Mapped[str | None] = mapped_column(String(500))
    attendees: Mapped[int | None] = mapped_column(Integer)
    nights: Mapped[int | None] = mapped_column(Integer)
    city_tier: Mapped[int | None] = mapped_column(Integer)
    # ``amount`` is in the company currency (what budgets, totals and payouts count); the amount
    # as spent is ``original_amount`` in ``currency``, converted at ``fx_rate`` of ``fx_rate_date``
    original_amount: Mapped[Decimal | None] = mapped_column(MONEY)
    fx_rate: Mapped[Decimal | None] = mapped_column(Numeric(18, 8))
    fx_rate_date: Mapped[date | None] = mapped_column(Date)
    fx_source: Mapped[str | None] = mapped_column(String(64))
    # a foreign receipt or invoice as typed: {"kind", "issuer", "number", "issue_date", "country"}
    foreign_document: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    # a passenger ticket's facts for input VAT: {"transport", "passenger_name",
    # "passenger_is_employee", "fare", "fuel_surcharge"}
    ticket: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    # [{"dimension": "cost_centre"|"project", "code", "amount", "percent"}] (claims.splits)
    splits: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON(none_as_null=True))
    # a computed allowance: {"type": "per_diem", "city_tier", "days", "rate"} or
    # {"type": "mileage", "distance_km", "rate"}; the amount is rate x days / km, never typed
    allowance: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    # documents that are not invoices (itinerary, attendee list): ids of kind "attachment"
    attachments: Mapped[list[int]] = mapped_column(JSON, default=list)

    claim: Mapped[ClaimRecord] = relationship(back_populates="items")


class InvoiceRegistration(Base):
    """One row per invoice that is in a claim: the lifecycle unused -> locked -> reimbursed.

    ``invoice_key`` is unique across everything ever stored: an invoice cannot enter a
    second claim while this row exists; withdrawal or rejection deletes it (unlocks).
    """

    __tablename__ = "invoice_registry"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    invoice_key: Mapped[str] = mapped_column(String(64), unique=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("claim_items.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(16), default="locked")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
