"""Tax-bureau answers put onto the claims that hold the invoice.

The verification queue knows invoices, not claims; it hands each ended check to this hook. For a
submitted or approved claim: the "being checked" finding goes (the check is over), the answer's
findings come in, and a voided, red-reversed or unknown invoice, or a bureau record that differs
from the claim, stops it for a finance decision (``claims.holds``). Drafts read the answers when
they are checked or submitted.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from reimburse.claims import holds
from reimburse.claims.domain import ClaimStatus, Finding, Severity
from reimburse.claims.records import ClaimItemRecord, ClaimRecord
from reimburse.policy.rules.facts import facts_from_fields
from reimburse.routing.domain import RiskDecision
from reimburse.verification import rules
from reimburse.verification.domain import VerificationAnswer, VerificationStatus

# Claims whose stored findings an answer changes (drafts and ended claims are assessed anew).
_LIVE = (ClaimStatus.SUBMITTED, ClaimStatus.RETURNED, ClaimStatus.APPROVED, ClaimStatus.PAID)


def report_answer(session: Session, invoice_key: str, answer: VerificationAnswer, now: datetime) -> None:
    if answer.status is VerificationStatus.NOT_YET_AVAILABLE:
        return  # still being checked: it is asked again later
    rows = session.execute(
        select(ClaimItemRecord, ClaimRecord)
        .join(ClaimRecord, ClaimRecord.id == ClaimItemRecord.claim_id)
        .where(ClaimItemRecord.invoice_key == invoice_key, ClaimRecord.status.in_(_LIVE))
    ).all()
    for item, claim in rows:
        if item.invoice is not None:
            _onto_claim(session, claim, item, answer, now)


def _onto_claim(
    session: Session, claim: ClaimRecord, item: ClaimItemRecord, answer: VerificationAnswer, now: datetime
) -> None:
    found = rules.findings_from_answer(
        facts_from_fields(item.invoice or {}), answer, unverified_severity=Severity.INFO, item=item.position
    )
    official = answer.invoice.total if answer.invoice is not None else None
    if answer.status is VerificationStatus.NORMAL and official is not None and item.amount > official:
        found.append(
            Finding(
                "claimed_exceeds_bureau_total",
                Severity.ERROR,
                f"the item claims {item.amount:.2f}, more than the tax bureau's total {official:.2f}",
                item.position,
                ("total",),
                (("claimed", f"{item.amount:.2f}"), ("bureau_total", f"{official:.2f}")),
            )
        )
    # the check is over: "being checked" no longer holds for this item
    kept = [
        f
        for f in claim.findings
        if not (f.get("code") == "verification_pending" and f.get("item") == item.position)
    ]
    known = {(f.get("code"), f.get("item")) for f in kept}
    added: list[dict[str, Any]] = [
        {
            "code": f.code,
            "severity": f.severity.value,
            "message": f.message,
            "item": f.item,
            "fields": list(f.fields),
            "params": f.params,
        }
        for f in found
        if (f.code, f.item) not in known
    ]
    if len(kept) != len(claim.findings) or added:
        claim.findings = [*kept, *added]
    if claim.status == ClaimStatus.SUBMITTED and added:
        serious = [f for f in found if f.severity in (Severity.BLOCK, Severity.ERROR, Severity.WARNING)]
        if any(f.severity is Severity.BLOCK for f in serious):
            claim.decision = RiskDecision.BLOCK
        elif serious and claim.decision != RiskDecision.BLOCK:
            claim.decision = RiskDecision.REVIEW
    holds.hold(session, claim, holds.stop_reasons(added), now)
