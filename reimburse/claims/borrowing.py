"""Cash advances (借款 / 备用金) and pre-approvals (事前申请) as use cases.

Both are requests that run through their own approval flow (``advance``, ``pre_approval``) like
claims do, so the approvers' inboxes, the actions, the SLA timers and the audit trail are the
claims'. An advance is then paid out by finance (idempotent, like payouts), offset against the
person's later claims at their final approval (``claims.requests``), and repaid in cash.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from reimburse.advances import service as advances
from reimburse.audit import service as trail
from reimburse.claims import service as claims
from reimburse.claims.assessment import assess_claim
from reimburse.claims.domain import ClaimStatus
from reimburse.claims.records import ClaimRecord
from reimburse.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from reimburse.core.principal import Principal
from reimburse.identity.records import UserRecord

_CENT = Decimal("0.01")
MAX_ADVANCE = Decimal("1000000.00")


def request_advance(
    session: Session,
    actor: Principal,
    *,
    purpose: str,
    amount: Decimal,
    load_org: claims.LoadOrg,
    now: datetime,
) -> ClaimRecord:
    """Ask for an advance: stored and sent to its approval flow at once."""
    if actor.user_id is None:
        raise Forbidden("only people ask for advances")
    amount = amount.quantize(_CENT)
    if not (0 < amount <= MAX_ADVANCE):
        raise InvalidInput(f"an advance is between 0.01 and {MAX_ADVANCE:.2f}", code="invalid_amount")
    request = claims.create_claim(session, actor, claims.ClaimInput(purpose=purpose), now=now, kind="advance")
    request.total = amount
    session.flush()
    return claims.submit(session, actor, request, assess=assess_claim, load_org=load_org, now=now)


def request_pre_approval(
    session: Session,
    actor: Principal,
    data: claims.ClaimInput,
    *,
    load_org: claims.LoadOrg,
    now: datetime,
) -> ClaimRecord:
    """Ask for a pre-approval (a trip or client entertainment; its lines are the estimate): the
    budget is reserved at submission and stays reserved until a claim takes it over."""
    if not data.items:
        raise InvalidInput("a pre-approval estimates at least one line", code="claim_empty")
    if any(i.document_id is not None or (i.allowance or i.no_invoice_kind) is not None for i in data.items):
        raise InvalidInput("a pre-approval's lines are estimates, without invoices", code="invalid_estimate")
    request = claims.create_claim(session, actor, data, now=now, kind="pre_approval")
    return claims.submit(session, actor, request, assess=assess_claim, load_org=load_org, now=now)


def request_of(session: Session, kind: str, request_id: int) -> ClaimRecord:
    request = session.get(ClaimRecord, request_id)
    if request is None or request.kind != kind:
        raise NotFound(f"{kind.replace('_', '-')} {request_id} not found")
    return request


def pay_advance(
    session: Session,
    request: ClaimRecord,
    *,
    reference: str | None,
    actor: str,
    now: datetime,
    paid_at: datetime | None = None,
) -> dict[str, Any]:
    """Finance pays an approved advance out: it becomes outstanding for its person. Repeating
    the call changes nothing (another reference than the recorded one is a conflict)."""
    if request.status == ClaimStatus.PAID:
        advances.pay_out(
            session,
            request_id=request.id,
            person_id=request.submitter_id,
            amount=request.total,
            currency=request.currency,
            reference=reference,
            now=now,
        )  # only checks the reference: the advance exists
        return advance_view(session, request)
    if request.status != ClaimStatus.APPROVED:
        raise Conflict(f"a {request.status} advance cannot be paid", code="claim_not_approved")
    advances.pay_out(
        session,
        request_id=request.id,
        person_id=request.submitter_id,
        amount=request.total,
        currency=request.currency,
        reference=reference,
        now=paid_at or now,
    )
    request.status, request.paid_at, request.payout_reference = ClaimStatus.PAID, paid_at or now, reference
    session.flush()
    trail.record(
        session,
        request,
        "paid",
        actor,
        "advance paid out",
        now,
        {"reference": reference, "amount": f"{request.total:.2f}"},
        state_before=ClaimStatus.APPROVED,
    )  # last: the audit head is the last lock taken
    session.flush()  # the session does not autoflush: the next entry numbers after it
    return advance_view(session, request)


def repay_advance(
    session: Session,
    request: ClaimRecord,
    *,
    amount: Decimal,
    reference: str | None,
    actor: str,
    now: datetime,
) -> dict[str, Any]:
    """Finance records cash the person returned against an advance."""
    advance = advances.repay(
        session, request_id=request.id, amount=amount, reference=reference, actor=actor, now=now
    )
    trail.record(
        session,
        request,
        "advance_repaid",
        actor,
        f"{amount:.2f} returned in cash; {advance.outstanding:.2f} outstanding",
        now,
        {"amount": f"{amount:.2f}", "reference": reference, "outstanding": f"{advance.outstanding:.2f}"},
    )
    session.flush()  # the session does not autoflush: the next entry numbers after it
    return advance_view(session, request)


def advance_view(session: Session, request: ClaimRecord) -> dict[str, Any]:
    advance = advances.advance_of_request(session, request.id)
    return {
        "id": request.id,
        "number": request.number,
        "status": request.status,
        "purpose": request.purpose,
        "amount": f"{request.total:.2f}",
        "currency": request.currency,
        "submitter_id": request.submitter_id,
        "paid_at": request.paid_at.isoformat() if request.paid_at else None,
        "reference": request.payout_reference,
        "outstanding": f"{advance.outstanding:.2f}" if advance else None,
    }


def balance(session: Session, person_id: int) -> dict[str, Any]:
    """A person's advances with every offset and repayment, and their open requests."""
    name = session.scalar(select(UserRecord.display_name).where(UserRecord.id == person_id))
    if name is None:
        raise NotFound(f"user {person_id} not found")
    out = advances.balance(session, person_id)
    numbers = dict(
        session.execute(
            select(ClaimRecord.id, ClaimRecord.number).where(
                ClaimRecord.submitter_id == person_id, ClaimRecord.kind.in_(("advance", "expense"))
            )
        ).all()
    )
    for a in out["advances"]:
        a["number"] = numbers.get(a["request_id"])
        for m in a["movements"]:
            m["claim_number"] = numbers.get(m["claim_id"]) if m["claim_id"] is not None else None
    pending = session.scalars(
        select(ClaimRecord)
        .where(
            ClaimRecord.submitter_id == person_id,
            ClaimRecord.kind == "advance",
            ClaimRecord.status.in_((ClaimStatus.SUBMITTED, ClaimStatus.RETURNED, ClaimStatus.APPROVED)),
        )
        .order_by(ClaimRecord.id)
    )
    out["display_name"] = name
    out["requests"] = [
        {"id": r.id, "number": r.number, "status": r.status, "amount": f"{r.total:.2f}", "purpose": r.purpose}
        for r in pending
    ]
    return out


def balances(session: Session) -> list[dict[str, Any]]:
    """Everyone with an advance (finance's list), with their names."""
    rows = advances.balances(session)
    names = dict(
        session.execute(
            select(UserRecord.id, UserRecord.display_name).where(
                UserRecord.id.in_([r["person_id"] for r in rows])
            )
        ).all()
    )
    for r in rows:
        r["display_name"] = names.get(r["person_id"])
    return rows
