"""The official XML of fully digital invoices (数电票), and standalone eInvoice XML files.

Both are parsed by defusedxml (no DTDs, entities or external references) and mapped by
element name (``structured.build_extraction``); the file's values are taken as stated.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING
from xml.etree.ElementTree import Element

from reimburse.ocr.domain import DocumentRead, FieldSource, LineItem
from reimburse.ocr.einvoice.safety import local, parse_xml
from reimburse.ocr.einvoice.structured import build_extraction
from reimburse.ocr.errors import UnsupportedFormat
from reimburse.ocr.fapiao.qr import parse_qr

if TYPE_CHECKING:
    from reimburse.ocr.limits import ReadLimits


def read_xml(data: bytes, *, limits: ReadLimits) -> DocumentRead:
    if len(data) > limits.max_bytes:
        raise UnsupportedFormat("the XML file is larger than any invoice")
    root = parse_xml(data, "the XML file")
    values: dict[str, str] = {}
    for element in root.iter():
        if len(element) == 0 and element.text and element.text.strip():
            values.setdefault(local(element.tag), element.text.strip())
    items = tuple(
        _item(el)
        for el in root.iter()
        if local(el.tag) in ("IssuItemInformation", "GoodsInfo") and len(el) > 0
    )
    qr = parse_qr(values["GraphCode"]) if values.get("GraphCode") else None
    structured = build_extraction(values, items, FieldSource.XML, qr)
    return DocumentRead(pages=(), qr=qr, structured=structured)


def _item(el: Element) -> LineItem:
    v = {local(e.tag): (e.text or "").strip() or None for e in el}
    return LineItem(
        name=v.get("ItemName") or v.get("Item"),
        spec=v.get("SpecMod") or v.get("Specification"),
        unit=v.get("MeaUnits") or v.get("MeasurementDimension"),
        quantity=v.get("Quantity"),
        unit_price=v.get("UnPrice") or v.get("Price"),
        amount=v.get("Amount"),
        tax_rate=_rate(v.get("TaxRate") or v.get("TaxScheme")),
        tax=v.get("ComTaxAm") or v.get("TaxAmount"),
    )


def _rate(text: str | None) -> str | None:
    """The digital XML states rates as fractions ("0.06"); fapiao print percentages."""
    if not text or text.endswith("%"):
        return text
    try:
        value = Decimal(text)
    except InvalidOperation:
        return text
    return f"{(value * 100).normalize():f}%" if value < 1 else text
