"""Budgets as a ledger: which lines a claim draws on, reserving, consuming and releasing.

A budget row moves only by atomic ``UPDATE ... SET committed = committed + x``, so two
submissions or approvals that race cannot spend the same money twice or lose an update.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from reimburse.budgets.records import BudgetRecord, BudgetReservation
from reimburse.core.errors import InvalidInput


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


def budgets_for(session: Session, claim: Spending, *, lock: bool) -> dict[int, BudgetRecord]:
    """The budgets the claim's items fall into (department × category or "*", period), locked."""
    if claim.department_id is None:
        return {}
    days = {i.expense_date for i in claim.items}
    query = select(BudgetRecord).where(BudgetRecord.department_id == claim.department_id)
    if lock:
        query = query.with_for_update()
    out: dict[int, BudgetRecord] = {}
    for budget in session.scalars(query.order_by(BudgetRecord.id)):
        if any(budget.period_start <= d < budget.period_end for d in days):
            out[budget.id] = budget
    return out


def demand(claim: Spending, budgets: dict[int, BudgetRecord]) -> dict[int, Decimal]:
    """How much of each budget the claim needs: a category budget first, else the "*" one."""
    need: dict[int, Decimal] = defaultdict(Decimal)
    for item in claim.items:
        budget = _budget_for(item.category, item.expense_date, budgets)
        if budget is not None:
            need[budget.id] += item.amount
    return dict(need)


def _budget_for(category: str, day: date, budgets: dict[int, BudgetRecord]) -> BudgetRecord | None:
    matching = [b for b in budgets.values() if b.period_start <= day < b.period_end]
    exact = [b for b in matching if b.category == category]
    if exact:
        return exact[0]
    general = [b for b in matching if b.category == "*"]
    return general[0] if general else None


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


def budget_view(b: BudgetRecord) -> dict[str, Any]:
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


def budget_list(session: Session) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(BudgetRecord).order_by(BudgetRecord.period_start, BudgetRecord.department_id)
    )
    return [budget_view(b) for b in rows]


_MONTHS = {"month": 1, "quarter": 3, "year": 12}


def create_budget(
    session: Session, department_id: int, category: str, period: str, start: date, amount: Decimal
) -> dict[str, Any]:
    """A budget line for a month, a quarter (starting January, April, July or October) or a
    year; the start is moved to the first day of its period."""
    start = start.replace(day=1)
    if period == "quarter" and (start.month - 1) % 3:
        raise InvalidInput("a quarter starts in January, April, July or October")
    if period == "year":
        start = start.replace(month=1)
    m = start.month - 1 + _MONTHS[period]
    row = BudgetRecord(
        department_id=department_id,
        category=category,
        period=period,
        period_start=start,
        period_end=date(start.year + m // 12, m % 12 + 1, 1),
        amount=amount,
    )
    session.add(row)
    session.flush()
    return budget_view(row)
