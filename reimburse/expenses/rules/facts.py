"""From the reader's ``Extraction`` to the ``InvoiceFacts`` the rules work on."""

from __future__ import annotations

from reimburse.expenses.domain import InvoiceFacts, InvoiceLine
from reimburse.ocr.domain import Extraction
from reimburse.ocr.fapiao.formats import parse_check_code, parse_date
from reimburse.ocr.fapiao.money import parse_money
from reimburse.ocr.fapiao.tax import parse_rate


def facts_from_extraction(ex: Extraction, image_hash: int | None = None) -> InvoiceFacts:
    """Typed facts from the string fields of an extraction; unparseable values become None
    (the extraction's own review reasons already say why)."""

    date_text = ex.value("issue_date")
    check = ex.value("check_code")
    lines = tuple(
        InvoiceLine(li.name, parse_rate(li.tax_rate) if li.tax_rate else None)
        for li in ex.line_items
        if li.name
    )
    amount = parse_money(ex.value("amount_excl_tax") or "x")
    tax = parse_money(ex.value("tax") or "x")
    total = parse_money(ex.value("total") or "x")
    return InvoiceFacts(
        document_type=ex.document_type,
        invoice_code=ex.value("invoice_code"),
        invoice_number=ex.value("invoice_number"),
        issue_date=parse_date(date_text) if date_text else None,
        amount_excl_tax=amount,
        tax=tax,
        total=total,
        check_code=(parse_check_code(check) or check) if check else None,
        buyer_name=ex.value("buyer_name"),
        buyer_tax_id=ex.value("buyer_tax_id"),
        seller_name=ex.value("seller_name"),
        seller_tax_id=ex.value("seller_tax_id"),
        lines=lines,
        needs_review=ex.needs_review,
        agent_issued=ex.agent_issued,
        not_for_reimbursement=ex.not_for_reimbursement,
        image_hash=image_hash,
    )
