"""Handing approved claims to payroll: the list to pay, marking paid, exports."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from reimburse.audit import service as trail
from reimburse.budgets import service as ledger
from reimburse.claims.domain import ClaimStatus
from reimburse.claims.records import ClaimRecord
from reimburse.claims.requests import advance_offsets
from reimburse.core.controls import get_control
from reimburse.core.errors import Conflict, NotFound
from reimburse.core.outbox import OutboxRecord
from reimburse.identity.records import UserRecord

COLUMNS = (
    "claim_id",
    "number",
    "payee_id",
    "payee",
    "purpose",
    "total",
    "advance_offset",
    "payable",
    "currency",
    "approved_at",
)


def payable(session: Session, cursor: int | None, limit: int) -> tuple[list[dict[str, Any]], int | None]:
    """Approved, unpaid claims in id order; the cursor is the last id seen (stable under inserts).
    A claim stopped for a finance decision (a bad tax-bureau answer) is not payable until released.
    ``payable`` is what to pay: the total less the cash advances offset at approval."""
    query = (
        select(ClaimRecord, UserRecord.display_name)
        .join(UserRecord, UserRecord.id == ClaimRecord.submitter_id)
        .where(
            ClaimRecord.status == ClaimStatus.APPROVED,
            ClaimRecord.hold.is_(None),
            ClaimRecord.kind == "expense",  # advances are paid through /advances, estimates never
        )
        .order_by(ClaimRecord.id)
        .limit(limit + 1)
    )
    if cursor is not None:
        query = query.where(ClaimRecord.id > cursor)
    rows = session.execute(query).all()
    more = len(rows) > limit
    offsets = advance_offsets(session, [claim.id for claim, _ in rows[:limit]])
    items = [_row(claim, name, offsets.get(claim.id, Decimal("0.00"))) for claim, name in rows[:limit]]
    return items, (items[-1]["claim_id"] if more and items else None)


def _row(claim: ClaimRecord, payee: str, offset: Decimal) -> dict[str, Any]:
    return {
        "claim_id": claim.id,
        "number": claim.number,
        "payee_id": claim.submitter_id,
        "payee": payee,
        "purpose": claim.purpose,
        "total": f"{claim.total:.2f}",
        "advance_offset": f"{offset:.2f}",
        "payable": f"{claim.total - offset:.2f}",
        "currency": claim.currency,
        "approved_at": claim.decided_at.isoformat() if claim.decided_at else None,
    }


def mark_paid(
    session: Session,
    claim_id: int,
    reference: str | None,
    now: datetime,
    actor: str = "system",
    paid_at: datetime | None = None,
) -> dict[str, Any]:
    """Mark an approved claim paid (``paid_at``: when payroll says it paid, default ``now``); the
    audit entry is stamped ``now`` and carries payroll's reference and time."""
    claim = session.get(ClaimRecord, claim_id, with_for_update=True)
    if claim is None:
        raise NotFound(f"claim {claim_id} not found")
    if claim.kind != "expense":
        raise Conflict(
            f"{claim.number} is a {claim.kind.replace('_', '-')} request, not a claim (advances are paid "
            "through /advances/{id}/paid)",
            code="not_a_claim",
        )
    if claim.status == ClaimStatus.PAID:
        if reference and claim.payout_reference and reference != claim.payout_reference:
            raise Conflict(
                f"claim {claim_id} was already paid with reference {claim.payout_reference}",
                code="already_paid",
            )
        return paid_view(claim)
    if claim.status != ClaimStatus.APPROVED:
        raise Conflict(f"a {claim.status} claim cannot be paid", code="claim_not_approved")
    if claim.hold:
        raise Conflict(f"claim {claim_id} is stopped for a finance decision", code="claim_held")
    claim.status, claim.paid_at, claim.payout_reference = ClaimStatus.PAID, paid_at or now, reference
    from reimburse.claims.registry import mark_invoices

    mark_invoices(session, claim, "closed")  # the invoice's life ends with the payment
    if get_control(session, "budget_consume_at") == "payment":
        ledger.settle(session, claim, consume=True)  # approval kept the money reserved until now
    session.add(
        OutboxRecord(
            kind="webhook",
            topic="claim.paid",
            payload={
                "event": "claim.paid",
                "claim_id": claim.id,
                "number": claim.number,
                "reference": reference,
            },
        )
    )
    session.flush()
    trail.record(
        session,
        claim,
        "paid",
        actor,
        "",
        now,
        {"reference": reference, "paid_at": claim.paid_at.isoformat()},
        state_before="approved",
    )  # last: the audit head is the last lock taken
    return paid_view(claim)


def paid_view(claim: ClaimRecord) -> dict[str, Any]:
    return {
        "claim_id": claim.id,
        "number": claim.number,
        "status": claim.status,
        "paid_at": claim.paid_at.isoformat() if claim.paid_at else None,
        "reference": claim.payout_reference,
    }


def export_csv(items: list[dict[str, Any]]) -> bytes:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(items)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")  # BOM: Excel opens UTF-8 Chinese correctly


def export_xlsx(items: list[dict[str, Any]]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "payouts"
    ws.append(list(COLUMNS))
    for item in items:
        ws.append([item[c] for c in COLUMNS])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
