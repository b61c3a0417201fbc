"""Values of invoice verification: the request a provider needs and the answer it gives.

Modelled on the public verification APIs (Tencent Cloud ``VatInvoiceVerifyNew``, Baidu, Aliyun):
legacy VAT invoices are found by code + number + issue date plus either the pre-tax amount
(special invoices) or the last six digits of the check code (general invoices); fully digital
invoices (数电票) by their 20-digit number + date + total including tax.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum


class VerifyKind(StrEnum):
    """Which identification a provider needs (not the printed form)."""

    SPECIAL = "special"  # 增值税专用发票 (paper), by pre-tax amount
    ELECTRONIC_SPECIAL = "electronic_special"  # 增值税电子专用发票, by pre-tax amount
    GENERAL = "general"  # 增值税普通发票 (paper), by check code
    ELECTRONIC_GENERAL = "electronic_general"  # 增值税电子普通发票, by check code
    ROLL = "roll"  # 卷票, by check code
    TOLL = "toll"  # 通行费电子普通发票, by check code
    DIGITAL_SPECIAL = "digital_special"  # 数电专票, by total
    DIGITAL_GENERAL = "digital_general"  # 数电普票 (incl. railway e-tickets), by total


class VerificationStatus(StrEnum):
    NORMAL = "normal"  # the tax bureau has it, valid
    VOIDED = "voided"  # 作废
    RED_REVERSED_FULL = "red_reversed_full"  # 红冲, fully
    RED_REVERSED_PARTIAL = "red_reversed_partial"  # 部分红冲
    NOT_FOUND = "not_found"  # 查无此票
    MISMATCH = "mismatch"  # found by number, but the other request fields differ (信息不一致)
    NOT_YET_AVAILABLE = "not_yet_available"  # issued today / not yet in the bureau's data
    UNVERIFIED = "unverified"  # not checked: no provider, or not a verifiable document


@dataclass(frozen=True, slots=True)
class VerificationRequest:
    kind: VerifyKind
    invoice_number: str
    issue_date: date
    invoice_code: str | None = None
    amount_excl_tax: Decimal | None = None  # special invoices
    total: Decimal | None = None  # fully digital invoices
    check_code_last6: str | None = None  # general invoices

    @property
    def is_digital(self) -> bool:
        return self.kind in (VerifyKind.DIGITAL_GENERAL, VerifyKind.DIGITAL_SPECIAL)


@dataclass(frozen=True, slots=True)
class AuthoritativeInvoice:
    """The invoice as the tax bureau has it (only the fields we compare)."""

    invoice_code: str | None = None
    invoice_number: str | None = None
    issue_date: date | None = None
    amount_excl_tax: Decimal | None = None
    tax: Decimal | None = None
    total: Decimal | None = None
    check_code: str | None = None
    buyer_name: str | None = None
    buyer_tax_id: str | None = None
    seller_name: str | None = None
    seller_tax_id: str | None = None
    red_reversed_amount: Decimal | None = None  # for a partial red reversal, when reported


@dataclass(frozen=True, slots=True)
class VerificationAnswer:
    status: VerificationStatus
    invoice: AuthoritativeInvoice | None = None
    provider: str = ""
    request_id: str | None = None
    message: str = ""
