"""The JSON shape of claims for the API (and the web app): one function per view."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from reimburse.claims import requests
from reimburse.claims.records import ClaimItemRecord, ClaimRecord
from reimburse.routing.records import AuditEntryRecord


def money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def item_view(item: ClaimItemRecord) -> dict[str, Any]:
    return {
        "id": item.id,
        "position": item.position,
        "category": item.category,
        "amount": money(item.amount),
        "currency": item.currency,
        "original_amount": money(item.original_amount),
        "expense_date": item.expense_date.isoformat(),
        "description": item.description,
        "document_id": item.document_id,
        "result_index": item.result_index,
        "invoice": item.invoice,
        "corrections": item.corrections,
        "invoice_key": item.invoice_key,
        "no_invoice_kind": item.no_invoice_kind,
        "no_invoice_reason": item.no_invoice_reason,
        "attendees": item.attendees,
        "nights": item.nights,
        "city_tier": item.city_tier,
        "conversion": conversion_view(item),
        "foreign_document": item.foreign_document,
        "ticket": item.ticket,
        "splits": list(item.splits or []),
        "allowance": item.allowance,
        "attachments": list(item.attachments or []),
    }


def conversion_view(item: ClaimItemRecord) -> dict[str, Any] | None:
    """How the item's amount as spent became company currency (None for rows without it)."""
    if item.original_amount is None or item.fx_rate is None or item.fx_rate_date is None:
        return None
    return {
        "original_amount": money(item.original_amount),
        "currency": item.currency,
        "rate": f"{item.fx_rate.normalize():f}",
        "rate_date": item.fx_rate_date.isoformat(),
        "source": item.fx_source,
        "converted_amount": money(item.amount),
    }


def route_view(route: dict[str, Any] | None) -> dict[str, Any] | None:
    """The planned steps with their people and state, for the timeline and the flow diagram."""
    if route is None:
        return None
    return {
        "status": route.get("status"),
        "flow": {"id": route.get("flow_id"), "version": route.get("flow_version")},
        "nodes": [
            {
                "id": step.get("id"),
                "name": step.get("name"),
                "kind": step.get("kind"),
                "status": step.get("status"),
                "assignees": step.get("assignees", []),
                "tasks": [
                    {
                        "id": t.get("id"),
                        "assignee": t.get("assignee"),
                        "status": t.get("status"),
                        "acted_by": t.get("acted_by"),
                        "acted_at": t.get("acted_at"),
                        "comment": t.get("comment"),
                    }
                    for t in step.get("tasks", [])
                ],
            }
            for step in route.get("steps", [])
        ],
    }


def audit_view(entry: AuditEntryRecord) -> dict[str, Any]:
    return {
        "seq": entry.seq,
        "at": entry.at.isoformat(),
        "actor": entry.actor,
        "action": entry.action,
        "comment": entry.comment,
        "state_before": entry.state_before,
        "state_after": entry.state_after,
        "hash": entry.hash,
    }


class SummaryFields(Protocol):
    """What a claim summary shows: a ``ClaimRecord``, or a row of ``SUMMARY_COLUMNS``."""

    @property
    def id(self) -> int: ...
    @property
    def number(self) -> str | None: ...
    @property
    def kind(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def purpose(self) -> str: ...
    @property
    def total(self) -> Decimal: ...
    @property
    def currency(self) -> str: ...
    @property
    def submitter_id(self) -> int: ...
    @property
    def submitter_name(self) -> str | None: ...
    @property
    def department_id(self) -> int | None: ...
    @property
    def risk_score(self) -> int | None: ...
    @property
    def decision(self) -> str | None: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def submitted_at(self) -> datetime | None: ...
    @property
    def decided_at(self) -> datetime | None: ...
    @property
    def paid_at(self) -> datetime | None: ...
    @property
    def version(self) -> int: ...


# Lists (the inbox) select just these columns: plain rows, no ORM objects to build per claim.
SUMMARY_COLUMNS = (
    ClaimRecord.id,
    ClaimRecord.number,
    ClaimRecord.kind,
    ClaimRecord.status,
    ClaimRecord.purpose,
    ClaimRecord.total,
    ClaimRecord.currency,
    ClaimRecord.submitter_id,
    ClaimRecord.submitter_name,
    ClaimRecord.department_id,
    ClaimRecord.risk_score,
    ClaimRecord.decision,
    ClaimRecord.created_at,
    ClaimRecord.submitted_at,
    ClaimRecord.decided_at,
    ClaimRecord.paid_at,
    ClaimRecord.version,
)


def claim_summary(claim: SummaryFields) -> dict[str, Any]:
    return {
        "id": claim.id,
        "number": claim.number,
        "kind": claim.kind,
        "status": claim.status,
        "purpose": claim.purpose,
        "total": money(claim.total),
        "currency": claim.currency,
        "submitter": {"id": claim.submitter_id, "display_name": claim.submitter_name},
        "department_id": claim.department_id,
        "risk": {"score": claim.risk_score, "decision": claim.decision},
        "created_at": claim.created_at.isoformat(),
        "submitted_at": claim.submitted_at.isoformat() if claim.submitted_at else None,
        "decided_at": claim.decided_at.isoformat() if claim.decided_at else None,
        "paid_at": claim.paid_at.isoformat() if claim.paid_at else None,
        "version": claim.version,
    }


def claim_view(
    claim: ClaimRecord, timeline: list[AuditEntryRecord], advance_offset: Decimal = Decimal("0.00")
) -> dict[str, Any]:
    out = claim_summary(claim)
    out.update(
        {
            "trip_start": claim.trip_start.isoformat() if claim.trip_start else None,
            "trip_end": claim.trip_end.isoformat() if claim.trip_end else None,
            "cost_centre": claim.cost_centre,
            "claim_type": claim.claim_type,
            "items": [item_view(i) for i in claim.items],
            "risk": {"score": claim.risk_score, "decision": claim.decision, "findings": claim.findings},
            "route": route_view(claim.route),
            "timeline": [audit_view(e) for e in timeline],
            "payout_reference": claim.payout_reference,
            # set while the claim is stopped for a finance decision (claims.holds)
            "hold": claim.hold,
            "pre_approval_id": claim.pre_approval_id,
            # outstanding advances offset at final approval: payroll pays the rest (net_payable)
            "advance_offset": money(advance_offset),
            "net_payable": money(claim.total - advance_offset),
        }
    )
    return out


_TIMELINE = (
    select(AuditEntryRecord)
    .where(AuditEntryRecord.claim_id == bindparam("claim_id"))
    .order_by(AuditEntryRecord.seq)
)


def claim_view_with_timeline(session: Session, claim: ClaimRecord) -> dict[str, Any]:
    """The whole claim with its audit trail, as the claim screen shows it."""
    offset = requests.advance_offset(session, claim.id) if claim.kind == "expense" else Decimal("0.00")
    return claim_view(claim, list(session.scalars(_TIMELINE, {"claim_id": claim.id})), offset)
