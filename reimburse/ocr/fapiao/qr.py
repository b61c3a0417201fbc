"""Parse the text carried by a fapiao QR code.

Two layouts are in use, both comma-separated and starting with a version field ``01``:

* older VAT invoices: ``01,<type>,<code>,<number>,<amount excl. tax>,<YYYYMMDD>,<check code>,<crc>``
  (type ``01`` special, ``04`` general, ``10`` electronic general, ``11`` roll,
  ``14`` toll electronic, ``08`` electronic special);
* fully digital invoices (数电票, type ``31`` special / ``32`` general, and any invoice
  whose number has 20 digits): the code is empty, the number has 20 digits and the amount
  is the total *including* tax.

Real codes arrive with trailing commas, spaces, missing check codes, thousands separators
or junk around them, so the parser is lenient about framing but strict about the values it
returns: a field that does not look right is dropped (``None``) rather than guessed.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from reimburse.ocr.domain import DocumentType, QrPayload

# QR type code -> document type. Types 31/32 are the fully digital invoices.
TYPE_CODES: dict[str, DocumentType] = {
    "01": DocumentType.VAT_SPECIAL,
    "04": DocumentType.VAT_GENERAL,
    "08": DocumentType.VAT_ELECTRONIC_SPECIAL,
    "10": DocumentType.VAT_ELECTRONIC_GENERAL,
    "11": DocumentType.VAT_ROLL,
    "14": DocumentType.TOLL_ELECTRONIC,
    "31": DocumentType.DIGITAL_SPECIAL,
    "32": DocumentType.DIGITAL_GENERAL,
}

_DIGITAL_TYPES = frozenset({"31", "32"})
_CODE = re.compile(r"\d{10}|\d{12}")
_NUMBER = re.compile(r"\d{8}|\d{20}")
_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")
_CHECK = re.compile(r"\d{20}")
_AMOUNT = re.compile(r"-?\d+(?:\.\d{1,2})?")


def document_type_for(type_code: str) -> DocumentType | None:
    """The document type a QR type code stands for, or None for an unknown code."""
    return TYPE_CODES.get(type_code.strip())


def parse_qr(text: str) -> QrPayload | None:
    """Parse a fapiao QR text; None when it is not one (a URL, a payment code, junk)."""
    parts = _fields(text)
    if parts is None:
        return None
    type_code, code, number = parts[1], parts[2], parts[3]
    if not re.fullmatch(r"\d{2}", type_code) or not _NUMBER.fullmatch(number):
        return None
    digital = type_code in _DIGITAL_TYPES or len(number) == 20
    if digital:
        # A digital invoice carries no code; a 12-digit value here would contradict that.
        if code and not _CODE.fullmatch(code):
            return None
        invoice_code = None
    else:
        if not _CODE.fullmatch(code):
            return None
        invoice_code = code
    amount = _amount(parts[4]) if len(parts) > 4 else None
    issue_date = _date(parts[5]) if len(parts) > 5 else None
    check_code = parts[6] if len(parts) > 6 and _CHECK.fullmatch(parts[6]) else None
    return QrPayload(
        raw=text,
        type_code=type_code,
        invoice_code=invoice_code,
        invoice_number=number,
        amount=amount,
        amount_includes_tax=digital,
        issue_date=issue_date,
        check_code=None if digital else check_code,
    )


def _fields(text: str) -> list[str] | None:
    """Split the payload into stripped fields, starting at the ``01,`` version marker."""
    cleaned = text.strip().replace("，", ",")
    # Some scanners prepend junk (a BOM, a URL prefix, a label); start at the version field.
    match = re.search(r"(?:^|[^0-9])(01\s*,\s*\d{2}\s*,)", cleaned)
    if match is None:
        return None
    parts = [p.strip() for p in cleaned[match.start(1) :].split(",")]
    if len(parts) < 4 or parts[0] != "01":
        return None
    return parts


def _amount(value: str) -> str | None:
    candidate = value.replace(" ", "").replace("¥", "").replace("￥", "")
    if "," in candidate or not _AMOUNT.fullmatch(candidate):
        return None
    try:
        return f"{Decimal(candidate).quantize(Decimal('0.01'))}"
    except InvalidOperation:  # pragma: no cover - the regex already guarantees a number
        return None


def _date(value: str) -> str | None:
    match = _DATE.fullmatch(value)
    if match is None:
        return None
    year, month, day = (int(g) for g in match.groups())
    if not (1990 <= year <= 2100 and 1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"
