"""Deductible input VAT on reimbursed expenses (pure: values in, values out).

- VAT special invoices (paper, electronic) and 数电 special invoices: the tax printed on them.
- Domestic passenger transport tickets naming an employee as the passenger, by the deduction
  formulas (财政部 税务总局 海关总署公告2019年第39号):
  train: amount / (1 + 9%) × 9%; air: (fare + fuel surcharge) / (1 + 9%) × 9%;
  road and water: amount / (1 + 3%) × 3%.
- Electronic general invoices (增值税电子普通发票, 数电普通发票) for passenger transport that name
  an employee as the passenger: the tax printed on them.
- Every other general invoice, a ticket of someone who is not an employee, a taxi receipt, a
  foreign receipt or invoice, an item without invoice: nothing deductible.

Amounts are rounded half-up to the cent and never exceed the item's amount.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

CENT = Decimal("0.01")
NINE = Decimal("0.09")
THREE = Decimal("0.03")

SPECIAL = frozenset({"vat_special", "vat_electronic_special", "digital_special"})
ELECTRONIC_GENERAL = frozenset({"vat_electronic_general", "digital_general"})
# paper or e-tickets the formulas apply to: the railway e-ticket, and a recognisable fapiao of a
# kind the reader cannot name (air itineraries, coach and ferry tickets)
TICKETS = frozenset({"train_ticket", "other_invoice"})
# what a goods/service line of a passenger transport invoice says (*运输服务*客运服务费, 旅客运输)
PASSENGER_WORDS = ("客运", "旅客运输")


class Basis(StrEnum):
    SPECIAL_INVOICE = "special_invoice"
    TRAIN_TICKET = "train_ticket_9"
    AIR_TICKET = "air_ticket_9"
    ROAD_WATER_TICKET = "road_water_ticket_3"
    ELECTRONIC_PASSENGER = "electronic_general_passenger"
    NOT_DEDUCTIBLE = "not_deductible"


@dataclass(frozen=True, slots=True)
class VatFacts:
    """What the rules need of one item. ``document_type`` is the reader's kind (``ocr.domain
    .DocumentType`` values), None when the item rests on no fapiao."""

    amount: Decimal
    document_type: str | None = None
    printed_tax: Decimal | None = None
    line_names: tuple[str, ...] = ()
    transport: str | None = None  # air | train | road | water
    passenger_name: str | None = None
    passenger_is_employee: bool | None = None
    fare: Decimal | None = None
    fuel_surcharge: Decimal | None = None
    foreign: bool = False


@dataclass(frozen=True, slots=True)
class InputVat:
    deductible: Decimal
    basis: Basis
    reason: str


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _by_formula(base: Decimal, rate: Decimal) -> Decimal:
    return _cents(base / (1 + rate) * rate)


def _none(reason: str) -> InputVat:
    return InputVat(Decimal("0.00"), Basis.NOT_DEDUCTIBLE, reason)


def _capped(value: Decimal, facts: VatFacts) -> Decimal:
    return max(Decimal("0.00"), min(value, facts.amount))


def is_employee_passenger(facts: VatFacts) -> bool:
    return bool(facts.passenger_is_employee) and bool((facts.passenger_name or "").strip())


def is_passenger_transport(facts: VatFacts) -> bool:
    return facts.transport is not None or any(w in n for n in facts.line_names for w in PASSENGER_WORDS)


def input_vat(facts: VatFacts) -> InputVat:
    """The deductible input VAT of one item and why."""
    if facts.foreign:
        return _none("a foreign receipt or invoice carries no Chinese input VAT")
    kind = facts.document_type
    if kind is None:
        return _none("no fapiao")
    if kind in SPECIAL:
        if facts.printed_tax is None:
            return _none("the special invoice's tax was not read")
        return InputVat(_capped(_cents(facts.printed_tax), facts), Basis.SPECIAL_INVOICE, "tax printed")
    if kind in ELECTRONIC_GENERAL:
        if not is_passenger_transport(facts):
            return _none("a general invoice")
        if not is_employee_passenger(facts):
            return _none("passenger transport of someone who is not named as an employee")
        if facts.printed_tax is None:
            return _none("the invoice's tax was not read")
        return InputVat(
            _capped(_cents(facts.printed_tax), facts), Basis.ELECTRONIC_PASSENGER, "tax printed (passenger)"
        )
    if kind in TICKETS and (kind == "train_ticket" or facts.transport is not None):
        if not is_employee_passenger(facts):
            return _none("a ticket deducts only when the passenger is a named employee")
        transport = "train" if kind == "train_ticket" else facts.transport
        if transport == "train":
            return InputVat(
                _capped(_by_formula(facts.amount, NINE), facts), Basis.TRAIN_TICKET, "amount / (1 + 9%) × 9%"
            )
        if transport == "air":
            if facts.fare is None:
                return _none("an air ticket needs its fare (and fuel surcharge) to deduct")
            base = facts.fare + (facts.fuel_surcharge or Decimal(0))
            return InputVat(
                _capped(_by_formula(base, NINE), facts),
                Basis.AIR_TICKET,
                "(fare + fuel surcharge) / (1 + 9%) × 9%",
            )
        if transport in ("road", "water"):
            return InputVat(
                _capped(_by_formula(facts.amount, THREE), facts),
                Basis.ROAD_WATER_TICKET,
                "amount / (1 + 3%) × 3%",
            )
    return _none("a general invoice")
