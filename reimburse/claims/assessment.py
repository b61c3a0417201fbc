"""Stored claim -> the pure rules -> risk score, decision and findings.

The rules are pure; this module gathers what they need from storage: the company's legal
entities, the policy, the holiday calendar, the submitter's recent invoices (split-invoice
detection), duplicates already on file and budget availability.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from reimburse.budgets import service as ledger
from reimburse.claims import registry
from reimburse.claims.domain import (
    Category,
    Claim,
    ClaimItem,
    ClaimStatus,
    Finding,
    ForeignDocument,
    ForeignDocumentKind,
    InvoiceFacts,
    LegalEntity,
    Money,
    NoInvoiceKind,
    Severity,
)
from reimburse.claims.records import ClaimItemRecord, ClaimRecord
from reimburse.claims.service import Assessment
from reimburse.core.db import utcnow
from reimburse.documents.records import DocumentRecord
from reimburse.identity.records import LegalEntityRecord, UserRecord
from reimburse.policy.defaults import china_calendar
from reimburse.policy.rules.claim import evaluate_claim
from reimburse.policy.rules.corrections import correction_findings
from reimburse.policy.rules.duplicates import (
    StoredHash,
    duplicate_finding,
    hamming,
    near_duplicate_finding,
    near_duplicates,
)
from reimburse.policy.rules.facts import facts_from_fields
from reimburse.policy.service import current_policy
from reimburse.routing.domain import User
from reimburse.verification.service import findings_for

HISTORY_DAYS = 31


def _foreign(doc: dict[str, Any] | None) -> ForeignDocument | None:
    if not doc:
        return None
    return ForeignDocument(
        kind=ForeignDocumentKind(doc["kind"]),
        issuer=doc["issuer"],
        issue_date=date.fromisoformat(doc["issue_date"]),
        number=doc.get("number"),
        country=doc.get("country"),
    )


def _item(record: ClaimItemRecord, currency: str) -> ClaimItem:
    # ``amount`` is the company-currency amount the item was converted to (see claims.service):
    # caps and budgets are in the company currency
    return ClaimItem(
        category=Category(record.category),
        amount=Money(record.amount, currency),
        foreign=_foreign(record.foreign_document),
        spent_on=record.expense_date,
        invoice=facts_from_fields(record.invoice) if record.invoice else None,
        no_invoice_kind=NoInvoiceKind(record.no_invoice_kind) if record.no_invoice_kind else None,
        reason=record.no_invoice_reason,
        attendees=record.attendees,
        nights=record.nights,
        city_tier=record.city_tier,
        days=_allowance_days(record.allowance),
        description=record.description,
    )


def _allowance_days(basis: dict[str, Any] | None) -> int | None:
    """A computed per-diem's days (the per-trip check counts them); None for anything else."""
    days = (basis or {}).get("days")
    return days if isinstance(days, int) and days >= 1 else None


def to_domain(session: Session, claim: ClaimRecord) -> Claim:
    user = session.get(UserRecord, claim.submitter_id)
    submitter = User(
        id=str(claim.submitter_id),
        name=user.display_name if user else str(claim.submitter_id),
        department=str(claim.department_id) if claim.department_id is not None else None,
        roles=tuple(user.roles) if user else (),
        rank=user.rank if user else 0,
    )
    return Claim(
        id=str(claim.id),
        submitter=submitter,
        department_id=str(claim.department_id or ""),
        purpose=claim.purpose,
        items=tuple(_item(i, claim.currency) for i in claim.items),
        trip_start=claim.trip_start,
        trip_end=claim.trip_end,
    )


def _history(session: Session, claim: ClaimRecord, today: date) -> list[InvoiceFacts]:
    since = today - timedelta(days=HISTORY_DAYS)
    rows = session.scalars(
        select(ClaimItemRecord)
        .join(ClaimRecord, ClaimRecord.id == ClaimItemRecord.claim_id)
        .where(
            ClaimRecord.submitter_id == claim.submitter_id,
            ClaimRecord.id != claim.id,
            ClaimRecord.status.in_((ClaimStatus.SUBMITTED, ClaimStatus.APPROVED, ClaimStatus.PAID)),
            ClaimItemRecord.expense_date >= since,
            ClaimItemRecord.invoice.is_not(None),
        )
    )
    return [facts_from_fields(r.invoice) for r in rows if r.invoice]


# claims whose items count against the person's daily and per-trip caps
COUNTING = ("submitted", "returned", "approved", "paid")


def _other_items(session: Session, claim: ClaimRecord) -> list[ClaimItem]:
    """The person's items in their other live claims, around this claim's dates (caps per day
    and per trip add them up)."""
    days = [i.expense_date for i in claim.items]
    days += [d for d in (claim.trip_start, claim.trip_end) if d is not None]
    if not days:
        return []
    rows = session.scalars(
        select(ClaimItemRecord)
        .join(ClaimRecord, ClaimRecord.id == ClaimItemRecord.claim_id)
        .where(
            ClaimRecord.submitter_id == claim.submitter_id,
            ClaimRecord.id != claim.id,
            ClaimRecord.kind == "expense",  # a pre-approval's estimate is not spending
            ClaimRecord.status.in_(COUNTING),
            ClaimItemRecord.expense_date >= min(days) - timedelta(days=HISTORY_DAYS),
            ClaimItemRecord.expense_date <= max(days),
        )
    )
    return [_item(r, claim.currency) for r in rows]


def _duplicates_on_file(session: Session, claim: ClaimRecord) -> list[Finding]:
    keys = {i.invoice_key: i.position for i in claim.items if i.invoice_key}
    held = registry.held_keys(session, list(keys), exclude_claim=claim.id)
    return [duplicate_finding(keys[k], k, f"claim {cid}") for k, cid in held.items()]


def _near_duplicate_photos(session: Session, claim: ClaimRecord) -> list[Finding]:
    """Photos that look like one already in another claim (re-shot, re-compressed, resized).

    A linear scan over the stored hashes: fine for thousands of photos; beyond that the
    candidates should be narrowed first (same seller, same month) — not done yet.
    """
    mine = {
        i.position: h
        for i in claim.items
        if i.document_id is not None
        and (h := session.scalar(select(DocumentRecord.image_hash).where(DocumentRecord.id == i.document_id)))
        is not None
    }
    if not mine:
        return []
    rows = session.execute(
        select(ClaimItemRecord.claim_id, ClaimItemRecord.position, DocumentRecord.image_hash)
        .join(DocumentRecord, DocumentRecord.id == ClaimItemRecord.document_id)
        .where(ClaimItemRecord.claim_id != claim.id, DocumentRecord.image_hash.is_not(None))
    ).all()
    stored = [
        StoredHash(f"claim {cid} item {pos + 1}", h & (2**64 - 1)) for cid, pos, h in rows if h is not None
    ]
    out = []
    for position, value in mine.items():
        for match in near_duplicates(value & (2**64 - 1), stored):
            out.append(near_duplicate_finding(position, match, hamming(value & (2**64 - 1), match.value)))
            break
    return out


def _budget_findings(session: Session, claim: ClaimRecord) -> tuple[list[Finding], bool]:
    budgets = ledger.budgets_for(session, claim, lock=False)
    out = []
    for budget_id, amount in ledger.demand(claim, budgets).items():
        budget = budgets[budget_id]
        if amount > ledger.available(budget):
            out.append(
                Finding(
                    "over_budget",
                    Severity.WARNING,
                    f"{budget.category} budget: {ledger.available(budget):.2f} left, "
                    f"this claim needs {amount:.2f}",
                    details=(
                        ("category", str(budget.category)),
                        ("available", f"{ledger.available(budget):.2f}"),
                        ("needed", f"{amount:.2f}"),
                    ),
                )
            )
    return out, bool(out)


def _assessment(session: Session, claim: ClaimRecord, extra: list[Finding], over_budget: bool) -> Assessment:
    today = utcnow().date()
    policy = current_policy(session)
    extra = [
        *extra,
        *findings_for(session, claim.items, policy.invoice.unverified_severity),
        *(f for i in claim.items for f in correction_findings(i.position, i.corrections or ())),
    ]
    entities = [LegalEntity(e.name, e.tax_id) for e in session.scalars(select(LegalEntityRecord))]
    result = evaluate_claim(
        to_domain(session, claim),
        entities=entities,
        policy=policy,
        calendar=china_calendar(),
        today=today,
        history=_history(session, claim, today),
        extra=extra,
        others=_other_items(session, claim),
    )
    findings = [
        {
            "code": s.finding.code,
            "severity": s.finding.severity.value,
            "message": s.finding.message,
            "item": s.finding.item,
            "fields": list(s.finding.fields),
            "params": s.finding.params,
            "points": s.points,
        }
        for s in result.findings
    ]
    return Assessment(
        score=result.score, decision=result.decision.value, findings=findings, over_budget=over_budget
    )


def assess_claim(session: Session, claim: ClaimRecord) -> Assessment:
    """At submission: invoices are already locked and budget reserved by the caller."""
    return _assessment(session, claim, _near_duplicate_photos(session, claim), False)


def preview(session: Session, claim: ClaimRecord) -> Assessment:
    """Before submitting: the same rules plus duplicates on file and budget left, changing nothing."""
    budget, over = _budget_findings(session, claim)
    extra = [*_duplicates_on_file(session, claim), *_near_duplicate_photos(session, claim), *budget]
    return _assessment(session, claim, extra, over)
