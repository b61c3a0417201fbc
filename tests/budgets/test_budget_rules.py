"""Budget arithmetic: tables for the findings, hypothesis for the invariants."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reimburse.budgets.rules import BudgetError, consume, release, reserve
from reimburse.claims.domain import Budget, BudgetPeriod, Category, Money, PeriodKind, Severity
from reimburse.policy.domain import OverBudgetAction


def budget(amount: str = "1000.00", committed: str = "0", spent: str = "0") -> Budget:
    return Budget(
        "d-sales",
        Category.MEALS,
        BudgetPeriod.containing(PeriodKind.QUARTER, date(2025, 5, 10)),
        Money.of(amount),
        Money.of(committed),
        Money.of(spent),
    )


def test_reserve_within_budget() -> None:
    out = reserve(budget(committed="200.00", spent="300.00"), Money.of("500.00"), OverBudgetAction.BLOCK)
    assert out.reserved and out.findings == ()
    assert out.budget.available == Money.of("0.00")


@pytest.mark.parametrize(
    ("action", "severity", "reserved"),
    [
        (OverBudgetAction.BLOCK, Severity.BLOCK, False),
        (OverBudgetAction.ADD_APPROVER, Severity.WARNING, True),
        (OverBudgetAction.WARN, Severity.INFO, True),
    ],
)
def test_over_budget_by_policy(action: OverBudgetAction, severity: Severity, reserved: bool) -> None:
    b = budget(committed="900.00")
    out = reserve(b, Money.of("150.00"), action)
    (f,) = out.findings
    assert (f.code, f.severity, out.reserved) == ("over_budget", severity, reserved)
    assert (f.detail("over"), f.detail("available"), f.detail("action"), f.detail("period")) == (
        "50.00",
        "100.00",
        action.value,
        "2025-Q2",
    )
    assert out.budget == (b if not reserved else budget(committed="1050.00"))


def test_consume_moves_commitment_to_spending_and_releases_a_cut() -> None:
    b = budget(committed="500.00")
    assert consume(b, Money.of("500.00")) == budget(committed="0.00", spent="500.00")
    assert consume(b, Money.of("500.00"), Money.of("420.00")) == budget(committed="0.00", spent="420.00")


@pytest.mark.parametrize(
    "op",
    [
        lambda b: release(b, Money.of("600.00")),
        lambda b: consume(b, Money.of("600.00")),
        lambda b: consume(b, Money.of("100.00"), Money.of("150.00")),
        lambda b: reserve(b, Money.of("-1.00"), OverBudgetAction.WARN),
        lambda b: reserve(b, Money.of("1.00", "USD"), OverBudgetAction.WARN),
    ],
)
def test_impossible_operations_raise(op: object) -> None:
    with pytest.raises(BudgetError):
        op(budget(committed="500.00"))  # type: ignore[operator]


cents = st.integers(min_value=0, max_value=10_000_000).map(lambda c: Money(Decimal(c) / 100))


@given(total=cents, asks=st.lists(cents, max_size=20))
def test_block_policy_never_goes_negative(total: Money, asks: list[Money]) -> None:
    b = budget(str(total.amount))
    for ask in asks:
        b = reserve(b, ask, OverBudgetAction.BLOCK).budget
        assert not b.available.is_negative
    # consuming what was reserved never changes what is available
    before = b.available
    assert consume(b, b.committed).available == before


@given(total=cents, committed=cents, ask=cents, action=st.sampled_from(list(OverBudgetAction)))
def test_reserve_then_release_is_identity(
    total: Money, committed: Money, ask: Money, action: OverBudgetAction
) -> None:
    b = budget(str(total.amount), str(committed.amount))
    out = reserve(b, ask, action)
    back = release(out.budget, ask) if out.reserved else out.budget
    assert back == b


@given(total=cents, asks=st.lists(cents, max_size=10))
def test_reservations_and_spending_add_up(total: Money, asks: list[Money]) -> None:
    b = budget(str(total.amount))
    for ask in asks:
        b = reserve(b, ask, OverBudgetAction.ADD_APPROVER).budget
    for ask in asks[::2]:
        b = consume(b, ask)
    assert b.amount - b.committed - b.spent == b.available
    assert b.committed + b.spent == sum((a for a in asks), Money.zero())
