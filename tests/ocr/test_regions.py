"""A party name the detector did not find whole: which row stretches are read again, and when
their read replaces the detector's lines (pure; positioned text built here, fake names)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from reimburse.ocr.domain import THROUGH_STAMP, TextLine, TextPage
from reimburse.ocr.extraction import extract
from reimburse.ocr.extraction.fields import parse_name
from reimburse.ocr.extraction.regions import name_regions, with_region_reads

from .test_extraction import line, vat_page


def _read(text: str, score: float = 0.95) -> TextLine:
    """What the engine gives back for a stretch (its box does not matter here)."""
    return replace(line(text, 0, 0), score=score, char_scores=(score,) * len(text))


def _seller_missing(extra: tuple[TextLine, ...] = ()) -> TextPage:
    """The sample VAT page with the seller's name not detected at all: only "名称：" is left."""
    page = vat_page(extra=extra)
    lines = tuple(ln for ln in page.lines if ln.text != "明月示例餐饮管理有限公司")
    return replace(page, lines=lines)


def test_a_complete_name_is_not_read_again() -> None:
    assert name_regions(vat_page()) == []


def test_a_missing_name_is_read_along_its_row_up_to_the_remarks_box() -> None:
    (region,) = name_regions(_seller_missing())
    assert region.current is None
    assert [ln.text for ln in region.covers] == ["名称："]
    assert region.line.left == 80
    assert (region.line.top, region.line.bottom) == (500, 520)
    # 28 label heights at most (x = 80 + 28 * 20) ...
    assert region.line.right == pytest.approx(640)
    # ... and short of the remarks box's label when it is on the row
    page = _seller_missing(extra=(line("备注", 560, 505),))
    assert name_regions(page)[0].line.right == pytest.approx(556)


def test_a_name_cut_short_is_read_again_and_its_pieces_replaced() -> None:
    page = vat_page(seller_name="明月示例", extra=(line("财务专用章", 250, 498),))
    (region,) = name_regions(page)
    assert region.current == "明月示例"
    assert sorted(ln.text for ln in region.covers) == ["名称：", "明月示例", "财务专用章"]


def test_a_read_that_gives_a_whole_name_replaces_the_lines_and_goes_to_a_person() -> None:
    page = _seller_missing()
    regions = name_regions(page)
    # a stamp's words and the remarks label read on past the name are cut off
    fixed = with_region_reads(page, regions, [(_read("名称：明月示例餐饮管理有限公司务专用章备"),)])
    new = [ln for ln in fixed.lines if "明月" in ln.text]
    assert [ln.text for ln in new] == ["名称：明月示例餐饮管理有限公司"]
    assert new[0].score <= THROUGH_STAMP and max(new[0].char_scores) <= THROUGH_STAMP
    assert not any(ln.text == "名称：" for ln in fixed.lines)
    extraction = extract([fixed], None)
    assert extraction.value("seller_name") == "明月示例餐饮管理有限公司"
    assert any("seller_name" in r.fields for r in extraction.review_reasons)
    # everything else on the row's neighbours stays: the tax ID below, the remarks
    assert extraction.value("seller_tax_id") == extract([vat_page()], None).value("seller_tax_id")


def test_the_first_read_that_makes_a_whole_name_is_taken() -> None:
    page = _seller_missing()
    reads = [(_read("名称：明月示例餐饮管理有限么"), _read("名称：明月示例餐饮管理有限公司"))]
    fixed = with_region_reads(page, name_regions(page), reads)
    assert extract([fixed], None).value("seller_name") == "明月示例餐饮管理有限公司"


@pytest.mark.parametrize(
    "read",
    [
        "名称：明月示例餐饮管理有限么",  # no organisation's ending: no whole name
        "明月示例餐饮管理有限公司",  # the label is not where the stretch begins
        "名称：明月示例餐饮管理有限公司陆拾圆",  # more than a stamp's words read on
        "名称：明月示例餐饮管理有限公司财务专用章有限公司",  # a stamp's words inside the name
    ],
)
def test_a_read_that_gives_no_whole_name_changes_nothing(read: str) -> None:
    page = _seller_missing()
    assert with_region_reads(page, name_regions(page), [(_read(read),)]) == page


def test_a_read_that_disagrees_with_the_name_found_changes_nothing() -> None:
    page = vat_page(seller_name="明月示例")
    regions = name_regions(page)
    assert with_region_reads(page, regions, [(_read("名称：星光示例餐饮管理有限公司"),)]) == page
    longer = with_region_reads(page, regions, [(_read("名称：明月示例餐饮管理有限公司"),)])
    assert extract([longer], None).value("seller_name") == "明月示例餐饮管理有限公司"


def test_no_region_on_a_form_without_buyer_and_seller_blocks() -> None:
    page = TextPage(width=800, height=400, lines=(line("名称：", 40, 40), line("数量", 400, 40)))
    assert name_regions(page) == []


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("星河示例科技有限公司财务专用章", "星河示例科技有限公司"),
        ("星河示例科技有限公司用章", "星河示例科技有限公司"),
        # the stamp's ink took the 司 of 公司
        ("星河示例科技有限公财务专用章", "星河示例科技有限公司"),
        ("星河示例科技有限责任公务专用章", "星河示例科技有限责任公司"),
        # without a stamp's words nothing is completed
        ("星河示例科技有限公", "星河示例科技有限公"),
    ],
)
def test_a_stamps_words_read_on_are_cut_from_a_name(text: str, name: str) -> None:
    assert parse_name(text) == name


def test_a_person_as_buyer_is_a_whole_name() -> None:
    lines = (line("购", 40, 170), line("纳税人识别号：", 80, 190))
    person = TextPage(width=1200, height=700, lines=(*lines, line("名称：个人", 80, 160)))
    assert name_regions(person) == []
    cut = TextPage(width=1200, height=700, lines=(*lines, line("名称：星河", 80, 160)))
    assert [r.current for r in name_regions(cut)] == ["星河"]


def test_a_read_keeps_the_side_its_label_named() -> None:
    """Where the label says whose name it is (购买方名称：), the read name keeps that side."""
    sample = vat_page()
    # both blocks labelled with their side (no 购/销 printed down the margin)
    dropped = {
        "购",
        "买",
        "方",
        "销",
        "售",
        "名称：星河示例科技有限公司",
        "名称：",
        "明月示例餐饮管理有限公司",
    }
    labelled = (line("购买方名称：", 80, 160), line("销售方名称：明月示例餐饮管理有限公司", 80, 500))
    page = replace(sample, lines=(*(ln for ln in sample.lines if ln.text not in dropped), *labelled))
    (region,) = name_regions(page)
    assert region.label == "购买方名称："
    fixed = with_region_reads(page, [region], [(_read("购买方名称：星河示例科技有限公司"),)])
    extraction = extract([fixed], None)
    assert extraction.value("buyer_name") == "星河示例科技有限公司"
    assert extraction.value("seller_name") == "明月示例餐饮管理有限公司"


def test_a_name_with_no_listed_ending_is_not_cut_back_to_one() -> None:
    page = vat_page(seller_name="明月示例大酒店餐厅")
    regions = name_regions(page)
    assert [r.current for r in regions] == ["明月示例大酒店餐厅"]
    # two characters past an ending may be read on, but a shorter name is no repair
    assert with_region_reads(page, regions, [(_read("名称：明月示例大酒店餐厅"),)]) == page
