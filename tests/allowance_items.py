"""Items without invoice, as the API takes them now: allowances computed from the shipped
policy's rates (per-diem 150 / 120 / 100 a day by city tier, mileage 1.20 a km). A test that
wants a given amount asks for the basis that comes to it; an amount no basis reaches is a
mistake in the test, not a number to type."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

PER_DIEM_RATES = {1: Decimal(150), 2: Decimal(120), 3: Decimal(100)}  # policy.allowances
MILEAGE_RATE = Decimal("1.20")


def per_diem_basis(amount: str | Decimal) -> dict[str, int]:
    """The city tier and days whose per-diem comes to ``amount`` (the highest rate that fits)."""
    money = Decimal(amount)
    for tier, rate in PER_DIEM_RATES.items():
        days = money / rate
        if days == days.to_integral_value() and 1 <= days <= 366:
            return {"city_tier": tier, "days": int(days)}
    raise ValueError(f"no per-diem comes to {amount}: a multiple of 150, 120 or 100")


def mileage_basis(amount: str | Decimal) -> dict[str, str]:
    """The distance whose mileage comes to ``amount``."""
    km = Decimal(amount) / MILEAGE_RATE
    if km != km.quantize(Decimal("0.1")):
        raise ValueError(f"no mileage comes to {amount}: a multiple of 0.12")
    return {"distance_km": f"{km:.1f}"}


def per_diem(amount: str, day: str, category: str = "travel", **extra: Any) -> dict[str, Any]:
    """A per-diem item of ``amount`` (the amount is sent too: it is the computed one)."""
    return {"category": category, "amount": amount, "expense_date": day, "allowance": "per_diem",
            **per_diem_basis(amount), **extra}  # fmt: skip


def mileage(amount: str, day: str, category: str = "transport", **extra: Any) -> dict[str, Any]:
    """A mileage item of ``amount`` (the amount is sent too: it is the computed one)."""
    return {"category": category, "amount": amount, "expense_date": day, "allowance": "mileage",
            **mileage_basis(amount), **extra}  # fmt: skip
