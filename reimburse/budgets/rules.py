"""Budget arithmetic: reserve on submit, consume on final approval, release on reject/withdraw.

Each operation returns a new ``Budget`` and the findings it produced; nothing is mutated. The
service applies the result under a row lock (``SELECT ... FOR UPDATE``) so two approvals that
race read and write one budget row in turn. ``available = amount - committed - spent``.

Over budget on reserve: under ``block`` nothing is reserved and a block finding is returned
(so ``available`` never goes negative); under ``add_approver`` / ``warn`` the amount is reserved
anyway and a warning / info finding tells routing to add an approver / finance to look.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from reimburse.claims.domain import Budget, Finding, Money, Severity
from reimburse.policy.domain import OverBudgetAction


class BudgetError(ValueError):
    """An operation the books cannot take: releasing or consuming more than was reserved,
    a negative amount, another currency."""


@dataclass(frozen=True, slots=True)
class BudgetOutcome:
    budget: Budget
    findings: tuple[Finding, ...] = ()
    reserved: bool = True

    @property
    def blocked(self) -> bool:
        return not self.reserved


def _check(budget: Budget, amount: Money) -> None:
    if amount.currency != budget.amount.currency:
        raise BudgetError(f"budget is in {budget.amount.currency}, amount in {amount.currency}")
    if amount.is_negative:
        raise BudgetError("budget operations take a non-negative amount")


_SEVERITY = {
    OverBudgetAction.BLOCK: Severity.BLOCK,
    OverBudgetAction.ADD_APPROVER: Severity.WARNING,
    OverBudgetAction.WARN: Severity.INFO,
}


def reserve(budget: Budget, amount: Money, action: OverBudgetAction) -> BudgetOutcome:
    """Reserve ``amount`` for a submitted claim."""
    _check(budget, amount)
    available = budget.available
    if amount <= available:
        return BudgetOutcome(replace(budget, committed=budget.committed + amount))
    over = amount - available
    finding = Finding(
        "over_budget",
        _SEVERITY[action],
        f"{budget.category.value} budget {budget.period} of department {budget.department_id}: "
        f"{amount} asked, {available} available ({over} over)",
        None,
        (),
        (
            ("action", action.value),
            ("department", budget.department_id),
            ("category", budget.category.value),
            ("period", str(budget.period)),
            ("available", f"{available.amount:.2f}"),
            ("over", f"{over.amount:.2f}"),
        ),
    )
    if action is OverBudgetAction.BLOCK:
        return BudgetOutcome(budget, (finding,), reserved=False)
    return BudgetOutcome(replace(budget, committed=budget.committed + amount), (finding,))


def release(budget: Budget, reserved: Money) -> Budget:
    """Give back a reservation (claim rejected or withdrawn)."""
    _check(budget, reserved)
    if reserved > budget.committed:
        raise BudgetError(f"cannot release {reserved}: only {budget.committed} is committed")
    return replace(budget, committed=budget.committed - reserved)


def consume(budget: Budget, reserved: Money, approved: Money | None = None) -> Budget:
    """Final approval: the reservation becomes spending. ``approved`` may be less than what was
    reserved (an item cut by an approver); the difference is released, never more is spent."""
    _check(budget, reserved)
    final = reserved if approved is None else approved
    _check(budget, final)
    if reserved > budget.committed:
        raise BudgetError(f"cannot consume {reserved}: only {budget.committed} is committed")
    if final > reserved:
        raise BudgetError(f"approved {final} exceeds the reserved {reserved}; reserve the difference first")
    return replace(budget, committed=budget.committed - reserved, spent=budget.spent + final)


_PERIOD_MONTHS = {"month": 1, "quarter": 3, "year": 12}


def budget_period(start: date, period: str) -> tuple[date, date]:
    """The period a budget line covers, from any day in its first month: ``(first day, the day
    after the last)``. A quarter starts in January, April, July or October; a year in January."""
    first = start.replace(day=1)
    if period == "quarter" and (first.month - 1) % 3:
        raise BudgetError("a quarter starts in January, April, July or October")
    if period == "year":
        first = first.replace(month=1)
    m = first.month - 1 + _PERIOD_MONTHS[period]
    return first, date(first.year + m // 12, m % 12 + 1, 1)
