"""Allowances paid without invoice, computed from the policy's rate tables: a per-diem is the
city tier's daily rate times the days, mileage the distance times the rate per kilometre. The
amount is the service's, never the submitter's: a typed amount that differs is refused with the
computed one in the message. Pure: values in, values out."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from reimburse.core.errors import InvalidInput
from reimburse.policy.domain import Allowances

_CENT = Decimal("0.01")
KINDS = frozenset({"per_diem", "mileage"})


@dataclass(frozen=True, slots=True)
class Allowance:
    amount: Decimal
    basis: dict[str, Any]  # stored on the item: how the amount was computed
    reason: str  # the item's no-invoice reason, in words


def compute(
    rates: Allowances,
    kind: str,
    *,
    city_tier: int | None,
    days: int | None,
    distance_km: Decimal | None,
    typed: Decimal | None,
) -> Allowance:
    """The allowance for ``kind`` (per_diem: ``city_tier`` and ``days``; mileage:
    ``distance_km``); ``typed`` is what the submitter sent, refused when it differs."""
    if kind == "per_diem":
        if city_tier is None or city_tier not in rates.per_diem_per_day or days is None or days < 1:
            raise InvalidInput(
                "a per-diem allowance needs the city tier (1, 2 or 3) and the number of days",
                code="allowance_basis_required",
            )
        rate = rates.per_diem_per_day[city_tier]
        amount = (rate * days).quantize(_CENT, ROUND_HALF_UP)
        basis: dict[str, Any] = {"type": kind, "city_tier": city_tier, "days": days, "rate": f"{rate:.2f}"}
        words = f"per-diem: {days} day(s) x {rate:.2f} (city tier {city_tier}) = {amount:.2f}"
    elif kind == "mileage":
        if distance_km is None or distance_km <= 0:
            raise InvalidInput(
                "a mileage allowance needs the distance in km", code="allowance_basis_required"
            )
        rate = rates.mileage_per_km
        amount = (rate * distance_km).quantize(_CENT, ROUND_HALF_UP)
        basis = {"type": kind, "distance_km": f"{distance_km:.1f}", "rate": f"{rate:.2f}"}
        words = f"mileage: {distance_km:.1f} km x {rate:.2f} = {amount:.2f}"
    else:
        raise InvalidInput(f"allowances are {sorted(KINDS)}, not {kind!r}", code="invalid_allowance")
    if amount <= 0:
        raise InvalidInput(f"the {kind} allowance comes to nothing ({words})", code="invalid_allowance")
    if typed is not None and typed.quantize(_CENT) != amount:
        raise InvalidInput(
            f"the amount of an allowance is computed, not typed: {words}; "
            f"send no amount or {amount:.2f}, not {typed:.2f}",
            code="allowance_amount_computed",
            details={"computed": f"{amount:.2f}", "typed": f"{typed:.2f}", "basis": basis},
        )
    return Allowance(amount, basis, words)
