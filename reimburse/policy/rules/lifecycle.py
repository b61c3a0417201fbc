"""The invoice lifecycle, as WeCom's invoice card pack models it:

    unused --lock (claim submitted)--> locked --reimburse (final approval)--> reimbursed --close--> closed
                                       locked --unlock (withdrawn / rejected)--> unused

A locked invoice belongs to one claim and cannot enter another; only its own claim may unlock
or reimburse it. ``claims.registry`` keeps the state beside the invoice key (whose UNIQUE index
makes "lock" race-free; "unused" is no row) and moves only the rows of the claim that are in the
state ``move`` names, in one UPDATE.
"""

from __future__ import annotations

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


_MOVES = {
    (InvoiceState.UNUSED, InvoiceEvent.LOCK): InvoiceState.LOCKED,
    (InvoiceState.LOCKED, InvoiceEvent.UNLOCK): InvoiceState.UNUSED,
    (InvoiceState.LOCKED, InvoiceEvent.REIMBURSE): InvoiceState.REIMBURSED,
    (InvoiceState.REIMBURSED, InvoiceEvent.CLOSE): InvoiceState.CLOSED,
}


def move(event: InvoiceEvent) -> tuple[InvoiceState, InvoiceState]:
    """The one state ``event`` applies to and the state it leads to. Another state is not moved:
    a withdrawal does not undo a reimbursed invoice, a payment does not close a locked one."""
    for (state, on), target in _MOVES.items():
        if on is event:
            return state, target
    raise AssertionError(f"no move for {event}")  # every event has exactly one row in _MOVES
