"""Table-driven tests for the fapiao QR payload parser (synthetic payloads only)."""

from __future__ import annotations

import pytest

from reimburse.ocr.domain import DocumentType
from reimburse.ocr.fapiao.qr import document_type_for, parse_qr

CHECK = "12345678901234567890"

# (raw text, expected (type, code, number, amount, includes_tax, date, check) or None)
CASES: list[tuple[str, tuple[str, str | None, str, str | None, bool, str | None, str | None] | None]] = [
    (
        f"01,04,1100201130,12345678,100.00,20210315,{CHECK},ABCD",
        ("04", "1100201130", "12345678", "100.00", False, "2021-03-15", CHECK),
    ),
    (
        f"01,10,044001900111,00012345,1234.5,20200101,{CHECK},",
        ("10", "044001900111", "00012345", "1234.50", False, "2020-01-01", CHECK),
    ),
    (
        "01,01,3200194130,01234567,5000,20191231,,",
        ("01", "3200194130", "01234567", "5000.00", False, "2019-12-31", None),
    ),
    (
        "01,32,,24112000000012345678,58.06,20240102,,3A1F",
        ("32", None, "24112000000012345678", "58.06", True, "2024-01-02", None),
    ),
    (
        "  01,31,,24442000000000000001,113.00,20240601,,  \n",
        ("31", None, "24442000000000000001", "113.00", True, "2024-06-01", None),
    ),
    # A 20-digit number makes it digital even under an older type code.
    (
        "01,10,,24312000000098765432,20.00,20240305,,",
        ("10", None, "24312000000098765432", "20.00", True, "2024-03-05", None),
    ),
    # Trailing commas and missing trailing fields.
    ("01,04,1100201130,12345678,,,,,", ("04", "1100201130", "12345678", None, False, None, None)),
    ("01,11,144001900111,12345678", ("11", "144001900111", "12345678", None, False, None, None)),
    # Junk before the payload, full-width commas, spaces around fields.
    (
        "\ufeffQR:01，14，011001900111，00001111，9.43，20190909，" + CHECK,
        ("14", "011001900111", "00001111", "9.43", False, "2019-09-09", CHECK),
    ),
    (
        " 01 , 08 , 050001900111 , 87654321 , 10.00 , 20210704 , 1234 , X",
        ("08", "050001900111", "87654321", "10.00", False, "2021-07-04", None),
    ),
    # Bad date and bad amount are dropped, not guessed.
    (
        "01,04,1100201130,12345678,12a.00,20211399,,",
        ("04", "1100201130", "12345678", None, False, None, None),
    ),
    # Not a fapiao.
    ("https://example.com/pay?id=123", None),
    ("", None),
    ("01,04", None),
    ("02,04,1100201130,12345678,1.00,20210101,,", None),
    ("01,04,110020113,12345678,1.00,20210101,,", None),  # 9-digit code
    ("01,04,1100201130,1234567,1.00,20210101,,", None),  # 7-digit number
    ("01,04,,12345678,1.00,20210101,,", None),  # old type needs a code
    ("01,XX,1100201130,12345678,1.00,20210101,,", None),
]


@pytest.mark.parametrize(("raw", "expected"), CASES)
def test_parse_qr(
    raw: str, expected: tuple[str, str | None, str, str | None, bool, str | None, str | None] | None
) -> None:
    payload = parse_qr(raw)
    if expected is None:
        assert payload is None
        return
    assert payload is not None
    got = (
        payload.type_code,
        payload.invoice_code,
        payload.invoice_number,
        payload.amount,
        payload.amount_includes_tax,
        payload.issue_date,
        payload.check_code,
    )
    assert got == expected
    assert payload.raw == raw


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("01", DocumentType.VAT_SPECIAL),
        ("04", DocumentType.VAT_GENERAL),
        ("08", DocumentType.VAT_ELECTRONIC_SPECIAL),
        ("10", DocumentType.VAT_ELECTRONIC_GENERAL),
        ("11", DocumentType.VAT_ROLL),
        ("14", DocumentType.TOLL_ELECTRONIC),
        ("31", DocumentType.DIGITAL_SPECIAL),
        ("32", DocumentType.DIGITAL_GENERAL),
        ("99", None),
    ],
)
def test_document_type_for(code: str, expected: DocumentType | None) -> None:
    assert document_type_for(code) == expected
