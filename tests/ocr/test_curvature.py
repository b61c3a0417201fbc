"""A curled page's rows made straight for the layout rules (pure; positioned text built here)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from reimburse.ocr.domain import FieldSource, Point, TextLine, TextPage
from reimburse.ocr.extraction import extract
from reimburse.ocr.extraction.curvature import straightened
from reimburse.ocr.extraction.layout import Layout

from .test_extraction import vat_page


def bowed(page: TextPage, sag: float, tilt: float = 0.0) -> TextPage:
    """``page`` photographed curled: every point moved down by ``sag`` in the middle column,
    not at all at the side edges (a parabola across the width), plus a slight turn."""

    def move(p: Point) -> Point:
        across = (p.x - page.width / 2) / (page.width / 2)
        return Point(p.x, p.y + sag * (1 - across * across) + tilt * (p.x - page.width / 2))

    lines = tuple(replace(ln, quad=tuple(move(p) for p in ln.quad)) for ln in page.lines)
    return replace(page, lines=lines, height=page.height + sag)


FIELDS = ("total", "amount_excl_tax", "tax", "buyer_name", "seller_name", "seller_tax_id", "issue_date")


def test_the_sample_page_reads_every_field_flat() -> None:
    flat = extract([vat_page()], None)
    assert all(flat.value(name) for name in FIELDS)
    assert straightened(vat_page().lines, vat_page().width) is None


@pytest.mark.parametrize(("sag", "tilt"), [(45.0, 0.0), (-45.0, 0.0), (40.0, 0.03)])
def test_a_curled_page_reads_as_the_flat_one(sag: float, tilt: float) -> None:
    flat = extract([vat_page()], None)
    curled = extract([bowed(vat_page(), sag, tilt)], None)
    assert {n: curled.value(n) for n in FIELDS} == {n: flat.value(n) for n in FIELDS}
    assert {r.code for r in curled.review_reasons} == {r.code for r in flat.review_reasons}


def test_rows_line_up_again_and_the_engine_boxes_stay() -> None:
    page = bowed(vat_page(), 45.0)
    layout = Layout.of([page])
    by_text = {ln.text: ln for ln in layout.lines}
    amount, tax, total = by_text["¥100.00"], by_text["¥6.00"], by_text["(小写)¥106.00"]
    # on the page as photographed the sum row's ends sit far apart ...
    assert abs(amount.raw.cy - tax.raw.cy) > 10
    # ... and once straightened they are one row again, as flat (y 420 and 460)
    assert abs(amount.cy - tax.cy) < 2
    assert abs((total.cy - amount.cy) - 40) < 2
    # crops are still cut where the engine found the text
    assert amount.raw in page.lines


def test_text_from_a_file_is_never_moved() -> None:
    page = replace(bowed(vat_page(), 45.0), source=FieldSource.PDF_TEXT)
    assert all(ln.box is None for ln in Layout.of([page]).lines)


def _tilted(text: str, x: float, y: float, slope: float) -> TextLine:
    """A 300 x 20 box turned to ``slope`` (the page's rows run that way)."""
    dy = 300 * slope
    quad = (Point(x, y), Point(x + 300, y + dy), Point(x + 300, y + dy + 20), Point(x, y + 20))
    return TextLine(text, quad)


def test_too_few_long_lines_tell_nothing() -> None:
    turned = [_tilted("星河示例科技有限公司", 0, 40 * i, 0.1) for i in range(10)]
    assert straightened(turned, 600) is not None  # ten turned rows: the turn is taken out
    assert straightened(turned[:5], 600) is None  # five: too few to tell a turn from noise
