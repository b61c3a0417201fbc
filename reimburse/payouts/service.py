"""Handing approved claims to payroll: the list to pay (with whom and where to pay), marking
paid, the paid list and its reconciliation export.

The payroll pull and its exports are the only places a bank account number is shown in full;
the paid list and the reconciliation export show it masked.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from reimburse.audit import service as trail
from reimburse.budgets import service as ledger
from reimburse.claims.domain import ClaimStatus
from reimburse.claims.records import ClaimRecord
from reimburse.claims.registry import move_invoices
from reimburse.claims.requests import advance_offsets
from reimburse.core.controls import get_control
from reimburse.core.errors import Conflict, NotFound
from reimburse.core.outbox import OutboxRecord
from reimburse.identity import payroll
from reimburse.identity.datakey import DataCipher
from reimburse.identity.records import DepartmentRecord, UserRecord
from reimburse.policy.rules.lifecycle import InvoiceEvent

COLUMNS = (
    "claim_id",
    "number",
    "employee_number",
    "payee_id",
    "payee",
    "bank_name",
    "bank_branch",
    "bank_account",
    "department",
    "purpose",
    "total",
    "advance_offset",
    "payable",
    "currency",
    "approved_at",
    "splits",
)
PAID_COLUMNS = (
    "claim_id",
    "number",
    "employee_number",
    "payee_id",
    "payee",
    "bank_name",
    "bank_account",
    "department",
    "total",
    "currency",
    "approved_at",
    "paid_at",
    "reference",
    "paid_by",
)
MONEY_COLUMNS = frozenset({"total", "advance_offset", "payable"})


def payable(
    session: Session, cursor: int | None, limit: int, cipher: DataCipher
) -> tuple[list[dict[str, Any]], int | None]:
    """Approved, unpaid claims in id order; the cursor is the last id seen (stable under inserts).
    A claim stopped for a finance decision (a bad tax-bureau answer) is not payable until released.
    Each row carries the payee's bank account in full: this is payroll's pull. ``payable`` is
    what to pay: the total less the cash advances offset at approval."""
    query = (
        select(ClaimRecord, UserRecord, DepartmentRecord.name)
        .join(UserRecord, UserRecord.id == ClaimRecord.submitter_id)
        .outerjoin(DepartmentRecord, DepartmentRecord.id == ClaimRecord.department_id)
        .where(
            ClaimRecord.status == ClaimStatus.APPROVED,
            ClaimRecord.hold.is_(None),
            ClaimRecord.kind == "expense",  # advances are paid through /advances, estimates never
        )
        .options(selectinload(ClaimRecord.items))  # the splits, in one more query for the page
        .order_by(ClaimRecord.id)
        .limit(limit + 1)
    )
    if cursor is not None:
        query = query.where(ClaimRecord.id > cursor)
    rows = session.execute(query).all()
    more = len(rows) > limit
    offsets = advance_offsets(session, [claim.id for claim, _, _ in rows[:limit]])
    items = [
        _row(claim, user, dept, payroll.account_number(user, cipher), offsets.get(claim.id, Decimal("0.00")))
        for claim, user, dept in rows[:limit]
    ]
    return items, (items[-1]["claim_id"] if more and items else None)


def _row(
    claim: ClaimRecord, user: UserRecord, department: str | None, account: str | None, offset: Decimal
) -> dict[str, Any]:
    return {
        "claim_id": claim.id,
        "number": claim.number,
        "employee_number": user.employee_number,
        "payee_id": claim.submitter_id,
        "payee": user.payee_name or user.display_name,
        "bank_name": user.bank_name,
        "bank_branch": user.bank_branch,
        "bank_account": account,
        "department": department,
        "purpose": claim.purpose,
        "total": f"{claim.total:.2f}",
        "advance_offset": f"{offset:.2f}",
        "payable": f"{claim.total - offset:.2f}",
        "currency": claim.currency,
        "approved_at": claim.decided_at.isoformat() if claim.decided_at else None,
        "splits": claim_splits(claim),
    }


def claim_splits(claim: ClaimRecord) -> list[dict[str, str]]:
    """The claim's money per cost centre and project, added up over its split items."""
    totals: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for item in claim.items:
        for share in item.splits or []:
            totals[(share["dimension"], share["code"])] += Decimal(share["amount"])
    return [{"dimension": d, "code": c, "amount": f"{v:.2f}"} for (d, c), v in sorted(totals.items())]


def mark_paid(
    session: Session,
    claim_id: int,
    reference: str | None,
    now: datetime,
    actor: str = "system",
    paid_at: datetime | None = None,
) -> dict[str, Any]:
    """Mark an approved claim paid (``paid_at``: when payroll says it paid, default ``now``); the
    audit entry is stamped ``now`` and carries payroll's reference and time.

    On a claim already paid: the same reference (or none) answers the record as it is; a claim
    paid without a reference takes the first reference sent later (recorded on the trail); a
    reference other than the one recorded is a conflict (``already_paid``)."""
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
        if reference and not claim.payout_reference:
            claim.payout_reference = reference
            session.flush()
            trail.record(
                session,
                claim,
                "payout_reference",
                actor,
                "reference received after the payment was recorded",
                now,
                {"reference": reference, "paid_at": _iso(claim.paid_at), "paid_by": claim.paid_by},
            )
        return paid_view(claim)
    if claim.status != ClaimStatus.APPROVED:
        raise Conflict(f"a {claim.status} claim cannot be paid", code="claim_not_approved")
    if claim.hold:
        raise Conflict(f"claim {claim_id} is stopped for a finance decision", code="claim_held")
    claim.status, claim.paid_at, claim.payout_reference = ClaimStatus.PAID, paid_at or now, reference
    claim.paid_by = actor
    move_invoices(session, claim, InvoiceEvent.CLOSE)  # the invoice's life ends with the payment
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
        {"reference": reference, "paid_at": _iso(claim.paid_at)},
        state_before="approved",
    )  # last: the audit head is the last lock taken
    return paid_view(claim)


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at else None


def paid_view(claim: ClaimRecord) -> dict[str, Any]:
    return {
        "claim_id": claim.id,
        "number": claim.number,
        "status": claim.status,
        "paid_at": _iso(claim.paid_at),
        "reference": claim.payout_reference,
        "paid_by": claim.paid_by,
    }


def paid(
    session: Session,
    since: date | None,
    until: date | None,
    cursor: int | None,
    limit: int,
    *,
    missing_reference: bool = False,
) -> tuple[list[dict[str, Any]], int | None]:
    """Paid claims whose payment day is in [since, until] (UTC days), in id order: what was paid,
    when, with which reference, by whom. Bank accounts masked. ``missing_reference``: only the
    ones still waiting for payroll's reference."""
    query = (
        select(ClaimRecord, UserRecord, DepartmentRecord.name)
        .join(UserRecord, UserRecord.id == ClaimRecord.submitter_id)
        .outerjoin(DepartmentRecord, DepartmentRecord.id == ClaimRecord.department_id)
        .where(ClaimRecord.status == ClaimStatus.PAID)
        .order_by(ClaimRecord.id)
        .limit(limit + 1)
    )
    if since is not None:
        query = query.where(ClaimRecord.paid_at >= datetime.combine(since, time(), UTC))
    if until is not None:
        query = query.where(ClaimRecord.paid_at < datetime.combine(until + timedelta(days=1), time(), UTC))
    if missing_reference:
        query = query.where(ClaimRecord.payout_reference.is_(None))
    if cursor is not None:
        query = query.where(ClaimRecord.id > cursor)
    rows = session.execute(query).all()
    more = len(rows) > limit
    items = [_paid_row(c, u, d) for c, u, d in rows[:limit]]
    return items, (items[-1]["claim_id"] if more and items else None)


def _paid_row(claim: ClaimRecord, user: UserRecord, department: str | None) -> dict[str, Any]:
    masked = payroll.masked_view(user)
    return {
        "claim_id": claim.id,
        "number": claim.number,
        "employee_number": user.employee_number,
        "payee_id": claim.submitter_id,
        "payee": user.payee_name or user.display_name,
        "bank_name": user.bank_name,
        "bank_account": masked["bank_account"],
        "department": department,
        "total": f"{claim.total:.2f}",
        "currency": claim.currency,
        "approved_at": _iso(claim.decided_at),
        "paid_at": _iso(claim.paid_at),
        "reference": claim.payout_reference,
        "paid_by": claim.paid_by,
    }


def _cell(column: str, value: Any) -> Any:
    if isinstance(value, list):  # the splits, as one readable cell
        return "; ".join(f"{s['dimension']}:{s['code']}={s['amount']}" for s in value)
    return value


def export_csv(items: list[dict[str, Any]], columns: tuple[str, ...] = COLUMNS) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(columns)
    for item in items:
        writer.writerow(["" if item[c] is None else _cell(c, item[c]) for c in columns])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")  # BOM: Excel opens UTF-8 Chinese correctly


def export_xlsx(
    items: list[dict[str, Any]], columns: tuple[str, ...] = COLUMNS, title: str = "payouts"
) -> bytes:
    """Amounts are numbers (two decimals shown), so that the sheet adds them up; the rest text."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = title
    ws.append(list(columns))
    for item in items:
        ws.append([Decimal(item[c]) if c in MONEY_COLUMNS else _cell(c, item[c]) for c in columns])
        for col, name in enumerate(columns, start=1):
            if name in MONEY_COLUMNS:
                ws.cell(row=ws.max_row, column=col).number_format = "#,##0.00"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
