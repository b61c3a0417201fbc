"""Category caps and items without invoice."""

from __future__ import annotations

from typing import Any

import pytest

from reimburse.claims.domain import Category, Money, NoInvoiceKind
from reimburse.policy.defaults import default_policy
from reimburse.policy.rules.caps import check_caps, check_no_invoice
from tests.claims.factories import item

POLICY = default_policy()  # meals 150/person/day, entertainment 300/person, lodging 600/450/350, taxi 200


@pytest.mark.parametrize(
    ("category", "amount", "over", "expected"),
    [
        (Category.MEALS, "300.00", {"attendees": 2}, []),
        (Category.MEALS, "300.02", {"attendees": 2}, ["meals_over_cap"]),
        (Category.MEALS, "400.00", {"attendees": 2, "days": 2}, []),
        (Category.CLIENT_ENTERTAINMENT, "900.00", {"attendees": 3}, []),
        (Category.CLIENT_ENTERTAINMENT, "900.00", {"attendees": 2}, ["entertainment_over_cap"]),
        (Category.CLIENT_ENTERTAINMENT, "900.00", {"attendees": None}, ["attendees_missing"]),
        (Category.LODGING, "1200.00", {"nights": 2, "city_tier": 1}, []),
        (Category.LODGING, "1200.00", {"nights": 2, "city_tier": 2}, ["lodging_over_cap"]),
        (Category.LODGING, "300.00", {"nights": 1, "city_tier": 3}, []),
        (Category.LODGING, "300.00", {}, ["lodging_details_missing"]),
        (Category.TRANSPORT, "200.00", {}, []),
        (Category.TRANSPORT, "200.01", {}, ["taxi_over_cap"]),
        (Category.OFFICE, "9999.00", {}, []),  # no cap for office supplies
    ],
)
def test_caps(category: Category, amount: str, over: dict[str, Any], expected: list[str]) -> None:
    found = check_caps(item(category, amount, **over), 0, POLICY)
    assert [f.code for f in found] == expected
    for f in found:
        if f.code.endswith("_over_cap"):
            assert f.severity is POLICY.caps.severity
            assert f.detail("cap") is not None


def test_over_cap_details_say_by_how_much() -> None:
    (f,) = check_caps(item(Category.TRANSPORT, "250.00"), 0, POLICY)
    assert (f.detail("amount"), f.detail("cap"), f.detail("over")) == ("250.00", "200.00", "50.00")


@pytest.mark.parametrize(
    ("kind", "category", "amount", "days"),
    [
        (NoInvoiceKind.PER_DIEM, Category.TRAVEL, "1500.00", 10),  # 10 days in a tier-1 city
        (NoInvoiceKind.PER_DIEM, Category.TRAVEL, "150.00", None),  # stored before days were kept
        (NoInvoiceKind.MILEAGE, Category.TRANSPORT, "1200.00", None),  # 1000 km
    ],
)
def test_allowances_have_no_item_cap(
    kind: NoInvoiceKind, category: Category, amount: str, days: int | None
) -> None:
    # their amounts are the policy's own rates times the days or km (claims.allowances):
    # nobody typed them, so there is nothing to cap; days beyond the trip are daily.py's
    it = item(category, amount, no_invoice_kind=kind, reason="按标准计算", days=days)
    assert check_caps(it, 0, POLICY) == []


def test_foreign_currency_is_refused_by_caps() -> None:
    it = item(Category.MEALS, attendees=1)
    it = type(it)(**{**{s: getattr(it, s) for s in it.__slots__}, "amount": Money.of("10", "USD")})  # type: ignore[attr-defined]
    assert [f.code for f in check_caps(it, 0, POLICY)] == ["currency_unsupported"]


@pytest.mark.parametrize(
    ("category", "kind", "fires"),
    [
        (Category.TRAVEL, NoInvoiceKind.PER_DIEM, False),
        (Category.MEALS, NoInvoiceKind.PER_DIEM, True),
        (Category.TRANSPORT, NoInvoiceKind.MILEAGE, False),
        (Category.OFFICE, NoInvoiceKind.MILEAGE, True),
    ],
)
def test_no_invoice_allowed(category: Category, kind: NoInvoiceKind, fires: bool) -> None:
    it = item(category, "50.00", no_invoice_kind=kind, reason="无票")
    assert [f.code for f in check_no_invoice(it, 0, POLICY)] == (["no_invoice_not_allowed"] if fires else [])


def test_items_with_invoice_are_not_no_invoice_items() -> None:
    assert check_no_invoice(item(), 0, POLICY) == []
