"""Caps that hold per person and day (meals) or per trip (per-diem), across claims.

``check_caps`` looks at one item; a daily cap is about the person's day, so the items of the
same person on the same day add up, in this claim and in the others they have running or paid
(passed in as ``others``). A finding goes to the item of this claim that takes the day (or the
trip) over the cap, once; a day one item alone overruns is ``check_caps``'s finding already.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from decimal import Decimal

from reimburse.claims.domain import Category, ClaimItem, Finding, NoInvoiceKind
from reimburse.policy.domain import Policy


def _meal_days(item: ClaimItem) -> Iterator[tuple[date, Decimal]]:
    """Per-person meal spend of an item, spread over the days it covers."""
    days = item.days or 1
    share = item.amount.amount / ((item.attendees or 1) * days)
    for k in range(days):
        yield item.spent_on + timedelta(days=k), share


def _is_per_diem(item: ClaimItem) -> bool:
    return item.no_invoice_kind is NoInvoiceKind.PER_DIEM


def check_person_caps(
    items: Sequence[ClaimItem],
    others: Sequence[ClaimItem],
    policy: Policy,
    trip_start: date | None = None,
    trip_end: date | None = None,
) -> list[Finding]:
    """Meals per person per day and per-diem per trip, adding up this claim's ``items`` and the
    person's ``others`` (items of their other claims)."""
    out: list[Finding] = []
    cap = policy.caps.meals_per_person_per_day
    day_total: dict[date, Decimal] = defaultdict(Decimal)
    day_count: dict[date, int] = defaultdict(int)
    for other in others:
        if other.category is Category.MEALS and other.amount.currency == policy.currency:
            for day, share in _meal_days(other):
                day_total[day] += share
                day_count[day] += 1
    flagged: set[date] = set()
    for i, item in enumerate(items):
        if item.category is not Category.MEALS or item.amount.currency != policy.currency:
            continue
        for day, share in _meal_days(item):
            day_total[day] += share
            day_count[day] += 1
            if day_total[day] > cap and day_count[day] > 1 and day not in flagged:
                flagged.add(day)
                out.append(_over("meals_over_daily_cap", f"meals per person on {day}, all claims",
                                 day_total[day], cap, i, policy))  # fmt: skip
    if trip_start is None or trip_end is None or trip_end < trip_start:
        return out
    trip_cap = policy.caps.per_diem_per_day * ((trip_end - trip_start).days + 1)
    total, count = Decimal("0"), 0
    for other in others:
        if _is_per_diem(other) and trip_start <= other.spent_on <= trip_end:
            total, count = total + other.amount.amount, count + 1
    for i, item in enumerate(items):
        if not _is_per_diem(item):
            continue
        total, count = total + item.amount.amount, count + 1
        if total > trip_cap and count > 1:
            out.append(_over("per_diem_over_trip_cap", f"per-diem for the trip {trip_start} to {trip_end}, "
                             "all claims", total, trip_cap, i, policy))  # fmt: skip
            break
    return out


def _over(code: str, what: str, amount: Decimal, cap: Decimal, index: int, policy: Policy) -> Finding:
    return Finding(
        code,
        policy.caps.severity,
        f"{what}: {amount:.2f} over the cap of {cap:.2f}",
        index,
        ("total",),
        (("amount", f"{amount:.2f}"), ("cap", f"{cap:.2f}"), ("over", f"{amount - cap:.2f}")),
    )
