"""Synthetic values for the expense tests: made-up companies, tax IDs and invoices (no real data)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from reimburse.claims.domain import (
    Category,
    Claim,
    ClaimItem,
    InvoiceFacts,
    InvoiceLine,
    LegalEntity,
    Money,
)
from reimburse.ocr.domain import DocumentType
from reimburse.ocr.fapiao.uscc import uscc_check_digit
from reimburse.routing.domain import User

TODAY = date(2025, 6, 18)  # a Wednesday, no holiday


def uscc(seed: int) -> str:
    body = f"91330100{seed:09d}"
    return body + uscc_check_digit(body)


COMPANY = LegalEntity("示例科技有限公司", uscc(1))
SUBSIDIARY = LegalEntity("示例科技（上海）有限公司", uscc(2))
ENTITIES = (COMPANY, SUBSIDIARY)
SELLER_TAX_ID = uscc(777)
EMPLOYEE = User("e1", "测试员工", department="d-sales", rank=3)


def invoice(**over: Any) -> InvoiceFacts:
    base = InvoiceFacts(
        document_type=DocumentType.DIGITAL_GENERAL,
        invoice_code=None,
        invoice_number="25330000000012345678",
        issue_date=date(2025, 6, 16),
        amount_excl_tax=Decimal("283.02"),
        tax=Decimal("16.98"),
        total=Decimal("300.00"),
        buyer_name=COMPANY.name,
        buyer_tax_id=COMPANY.tax_id,
        seller_name="杭州某某餐饮管理有限公司",
        seller_tax_id=SELLER_TAX_ID,
        lines=(InvoiceLine("*餐饮服务*餐费", Decimal("0.06")),),
    )
    return replace(base, **over)


def item(category: Category = Category.MEALS, amount: str = "300.00", **over: Any) -> ClaimItem:
    fields: dict[str, Any] = {"spent_on": date(2025, 6, 16), "attendees": 2}
    if "no_invoice_kind" not in over:
        fields["invoice"] = invoice()
    fields.update(over)
    return ClaimItem(category=category, amount=Money.of(amount), **fields)


def claim(*items: ClaimItem, **over: Any) -> Claim:
    fields: dict[str, Any] = {
        "id": "c1",
        "submitter": EMPLOYEE,
        "department_id": "d-sales",
        "purpose": "客户拜访",
        "items": items or (item(),),
    }
    fields.update(over)
    return Claim(**fields)
