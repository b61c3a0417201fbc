"""The invoice registry: one row per invoice that is in a claim (unused -> locked -> reimbursed).

An invoice enters the registry by INSERT under a unique key; the loser of a race gets an
IntegrityError, which becomes a clear "duplicate invoice" conflict. The database decides,
not a read-check, so two claims submitting the same invoice at once cannot both succeed.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from reimburse.claims.records import ClaimItemRecord, ClaimRecord, InvoiceRegistration
from reimburse.core.errors import Conflict
from reimburse.policy.rules.lifecycle import InvoiceEvent, InvoiceState, move


def register_invoices(session: Session, claim: ClaimRecord) -> None:
    """Lock every invoice of the claim to it; refuse one that any claim already holds."""
    seen: set[str] = set()
    for item in claim.items:
        key = item.invoice_key
        if key is None:
            continue
        if key in seen:
            raise Conflict(
                f"the same invoice appears twice in this claim (item {item.position + 1})",
                code="duplicate_invoice",
                params={"item": item.position + 1},
            )
        seen.add(key)
        try:
            with session.begin_nested():
                session.add(
                    InvoiceRegistration(
                        invoice_key=key, claim_id=claim.id, item_id=item.id, state=InvoiceState.LOCKED.value
                    )
                )
        except IntegrityError:
            holder = session.scalars(
                select(InvoiceRegistration.claim_id).where(InvoiceRegistration.invoice_key == key)
            ).first()
            raise Conflict(
                f"this invoice (item {item.position + 1}) is already in claim {holder}; "
                "an invoice can be reimbursed only once",
                code="duplicate_invoice",
                details={"item": item.position, "claim_id": holder},
                params={"item": item.position + 1, "claim": holder},
            ) from None


def refuse_held(session: Session, items: Iterable[ClaimItemRecord], exclude_claim: int | None = None) -> None:
    """Refuse items whose invoice another claim holds, before a draft or an edit is stored (the
    unique key still decides at submission, when two claims race)."""
    positions: dict[str, int] = {}
    for item in items:
        if item.invoice_key is not None:
            positions.setdefault(item.invoice_key, item.position)
    held = held_keys(session, list(positions), exclude_claim=exclude_claim)
    if held:
        key, holder = min(held.items(), key=lambda kv: positions[kv[0]])
        position = positions[key]
        raise Conflict(
            f"this invoice (item {position + 1}) is already in claim {holder}; "
            "an invoice can be reimbursed only once",
            code="duplicate_invoice",
            details={"item": position, "claim_id": holder},
        )


def unlock_invoices(session: Session, claim: ClaimRecord) -> None:
    """Give the claim's locked invoices back (withdrawn, rejected, or re-registered on resubmit)."""
    locked, _ = move(InvoiceEvent.UNLOCK)
    session.execute(
        delete(InvoiceRegistration).where(
            InvoiceRegistration.claim_id == claim.id, InvoiceRegistration.state == locked.value
        )
    )


def move_invoices(session: Session, claim: ClaimRecord, event: InvoiceEvent) -> None:
    """Reimburse (final approval) or close (payment) the claim's invoices, by the lifecycle."""
    before, after = move(event)
    session.execute(
        update(InvoiceRegistration)
        .where(InvoiceRegistration.claim_id == claim.id, InvoiceRegistration.state == before.value)
        .values(state=after.value)
    )


def held_keys(session: Session, keys: list[str], exclude_claim: int | None = None) -> dict[str, int]:
    """Which of these invoice keys another claim already holds (for the pre-submit check)."""
    if not keys:
        return {}
    query = select(InvoiceRegistration.invoice_key, InvoiceRegistration.claim_id).where(
        InvoiceRegistration.invoice_key.in_(keys)
    )
    if exclude_claim is not None:
        query = query.where(InvoiceRegistration.claim_id != exclude_claim)
    return {k: c for k, c in session.execute(query).all()}
