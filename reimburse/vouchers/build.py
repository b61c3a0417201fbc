"""The voucher a claim produces (pure): expense debits per GL account (and dimension), the
deductible input VAT debited on its own account, any advance offsets credited, and the rest
credited as payable to the employee. Debits always equal credits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal

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


Share = tuple[str, str, Decimal]  # (dimension "cost_centre" | "project", code, amount)


def split_item(item: VoucherItem, shares: Sequence[Share]) -> list[VoucherItem]:
    """An item split across cost centres and/or projects (claims.splitting) as one voucher item
    per share, or per pair of shares when both dimensions are split: the amount and the
    deductible VAT divided in proportion, to the cent, the last part taking what rounding left
    so the parts add up exactly. An item without shares stays whole."""
    if not shares or not item.amount:
        return [item]
    centres: list[tuple[str | None, Decimal]] = [(c, a) for d, c, a in shares if d == "cost_centre"]
    projects: list[tuple[str | None, Decimal]] = [(c, a) for d, c, a in shares if d == "project"]
    centres = centres or [(item.cost_centre, item.amount)]
    projects = projects or [(item.project, item.amount)]
    pairs = [(c, ca, p, pa) for c, ca in centres for p, pa in projects]
    parts: list[VoucherItem] = []
    amount_left, vat_left = item.amount, item.vat.deductible
    for n, (centre, centre_amount, project, project_amount) in enumerate(pairs):
        last = n == len(pairs) - 1
        fraction = (centre_amount / item.amount) * (project_amount / item.amount)
        amount = amount_left if last else _cents(item.amount * fraction)
        vat = vat_left if last else _cents(item.vat.deductible * fraction)
        amount_left, vat_left = amount_left - amount, vat_left - vat
        vat_part = replace(item.vat, deductible=vat)
        parts.append(replace(item, amount=amount, vat=vat_part, cost_centre=centre, project=project))
    return parts


def _cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


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
                tuple(dict.fromkeys(i.position for i in members)),
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
                items=tuple(sorted({i.position for i in items if i.vat.deductible})),
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


def advance_payout_lines(
    request_number: str, payee: str, amount: Decimal, mapping: GlMapping
) -> tuple[VoucherLine, ...]:
    """The voucher of a cash advance paid out: the employee's advance receivable debited, the
    bank credited. The claims that later offset it credit the same receivable, so what stays on
    it is what the employee still owes."""
    if amount <= 0:
        raise VoucherError("an advance paid out is a positive amount")
    receivable, bank = mapping.accounts.advance, mapping.accounts.bank
    return (
        VoucherLine(
            LineKind.ADVANCE_PAID,
            receivable.code,
            receivable.name,
            f"{request_number} {payee} 借款",
            amount,
            ZERO,
        ),
        VoucherLine(LineKind.BANK, bank.code, bank.name, f"{request_number} 支付{payee}借款", ZERO, amount),
    )
