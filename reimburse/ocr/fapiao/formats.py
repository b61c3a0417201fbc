"""Shapes of fapiao identifiers and dates, lenient about OCR framing, strict about values."""

from __future__ import annotations

import re
from datetime import date

# A year of this or the last century, not inside a longer run of digits (check codes,
# machine numbers and bank accounts are full of date-like digit runs).
_DATE = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*[年\-./]?\s*(\d{1,2})\s*[月\-./]?\s*(\d{1,2})(?!\d)\s*日?")


def parse_date(text: str) -> date | None:
    """ "2023年01月02日", "2023-01-02", "2023.1.2", "20230102" -> date; None if no real date."""
    for m in _DATE.finditer(text):
        try:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            continue
    return None


def is_invoice_code(code: str) -> bool:
    """Legacy VAT and general invoices: 10 digits (special/general paper) or 12 digits."""
    return code.isdigit() and len(code) in (10, 12)


def is_invoice_number(number: str) -> bool:
    """8 digits, or 20 for fully digital invoices."""
    return number.isdigit() and len(number) in (8, 20)


def is_check_code(code: str) -> bool:
    return code.isdigit() and len(code) == 20
