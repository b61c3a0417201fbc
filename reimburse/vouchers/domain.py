"""A voucher's values: lines with one side each, and the voucher that holds them (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any


class LineKind(StrEnum):
    EXPENSE = "expense"  # debit: the cost, net of deductible VAT
    INPUT_VAT = "input_vat"  # debit: deductible input VAT
    ADVANCE_OFFSET = "advance_offset"  # credit: a cash advance the claim settles (借款冲销)
    PAYABLE = "payable"  # credit: what the company owes the employee
    ADVANCE_PAID = "advance_paid"  # debit: a cash advance paid out, owed back by the employee
    BANK = "bank"  # credit: the money that paid an advance out


@dataclass(frozen=True, slots=True)
class VoucherLine:
    kind: LineKind
    account_code: str
    account_name: str
    summary: str
    debit: Decimal
    credit: Decimal
    department: int | None = None
    cost_centre: str | None = None
    project: str | None = None
    items: tuple[int, ...] = ()  # the claim items (positions) the line adds up

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "account_code": self.account_code,
            "account_name": self.account_name,
            "summary": self.summary,
            "debit": f"{self.debit:.2f}",
            "credit": f"{self.credit:.2f}",
            "department": self.department,
            "cost_centre": self.cost_centre,
            "project": self.project,
            "items": list(self.items),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> VoucherLine:
        return cls(
            kind=LineKind(data["kind"]),
            account_code=data["account_code"],
            account_name=data["account_name"],
            summary=data["summary"],
            debit=Decimal(data["debit"]),
            credit=Decimal(data["credit"]),
            department=data.get("department"),
            cost_centre=data.get("cost_centre"),
            project=data.get("project"),
            items=tuple(data.get("items") or ()),
        )


@dataclass(frozen=True, slots=True)
class Voucher:
    number: str
    word: str  # 凭证字, e.g. 记
    seq: int  # 凭证号 within the period
    period: str  # YYYY-MM
    day: date
    claim_number: str
    currency: str
    lines: tuple[VoucherLine, ...]

    @property
    def debits(self) -> Decimal:
        return sum((line.debit for line in self.lines), Decimal("0.00"))

    @property
    def credits(self) -> Decimal:
        return sum((line.credit for line in self.lines), Decimal("0.00"))

    @property
    def balanced(self) -> bool:
        return self.debits == self.credits
