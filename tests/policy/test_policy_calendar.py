"""Policy loading and validation; the holiday calendar."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import yaml

from reimburse.claims.domain import Category, NoInvoiceKind, Severity
from reimburse.policy.defaults import china_calendar, default_policy, default_policy_text
from reimburse.policy.domain import OverBudgetAction, PolicyError, load_policy_text, policy_to_json
from reimburse.policy.rules.calendar import CalendarError, load_calendar_text


def test_default_policy_values() -> None:
    p = default_policy()
    assert p.caps.lodging_per_night == {1: Decimal("600"), 2: Decimal("450"), 3: Decimal("350")}
    assert p.invoice.no_invoice_allowed[NoInvoiceKind.PER_DIEM] == frozenset({Category.TRAVEL})
    assert p.over_budget is OverBudgetAction.ADD_APPROVER
    assert p.points("round_amount", Severity.INFO) == 5
    assert p.points("anything_else", Severity.ERROR) == 40


def test_policy_round_trips_through_json() -> None:
    p = default_policy()
    assert load_policy_text(policy_to_json(p)) == p


def _edited(**changes: object) -> str:
    doc = yaml.safe_load(default_policy_text())
    for path, value in changes.items():
        node = doc
        *parents, leaf = path.split("__")
        for key in parents:
            node = node[int(key) if key.isdigit() and int(key) in node else key]
        if value is None:
            del node[leaf]
        else:
            node[leaf] = value
    return yaml.safe_dump(doc, allow_unicode=True)


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"caps__taxi_per_trip": -5}, "caps.taxi_per_trip: must not be negative"),
        ({"caps__taxi_per_trip": "lots"}, "caps.taxi_per_trip: not a number"),
        ({"caps__taxi_per_trip": 12.345}, "caps.taxi_per_trip: at most two decimals"),
        ({"caps__meals_per_person_per_day": None}, "caps.meals_per_person_per_day: missing"),
        ({"caps__lodging_per_night__4": 100}, "caps.lodging_per_night: city tiers are 1, 2, 3"),
        ({"caps__taxi": 100}, "caps: unknown keys ['taxi']"),
        ({"invoice__max_age_days": 0}, "invoice.max_age_days: must be between 1 and 3650"),
        ({"invoice__max_age_days": "365"}, "invoice.max_age_days: must be a whole number"),
        ({"invoice__individual_buyer_categories": ["trains"]}, "'trains' is not one of"),
        ({"invoice__no_invoice_allowed": {"gifts": ["other"]}}, "invoice.no_invoice_allowed.gifts"),
        ({"patterns__split_margin": 2}, "patterns.split_margin: a fraction between 0 and 1"),
        ({"over_budget": "shrug"}, "over_budget: 'shrug' is not one of"),
        ({"risk__review_at": 50, "risk__block_at": 40}, "risk.block_at: must not be below risk.review_at"),
        ({"currency": "rmb"}, "currency: an ISO 4217 code"),
        ({"version": 2}, "version: only version 1"),
    ],
)
def test_invalid_policy_is_refused_with_the_path(changes: dict[str, object], problem: str) -> None:
    with pytest.raises(PolicyError) as err:
        load_policy_text(_edited(**changes))
    assert any(problem in p for p in err.value.problems), err.value.problems


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(PolicyError) as err:
        load_policy_text(_edited(caps__taxi_per_trip=-1, invoice__max_age_days=0, over_budget="x"))
    assert len(err.value.problems) == 3


@pytest.mark.parametrize("text", ["", "[1, 2]", "caps: {", "just text"])
def test_not_a_policy_document(text: str) -> None:
    with pytest.raises(PolicyError):
        load_policy_text(text)


@pytest.mark.parametrize(
    ("day", "rest"),
    [
        (date(2024, 2, 12), True),  # Monday in the 2024 Spring Festival
        (date(2024, 2, 4), False),  # Sunday, make-up working day
        (date(2024, 5, 11), False),  # Saturday, make-up working day
        (date(2024, 3, 2), True),  # a plain Saturday
        (date(2024, 3, 4), False),  # a plain Monday
        (date(2025, 1, 28), True),  # 除夕 2025
        (date(2025, 2, 8), False),  # Saturday, make-up working day
        (date(2025, 10, 8), True),  # last day of the 2025 National Day holiday
        (date(2026, 2, 17), True),  # 春节 2026, a statutory day (partial year)
        (date(2027, 1, 2), True),  # uncovered year: Saturday by the weekend fallback
    ],
)
def test_china_calendar(day: date, rest: bool) -> None:
    assert china_calendar().is_rest_day(day) is rest


def test_calendar_coverage_is_explicit() -> None:
    cal = china_calendar()
    assert cal.covers(date(2025, 5, 1)) and not cal.covers(date(2026, 5, 1))
    assert 2026 in cal.partial_years


@pytest.mark.parametrize(
    "text",
    [
        "holidays: [2025-01-01]\nworkdays: [2025-01-01]",
        "workdays: [2025-01-02]",  # a Thursday cannot be a make-up day
        "holidays: [[2025-01-03, 2025-01-01]]",
        "holidays: [tomorrow]",
        "- 2025-01-01",
    ],
)
def test_bad_calendar_data(text: str) -> None:
    with pytest.raises(CalendarError):
        load_calendar_text(text)
