"""From the reader's ``Extraction``, or an item's stored invoice, to the ``InvoiceFacts`` the rules
work on; and the invoice's duplicate key."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from reimburse.claims.domain import InvoiceFacts, InvoiceLine
from reimburse.ocr.domain import DocumentType, Extraction
from reimburse.ocr.fapiao.formats import parse_check_code, parse_date
from reimburse.ocr.fapiao.money import parse_money
from reimburse.ocr.fapiao.tax import parse_rate
from reimburse.policy.rules.duplicates import invoice_key


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


def facts_from_fields(invoice: dict[str, Any]) -> InvoiceFacts:
    """Typed facts from an item's stored invoice (extracted fields, corrections applied)."""
    fields: dict[str, Any] = invoice.get("fields") or {}

    def money(name: str) -> Decimal | None:
        value = fields.get(name)
        return parse_money(value) if value else None

    issued = fields.get("issue_date")
    try:
        doc_type = DocumentType(invoice.get("document_type") or "other_invoice")
    except ValueError:
        doc_type = DocumentType.OTHER_INVOICE
    return InvoiceFacts(
        document_type=doc_type,
        invoice_code=fields.get("invoice_code"),
        invoice_number=fields.get("invoice_number"),
        issue_date=parse_date(issued) if issued else None,
        amount_excl_tax=money("amount_excl_tax"),
        tax=money("tax"),
        total=money("total"),
        check_code=fields.get("check_code"),
        buyer_name=fields.get("buyer_name"),
        buyer_tax_id=fields.get("buyer_tax_id"),
        seller_name=fields.get("seller_name"),
        seller_tax_id=fields.get("seller_tax_id"),
        lines=tuple(
            InvoiceLine(li["name"], parse_rate(li["tax_rate"]) if li.get("tax_rate") else None)
            for li in invoice.get("line_items") or []
            if li.get("name")
        ),
        needs_review=bool(invoice.get("needs_review")),
        agent_issued=bool(invoice.get("agent_issued")),
        not_for_reimbursement=bool(invoice.get("not_for_reimbursement")),
    )


def key_of(fields: dict[str, Any] | None) -> str | None:
    return invoice_key(facts_from_fields({"fields": fields or {}})) if fields else None
