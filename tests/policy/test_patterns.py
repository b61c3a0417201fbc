"""Split invoices, rest-day spend, round amounts, seller category mismatch."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from reimburse.claims.domain import Category, InvoiceLine, NoInvoiceKind
from reimburse.policy.defaults import china_calendar, default_policy
from reimburse.policy.rules.patterns import (
    check_rest_day,
    check_round_amount,
    check_seller_category,
    check_split_invoices,
)
from tests.claims.factories import invoice, item

POLICY = default_policy()
CAL = china_calendar()


def _inv(total: str, day: date = date(2025, 6, 16), seller: str = "S1") -> object:
    return invoice(total=Decimal(total), issue_date=day, seller_tax_id=None, seller_name=seller)


@pytest.mark.parametrize(
    ("totals", "history", "expected_items"),
    [
        (["950.00", "980.00"], [], [[0, 1]]),
        (["950.00"], [], []),
        (["950.00"], ["960.00"], [[0]]),  # the other half sits in an earlier claim
        (["950.00", "1000.00"], [], []),  # at the threshold is not "just under"
        (["850.00", "950.00"], [], []),  # 850 is more than 10 % under
        (["950.00", "950.00", "990.00"], [], [[0, 1, 2]]),
    ],
)
def test_split_invoices(totals: list[str], history: list[str], expected_items: list[list[int]]) -> None:
    invoices = [(i, _inv(t)) for i, t in enumerate(totals)]
    found = check_split_invoices(invoices, POLICY, [_inv(t) for t in history])  # type: ignore[arg-type]
    assert [[int(x) for x in (f.detail("items") or "").split(",")] for f in found] == expected_items
    assert all(f.code == "split_invoices" for f in found)


def test_split_needs_same_seller_and_day() -> None:
    invoices = [
        (0, _inv("950.00")),
        (1, _inv("950.00", seller="S2")),
        (2, _inv("950.00", day=date(2025, 6, 17))),
    ]
    assert check_split_invoices(invoices, POLICY) == []  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("day", "category", "fires"),
    [
        (date(2025, 6, 16), Category.MEALS, False),  # Monday
        (date(2025, 6, 14), Category.MEALS, True),  # Saturday
        (date(2025, 10, 8), Category.MEALS, True),  # Wednesday in the National Day holiday
        (date(2025, 9, 28), Category.MEALS, False),  # Sunday, a make-up working day
        (date(2025, 6, 14), Category.TRAVEL, False),  # travel on weekends is normal
    ],
)
def test_rest_day(day: date, category: Category, fires: bool) -> None:
    it = item(category, invoice=invoice(issue_date=day), spent_on=day)
    found = check_rest_day(it, 0, CAL, POLICY)
    assert [f.code for f in found] == (["rest_day_spend"] if fires else [])


@pytest.mark.parametrize(
    ("total", "fires"),
    [("2000.00", True), ("500.00", True), ("400.00", False), ("2000.50", False), ("1999.00", False)],
)
def test_round_amount(total: str, fires: bool) -> None:
    it = item(amount="100.00", invoice=invoice(total=Decimal(total)))
    assert bool(check_round_amount(it, 0, POLICY)) is fires


def test_round_amount_uses_item_amount_without_invoice() -> None:
    it = item(Category.TRAVEL, amount="600.00", no_invoice_kind=NoInvoiceKind.PER_DIEM, reason="出差补助")
    assert [f.code for f in check_round_amount(it, 0, POLICY)] == ["round_amount"]


@pytest.mark.parametrize(
    ("category", "lines", "seller", "fires"),
    [
        (Category.MEALS, ("*餐饮服务*餐费",), "某某公司", False),
        (Category.OFFICE, ("*餐饮服务*餐费",), "某某公司", True),
        (Category.CLIENT_ENTERTAINMENT, ("*餐饮服务*餐费",), "某某公司", False),
        (Category.OFFICE, (), "某某大酒店有限公司", True),  # no lines: the seller's name decides
        (Category.LODGING, (), "某某大酒店有限公司", False),
        (Category.OFFICE, (), "某某贸易有限公司", False),  # nothing known: no finding
        (Category.OTHER, ("*餐饮服务*餐费",), "", False),
        (Category.TRANSPORT, ("*汽油*92号",), "某某石化加油站", False),
    ],
)
def test_seller_category(category: Category, lines: tuple[str, ...], seller: str, fires: bool) -> None:
    inv = invoice(lines=tuple(InvoiceLine(n, Decimal("0.06")) for n in lines), seller_name=seller)
    found = check_seller_category(item(category, invoice=inv), 0)
    assert [f.code for f in found] == (["seller_category_mismatch"] if fires else [])
