"""Category caps and items without invoice (allowances), as the policy sets them."""

from __future__ import annotations

from decimal import Decimal

from reimburse.claims.domain import Category, ClaimItem, Finding, Severity
from reimburse.policy.domain import Policy


def _over(code: str, what: str, amount: Decimal, cap: Decimal, index: int, policy: Policy) -> Finding:
    return Finding(
        code,
        policy.caps.severity,
        f"{what}: {amount:.2f} over the cap of {cap:.2f}",
        index,
        ("total",),
        (("amount", f"{amount:.2f}"), ("cap", f"{cap:.2f}"), ("over", f"{amount - cap:.2f}")),
    )


def check_caps(item: ClaimItem, index: int, policy: Policy) -> list[Finding]:
    """Meals per person per day, entertainment per person, lodging per night by city tier,
    taxi per trip."""
    caps = policy.caps
    amount = item.amount.amount
    if item.amount.currency != policy.currency:
        return [
            Finding(
                "currency_unsupported",
                Severity.ERROR,
                f"policy caps are in {policy.currency}",
                index,
                details=(("currency", item.amount.currency), ("policy_currency", policy.currency)),
            )
        ]
    if item.category is Category.MEALS:
        people = item.attendees or 1
        days = item.days or 1
        per = amount / (people * days)
        if per > caps.meals_per_person_per_day:
            return [
                _over(
                    "meals_over_cap",
                    f"meals per person per day ({people} people)",
                    per,
                    caps.meals_per_person_per_day,
                    index,
                    policy,
                )
            ]
    elif item.category is Category.CLIENT_ENTERTAINMENT:
        if item.attendees is None:
            return [
                Finding(
                    "attendees_missing",
                    Severity.WARNING,
                    "entertainment needs the number of attendees",
                    index,
                )
            ]
        per = amount / item.attendees
        if per > caps.entertainment_per_person:
            return [
                _over(
                    "entertainment_over_cap",
                    "entertainment per person",
                    per,
                    caps.entertainment_per_person,
                    index,
                    policy,
                )
            ]
    elif item.category is Category.LODGING and item.no_invoice_kind is None:
        if item.nights is None or item.city_tier is None:
            return [
                Finding(
                    "lodging_details_missing",
                    Severity.WARNING,
                    "lodging needs nights and the city tier",
                    index,
                )
            ]
        per = amount / item.nights
        cap = caps.lodging_per_night[item.city_tier]
        if per > cap:
            return [
                _over(
                    "lodging_over_cap",
                    f"lodging per night (tier {item.city_tier} city)",
                    per,
                    cap,
                    index,
                    policy,
                )
            ]
    elif item.category is Category.TRANSPORT and item.no_invoice_kind is None and amount > caps.taxi_per_trip:
        return [_over("taxi_over_cap", "local transport per trip", amount, caps.taxi_per_trip, index, policy)]
    # per-diem and mileage have no cap here: their amounts are the policy's own rates times the
    # days or the distance (claims.allowances); days beyond the trip are daily.py's finding
    return []


def check_no_invoice(item: ClaimItem, index: int, policy: Policy) -> list[Finding]:
    """An item without invoice is allowed only for the kinds and categories the policy lists."""
    kind = item.no_invoice_kind
    if kind is None:
        return []
    allowed = policy.invoice.no_invoice_allowed.get(kind, frozenset())
    if item.category in allowed:
        return []
    return [
        Finding(
            "no_invoice_not_allowed",
            Severity.ERROR,
            f"{kind.value} without invoice is not allowed for {item.category.value}",
            index,
        )
    ]
