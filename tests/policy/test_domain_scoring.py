"""Values (money, items, periods) and the risk score."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from reimburse.claims.domain import (
    BudgetPeriod,
    Category,
    ClaimItem,
    ClaimItemError,
    Finding,
    Money,
    MoneyError,
    NoInvoiceKind,
    PeriodKind,
    Severity,
)
from reimburse.policy.defaults import default_policy
from reimburse.policy.rules.scoring import assess
from reimburse.routing.domain import RiskDecision
from tests.claims.factories import invoice


def test_money_refuses_floats_and_mixed_currencies() -> None:
    with pytest.raises(MoneyError):
        Money(0.1)  # type: ignore[arg-type]
    with pytest.raises(MoneyError):
        Money.of(0.1)  # type: ignore[arg-type]
    with pytest.raises(MoneyError):
        Money.of("NaN")
    with pytest.raises(MoneyError):
        Money.of("1") + Money.of("1", "USD")
    assert Money.of("0.10") + Money.of("0.20") == Money.of("0.30")
    assert str(Money.of("3")) == "3.00 CNY"


@pytest.mark.parametrize(
    "kwargs",
    [
        {},  # neither invoice nor no-invoice kind
        {"invoice": invoice(), "no_invoice_kind": NoInvoiceKind.PER_DIEM, "reason": "x"},
        {"no_invoice_kind": NoInvoiceKind.PER_DIEM},  # no reason
        {"no_invoice_kind": NoInvoiceKind.PER_DIEM, "reason": "  "},
        {"invoice": invoice(), "attendees": 0},
        {"invoice": invoice(), "city_tier": 4},
    ],
)
def test_impossible_items(kwargs: dict[str, object]) -> None:
    with pytest.raises(ClaimItemError):
        ClaimItem(Category.MEALS, Money.of("10"), date(2025, 1, 1), **kwargs)  # type: ignore[arg-type]


def test_item_amount_is_positive() -> None:
    with pytest.raises(ClaimItemError):
        ClaimItem(Category.MEALS, Money.of("0"), date(2025, 1, 1), invoice=invoice())


@pytest.mark.parametrize(
    ("kind", "day", "start", "label"),
    [
        (PeriodKind.MONTH, date(2025, 5, 31), date(2025, 5, 1), "2025-05"),
        (PeriodKind.QUARTER, date(2025, 12, 31), date(2025, 10, 1), "2025-Q4"),
        (PeriodKind.QUARTER, date(2025, 4, 1), date(2025, 4, 1), "2025-Q2"),
        (PeriodKind.YEAR, date(2025, 7, 9), date(2025, 1, 1), "2025"),
    ],
)
def test_budget_periods(kind: PeriodKind, day: date, start: date, label: str) -> None:
    p = BudgetPeriod.containing(kind, day)
    assert (p.start, str(p)) == (start, label)


POLICY = default_policy()  # points: info 0, warning 15, error 40, block 100; review at 15


def f(code: str, sev: Severity) -> Finding:
    return Finding(code, sev, code)


@pytest.mark.parametrize(
    ("findings", "score", "decision"),
    [
        ([], 0, RiskDecision.PASS),
        ([f("rest_day_spend", Severity.INFO)], 10, RiskDecision.PASS),
        ([f("round_amount", Severity.INFO), f("x", Severity.INFO)], 5, RiskDecision.PASS),
        ([f("meals_over_cap", Severity.WARNING)], 15, RiskDecision.REVIEW),
        ([f("a", Severity.ERROR), f("b", Severity.ERROR)], 80, RiskDecision.REVIEW),
        ([f("a", Severity.ERROR)] * 3, 100, RiskDecision.BLOCK),  # capped at 100, and 100 >= block_at
        ([f("duplicate_invoice", Severity.BLOCK)], 100, RiskDecision.BLOCK),
    ],
)
def test_score_and_decision(findings: list[Finding], score: int, decision: RiskDecision) -> None:
    a = assess(findings, POLICY)
    assert (a.score, a.decision) == (score, decision)


def test_block_severity_blocks_even_when_weighted_to_zero() -> None:
    policy = default_policy()
    import dataclasses

    quiet = dataclasses.replace(policy, risk=dataclasses.replace(policy.risk, code_points={"over_budget": 0}))
    a = assess([f("over_budget", Severity.BLOCK)], quiet)
    assert (a.score, a.decision) == (0, RiskDecision.BLOCK)


def test_reasons_list_the_scoring_findings_worst_first() -> None:
    a = assess([f("round_amount", Severity.INFO), f("buyer_not_company", Severity.ERROR)], POLICY)
    assert [s.finding.code for s in a.findings] == ["buyer_not_company", "round_amount"]
    assert a.reasons == ("buyer_not_company (+40): buyer_not_company", "round_amount (+5): round_amount")
    assert a.findings[0].points == 40 and Decimal(a.score) == 45
