"""PDF, OFD and XML e-invoices to fields; hostile files to clear errors."""

from __future__ import annotations

import io
import time
import zipfile

import pymupdf
import pytest

from reimburse.ocr.domain import DocumentRead, FieldSource, TextPage
from reimburse.ocr.einvoice.ofd import read_ofd
from reimburse.ocr.einvoice.pdf import read_pdf
from reimburse.ocr.einvoice.xml import read_xml
from reimburse.ocr.errors import DocumentError, EncryptedDocument, HostileDocument
from reimburse.ocr.limits import ReadLimits
from reimburse.ocr.reader import DocumentReader
from reimburse.synth.einvoice import BUYER_ID, SELLER_ID, Invoice, digital_xml, ofd, pdf

LIMITS = ReadLimits()
EXPECTED = {
    "invoice_number": "24312000000012345678",
    "issue_date": "2024-11-02",
    "amount_excl_tax": "200.00",
    "tax": "12.00",
    "total": "212.00",
    "buyer_name": "星河示例科技有限公司",
    "buyer_tax_id": BUYER_ID,
    "seller_name": "明月示例餐饮管理有限公司",
    "seller_tax_id": SELLER_ID,
}


def _no_ocr(_: bytes) -> DocumentRead:
    raise AssertionError("a PDF with a text layer must not be OCR'd")


@pytest.fixture(scope="module")
def reader() -> DocumentReader:
    return DocumentReader()


def fields(ex: object) -> dict[str, str]:
    return {k: v.value for k, v in ex.fields.items()}  # type: ignore[attr-defined]


def test_a_digital_pdf_reads_exactly_from_its_text_layer(reader: DocumentReader) -> None:
    (result,) = reader.read(pdf(Invoice()))
    ex = result.extraction
    assert ex.is_invoice and ex.document_type.value == "digital_general"
    assert fields(ex) == EXPECTED
    assert {v.source for k, v in ex.fields.items()} <= {FieldSource.PDF_TEXT, FieldSource.QR}
    assert ex.fields["buyer_name"].source is FieldSource.PDF_TEXT
    assert not ex.needs_review, ex.review_reasons
    (item,) = ex.line_items
    assert (item.name, item.amount, item.tax_rate, item.tax) == ("*餐饮服务*餐费", "200.00", "6%", "12.00")


def test_the_qr_code_of_a_pdf_is_decoded_for_the_cross_check() -> None:
    (read,) = read_pdf(pdf(Invoice()), limits=LIMITS, ocr=_no_ocr)
    assert read.qr is not None and read.qr.invoice_number == EXPECTED["invoice_number"]
    assert read.qr.amount == "212.00" and read.qr.amount_includes_tax


def test_several_invoices_in_one_pdf_and_a_continuation_list(reader: DocumentReader) -> None:
    two = reader.read(pdf(Invoice(), Invoice(number="24312000000087654321")))
    assert [r.extraction.value("invoice_number") for r in two] == [
        "24312000000012345678",
        "24312000000087654321",
    ]
    assert [r.page_numbers for r in two] == [(1,), (2,)]
    (one,) = reader.read(pdf(Invoice(), continuation=True))
    assert one.page_numbers == (1, 2) and one.extraction.value("total") == "212.00"


def test_an_image_only_pdf_goes_through_the_image_pipeline() -> None:
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=400)
    pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 200, 100), False)
    pix.clear_with(255)
    page.insert_image(page.rect, pixmap=pix)
    seen: list[bytes] = []

    def ocr(png: bytes) -> DocumentRead:
        seen.append(png)
        return DocumentRead(pages=(TextPage(width=1, height=1, lines=()),))

    (read,) = read_pdf(doc.tobytes(), limits=LIMITS, ocr=ocr)
    assert len(seen) == 1 and seen[0].startswith(b"\x89PNG")
    assert read.page_numbers == (1,)


def test_ofd_takes_the_embedded_invoice_data_and_checks_it_against_the_page(reader: DocumentReader) -> None:
    (result,) = reader.read(ofd(Invoice()))
    ex = result.extraction
    assert fields(ex) == EXPECTED
    assert all(v.source is FieldSource.OFD_XML for v in ex.fields.values())
    assert not ex.needs_review, ex.review_reasons
    # the visible page says something else than the embedded data: flagged
    (forged,) = reader.read(ofd(Invoice(), page_total="2120.00"))
    assert forged.extraction.value("total") == "212.00"
    assert ("structured_text_mismatch", ("total",)) in {
        (r.code, r.fields) for r in forged.extraction.review_reasons
    }
    (page_only,) = reader.read(ofd(Invoice(), embedded=False))
    assert page_only.extraction.value("invoice_number") == EXPECTED["invoice_number"]
    assert page_only.extraction.fields["invoice_number"].source is FieldSource.OFD_XML


def test_digital_invoice_xml(reader: DocumentReader) -> None:
    (result,) = reader.read(digital_xml(Invoice()))
    ex = result.extraction
    assert fields(ex) == EXPECTED
    assert ex.document_type.value == "digital_general"
    assert ex.line_items[0].tax_rate == "6%"
    assert all(v.source is FieldSource.XML for v in ex.fields.values())


def test_a_pdf_named_jpg_is_still_read_as_a_pdf(reader: DocumentReader) -> None:
    data = pdf(Invoice())  # the reader never sees a name: the kind comes from the bytes
    assert reader.read(data)[0].kind.value == "pdf"


# ---- hostile and broken files ------------------------------------------------------------


def _fast(fn: object) -> None:
    """Raise within a bounded time (generous: the point is 'not minutes', not a benchmark)."""
    start = time.perf_counter()
    fn()  # type: ignore[operator]
    assert time.perf_counter() - start < 10


def test_encrypted_and_malformed_pdfs() -> None:
    doc = pymupdf.open(stream=pdf(Invoice()), filetype="pdf")
    locked = doc.tobytes(encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="secret", owner_pw="owner")
    with pytest.raises(EncryptedDocument):
        read_pdf(locked, limits=LIMITS, ocr=_no_ocr)
    with pytest.raises(DocumentError):
        read_pdf(b"%PDF-1.7\n" + b"\x00garbage" * 100, limits=LIMITS, ocr=_no_ocr)


def test_too_many_pages_is_refused_before_reading_them() -> None:
    doc = pymupdf.open()
    for _ in range(2000):
        doc.new_page()
    data = doc.tobytes()
    with pytest.raises(HostileDocument, match="2000 pages"):
        read_pdf(data, limits=ReadLimits(max_pages=50), ocr=_no_ocr)


def _zip(entries: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return buf.getvalue()


def test_zip_bombs_and_path_traversal_in_ofd() -> None:
    bomb = _zip({"OFD.xml": b"<OFD/>", "Doc_0/big.bin": b"\x00" * (60 * 1024 * 1024)})
    assert len(bomb) < 200_000
    with pytest.raises(HostileDocument):
        _fast(lambda: read_ofd(bomb, limits=LIMITS))
    evil = _zip({"OFD.xml": b"<OFD/>", "../../etc/passwd": b"root"})
    with pytest.raises(HostileDocument, match="outside"):
        read_ofd(evil, limits=LIMITS)
    many = _zip({f"f{i}.xml": b"<a/>" for i in range(600)} | {"OFD.xml": b"<OFD/>"})
    with pytest.raises(HostileDocument, match="entries"):
        read_ofd(many, limits=LIMITS)


XXE = (
    b"""<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><EInvoice>&x;</EInvoice>"""
)
LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">'.encode()
        for i in range(1, 10)
    )
    + b"]><EInvoice>&lol9;</EInvoice>"
)


def test_xml_entity_attacks_are_refused_in_xml_and_inside_ofd() -> None:
    for attack in (XXE, LAUGHS):
        with pytest.raises(HostileDocument):
            _fast(lambda attack=attack: read_xml(attack, limits=LIMITS))
        with pytest.raises(HostileDocument):
            read_ofd(_zip({"OFD.xml": attack}), limits=LIMITS)


def test_malformed_xml_and_broken_ofd_are_clear_errors() -> None:
    with pytest.raises(DocumentError, match="malformed"):
        read_xml(b"<EInvoice><unclosed>", limits=LIMITS)
    with pytest.raises(DocumentError, match=r"OFD\.xml"):
        read_ofd(_zip({"Doc_0/Document.xml": b"<a/>"}), limits=LIMITS)
