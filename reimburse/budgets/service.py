"""Budgets as a ledger: which lines a claim draws on, reserving, consuming and releasing.

A budget row moves only by atomic ``UPDATE ... SET committed = committed + x``, so two
submissions or approvals that race cannot spend the same money twice or lose an update.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from reimburse.audit import service as trail
from reimburse.budgets.records import BudgetRecord, BudgetReservation
from reimburse.budgets.rules import BudgetError, budget_period
from reimburse.core.controls import set_control
from reimburse.core.errors import InvalidInput
from reimburse.identity.records import DepartmentRecord


class SpendLine(Protocol):
    """One item of spending: what it is, when, how much."""

    @property
    def category(self) -> str: ...
    @property
    def expense_date(self) -> date: ...
    @property
    def amount(self) -> Decimal: ...


class Spending(Protocol):
    """What draws on budgets (a claim): whose department, and its items."""

    @property
    def id(self) -> int: ...
    @property
    def department_id(self) -> int | None: ...
    @property
    def items(self) -> Sequence[SpendLine]: ...


def _up_the_tree(session: Session, department_id: int) -> list[int]:
    """The department and the ones above it (cycles are cut)."""
    parents = {d: p for d, p in session.execute(select(DepartmentRecord.id, DepartmentRecord.parent_id))}
    out: list[int] = []
    current: int | None = department_id
    while current is not None and current not in out:
        out.append(current)
        current = parents.get(current)
    return out


def budgets_for(session: Session, claim: Spending, *, lock: bool) -> dict[int, BudgetRecord]:
    """The budgets the claim's items fall into: the lines (category or "*", any period that
    covers an item's date) of its department and of every department above it, locked."""
    if claim.department_id is None:
        return {}
    days = {i.expense_date for i in claim.items}
    departments = _up_the_tree(session, claim.department_id)
    query = select(BudgetRecord).where(BudgetRecord.department_id.in_(departments))
    if lock:
        query = query.with_for_update()
    out: dict[int, BudgetRecord] = {}
    for budget in session.scalars(query.order_by(BudgetRecord.id)):
        if any(budget.period_start <= d < budget.period_end for d in days):
            out[budget.id] = budget
    return out


def demand(claim: Spending, budgets: dict[int, BudgetRecord]) -> dict[int, Decimal]:
    """How much of each budget the claim needs: an item is charged to every line that covers
    it (its category's line and the "*" total line, of its department and those above), so a
    department's total moves with category spend and no level can be overrun unseen."""
    need: dict[int, Decimal] = defaultdict(Decimal)
    for item in claim.items:
        for budget in _lines_for(item.category, item.expense_date, budgets):
            need[budget.id] += item.amount
    return dict(need)


def unbudgeted(claim: Spending, budgets: dict[int, BudgetRecord]) -> Decimal:
    """The part of the claim no budget line covers."""
    return sum(
        (i.amount for i in claim.items if not _lines_for(i.category, i.expense_date, budgets)),
        Decimal("0.00"),
    )


def _lines_for(category: str, day: date, budgets: dict[int, BudgetRecord]) -> list[BudgetRecord]:
    return [
        b for b in budgets.values() if b.period_start <= day < b.period_end and b.category in (category, "*")
    ]


def available(budget: BudgetRecord) -> Decimal:
    return budget.amount - budget.committed - budget.spent


def reserve(session: Session, claim: Spending) -> list[tuple[BudgetRecord, Decimal]]:
    """Reserve the claim's demand; returns the budgets it overdraws (and by how much).

    Each budget moves in one atomic ``UPDATE ... SET committed = committed + x RETURNING``:
    the database applies concurrent reservations one after another (a row lock on
    PostgreSQL, the write lock on SQLite), and the returned row says where this one landed.
    """
    budgets = budgets_for(session, claim, lock=False)
    previous = {
        r.budget_id: r
        for r in session.scalars(select(BudgetReservation).where(BudgetReservation.claim_id == claim.id))
    }
    over: list[tuple[BudgetRecord, Decimal]] = []
    for budget_id, amount in sorted(demand(claim, budgets).items()):
        row = session.execute(
            update(BudgetRecord)
            .where(BudgetRecord.id == budget_id)
            .values(committed=BudgetRecord.committed + amount)
            .returning(BudgetRecord.amount, BudgetRecord.committed, BudgetRecord.spent)
        ).one()
        used_after = row.committed + row.spent
        if used_after > row.amount:
            over.append((budgets[budget_id], min(amount, used_after - row.amount)))
        earlier = previous.get(budget_id)  # a resubmission reuses its released reservation
        if earlier is not None:
            earlier.amount, earlier.state = amount, "reserved"
        else:
            session.add(BudgetReservation(claim_id=claim.id, budget_id=budget_id, amount=amount))
    session.flush()
    session.expire_all()  # loaded budget rows are stale now
    return over


def reserved(session: Session, claim: Spending) -> Decimal:
    """What the claim holds reserved now (summed over its budget lines)."""
    amounts = session.scalars(
        select(BudgetReservation.amount).where(
            BudgetReservation.claim_id == claim.id, BudgetReservation.state == "reserved"
        )
    )
    return sum(amounts, Decimal("0.00"))


def settle(session: Session, claim: Spending, *, consume: bool) -> None:
    """Final approval consumes the reservations; rejection, withdrawal or return releases them."""
    reservations = session.scalars(
        select(BudgetReservation).where(
            BudgetReservation.claim_id == claim.id, BudgetReservation.state == "reserved"
        )
    ).all()
    for r in sorted(reservations, key=lambda r: r.budget_id):
        values = {"committed": BudgetRecord.committed - r.amount}
        if consume:
            values["spent"] = BudgetRecord.spent + r.amount
        session.execute(update(BudgetRecord).where(BudgetRecord.id == r.budget_id).values(**values))
        r.state = "consumed" if consume else "released"
    session.flush()


# --- budget lines, as finance and admins keep them -------------------------------------------


def line_view(b: BudgetRecord) -> dict[str, Any]:
    return {
        "id": b.id,
        "department_id": b.department_id,
        "category": b.category,
        "period": b.period,
        "start": b.period_start.isoformat(),
        "end": (b.period_end - timedelta(days=1)).isoformat(),
        "amount": f"{b.amount:.2f}",
        "committed": f"{b.committed:.2f}",
        "spent": f"{b.spent:.2f}",
        "available": f"{available(b):.2f}",
    }


def list_lines(session: Session) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(BudgetRecord).order_by(BudgetRecord.period_start, BudgetRecord.department_id)
    )
    return [line_view(b) for b in rows]


def create_line(
    session: Session,
    department_id: int,
    category: str,
    period: str,
    start: date,
    amount: Decimal,
    actor: str,
    now: datetime,
) -> dict[str, Any]:
    try:
        first, end = budget_period(start, period)
    except BudgetError as exc:
        raise InvalidInput(str(exc)) from exc
    row = BudgetRecord(
        department_id=department_id,
        category=category,
        period=period,
        period_start=first,
        period_end=end,
        amount=amount,
    )
    session.add(row)
    session.flush()
    view = line_view(row)
    trail.record_admin(session, f"budget:{row.id}", "budget.create", actor, now, view)
    return view


def set_consume_at(session: Session, at: str, actor: str, now: datetime) -> str:
    """When spend moves from reserved to spent: on final ``approval`` or on ``payment``."""
    before = set_control(session, "budget_consume_at", at)
    trail.record_admin(
        session, "control:budget_consume_at", "control.set", actor, now, {"before": before, "after": at}
    )
    return at
