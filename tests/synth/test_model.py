"""The synthetic invoice model: reproducible, and as self-consistent as a genuine invoice."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

import pytest

from reimburse.ocr.domain import DocumentType, Extraction
from reimburse.ocr.fapiao.capitals import parse_capitals
from reimburse.ocr.fapiao.formats import (
    date_problem,
    describe_invoice_code,
    digital_number_year,
    is_check_code,
)
from reimburse.ocr.fapiao.qr import parse_qr
from reimburse.ocr.fapiao.tax import parse_rate, rate_in_force, sum_matches, tax_matches
from reimburse.ocr.fapiao.uscc import is_valid_uscc, tax_id_problem
from reimburse.synth.model import (
    AGENT_KINDS,
    INVOICE_KINDS,
    NEGATIVE_KINDS,
    SynthInvoice,
    expected_invoices,
    generate,
    uscc,
)

_QR_TYPE = {
    DocumentType.VAT_SPECIAL: "01",
    DocumentType.VAT_GENERAL: "04",
    DocumentType.VAT_ELECTRONIC_GENERAL: "10",
    DocumentType.VAT_ROLL: "11",
}
_DIGITAL = (DocumentType.DIGITAL_SPECIAL, DocumentType.DIGITAL_GENERAL)


def _docs(kind: DocumentType, n: int = 40) -> list[SynthInvoice]:
    rng = random.Random(f"test:{kind.value}")
    return [generate(rng, kind.value, agent_issued=kind in AGENT_KINDS and i % 3 == 0) for i in range(n)]


def _money(ex: Extraction, name: str) -> Decimal:
    value = ex.value(name)
    assert value is not None, name
    return Decimal(value)


def test_same_seed_same_invoices_other_seed_other_invoices() -> None:
    assert expected_invoices(7, 12) == expected_invoices(7, 12)
    assert expected_invoices(7, 12) != expected_invoices(8, 12)


def test_every_kind_is_covered_by_expected_invoices() -> None:
    kinds = {ex.document_type for ex in expected_invoices(1, 16)}
    assert kinds == set(INVOICE_KINDS)


@pytest.mark.parametrize(
    "kind", [k for k in INVOICE_KINDS if k not in (DocumentType.QUOTA, DocumentType.TRAIN_TICKET)]
)
def test_vat_amounts_add_up(kind: DocumentType) -> None:
    for doc in _docs(kind):
        ex = doc.expected
        amount, tax, total = (_money(ex, k) for k in ("amount_excl_tax", "tax", "total"))
        assert amount + tax == total
        assert sum_matches(amount, tax, total)
        assert parse_capitals(doc.extras["capitals"]) == total
        assert ex.line_items
        if kind is DocumentType.VAT_ROLL:
            # roll invoices print tax-inclusive lines only
            assert sum(Decimal(i.amount or 0) for i in ex.line_items) == total
            continue
        assert sum(Decimal(i.amount or 0) for i in ex.line_items) == amount
        assert sum(Decimal(i.tax or 0) for i in ex.line_items) == tax
        for item in ex.line_items:
            rate = parse_rate(item.tax_rate or "")
            assert rate is not None, item.tax_rate
            assert tax_matches(Decimal(item.amount or 0), rate, Decimal(item.tax or 0))
            assert doc.issue_date is not None and rate_in_force(rate, doc.issue_date)


@pytest.mark.parametrize("kind", INVOICE_KINDS)
def test_identifiers_have_the_shapes_of_their_kind(kind: DocumentType) -> None:
    for doc in _docs(kind):
        ex = doc.expected
        assert ex.is_invoice and ex.document_type is kind
        number = ex.value("invoice_number") or ""
        code = ex.value("invoice_code")
        if kind in _DIGITAL or kind is DocumentType.TRAIN_TICKET:
            assert code is None
            assert doc.issue_date is not None
            assert digital_number_year(number) == doc.issue_date.year
        else:
            assert code is not None and len(number) == 8 and number.isdigit()
            info = describe_invoice_code(code)
            assert info is not None
            assert info.type_code == _QR_TYPE.get(kind)  # quota codes follow no national rule
        assert doc.issue_date is not None
        assert date_problem(doc.issue_date, code=code, number=number) is None
        check = ex.value("check_code")
        assert (check is not None) == (
            kind in (DocumentType.VAT_GENERAL, DocumentType.VAT_ELECTRONIC_GENERAL, DocumentType.VAT_ROLL)
        )
        assert check is None or is_check_code(check)
        for side in ("buyer_tax_id", "seller_tax_id"):
            tax_id = ex.value(side)
            if tax_id is not None:
                assert is_valid_uscc(tax_id), (side, tax_id)
        if doc.seller is not None and not ex.agent_issued:
            assert tax_id_problem(doc.seller.tax_id) is None


@pytest.mark.parametrize("kind", [*_QR_TYPE, *_DIGITAL])
def test_qr_payload_agrees_with_the_fields(kind: DocumentType) -> None:
    for doc in _docs(kind, 20):
        ex = doc.expected
        assert doc.qr_text is not None
        qr = parse_qr(doc.qr_text)
        assert qr is not None
        assert qr.invoice_number == ex.value("invoice_number")
        assert qr.invoice_code == ex.value("invoice_code")
        assert qr.issue_date == ex.value("issue_date")
        assert qr.check_code == ex.value("check_code")
        assert qr.amount == ex.value("total" if kind in _DIGITAL else "amount_excl_tax")


def test_agent_issued_invoices_print_the_tax_office_and_name_the_seller_in_remarks() -> None:
    rng = random.Random(3)
    doc = generate(rng, DocumentType.VAT_SPECIAL.value, agent_issued=True)
    ex = doc.expected
    assert ex.agent_issued and doc.seller is not None
    assert "税务局" in doc.seller.name and "DK" in doc.seller.tax_id
    assert tax_id_problem(doc.seller.tax_id) is None  # a 15-character legacy ID
    assert ex.remarks is not None
    assert f"代开企业税号:{ex.value('seller_tax_id')}" in ex.remarks
    assert f"代开企业名称:{ex.value('seller_name')}" in ex.remarks
    with pytest.raises(ValueError):
        generate(rng, DocumentType.DIGITAL_GENERAL.value, agent_issued=True)


def test_quota_and_train_ticket_fields() -> None:
    for doc in _docs(DocumentType.QUOTA, 10):
        ex = doc.expected
        assert set(ex.fields) == {"invoice_code", "invoice_number", "total", "seller_tax_id"}
        assert parse_capitals(doc.extras["capitals"]) == _money(ex, "total")
    for doc in _docs(DocumentType.TRAIN_TICKET, 10):
        ex = doc.expected
        assert set(ex.fields) == {"invoice_number", "issue_date", "total", "buyer_name", "buyer_tax_id"}
        assert doc.issue_date is not None and doc.issue_date >= date(2024, 11, 1)
        assert doc.qr_text is not None and parse_qr(doc.qr_text) is None  # the railway's own QR


@pytest.mark.parametrize("kind", NEGATIVE_KINDS)
def test_negatives_expect_no_invoice(kind: str) -> None:
    doc = generate(random.Random(1), kind)
    assert not doc.is_invoice
    assert doc.expected.document_type is DocumentType.NOT_INVOICE
    assert doc.expected.fields == {}


def test_generated_credit_codes_are_valid_and_varied() -> None:
    rng = random.Random(11)
    codes = {uscc(rng, "110105") for _ in range(200)}
    assert len(codes) == 200
    assert all(is_valid_uscc(c) and c.startswith("91110105") for c in codes)
