"""Tax-bureau answers that arrive after a claim was submitted, put onto the claim.

The verification queue knows invoices, not claims; it hands each answer to this hook, which
finds the item's claim and adds the findings, so finance sees them in the exception queue and
the claim is no longer treated as low-risk.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from reimburse.claims.domain import ClaimStatus, Severity
from reimburse.claims.records import ClaimItemRecord, ClaimRecord
from reimburse.policy.rules.facts import facts_from_fields
from reimburse.routing.domain import RiskDecision
from reimburse.verification import rules
from reimburse.verification.domain import VerificationAnswer, VerificationStatus

_BAD = frozenset(
    {
        VerificationStatus.VOIDED,
        VerificationStatus.RED_REVERSED_FULL,
        VerificationStatus.RED_REVERSED_PARTIAL,
        VerificationStatus.NOT_FOUND,
        VerificationStatus.MISMATCH,
    }
)


def report_answer(session: Session, item_id: int, answer: VerificationAnswer) -> None:
    """A bad answer that arrives after submission goes onto the claim, so finance sees it in
    the exception queue and the claim is no longer treated as low-risk."""
    if answer.status not in _BAD:
        return
    item = session.get(ClaimItemRecord, item_id)
    claim = session.get(ClaimRecord, item.claim_id) if item is not None else None
    if item is None or claim is None or item.invoice is None:
        return
    found = rules.findings_from_answer(
        facts_from_fields(item.invoice), answer, unverified_severity=Severity.INFO, item=item.position
    )
    codes = {f["code"] for f in claim.findings}
    added = [
        {
            "code": f.code,
            "severity": f.severity.value,
            "message": f.message,
            "item": f.item,
            "fields": list(f.fields),
        }
        for f in found
        if f.code not in codes
    ]
    if not added:
        return
    claim.findings = [*claim.findings, *added]
    if claim.status == ClaimStatus.SUBMITTED:
        blocking = any(f.severity is Severity.BLOCK for f in found)
        claim.decision = RiskDecision.BLOCK if blocking else RiskDecision.REVIEW
