"""The voucher a claim produces (pure): expense debits per GL account (and dimension), the
deductible input VAT debited on its own account, any advance offsets credited, and the rest
credited as payable to the employee. Debits always equal credits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from reimburse.vouchers.domain import LineKind, VoucherLine
from reimburse.vouchers.mapping import GlMapping
from reimburse.vouchers.vat import InputVat

ZERO = Decimal("0.00")

CATEGORY_NAMES = {
    "travel": "差旅费",
    "lodging": "住宿费",
    "meals": "餐费",
    "transport": "交通费",
    "office": "办公费",
    "client_entertainment": "业务招待费",
    "other": "其他",
}


class VoucherError(ValueError):
    """A voucher that cannot be made (e.g. offsets larger than the claim)."""


@dataclass(frozen=True, slots=True)
class VoucherItem:
    position: int
    category: str
    amount: Decimal  # company currency, VAT included
    vat: InputVat
    department: int | None = None
    cost_centre: str | None = None
    project: str | None = None


@dataclass(frozen=True, slots=True)
class Offset:
    """A cash advance this claim settles: credited to the advance account, not paid out."""

    amount: Decimal
    reference: str


def build_lines(
    claim_number: str,
    payee: str,
    items: Sequence[VoucherItem],
    mapping: GlMapping,
    offsets: Sequence[Offset] = (),
) -> tuple[VoucherLine, ...]:
    """The voucher's lines, in a stable order: expense lines in the order of their first item,
    then input VAT, then advance offsets, then the payable."""
    if not items:
        raise VoucherError("a voucher needs at least one item")
    groups: dict[tuple[str, int | None, str | None, str | None], list[VoucherItem]] = {}
    names: dict[str, str] = {}
    for item in sorted(items, key=lambda i: i.position):
        account = mapping.expense_account(item.category, item.department, item.cost_centre, item.project)
        names[account.code] = account.name
        groups.setdefault((account.code, item.department, item.cost_centre, item.project), []).append(item)
    lines: list[VoucherLine] = []
    for (code, department, cost_centre, project), members in groups.items():
        net = sum((i.amount - i.vat.deductible for i in members), ZERO)
        what = "、".join(dict.fromkeys(CATEGORY_NAMES.get(i.category, i.category) for i in members))
        lines.append(
            VoucherLine(
                LineKind.EXPENSE,
                code,
                names[code],
                f"{claim_number} {payee} 报销{what}",
                net,
                ZERO,
                department,
                cost_centre,
                project,
                tuple(i.position for i in members),
            )
        )
    vat = sum((i.vat.deductible for i in items), ZERO)
    if vat:
        lines.append(
            VoucherLine(
                LineKind.INPUT_VAT,
                mapping.accounts.input_vat.code,
                mapping.accounts.input_vat.name,
                f"{claim_number} {payee} 进项税额",
                vat,
                ZERO,
                items=tuple(sorted(i.position for i in items if i.vat.deductible)),
            )
        )
    total = sum((i.amount for i in items), ZERO)
    offset_total = sum((o.amount for o in offsets), ZERO)
    if offset_total > total or any(o.amount <= 0 for o in offsets):
        raise VoucherError("advance offsets are positive and at most the claim's total")
    for offset in offsets:
        lines.append(
            VoucherLine(
                LineKind.ADVANCE_OFFSET,
                mapping.accounts.advance.code,
                mapping.accounts.advance.name,
                f"{claim_number} {payee} 冲销借款 {offset.reference}",
                ZERO,
                offset.amount,
            )
        )
    if total - offset_total:
        lines.append(
            VoucherLine(
                LineKind.PAYABLE,
                mapping.accounts.payable.code,
                mapping.accounts.payable.name,
                f"{claim_number} 应付{payee}报销款",
                ZERO,
                total - offset_total,
            )
        )
    return tuple(lines)
