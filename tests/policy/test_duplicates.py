"""Duplicate keys, perceptual hashes and duplicates inside one claim."""

from __future__ import annotations

import numpy as np
import pytest

from reimburse.claims.domain import Category
from reimburse.ocr.domain import DocumentType
from reimburse.policy.rules.duplicates import (
    StoredHash,
    check_duplicates_within,
    dhash,
    hamming,
    invoice_key,
    near_duplicates,
)
from tests.claims.factories import claim, invoice, item


@pytest.mark.parametrize(
    ("code", "number", "doc", "key"),
    [
        (None, "25330000000012345678", DocumentType.DIGITAL_GENERAL, "D:25330000000012345678"),
        # the same digital invoice read from a photo: spaces, full-width digits, a stray code
        (
            "033001900104",
            "2533 0000 0000 1234 ５６７８",
            DocumentType.DIGITAL_GENERAL,
            "D:25330000000012345678",
        ),
        ("033001900104", "12345678", DocumentType.VAT_ELECTRONIC_GENERAL, "V:033001900104:12345678"),
        ("0330 0190 0104", "No.12345678", DocumentType.VAT_GENERAL, "V:033001900104:12345678"),
        (None, "12345678", DocumentType.VAT_GENERAL, None),
        ("033001900104", None, DocumentType.VAT_GENERAL, None),
    ],
)
def test_invoice_key(code: str | None, number: str | None, doc: DocumentType, key: str | None) -> None:
    assert invoice_key(invoice(invoice_code=code, invoice_number=number, document_type=doc)) == key


def test_photo_and_efile_of_one_invoice_share_a_key() -> None:
    efile = invoice(
        document_type=DocumentType.VAT_ELECTRONIC_GENERAL,
        invoice_code="033001900104",
        invoice_number="12345678",
    )
    photo = invoice(
        document_type=DocumentType.VAT_ELECTRONIC_GENERAL,
        invoice_code="０３３００１９００１０４",
        invoice_number=" 12345678 ",
    )
    other = invoice(
        document_type=DocumentType.VAT_ELECTRONIC_GENERAL,
        invoice_code="033001900104",
        invoice_number="12345679",
    )
    assert invoice_key(efile) == invoice_key(photo) != invoice_key(other)


def _document(seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    img = np.full((400, 600), 235.0)
    for _ in range(40):  # dark text-like blocks
        y, x = rng.integers(0, 380), rng.integers(0, 560)
        img[y : y + rng.integers(5, 20), x : x + rng.integers(10, 40)] = rng.integers(0, 80)
    return img


def test_dhash_tolerates_noise_and_brightness_but_not_another_document() -> None:
    a = _document(1)
    noisy = np.clip(a * 0.9 + 12 + np.random.default_rng(9).normal(0, 6, a.shape), 0, 255)
    assert hamming(dhash(a), dhash(noisy)) <= 6
    assert hamming(dhash(a), dhash(_document(2))) > 12
    assert 0 <= dhash(a) < 2**64


def test_dhash_refuses_odd_shapes_or_tiny_images() -> None:
    with pytest.raises(ValueError):
        dhash(np.zeros((100, 100, 2)))
    with pytest.raises(ValueError):
        dhash(np.zeros((4, 4)))


def test_near_duplicates_filters_by_distance() -> None:
    stored = [StoredHash("a", 0b1111), StoredHash("b", 0b0), StoredHash("c", (1 << 64) - 1)]
    assert [s.ref for s in near_duplicates(0b1, stored, max_distance=3)] == ["a", "b"]


def test_same_invoice_twice_in_one_claim_blocks() -> None:
    c = claim(item(), item(amount="100.00"))
    found = check_duplicates_within(c)
    assert [(f.code, f.item, f.severity.value) for f in found] == [("duplicate_invoice", 1, "block")]


def test_near_identical_photos_of_different_numbers_warn() -> None:
    h = dhash(_document(1))
    one = item(invoice=invoice(image_hash=h))
    two = item(Category.MEALS, invoice=invoice(invoice_number="25330000000099999999", image_hash=h ^ 0b11))
    far = item(
        Category.MEALS, invoice=invoice(invoice_number="25330000000088888888", image_hash=dhash(_document(3)))
    )
    found = check_duplicates_within(claim(one, two, far))
    assert [(f.code, f.item) for f in found] == [("near_duplicate_image", 1)]


def test_distinct_invoices_have_no_duplicate_findings() -> None:
    other = item(invoice=invoice(invoice_number="25330000000099999999"))
    assert check_duplicates_within(claim(item(), other)) == []


def test_dhash_of_a_colour_image_matches_its_grey() -> None:
    grey = _document(4)
    colour = np.stack([grey, grey, grey], axis=2)
    assert hamming(dhash(colour), dhash(grey)) <= 2
