"""Invoice data carried inside a file (OFD's eInvoice XML or CustomTags, the digital-invoice
XML) -> an ``Extraction``, field names mapped from both schemas.

Values are taken as the file states them (confidence 1.0); money is normalised to two
decimals and dates to ISO, because the files print "¥24519.05" and "2022年05月05日".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from reimburse.ocr.domain import DocumentType, Extraction, FieldSource, FieldValue, LineItem, QrPayload
from reimburse.ocr.fapiao.formats import describe_invoice_code, parse_date
from reimburse.ocr.fapiao.money import fmt_money, parse_money
from reimburse.ocr.fapiao.qr import document_type_for

# our field -> the element names that hold it, in the schemas we read
_NAMES: dict[str, tuple[str, ...]] = {
    "invoice_code": ("InvoiceCode",),
    "invoice_number": ("InvoiceNo", "InvoiceNumber", "EIid"),
    "issue_date": ("IssueDate", "IssueTime", "RequestTime"),
    "check_code": ("InvoiceCheckCode", "CheckCode"),
    "buyer_name": ("BuyerName",),
    "buyer_tax_id": ("BuyerTaxID", "BuyerIdNum", "BuyerTaxId"),
    "seller_name": ("SellerName",),
    "seller_tax_id": ("SellerTaxID", "SellerIdNum", "SellerTaxId"),
    "amount_excl_tax": ("TaxExclusiveTotalAmount", "TotalAmWithoutTax"),
    "tax": ("TaxTotalAmount", "TotalTaxAm"),
    "total": ("TaxInclusiveTotalAmount", "TotalTax-includedAmount"),
}
_MONEY = frozenset({"amount_excl_tax", "tax", "total"})


def build_extraction(
    values: Mapping[str, str], items: Sequence[LineItem], source: FieldSource, qr: QrPayload | None
) -> Extraction:
    fields: dict[str, FieldValue] = {}
    for name, keys in _NAMES.items():
        raw = next((values[k] for k in keys if values.get(k)), None)
        value = _normalise(name, raw) if raw else None
        if value:
            fields[name] = FieldValue(value, 1.0, source)
    if "invoice_number" in fields and len(fields["invoice_number"].value) == 20:
        fields.pop("invoice_code", None)  # digital invoices have no code; some files repeat a number there
    return Extraction(
        is_invoice="invoice_number" in fields,
        document_type=_document_type(values, fields, qr)
        if "invoice_number" in fields
        else DocumentType.NOT_INVOICE,
        fields=fields,
        line_items=tuple(items),
        remarks=(values.get("Note") or values.get("Remark") or None),
        agent_issued="代开" in (values.get("Note") or values.get("Remark") or ""),
    )


def _normalise(name: str, raw: str) -> str | None:
    raw = raw.strip()
    if name in _MONEY:
        amount = parse_money(raw.replace("¥", "").replace("￥", ""))
        return fmt_money(amount) if amount is not None else None
    if name == "issue_date":
        day = parse_date(raw)
        return day.isoformat() if day else None
    if name in ("invoice_code", "invoice_number", "check_code"):
        digits = "".join(raw.split())
        return digits or None
    return raw


def _document_type(
    values: Mapping[str, str], fields: Mapping[str, FieldValue], qr: QrPayload | None
) -> DocumentType:
    if qr is not None and (t := document_type_for(qr.type_code)) is not None:
        return t
    label = values.get("LabelName", "") + values.get("InvoiceType", "")
    if "铁路" in label:
        return DocumentType.TRAIN_TICKET
    number = fields["invoice_number"].value
    if len(number) == 20:
        return DocumentType.DIGITAL_SPECIAL if "专用" in label else DocumentType.DIGITAL_GENERAL
    code = fields.get("invoice_code")
    info = describe_invoice_code(code.value) if code else None
    if info is not None and info.type_code and (t := document_type_for(info.type_code)) is not None:
        return t
    return DocumentType.VAT_ELECTRONIC_GENERAL
