"""Caps that hold per person and day (meals) or per trip (per-diem days), across claims.

``check_caps`` looks at one item; a daily cap is about the person's day, so the items of the
same person on the same day add up, in this claim and in the others they have running or paid
(passed in as ``others``). A finding goes to the item of this claim that takes the day (or the
trip) over the cap, once; a day one meal alone overruns is ``check_caps``'s finding already,
while a single per-diem with more days than the trip is this module's.
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
    """Meals per person per day and per-diem days per trip, adding up this claim's ``items`` and
    the person's ``others`` (items of their other claims)."""
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
    return out + _per_diem_days(items, others, policy, trip_start, trip_end)


def _per_diem_days(
    items: Sequence[ClaimItem], others: Sequence[ClaimItem], policy: Policy, trip_start: date, trip_end: date
) -> list[Finding]:
    """A per-diem is computed from its days (claims.allowances), so what can still go wrong is
    the days: more per-diem days for the trip, in this claim and the person's others, than the
    trip has. An item stored before its days were kept counts as one day."""
    trip_days = (trip_end - trip_start).days + 1
    total = sum((o.days or 1 for o in others if _is_per_diem(o) and trip_start <= o.spent_on <= trip_end), 0)
    for i, item in enumerate(items):
        if not _is_per_diem(item):
            continue
        total += item.days or 1
        if total > trip_days:
            return [
                Finding(
                    "per_diem_over_trip_cap",
                    policy.caps.severity,
                    f"per-diem for {total} days, all claims, on the trip {trip_start} to {trip_end} "
                    f"of {trip_days} days",
                    i,
                    ("total",),
                    (("days", str(total)), ("trip_days", str(trip_days)), ("over", str(total - trip_days))),
                )
            ]
    return []


def _over(code: str, what: str, amount: Decimal, cap: Decimal, index: int, policy: Policy) -> Finding:
    return Finding(
        code,
        policy.caps.severity,
        f"{what}: {amount:.2f} over the cap of {cap:.2f}",
        index,
        ("total",),
        (("amount", f"{amount:.2f}"), ("cap", f"{cap:.2f}"), ("over", f"{amount - cap:.2f}")),
    )
