"""Corrections are evidence, not authority: what the submitter changed on a read invoice, as findings.

A value read from a structured source (the e-invoice's XML/OFD/PDF text layer, the QR code) is the
invoice: the claim keeps it, and a submitter who disagrees raises a finding that stops the claim
for finance (``source_value_disputed``). A correction of an OCR-read value is applied, kept beside
the value read, and scored by what it touches: money, the invoice's number or code, its date or a
tax id each have their own finding code, so the policy can weigh them (``risk.code_points``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from reimburse.claims.domain import Finding, Severity

# Where a field value came from (``field_sources`` of a reading); all but "ocr" are the invoice itself.
STRUCTURED_SOURCES = frozenset({"qr", "pdf_text", "ofd_xml", "xml"})

# field -> the finding code a correction of it raises
CORRECTION_CODES: dict[str, str] = {
    "amount_excl_tax": "corrected_amount",
    "tax": "corrected_amount",
    "total": "corrected_amount",
    "invoice_number": "corrected_number",
    "invoice_code": "corrected_code",
    "check_code": "corrected_code",
    "issue_date": "corrected_date",
    "buyer_tax_id": "corrected_tax_id",
    "seller_tax_id": "corrected_tax_id",
}
DISPUTED = "source_value_disputed"


def is_structured(source: str | None) -> bool:
    return source in STRUCTURED_SOURCES


def correction_findings(item: int, corrections: Iterable[Mapping[str, Any]]) -> list[Finding]:
    """One finding per corrected field of item ``item`` (0-based position)."""
    out: list[Finding] = []
    for c in corrections:
        name = str(c.get("field"))
        old, new, source = c.get("old"), c.get("new"), c.get("source")
        shown = (("read", str(old)), ("typed", str(new)), ("source", str(source)))
        if c.get("applied") is False:
            out.append(
                Finding(
                    DISPUTED,
                    Severity.ERROR,
                    f"{name} was read from the invoice itself ({source}) as {old}; the submitter typed "
                    f"{new}. The claim keeps the invoice's value; finance must decide",
                    item,
                    (name,),
                    shown,
                )
            )
            continue
        code = CORRECTION_CODES.get(name)
        out.append(
            Finding(
                code or "corrected_field",
                Severity.WARNING if code else Severity.INFO,
                f"{name} corrected by the submitter: read {old}, claimed {new}",
                item,
                (name,),
                shown,
            )
        )
    return out
