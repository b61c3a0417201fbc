"""The invoice lifecycle, as WeCom's invoice card pack models it:

    unused --lock (claim submitted)--> locked --reimburse (final approval)--> reimbursed --close--> closed
                                       locked --unlock (withdrawn / rejected)--> unused

A locked invoice belongs to one claim and cannot enter another; only its own claim may unlock
or reimburse it. The service keeps the state beside the invoice key (whose UNIQUE index makes
"lock" race-free) and asks ``transition`` whether a move is allowed.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class InvoiceState(StrEnum):
    UNUSED = "unused"
    LOCKED = "locked"
    REIMBURSED = "reimbursed"
    CLOSED = "closed"


class InvoiceEvent(StrEnum):
    LOCK = "lock"
    UNLOCK = "unlock"
    REIMBURSE = "reimburse"
    CLOSE = "close"


class LifecycleError(ValueError):
    """A move the lifecycle does not allow; ``code`` is stable for the API."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True, slots=True)
class InvoiceHolding:
    state: InvoiceState = InvoiceState.UNUSED
    claim_id: str | None = None  # the claim holding it (locked and after)


_MOVES = {
    (InvoiceState.UNUSED, InvoiceEvent.LOCK): InvoiceState.LOCKED,
    (InvoiceState.LOCKED, InvoiceEvent.UNLOCK): InvoiceState.UNUSED,
    (InvoiceState.LOCKED, InvoiceEvent.REIMBURSE): InvoiceState.REIMBURSED,
    (InvoiceState.REIMBURSED, InvoiceEvent.CLOSE): InvoiceState.CLOSED,
}


def transition(holding: InvoiceHolding, event: InvoiceEvent, claim_id: str) -> InvoiceHolding:
    """The holding after ``event`` by claim ``claim_id``, or ``LifecycleError``."""
    if holding.claim_id is not None and holding.claim_id != claim_id:
        raise LifecycleError(
            f"the invoice is {holding.state.value} in claim {holding.claim_id}; it can be claimed only once",
            "invoice_held",
        )
    target = _MOVES.get((holding.state, event))
    if target is None:
        raise LifecycleError(
            f"cannot {event.value} an invoice that is {holding.state.value}", "invoice_state"
        )
    return InvoiceHolding(target, None if target is InvoiceState.UNUSED else claim_id)
