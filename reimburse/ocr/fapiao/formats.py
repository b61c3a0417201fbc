"""Shapes of fapiao identifiers and dates, lenient about OCR framing, strict about values.

What the digits of an invoice code say (``describe_invoice_code``) follows the rules the
national VAT invoice check platform (全国增值税发票查验平台) applies in its own page
script to pick the invoice kind from a code, as widely reproduced; nothing beyond those
rules is encoded:

* 10 digits (paper VAT invoices): digits 1-4 the issuing region, 5-6 the printing year,
  digit 8 the kind: ``1``/``5`` special (QR type 01), ``3``/``6`` general (04),
  ``2``/``7`` freight transport special (02).
* 12 digits starting with ``0`` (invoices of the VAT system): digits 2-5 the region,
  6-7 the year, digits 11-12 the kind: ``11`` electronic general (10), ``04``/``05``
  general (04), ``06``/``07`` roll (11), ``12`` toll electronic (14), ``13``
  electronic special (08), ``17`` used-car sales (15).
* 12 digits not starting with ``0`` with digit 8 ``2``: motor-vehicle sales (03). Other
  12-digit codes belong to local general invoices (quota, machine-printed) whose digits
  follow no nation-wide rule we could confirm, so they are only checked for shape.

Fully digital invoices (数电票) have no code: their number has 20 digits, the first two
the year of issue.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

# A year of this or the last century, not inside a longer run of digits (check codes,
# machine numbers and bank accounts are full of date-like digit runs).
_DATE = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*[年\-./]?\s*(\d{1,2})\s*[月\-./]?\s*(\d{1,2})(?!\d)\s*日?")

# QR type codes by the kind digits of a code (see the module docstring).
_TEN_DIGIT_KIND = {"1": "01", "5": "01", "3": "04", "6": "04", "2": "02", "7": "02"}
_TWELVE_DIGIT_KIND = {
    "11": "10",
    "04": "04",
    "05": "04",
    "06": "11",
    "07": "11",
    "12": "14",
    "13": "08",
    "17": "15",
}
_MOTOR_VEHICLE = "03"


@dataclass(frozen=True, slots=True)
class CodeInfo:
    """What an invoice code's digits say.

    ``type_code`` uses the QR type codes (``01`` special, ``04`` general, ``10``
    electronic general, ...; see ``ocr.fapiao.qr``), None when the digits follow no rule
    we know (local general invoices). ``year`` is the code's printing/issuing year,
    2000-based (the code carries two digits).
    """

    region: str
    year: int
    type_code: str | None


# OCR reads 0 as O/o and 1 as l/I/| inside figures; only characters touching a digit or
# a date separator are taken for digits, so words ("Invoice") are left alone.
_CONFUSED_DIGIT = re.compile(r"(?<=[\d年月\-./])[OoIl|]|[OoIl|](?=[\d年月日\-./])")
_AS_DIGIT = {"O": "0", "o": "0", "I": "1", "l": "1", "|": "1"}


def parse_date(text: str) -> date | None:
    """ "2023年01月02日", "2023-01-02", "2023.1.2", "20230102", "2O23年0l月02日" -> date;
    None if no real date."""
    normal = unicodedata.normalize("NFKC", text)
    for candidate in (normal, _CONFUSED_DIGIT.sub(lambda m: _AS_DIGIT[m.group(0)], normal)):
        for m in _DATE.finditer(candidate):
            try:
                return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                continue
    return None


def is_invoice_code(code: str) -> bool:
    """Legacy VAT and general invoices: 10 digits (special/general paper) or 12 digits."""
    return code.isascii() and code.isdigit() and len(code) in (10, 12)


def describe_invoice_code(code: str) -> CodeInfo | None:
    """Region, year and kind read from an invoice code; None when it is not one."""
    if not is_invoice_code(code):
        return None
    if len(code) == 10:
        return CodeInfo(region=code[:4], year=2000 + int(code[4:6]), type_code=_TEN_DIGIT_KIND.get(code[7]))
    if code[0] == "0":
        kind = _TWELVE_DIGIT_KIND.get(code[10:12])
    else:
        kind = _MOTOR_VEHICLE if code[7] == "2" else None
    return CodeInfo(region=code[1:5], year=2000 + int(code[5:7]), type_code=kind)


def is_invoice_number(number: str) -> bool:
    """8 digits, or 20 for fully digital invoices."""
    return number.isascii() and number.isdigit() and len(number) in (8, 20)


def digital_number_year(number: str) -> int | None:
    """The year a fully digital invoice number (20 digits) starts with, e.g. "24..." -> 2024."""
    if not (number.isascii() and number.isdigit() and len(number) == 20):
        return None
    return 2000 + int(number[:2])


def is_check_code(code: str) -> bool:
    return code.isascii() and code.isdigit() and len(code) == 20


def parse_check_code(text: str) -> str | None:
    """The 20-digit check code from its printed form ("12345 67890 12345 67890", spaces
    and full-width digits as OCR returns them); None when it is not 20 digits."""
    digits = "".join(unicodedata.normalize("NFKC", text).split())
    return digits if is_check_code(digits) else None


def format_check_code(code: str) -> str:
    """The printed form: four groups of five digits."""
    if not is_check_code(code):
        raise ValueError("a check code has 20 digits")
    return " ".join(code[i : i + 5] for i in range(0, 20, 5))


def date_problem(issued: date, *, code: str | None = None, number: str | None = None) -> str | None:
    """What contradicts the issue date among the identifiers' own dates, or None.

    A fully digital invoice number starts with the year of issue; an invoice code carries
    the year its batch was printed (or allotted), which cannot be after the issue. Either
    contradiction means a misread date or identifier.
    """
    year = digital_number_year(number) if number else None
    if year is not None and year != issued.year:
        return f"the invoice number is of {year}, the issue date of {issued.year}"
    info = describe_invoice_code(code) if code else None
    if info is not None and info.year > issued.year:
        return f"the invoice code was printed in {info.year}, after the issue date ({issued.isoformat()})"
    return None
