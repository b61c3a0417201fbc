"""Cash advances as a ledger: paying one out, offsetting it against later claims, repayments,
and the balance per person.

``outstanding`` moves only by a guarded atomic ``UPDATE ... SET outstanding = outstanding - x
WHERE outstanding >= x RETURNING``: the database applies concurrent offsets one after another
(a row lock on PostgreSQL, the write lock on SQLite) and a guard that no longer holds (another
claim took the money meanwhile) updates nothing, so the offset is re-read and retried. Two
claims approved at once can never offset the same money twice, and nothing goes below zero.

Knows nothing of claims: the caller passes ids and amounts and puts the movements on the trail.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from reimburse.advances.records import AdvanceMovementRecord, AdvanceRecord
from reimburse.core.errors import Conflict, InvalidInput, NotFound

ZERO = Decimal("0.00")
_CENT = Decimal("0.01")
_RETRIES = 50  # a guard fails only when another transaction moved the row: bounded, never spins


@dataclass(frozen=True, slots=True)
class Offset:
    """``amount`` of advance ``advance_id`` (requested by claim ``request_id``) taken by a claim."""

    advance_id: int
    request_id: int
    amount: Decimal


def pay_out(
    session: Session,
    *,
    request_id: int,
    person_id: int,
    amount: Decimal,
    currency: str,
    reference: str | None,
    now: datetime,
) -> tuple[AdvanceRecord, bool]:
    """The approved request ``request_id`` is paid to its person: the advance becomes outstanding.
    Idempotent: a repeated call answers the stored advance (``False``: nothing new); another
    reference than the one recorded is a conflict."""
    existing = session.scalars(select(AdvanceRecord).where(AdvanceRecord.request_id == request_id)).first()
    if existing is not None:
        if reference and existing.reference and reference != existing.reference:
            raise Conflict(
                f"advance {request_id} was already paid with reference {existing.reference}",
                code="already_paid",
            )
        return existing, False
    advance = AdvanceRecord(
        request_id=request_id,
        person_id=person_id,
        amount=amount,
        outstanding=amount,
        currency=currency,
        reference=reference,
        paid_at=now,
    )
    session.add(advance)
    session.flush()
    return advance, True


def _take(session: Session, advance_id: int, wanted: Decimal) -> Decimal:
    """Take up to ``wanted`` from one advance; returns what was taken (0 when nothing is left)."""
    for _ in range(_RETRIES):
        current = session.scalar(select(AdvanceRecord.outstanding).where(AdvanceRecord.id == advance_id))
        if current is None or current <= 0:
            return ZERO
        take = min(current, wanted)
        row = session.execute(
            update(AdvanceRecord)
            .where(AdvanceRecord.id == advance_id, AdvanceRecord.outstanding >= take)
            .values(outstanding=AdvanceRecord.outstanding - take)
            .returning(AdvanceRecord.outstanding)
        ).first()
        if row is not None:
            return take
        # another transaction took some of it between the read and the update: read again
    raise Conflict("the advance kept changing; try again", code="advance_busy")


def offset(
    session: Session, *, claim_id: int, person_id: int, total: Decimal, actor: str, now: datetime
) -> list[Offset]:
    """Offset the person's outstanding advances, oldest first, against a claim's ``total`` at its
    final approval. Idempotent per claim: a claim already offset answers its stored offsets."""
    done = offsets_of(session, claim_id)
    if done:
        return done
    remaining = total
    taken: list[Offset] = []
    candidates = session.execute(
        select(AdvanceRecord.id, AdvanceRecord.request_id)
        .where(AdvanceRecord.person_id == person_id, AdvanceRecord.outstanding > 0)
        .order_by(AdvanceRecord.paid_at, AdvanceRecord.id)
    ).all()
    for advance_id, request_id in candidates:
        if remaining <= 0:
            break
        amount = _take(session, advance_id, remaining)
        if amount <= 0:
            continue
        session.add(
            AdvanceMovementRecord(
                advance_id=advance_id, kind="offset", claim_id=claim_id, amount=amount, actor=actor, at=now
            )
        )
        taken.append(Offset(advance_id, request_id, amount))
        remaining -= amount
    session.flush()
    return taken


def offsets_of(session: Session, claim_id: int) -> list[Offset]:
    rows = session.execute(
        select(AdvanceMovementRecord.advance_id, AdvanceRecord.request_id, AdvanceMovementRecord.amount)
        .join(AdvanceRecord, AdvanceRecord.id == AdvanceMovementRecord.advance_id)
        .where(AdvanceMovementRecord.claim_id == claim_id, AdvanceMovementRecord.kind == "offset")
        .order_by(AdvanceMovementRecord.id)
    ).all()
    return [Offset(a, r, m) for a, r, m in rows]


def offset_totals(session: Session, claim_ids: list[int]) -> dict[int, Decimal]:
    """The advance offset of each claim (claims without one are absent): what a voucher credits
    against the employee's advance, and what payroll does not pay."""
    if not claim_ids:
        return {}
    out: dict[int, Decimal] = defaultdict(lambda: ZERO)
    rows = session.execute(
        select(AdvanceMovementRecord.claim_id, AdvanceMovementRecord.amount).where(
            AdvanceMovementRecord.claim_id.in_(claim_ids), AdvanceMovementRecord.kind == "offset"
        )
    )
    for claim_id, amount in rows:
        if claim_id is not None:
            out[claim_id] += amount
    return dict(out)


def advance_of_request(session: Session, request_id: int) -> AdvanceRecord | None:
    return session.scalars(select(AdvanceRecord).where(AdvanceRecord.request_id == request_id)).first()


def repay(
    session: Session,
    *,
    request_id: int,
    amount: Decimal,
    reference: str | None,
    actor: str,
    now: datetime,
) -> AdvanceRecord:
    """Cash returned against an advance (recorded by finance); never more than is outstanding."""
    amount = amount.quantize(_CENT)
    if amount <= 0:
        raise InvalidInput("a repayment is a positive amount", code="invalid_amount")
    advance = advance_of_request(session, request_id)
    if advance is None:
        raise NotFound(f"advance {request_id} has not been paid out", code="advance_not_paid")
    row = session.execute(
        update(AdvanceRecord)
        .where(AdvanceRecord.id == advance.id, AdvanceRecord.outstanding >= amount)
        .values(outstanding=AdvanceRecord.outstanding - amount)
        .returning(AdvanceRecord.outstanding)
    ).first()
    if row is None:
        left = session.scalar(select(AdvanceRecord.outstanding).where(AdvanceRecord.id == advance.id))
        raise Conflict(
            f"only {left:.2f} of advance {request_id} is outstanding; {amount:.2f} cannot be repaid",
            code="repayment_exceeds_outstanding",
        )
    session.add(
        AdvanceMovementRecord(
            advance_id=advance.id, kind="repayment", amount=amount, reference=reference, actor=actor, at=now
        )
    )
    session.flush()
    session.refresh(advance)
    return advance


def balance(session: Session, person_id: int) -> dict[str, Any]:
    """What a person owes on advances, each advance with its movements, oldest first."""
    advances = list(
        session.scalars(
            select(AdvanceRecord)
            .where(AdvanceRecord.person_id == person_id)
            .order_by(AdvanceRecord.paid_at, AdvanceRecord.id)
        )
    )
    moves: dict[int, list[AdvanceMovementRecord]] = defaultdict(list)
    if advances:
        for m in session.scalars(
            select(AdvanceMovementRecord)
            .where(AdvanceMovementRecord.advance_id.in_([a.id for a in advances]))
            .order_by(AdvanceMovementRecord.id)
        ):
            moves[m.advance_id].append(m)
    return {
        "person_id": person_id,
        "outstanding": f"{sum((a.outstanding for a in advances), ZERO):.2f}",
        "advances": [
            {
                "request_id": a.request_id,
                "amount": f"{a.amount:.2f}",
                "outstanding": f"{a.outstanding:.2f}",
                "currency": a.currency,
                "paid_at": a.paid_at.isoformat(),
                "reference": a.reference,
                "movements": [
                    {
                        "kind": m.kind,
                        "claim_id": m.claim_id,
                        "amount": f"{m.amount:.2f}",
                        "reference": m.reference,
                        "actor": m.actor,
                        "at": m.at.isoformat(),
                    }
                    for m in moves[a.id]
                ],
            }
            for a in advances
        ],
    }


def balances(session: Session) -> list[dict[str, Any]]:
    """Everyone with an advance, for finance: person, advanced, outstanding."""
    totals: dict[int, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for person, amount, outstanding in session.execute(
        select(AdvanceRecord.person_id, AdvanceRecord.amount, AdvanceRecord.outstanding)
    ):
        totals[person][0] += amount
        totals[person][1] += outstanding
    return [
        {"person_id": p, "advanced": f"{a:.2f}", "outstanding": f"{o:.2f}"}
        for p, (a, o) in sorted(totals.items())
    ]
