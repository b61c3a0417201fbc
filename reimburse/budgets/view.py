"""What a claim draws on its department's budgets, for the person deciding it.

The lines are the ones the ledger reserves on submission (``ledger.budgets_for`` and
``ledger.demand``: every line that covers an item, its category's and the ``"*"`` total, of
its department and those above, in the period of each item's date), so the screen and the
books cannot disagree about which line pays.

A submitted claim's own reservation is already inside the line's ``committed`` (an approved
one's inside ``spent``). It is taken out again here, so that "left before" and "left after"
mean before and after *this* claim whatever its state: the figures an approver sees do not
jump when the claim moves from draft to submitted to approved.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from reimburse.budgets import service as ledger
from reimburse.budgets.records import BudgetRecord, BudgetReservation
from reimburse.identity.records import DepartmentRecord
from reimburse.policy.service import current_policy

_HELD = ("reserved", "consumed")  # a released reservation is no longer in the books


@dataclass(frozen=True, slots=True)
class BudgetLine:
    """One budget (department × category × period) and what this claim takes from it."""

    budget_id: int
    department: str | None  # whose budget: the claim's department or one above it
    category: str  # a category, or "*" for everything without its own budget
    period: str  # month | quarter | year
    start: date
    end: date  # inclusive
    plan: Decimal
    used: Decimal  # spent by other claims (approved)
    reserved: Decimal  # held by other claims in approval
    claim: Decimal  # what this claim draws
    held: str | None  # "reserved" / "consumed" when this claim's amount is in the books now

    @property
    def left_before(self) -> Decimal:
        return self.plan - self.used - self.reserved

    @property
    def left_after(self) -> Decimal:
        return self.left_before - self.claim

    @property
    def over_by(self) -> Decimal:
        """How much of this claim the line cannot cover (all of it if the line was already
        overdrawn), as ``ledger.reserve`` counts it."""
        return min(self.claim, max(Decimal("0.00"), -self.left_after))


@dataclass(frozen=True, slots=True)
class ClaimBudget:
    claim_id: int
    department_id: int | None
    department: str | None
    lines: tuple[BudgetLine, ...]
    unbudgeted: Decimal  # items that fall into no budget of the department
    over_budget_action: str  # what the policy does when a claim exceeds: block | add_approver | warn

    @property
    def exceeds(self) -> bool:
        return any(line.over_by > 0 for line in self.lines)


def claim_budget(session: Session, claim: ledger.Spending) -> ClaimBudget:
    """The budget lines the claim draws on, with the figures before and after it."""
    budgets = ledger.budgets_for(session, claim, lock=False)
    need = ledger.demand(claim, budgets)
    held = {
        r.budget_id: r
        for r in session.scalars(
            select(BudgetReservation).where(
                BudgetReservation.claim_id == claim.id, BudgetReservation.state.in_(_HELD)
            )
        )
    }
    missing = set(held) - set(budgets)  # reserved on a line no item falls into any more
    if missing:
        extra = session.scalars(select(BudgetRecord).where(BudgetRecord.id.in_(missing)))
        budgets.update((b.id, b) for b in extra)
    lines = []
    for budget_id in sorted(set(need) | set(held), key=lambda i: (budgets[i].period_start, budgets[i].id)):
        budget = budgets[budget_id]
        mine = held.get(budget_id)
        # the claim's own money comes out of the bucket it sits in now, so "others" is exact
        own_committed = mine.amount if mine is not None and mine.state == "reserved" else Decimal(0)
        own_spent = mine.amount if mine is not None and mine.state == "consumed" else Decimal(0)
        owner = session.get(DepartmentRecord, budget.department_id)
        lines.append(
            BudgetLine(
                budget_id=budget.id,
                department=owner.name if owner else None,
                category=budget.category,
                period=budget.period,
                start=budget.period_start,
                end=budget.period_end - timedelta(days=1),
                plan=budget.amount,
                used=budget.spent - own_spent,
                reserved=budget.committed - own_committed,
                claim=mine.amount if mine is not None else need.get(budget_id, Decimal(0)),
                held=mine.state if mine is not None else None,
            )
        )
    department = session.get(DepartmentRecord, claim.department_id) if claim.department_id else None
    return ClaimBudget(
        claim_id=claim.id,
        department_id=claim.department_id,
        department=department.name if department else None,
        lines=tuple(lines),
        unbudgeted=ledger.unbudgeted(claim, budgets),
        over_budget_action=current_policy(session).over_budget.value,
    )
