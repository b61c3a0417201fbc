"""What expense claims owe to the requests before them: a pre-approval (事前申请) whose budget
reservation the claim takes over and whose estimate it may exceed only by the policy's
tolerance, and cash advances (借款) that the claim's final approval offsets, oldest first.

Called from ``claims.service`` inside its transaction; never commits.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from reimburse.advances import service as advances
from reimburse.advances.records import AdvanceMovementRecord, AdvanceRecord
from reimburse.audit import service as trail
from reimburse.budgets import service as ledger
from reimburse.claims.domain import ClaimStatus, Finding, Severity
from reimburse.claims.records import PRE_APPROVAL_RELEASED, ClaimRecord
from reimburse.core.errors import Conflict, InvalidInput

# a claim in one of these holds its pre-approval no more (a deleted draft neither)
_DEAD = PRE_APPROVAL_RELEASED


def check_pre_approval(
    session: Session, submitter_id: int | None, pre_approval_id: int | None, claim_id: int | None
) -> int | None:
    """The pre-approval a claim may link: the same person's, approved, not used by another live
    claim. One that is not (or is not visible) is refused the same way, so ids reveal nothing."""
    if pre_approval_id is None:
        return None
    pre = session.get(ClaimRecord, pre_approval_id)
    if pre is None or pre.kind != "pre_approval" or pre.submitter_id != submitter_id:
        raise InvalidInput(f"{pre_approval_id} is not one of your pre-approvals", code="invalid_pre_approval")
    if pre.status != ClaimStatus.APPROVED:
        raise InvalidInput(
            f"pre-approval {pre.number} is {pre.status}; only an approved one is linked",
            code="pre_approval_not_approved",
        )
    _refuse_used(session, pre, claim_id)
    return pre_approval_id


def _refuse_used(session: Session, pre: ClaimRecord, claim_id: int | None) -> None:
    user = session.scalars(
        select(ClaimRecord.number).where(
            ClaimRecord.pre_approval_id == pre.id,
            ClaimRecord.status.not_in(_DEAD),
            ClaimRecord.id != (claim_id or 0),
        )
    ).first()
    if user is not None:
        raise Conflict(
            f"pre-approval {pre.number} is already used by claim {user}",
            code="pre_approval_used",
            params={"number": pre.number, "claim": user},
        )


def link_pre_approval(session: Session, claim: ClaimRecord, pre_approval_id: int | None) -> None:
    """Link a stored expense claim to a pre-approval (checked first, ``check_pre_approval``).
    The database decides a race: one pre-approval is held by one live claim at most (a partial
    unique index), so when two claims link it at the same moment the second's write is refused
    and answered like the check would have (``pre_approval_used``)."""
    linked = check_pre_approval(session, claim.submitter_id, pre_approval_id, claim.id)
    session.flush()  # the claim's other changes first: a refusal below is this link's only
    if linked == claim.pre_approval_id:
        return
    try:
        with session.begin_nested():
            claim.pre_approval_id = linked
            session.flush()
    except IntegrityError:
        pre = session.get(ClaimRecord, linked)
        if pre is None:
            raise
        _refuse_used(session, pre, claim.id)  # raises: another claim took it meanwhile
        raise


def take_over_pre_approval(session: Session, claim: ClaimRecord, now: datetime) -> ClaimRecord | None:
    """At submission: the linked pre-approval's budget reservation is released so that the claim
    reserves its own (the same money is never reserved twice); the pre-approval's trail says so."""
    if claim.kind != "expense" or claim.pre_approval_id is None:
        return None
    check_pre_approval(session, claim.submitter_id, claim.pre_approval_id, claim.id)
    pre = session.get(ClaimRecord, claim.pre_approval_id)
    assert pre is not None  # checked just above
    held = ledger.reserved(session, pre)
    if held:
        ledger.settle(session, pre, consume=False)
        trail.record(
            session,
            pre,
            "pre_approval_taken_over",
            "system",
            f"the budget reserved for this pre-approval ({held:.2f}) passes to claim {claim.number}",
            now,
            {"claim_id": claim.id, "released": f"{held:.2f}"},
        )
        session.flush()  # the session does not autoflush: the next entry numbers after it
    return pre


def beyond_estimate(claim: ClaimRecord, pre: ClaimRecord | None, tolerance: Decimal) -> dict[str, Any] | None:
    """A finding when the claim spends more than the pre-approved estimate plus the tolerance."""
    if pre is None:
        return None
    limit = (pre.total * (1 + tolerance)).quantize(Decimal("0.01"))
    if claim.total <= limit:
        return None
    return Finding(
        "pre_approval_exceeded",
        Severity.WARNING,
        f"spends {claim.total:.2f} against {pre.total:.2f} pre-approved in {pre.number} "
        f"(up to {limit:.2f} allowed, {tolerance * 100:.0f} % over): approval re-opens with finance review",
        details=(
            ("spent", f"{claim.total:.2f}"),
            ("estimate", f"{pre.total:.2f}"),
            ("limit", f"{limit:.2f}"),
            ("number", pre.number or ""),
        ),
    ).as_json()


def offset_advances(session: Session, claim: ClaimRecord, now: datetime) -> Decimal:
    """At an expense claim's final approval: the person's outstanding advances, oldest first,
    are offset against it; payroll pays the rest. Each offset is on both trails."""
    taken = advances.offset(
        session, claim_id=claim.id, person_id=claim.submitter_id, total=claim.total, actor="system", now=now
    )
    if not taken:
        return Decimal("0.00")
    total = sum((t.amount for t in taken), Decimal("0.00"))
    for t in taken:
        request = session.get(ClaimRecord, t.request_id)
        if request is not None:
            trail.record(
                session,
                request,
                "advance_offset",
                "system",
                f"{t.amount:.2f} offset by claim {claim.number}",
                now,
                {"claim_id": claim.id, "amount": f"{t.amount:.2f}"},
            )
            session.flush()  # the session does not autoflush: the next entry numbers after it
    trail.record(
        session,
        claim,
        "advance_offset",
        "system",
        f"{total:.2f} of outstanding advances offset; payable {claim.total - total:.2f}",
        now,
        {
            "offset": f"{total:.2f}",
            "payable": f"{claim.total - total:.2f}",
            "advances": [{"request_id": t.request_id, "amount": f"{t.amount:.2f}"} for t in taken],
        },
        state_before=ClaimStatus.SUBMITTED,
    )
    session.flush()  # the session does not autoflush: the next entry numbers after it
    return total


def advance_offset(session: Session, claim_id: int) -> Decimal:
    """How much of a claim was settled by offsetting advances (0 when none): for views, vouchers."""
    return advances.offset_totals(session, [claim_id]).get(claim_id, Decimal("0.00"))


def advance_offsets(session: Session, claim_ids: list[int]) -> dict[int, Decimal]:
    """The advance offset per claim (claims without one are absent): for vouchers and payroll."""
    return advances.offset_totals(session, claim_ids)


def advances_settled(session: Session, claim_id: int) -> list[tuple[Decimal, str]]:
    """Each advance the claim settled at its final approval: the amount offset and the advance
    request's number (what its voucher credits to the advance account)."""
    rows = session.execute(
        select(AdvanceMovementRecord.amount, ClaimRecord.number)
        .join(AdvanceRecord, AdvanceRecord.id == AdvanceMovementRecord.advance_id)
        .join(ClaimRecord, ClaimRecord.id == AdvanceRecord.request_id)
        .where(AdvanceMovementRecord.claim_id == claim_id, AdvanceMovementRecord.kind == "offset")
        .order_by(AdvanceMovementRecord.id)
    )
    return [(amount, number or "") for amount, number in rows]
