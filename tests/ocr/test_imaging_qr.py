"""Decoding the fapiao QR code from page images, through rotation, scale and photos."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from reimburse.ocr.imaging.orientation import rotate
from reimburse.ocr.imaging.qr import decode_qr
from tests.ocr.imaging_helpers import QR_TEXT, page, photo, qr_image


@pytest.mark.parametrize("degrees", [0, 90, 180, 270])
def test_qr_is_decoded_after_rotation(degrees: int) -> None:
    found = decode_qr(rotate(page(), degrees))
    assert found.payload is not None
    assert found.payload.invoice_number == "12345678"
    assert found.payload.amount == "100.00"
    assert QR_TEXT in found.texts


def test_qr_is_decoded_after_downscale() -> None:
    sheet = page()
    small = cv2.resize(sheet, None, fx=0.6, fy=0.6, interpolation=cv2.INTER_AREA)
    found = decode_qr(small)
    assert found.payload is not None and found.payload.invoice_code == "1100201130"


def test_qr_position_is_reported_in_page_pixels() -> None:
    found = decode_qr(page())
    assert found.center is not None
    x, y = found.center
    assert x < 300 and y < 250  # pasted at the top-left corner


def test_qr_is_decoded_in_a_photo() -> None:
    shot, _ = photo(page(), seed=5)
    found = decode_qr(shot)
    assert found.payload is not None and found.payload.invoice_number == "12345678"


def test_a_page_without_qr_gives_none() -> None:
    found = decode_qr(page(with_qr=False))
    assert found.payload is None
    assert found.texts == ()


def test_a_non_fapiao_qr_is_reported_but_not_parsed() -> None:
    canvas = np.full((600, 900, 3), 255, np.uint8)
    code = cv2.cvtColor(np.asarray(qr_image("https://example.com/pay?id=1")), cv2.COLOR_RGB2BGR)
    canvas[40 : 40 + code.shape[0], 40 : 40 + code.shape[1]] = code
    found = decode_qr(canvas)
    assert found.payload is None
    assert found.texts == ("https://example.com/pay?id=1",)


def test_grey_input_is_accepted() -> None:
    grey = cv2.cvtColor(page(), cv2.COLOR_BGR2GRAY)
    assert decode_qr(grey).payload is not None
