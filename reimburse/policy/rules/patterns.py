"""Spending patterns finance wants to see: split invoices, rest-day spend, round amounts, and a
seller that does not sell what the item claims."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from reimburse.claims.domain import Category, ClaimItem, Finding, InvoiceFacts, Severity
from reimburse.policy.domain import Policy
from reimburse.policy.rules.calendar import HolidayCalendar
from reimburse.policy.rules.keywords import line_categories, normalise, seller_categories


def check_split_invoices(
    invoices: Sequence[tuple[int, InvoiceFacts]], policy: Policy, history: Sequence[InvoiceFacts] = ()
) -> list[Finding]:
    """Several invoices from one seller on one day, each just under the threshold (e.g. three of
    950 where one of 2,850 would need more approval). ``invoices`` are this claim's (with item
    indexes); ``history`` may add the submitter's recent invoices from other claims."""
    p = policy.patterns
    low = p.split_threshold * (1 - p.split_margin)
    groups: dict[tuple[str, date], list[int | None]] = defaultdict(list)
    for idx, facts in [*invoices, *((None, f) for f in history)]:
        seller = normalise(facts.seller_tax_id or facts.seller_name or "")
        if not seller or facts.issue_date is None or facts.total is None:
            continue
        if low <= facts.total < p.split_threshold:
            groups[(seller, facts.issue_date)].append(idx)
    out: list[Finding] = []
    for (_, day), members in groups.items():
        mine = [i for i in members if i is not None]
        if len(members) >= p.split_min_count and mine:
            out.append(
                Finding(
                    "split_invoices",
                    Severity.WARNING,
                    f"{len(members)} invoices from one seller on {day}, each just under {p.split_threshold}",
                    mine[0],
                    ("seller_name", "issue_date", "total"),
                    (("items", ",".join(str(i) for i in mine)), ("count", str(len(members)))),
                )
            )
    return out


def check_rest_day(item: ClaimItem, index: int, calendar: HolidayCalendar, policy: Policy) -> list[Finding]:
    """Meals, entertainment or office spend on a weekend or public holiday."""
    if item.category not in policy.patterns.rest_day_categories:
        return []
    day = item.invoice.issue_date if item.invoice and item.invoice.issue_date else item.spent_on
    if not calendar.is_rest_day(day):
        return []
    what = "a public holiday" if calendar.is_holiday(day) else "a weekend"
    return [
        Finding(
            "rest_day_spend",
            Severity.INFO,
            f"{item.category.value} spend on {day}, {what}",
            index,
            ("issue_date",),
            (("date", str(day)),),
        )
    ]


def check_round_amount(item: ClaimItem, index: int, policy: Policy) -> list[Finding]:
    """A large round total (2,000.00) is more often an estimate or a bought invoice than a bill."""
    p = policy.patterns
    total: Decimal = (
        item.invoice.total if item.invoice and item.invoice.total is not None else item.amount.amount
    )
    if total >= p.round_amount_min and total % p.round_amount_unit == 0:
        return [
            Finding(
                "round_amount",
                Severity.INFO,
                f"round amount {total}",
                index,
                ("total",),
                (("total", str(total)),),
            )
        ]
    return []


def check_seller_category(item: ClaimItem, index: int) -> list[Finding]:
    """The invoice lines (or failing that, the seller's name) say what was bought; flag a claim
    category they do not fit (a restaurant bill claimed as office supplies)."""
    facts = item.invoice
    if facts is None or item.category is Category.OTHER:
        return []
    fits: set[Category] = set()
    source = "invoice lines"
    for line in facts.lines:
        cats = line_categories(line.name)
        if cats:
            fits |= cats
    if not fits and facts.seller_name:
        source = "seller name"
        fits |= seller_categories(facts.seller_name) or set()
    if not fits or item.category in fits:
        return []
    return [
        Finding(
            "seller_category_mismatch",
            Severity.WARNING,
            f"claimed as {item.category.value}, but the {source} suggest "
            + ", ".join(sorted(c.value for c in fits)),
            index,
            ("seller_name", "line_items"),
        )
    ]
