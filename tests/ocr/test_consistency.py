"""Issue 16: taxi receipts, copies not for reimbursement, and field-consistency rules that
only add flags (synthetic positioned text, fake names)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from reimburse.ocr.domain import DocumentType, FieldSource, FieldValue, TextLine, TextPage
from reimburse.ocr.extraction import extract
from reimburse.ocr.extraction.consistency import code_year, consistency_reasons
from reimburse.ocr.fapiao.divisions import name_province
from reimburse.ocr.fapiao.uscc import is_valid_uscc
from reimburse.ocr.serialize import extraction_to_json

from .test_extraction import BUYER_ID, SELLER_ID, _valid, line, vat_page


def reasons(ex: object) -> set[tuple[str, tuple[str, ...]]]:
    return {(r.code, r.fields) for r in ex.review_reasons}  # type: ignore[attr-defined]


def codes(ex: object) -> set[str]:
    return {r.code for r in ex.review_reasons}  # type: ignore[attr-defined]


def taxi_page(*, surcharge: bool = False, paid: str | None = None) -> TextPage:
    """A meter-printed taxi receipt: bilingual labels on the left, dot-matrix values to the
    right and about half a row off their labels (hand-fed paper)."""
    lines = [
        line("示例市出租汽车专用发票", 60, 20),
        line("111001681011", 30, 80),
        line("37701301", 30, 110),
        line("单位", 40, 150),
        line("Company", 40, 170),
        line("车号", 40, 200),
        line("Taxi No.", 40, 220),
        line("京B-D6908", 300, 210),
        line("日期", 40, 260),
        line("Date", 40, 280),
        line("2017-10-26", 300, 268),
        line("时间", 40, 310),
        line("Time", 40, 330),
        line("10:35-10:47", 300, 300),
        line("单价", 40, 360),
        line("2.30", 360, 352),
        line("里程", 40, 410),
        line("Distance", 40, 430),
        line("4.7", 380, 400),
        line("等候", 40, 460),
        line("00:04:54", 320, 452),
        line("金额", 40, 510),
        line("Fare", 40, 530),
        line("¥18.80", 340, 500),
    ]
    if surcharge:
        lines += [line("燃油附加费", 40, 560), line("1.00", 380, 552)]
    if paid is not None:
        lines += [line("实收金额", 40, 610), line(paid, 340, 602)]
    return TextPage(width=600, height=700, lines=tuple(lines))


def test_a_taxi_receipt_is_an_invoice_of_its_own_type() -> None:
    ex = extract([taxi_page()], None)
    assert ex.is_invoice and ex.document_type is DocumentType.TAXI
    assert {k: v.value for k, v in ex.fields.items()} == {
        "invoice_code": "111001681011",
        "invoice_number": "37701301",
        "issue_date": "2017-10-26",
        "total": "18.80",
    }
    assert ex.extras == {"times": "10:35-10:47", "distance_km": "4.7"}
    assert "taxi_total_uncertain" not in codes(ex)
    assert extraction_to_json("t", ex)["document_type"] == "taxi"


def test_a_taxi_total_is_the_amount_paid_and_flagged_when_that_is_unread() -> None:
    assert extract([taxi_page(surcharge=True, paid="¥19.80")], None).value("total") == "19.80"
    unread = extract([taxi_page(surcharge=True)], None)
    assert unread.value("total") == "18.80"
    assert ("taxi_total_uncertain", ("total",)) in reasons(unread)


def test_a_vat_special_copy_not_for_reimbursement_is_read_and_flagged() -> None:
    # an older 记账联 scan: no QR code, the code printed unlabelled, and the copy's footer
    page = vat_page(title="上海增值税专用发票", extra=(line("此联不作报销、扣税凭证使用", 300, 650),))
    lines = tuple(
        TextLine.from_box("031002300111", ln.left, ln.top, ln.right, ln.bottom)
        if "发票代码" in ln.text
        else ln
        for ln in page.lines
    )
    ex = extract([TextPage(page.width, page.height, lines)], None)
    assert ex.is_invoice and ex.document_type is DocumentType.VAT_SPECIAL
    assert ex.value("invoice_code") == "031002300111" and ex.value("total") == "106.00"
    assert ex.not_for_reimbursement
    assert "copy_not_for_reimbursement" in codes(ex)
    assert extraction_to_json("x", ex)["not_for_reimbursement"] is True
    assert not extract([vat_page(title="上海增值税专用发票")], None).not_for_reimbursement


def _without(page: TextPage, *texts: str, replace: dict[str, str] | None = None) -> TextPage:
    out = []
    for ln in page.lines:
        if ln.text in texts:
            continue
        text = (replace or {}).get(ln.text, ln.text)
        out.append(TextLine.from_box(text, ln.left, ln.top, ln.right, ln.bottom, ln.score))
    return TextPage(page.width, page.height, tuple(out), page.source)


def test_a_derived_tax_is_marked_and_never_confirms_a_misread_amount() -> None:
    # the 合计 amount misread (101 for 100) and the tax figure lost: tax = 106 - 101 "adds up"
    page = _without(vat_page(), "¥6.00", replace={"¥100.00": "¥101.00"})
    ex = extract([page], None)
    assert ex.fields["tax"].source is FieldSource.DERIVED and ex.value("tax") == "5.00"
    found = reasons(ex)
    assert ("derived_unconfirmed", ("amount_excl_tax", "tax", "total")) in found
    assert ("items_sum_mismatch", ("amount_excl_tax",)) in found
    assert extraction_to_json("x", ex)["field_sources"]["tax"] == "derived"


def test_a_derived_tax_between_independently_confirmed_amounts_is_not_flagged() -> None:
    ex = extract([_without(vat_page(), "¥6.00")], None)
    assert ex.fields["tax"].source is FieldSource.DERIVED and ex.value("tax") == "6.00"
    assert "derived_unconfirmed" not in codes(ex), ex.review_reasons


def test_a_check_code_read_as_the_seller_tax_id_is_flagged_in_both_fields() -> None:
    ex = extract([vat_page(seller_id="12345678901234567890")], None)
    assert ("value_in_two_fields", ("check_code", "seller_tax_id")) in reasons(ex)


def test_the_buyer_tax_id_read_as_the_seller_s_is_flagged() -> None:
    ex = extract([vat_page(seller_id=BUYER_ID)], None)
    assert ("value_in_two_fields", ("buyer_tax_id", "seller_tax_id")) in reasons(ex)


@pytest.mark.parametrize(
    ("read", "kept"),
    [
        # the stamp pressed over the name line: its words run on into the name
        ("元辰电子有限责任公司财务专用章", "元辰电子有限责任公司"),
        ("青岛号启信息6D限20专用章", "青岛号启信息6D限20"),
        ("长沙财务专用宏汇有限公司", "长沙财务专用宏汇有限公司"),  # inside the name: kept, flagged
        ("限公司", "限公司"),  # only the legal form: the rest of the name was lost
        ("股份有限公司", "股份有限公司"),
    ],
)
def test_a_name_read_through_a_stamp_or_cut_to_its_legal_form_is_flagged(read: str, kept: str) -> None:
    ex = extract([vat_page(seller_name=read)], None)
    assert ex.value("seller_name") == kept
    flagged = {code for code, fields in reasons(ex) if "seller_name" in fields}
    assert flagged & {"field_shape", "low_confidence"}, ex.review_reasons


def test_a_stamp_read_instead_of_the_name_is_no_name() -> None:
    ex = extract([vat_page(seller_name="财务专用章")], None)
    assert ex.value("seller_name") is None
    assert ("missing_field", ("seller_name",)) in reasons(ex)


def test_a_tax_id_next_to_a_name_label_is_not_read_as_the_name() -> None:
    # the name finder refuses code-shaped values (extraction/fields.py, _name), so a tax ID
    # in the name's place leaves the name empty instead of reaching the consistency rules
    page = _without(vat_page(), replace={"明月示例餐饮管理有限公司": BUYER_ID})
    ex = extract([page], None)
    assert ex.value("seller_name") is None


def test_a_credit_code_with_a_letter_it_cannot_contain_is_repaired_by_its_check_character() -> None:
    i = SELLER_ID.index("0", 2)
    misread = SELLER_ID[:i] + "O" + SELLER_ID[i + 1 :]
    ex = extract([vat_page(seller_id=misread)], None)
    assert ex.value("seller_tax_id") == SELLER_ID
    assert "tax_id_invalid" not in codes(ex)


def test_a_look_alike_repair_is_only_a_guess_and_stays_flagged() -> None:
    # 8 <-> B are both valid characters: a swap that makes the check hold is a guess
    from reimburse.ocr.fapiao.uscc import repair_uscc

    cases = []
    for body in ("91440300MA5G8QKJ2", "91310000MA1F8XQ30", "91110108MA0028L4X"):
        good = _valid(body)
        misread = good.replace("8", "B", 1) if good.index("8") > 1 else good
        if not is_valid_uscc(misread) and repair_uscc(misread) == good:
            cases.append((good, misread))
    assert cases, "no unique look-alike repair among the bodies"
    good, misread = cases[0]
    ex = extract([vat_page(seller_id=misread)], None)
    assert ex.value("seller_tax_id") == good
    assert ("tax_id_repaired", ("seller_tax_id",)) in reasons(ex)


def test_a_seal_showing_another_tax_id_than_the_seller_s_is_flagged() -> None:
    other = _valid("91330106673959654")
    ex = extract([vat_page(extra=(line(other, 760, 600),))], None)
    assert ("seal_tax_id_mismatch", ("seller_tax_id",)) in reasons(ex)
    same = extract([vat_page(extra=(line(SELLER_ID, 760, 600),))], None)
    assert "seal_tax_id_mismatch" not in codes(same)


def test_an_older_tax_id_is_checked_against_the_seal_too() -> None:
    """A 15-digit taxpayer ID has no check character: a misread digit passes every check
    of its own, but the seal prints the same ID, alone on its line."""
    printed, misread = "440301775802711", "440301775302711"
    ex = extract([vat_page(seller_id=misread, extra=(line(printed, 760, 600),))], None)
    assert ex.value("seller_tax_id") == misread
    assert ("seal_tax_id_mismatch", ("seller_tax_id",)) in reasons(ex)
    same = extract([vat_page(seller_id=printed, extra=(line(printed, 760, 600),))], None)
    assert "seal_tax_id_mismatch" not in codes(same)
    # an older seal beside a credit code: characters 3-17 of the code are the ID it replaced
    older = extract([vat_page(extra=(line(SELLER_ID[2:17], 760, 600),))], None)
    assert "seal_tax_id_mismatch" not in codes(older)
    other = extract([vat_page(extra=(line("44030177580271X", 760, 600),))], None)
    assert ("seal_tax_id_mismatch", ("seller_tax_id",)) in reasons(other)
    # a 15-digit account number on its label's row is no seal
    account = (line("开户行及账号：示例银行", 60, 600), line("440301775802719", 400, 600))
    assert "seal_tax_id_mismatch" not in codes(extract([vat_page(seller_id=printed, extra=account)], None))


def test_an_agent_issued_invoice_never_pairs_a_remarks_name_with_the_box_tax_id() -> None:
    extra = (line("代开企业名称：青松示例物流有限公司", 760, 600),)
    ex = extract([vat_page(title="上海增值税专用发票", extra=extra)], None)
    assert ex.agent_issued
    # the remarks lack the tax ID: both seller fields come from the seller box
    assert (ex.value("seller_name"), ex.value("seller_tax_id")) == ("明月示例餐饮管理有限公司", SELLER_ID)
    assert ("agent_seller_partial", ("seller_name", "seller_tax_id")) in reasons(ex)


def test_headers_printed_apart_and_misread_money_place_the_sum_row() -> None:
    # "金 额" and "税 额" split into runs; the tax printed "¥B.00" with B for 8; no 合计 label
    page = _without(
        vat_page(tax="¥B.00", total="¥108.00", capitals="壹佰零捌圆整"),
        "合",
        "计",
        "6.00",
        replace={"金额": "金", "税额": "税"},
    )
    extra = (line("额", 820, 300, 14), line("额", 1020, 295, 14))
    ex = extract([TextPage(page.width, page.height, (*page.lines, *extra))], None)
    assert (ex.value("amount_excl_tax"), ex.value("tax"), ex.value("total")) == ("100.00", "8.00", "108.00")


def test_money_inside_a_longer_run_of_digits_and_dots_is_not_read() -> None:
    # "1.40.00": the total 140.00 misread with a stray dot; the capitals supply it instead
    ex = extract([vat_page(total="1.40.00")], None)
    assert ex.value("total") == "106.00"


def test_a_name_nearer_the_seller_marker_never_becomes_the_buyer() -> None:
    # a stray "名" beside the check code gave a label-like value that took the seller side
    extra = (line("名", 40, 480), line("校验码1086306352", 90, 478))
    ex = extract([vat_page(extra=extra)], None)
    assert ex.value("buyer_name") == "星河示例科技有限公司"
    assert ex.value("seller_name") == "明月示例餐饮管理有限公司"


def test_a_meter_printed_general_machine_invoice_without_the_word_taxi_is_a_taxi_receipt() -> None:
    lines = (
        line("示例省国家税务局通用机打发票", 60, 20),
        line("发票代码133011740519", 30, 80),
        line("发票号码 15680213", 30, 120),
        line("车号", 40, 200),
        line("AFT-1101", 300, 200),
        line("日期", 40, 250),
        line("2017-04-20", 260, 240),
        line("上车", 40, 300),
        line("CK0665>22:37", 200, 296),
        line("下车", 40, 350),
        line("22:45", 380, 348),
        line("里程", 40, 400),
        line("4.2km", 380, 400),
        line("等候", 40, 450),
        line("金额", 40, 500),
        line("16.00元", 360, 500),
    )
    ex = extract([TextPage(width=600, height=700, lines=lines)], None)
    assert ex.document_type is DocumentType.TAXI
    assert (
        ex.value("invoice_code"),
        ex.value("invoice_number"),
        ex.value("issue_date"),
        ex.value("total"),
    ) == (
        "133011740519",
        "15680213",
        "2017-04-20",
        "16.00",
    )
    assert ex.extras == {"times": "22:37-22:45", "distance_km": "4.2"}


def test_dot_matrix_values_half_a_row_off_their_labels_are_read() -> None:
    # a dot-matrix printer put the 合计 figures, the buyer's name and tax ID and the check
    # code (joined with dashes) half a row below their pre-printed labels
    page = _without(
        vat_page(),
        "¥100.00",
        "¥6.00",
        "名称：星河示例科技有限公司",
        "纳税人识别号：",
        BUYER_ID,
        "校验码：12345 67890 12345 67890",
    )
    extra = (
        line("¥100.00", 760, 436, 80),
        line("¥6.00", 970, 438, 70),
        line("名称：", 80, 160),
        line("星河示例科技有限公司", 180, 172, h=30),
        line("纳税人识别号：", 80, 200),
        line(BUYER_ID, 300, 213),
        line("校验码 12345-67890 12345-67890", 800, 110),
    )
    ex = extract([TextPage(page.width, page.height, (*page.lines, *extra))], None)
    assert (ex.value("amount_excl_tax"), ex.value("tax")) == ("100.00", "6.00")
    assert (ex.value("buyer_name"), ex.value("buyer_tax_id")) == ("星河示例科技有限公司", BUYER_ID)
    assert ex.value("check_code") == "12345678901234567890"


def test_a_name_with_one_poorly_read_character_is_flagged_though_the_line_reads_well() -> None:
    name = "明月示例餐饮管理有限公司"
    chars = tuple(0.45 if i == 3 else 0.999 for i in range(len(name)))
    page = vat_page()
    lines = tuple(TextLine(ln.text, ln.quad, 0.95, chars) if ln.text == name else ln for ln in page.lines)
    ex = extract([TextPage(page.width, page.height, lines)], None)
    assert ex.fields["seller_name"].confidence >= 0.9  # the line's mean score alone passes
    assert ("name_uncertain", ("seller_name",)) in reasons(ex)
    # the character to check, by its place in the value as read (the app marks it in place)
    (flag,) = [r for r in ex.review_reasons if r.code == "name_uncertain"]
    assert dict(flag.params) == {"chars": "3"} and ex.value("seller_name")[3] == "例"
    assert "name_uncertain" not in codes(extract([page], None))


def _with_scores(text: str, x: float, y: float, scores: tuple[float, ...]) -> TextLine:
    ln = line(text, x, y)
    return TextLine(text, ln.quad, sum(scores) / len(scores), scores)


def test_a_seal_ring_character_the_seller_name_lacks_is_flagged() -> None:
    # the seal's tax ID is the seller's; its ring, read a character at a time, shows 星 where
    # the name says 明月示例餐饮管理有限公司: one of the two copies of the name is misread
    seal = line(SELLER_ID, 760, 600)
    odd = extract([vat_page(extra=(seal, _with_scores("星", 800, 565, (0.7,))))], None)
    assert ("seal_name_mismatch", ("seller_name",)) in reasons(odd)
    (flag,) = [r for r in odd.review_reasons if r.code == "seal_name_mismatch"]
    assert dict(flag.params) == {"seal": "星"}
    # ring characters of the name itself, the seal's own words, and noise under the floor pass
    fine = (
        seal,
        _with_scores("明", 800, 565, (0.6,)),
        _with_scores("发票专用章", 820, 640, (0.99,) * 5),
        _with_scores("图", 960, 570, (0.41,)),
    )
    assert "seal_name_mismatch" not in codes(extract([vat_page(extra=fine)], None))
    # another taxpayer's seal says nothing about this seller's name
    other = line(_valid("91330106673959654"), 760, 600)
    assert "seal_name_mismatch" not in codes(
        extract([vat_page(extra=(other, _with_scores("星", 800, 565, (0.9,))))], None)
    )


def _fields(**values: str) -> dict[str, FieldValue]:
    return {k: FieldValue(v, 0.99, FieldSource.OCR) for k, v in values.items()}


def test_an_issue_date_before_the_year_in_the_invoice_code_is_flagged() -> None:
    # 031002300111: a batch printed in 2023, so an invoice of 2021 misread its code or its date
    page = _without(vat_page(), replace={"开票日期：2024年03月05日": "开票日期：2021年03月05日"})
    ex = extract([page], None)
    assert ex.value("issue_date") == "2021-03-05"
    assert ("code_year_mismatch", ("invoice_code", "issue_date")) in reasons(ex)
    assert "code_year_mismatch" not in codes(extract([vat_page()], None))
    # a 10-digit VAT code carries its plate's year (digits 5-6), used for some years after
    assert code_year("3300161130") == 2016 and code_year("15107158E001") is None
    old = consistency_reasons(
        _fields(invoice_code="5100153160", issue_date="2016-07-18"), (), capitals_total=None
    )
    late = consistency_reasons(
        _fields(invoice_code="5100153160", issue_date="2031-07-18"), (), capitals_total=None
    )
    assert old == [] and [r.code for r in late] == ["code_year_mismatch"]


def test_a_digital_invoice_number_of_another_year_than_its_date_is_flagged() -> None:
    number = "24312000000012345678"
    same = _fields(invoice_number=number, issue_date="2024-11-02")
    other = _fields(invoice_number=number, issue_date="2025-11-02")
    assert consistency_reasons(same, (), capitals_total=None) == []
    found = consistency_reasons(other, (), capitals_total=None)
    assert [(r.code, r.fields) for r in found] == [("number_year_mismatch", ("invoice_number", "issue_date"))]
    # 8-digit numbers carry no year
    assert (
        consistency_reasons(
            _fields(invoice_number="12345678", issue_date="2025-11-02"), (), capitals_total=None
        )
        == []
    )


def test_a_tax_larger_than_any_vat_rate_allows_is_flagged_though_the_sum_holds() -> None:
    # amount and tax swapped by the layout: 6 + 100 = 106 still holds, and no line items say otherwise
    swapped = _fields(amount_excl_tax="6.00", tax="100.00", total="106.00")
    found = consistency_reasons(swapped, (), capitals_total="106.00")
    assert [(r.code, r.fields) for r in found] == [("tax_share_implausible", ("amount_excl_tax", "tax"))]
    negative = _fields(amount_excl_tax="100.00", tax="-6.00", total="94.00")
    assert [r.code for r in consistency_reasons(negative, (), capitals_total=None)] == [
        "tax_share_implausible"
    ]
    for amount, tax in (("100.00", "6.00"), ("100.00", "17.00"), ("-100.00", "-13.00"), ("100.00", "0.00")):
        assert consistency_reasons(_fields(amount_excl_tax=amount, tax=tax), (), capitals_total=None) == []


def test_a_total_read_only_from_its_capitals_does_not_confirm_a_tax_derived_from_it() -> None:
    # no figures for the total and no tax: the total is the capitals' reading, the tax is that
    # minus the amount, so "the capitals match the total" holds by construction
    ex = extract([_without(vat_page(), "(小写)¥106.00", "¥6.00")], None)
    assert ex.value("total") == "106.00" and ex.fields["tax"].source is FieldSource.DERIVED
    assert ("derived_unconfirmed", ("amount_excl_tax", "tax", "total")) in reasons(ex)


def test_the_supervision_seal_makes_a_fapiao_whose_title_was_not_read() -> None:
    """A stamp or a curl can hide the title and the 发票 of every label; the supervision
    seal's 国家税务总局监制 is still an invoice's own words."""
    without = replace_lines(vat_page(), lambda ln: "发票" not in ln.text)
    assert not extract([without], None).is_invoice
    sealed = replace_lines(without, lambda ln: True, extra=(line("国家税务总局监制", 420, 5),))
    extraction = extract([sealed], None)
    assert extraction.is_invoice
    assert extraction.value("total") == "106.00"
    assert extraction.document_type is DocumentType.OTHER_INVOICE


def replace_lines(
    page: TextPage, keep: Callable[[TextLine], bool], extra: tuple[TextLine, ...] = ()
) -> TextPage:
    return TextPage(
        width=page.width,
        height=page.height,
        lines=(*[ln for ln in page.lines if keep(ln)], *extra),
        source=page.source,
    )


def test_the_supervision_seal_alone_makes_no_invoice_of_a_tax_form() -> None:
    """完税证明 and 缴款书 carry the seal's words too, with a taxpayer ID but none of an
    invoice's other labels."""
    lines = (
        line("中华人民共和国税收完税证明", 300, 20),
        line("国家税务总局监制", 420, 50),
        line("纳税人识别号：" + BUYER_ID, 40, 120),
        line("实缴（退）金额 ¥106.00", 40, 160),
    )
    assert not extract([TextPage(width=1200, height=400, lines=lines)], None).is_invoice


def test_a_persons_identity_card_number_is_kept_as_read() -> None:
    """An identity card's number (a person's taxpayer ID) is no credit code with a misread
    character: no look-alike swap turns it into one."""
    card = "31932520040209120X"  # valid per GB 11643; one swap (0 -> D) passes as a credit code
    page = vat_page()
    lines = tuple(replace(ln, text=card) if ln.text == BUYER_ID else ln for ln in page.lines)
    extraction = extract([replace(page, lines=lines)], None)
    assert extraction.value("buyer_tax_id") == card
    assert "tax_id_repaired" not in codes(extraction)
    assert "tax_id_invalid" not in codes(extraction)


def test_a_general_vat_invoice_without_its_sellers_tax_id_is_flagged() -> None:
    """Every VAT form prints the seller's taxpayer ID, general ones too: not finding it is a
    read that failed (a curl, a stamp), not a blank."""
    page = vat_page()
    lines = tuple(ln for ln in page.lines if not ln.text.startswith("纳税人识别号：9"))
    ex = extract([replace(page, lines=lines)], None)
    assert ex.document_type is DocumentType.VAT_ELECTRONIC_GENERAL
    assert ex.value("seller_tax_id") is None
    assert ("missing_field", ("seller_tax_id",)) in reasons(ex)


def test_a_general_invoice_to_an_enterprise_without_its_tax_id_is_flagged() -> None:
    """An enterprise buyer's taxpayer ID is printed on general invoices too (since 2017); a
    person's need not be."""
    page = vat_page()
    lines = tuple(ln for ln in page.lines if ln.text != BUYER_ID)
    ex = extract([replace(page, lines=lines)], None)
    assert ex.value("buyer_tax_id") is None
    assert ("missing_field", ("buyer_tax_id",)) in reasons(ex)
    person = tuple(replace(ln, text="名称：个人") if ln.text.startswith("名称：星河") else ln for ln in lines)
    ex = extract([replace(page, lines=person)], None)
    assert "missing_field" not in codes(ex)
    # before July 2017 a general invoice needed no buyer's tax ID
    older = tuple(
        replace(ln, text="开票日期：2016年03月05日") if ln.text.startswith("开票日期") else ln for ln in lines
    )
    ex = extract([replace(page, lines=older)], None)
    assert ex.value("issue_date") == "2016-03-05"
    assert "missing_field" not in codes(ex)


def test_a_name_and_a_tax_id_from_different_provinces_are_flagged() -> None:
    """The seller's name says 四川 while its credit code was issued in Guangdong (44): both are
    valid, so only their regions tell that one is misread or is another party's."""
    ex = extract([vat_page(seller_name="四川明月示例餐饮管理有限公司")], None)
    assert ex.value("seller_name") == "四川明月示例餐饮管理有限公司"
    assert ("party_region_mismatch", ("seller_name", "seller_tax_id")) in reasons(ex)
    (flag,) = [r for r in ex.review_reasons if r.code == "party_region_mismatch"]
    assert dict(flag.params) == {"name_place": "四川", "tax_id_place": "广东"}
    assert ex.needs_review
    # the buyer's name and ID (Shanghai, 31) say the same place, and so do these
    for agreeing in (
        "深圳明月示例餐饮管理有限公司",
        "明月示例餐饮（广州）管理有限公司",
        "明月示例餐饮管理有限公司",
    ):
        assert "party_region_mismatch" not in codes(extract([vat_page(seller_name=agreeing)], None))
    buyer = replace_text(vat_page(), "名称：星河示例科技有限公司", "名称：浙江星河示例科技有限公司")
    assert ("party_region_mismatch", ("buyer_name", "buyer_tax_id")) in reasons(extract([buyer], None))
    # a subsidiary named after its parent's brand, then its own place, is registered at the
    # second (and its tax ID says so)
    subsidiary = vat_page(seller_name="四川明月示例深圳餐饮管理有限公司")
    assert "party_region_mismatch" not in codes(extract([subsidiary], None))


def test_the_seller_tax_id_of_another_company_is_flagged_by_its_region() -> None:
    """A valid credit code from Beijing read as the seller's beside a Guangdong seller's name:
    no value is in two fields and every check character holds."""
    beijing = _valid("91110108MA01XY7Q2")
    ex = extract([vat_page(seller_id=beijing, seller_name="广州明月示例餐饮管理有限公司")], None)
    assert ex.value("seller_tax_id") == beijing
    assert ("party_region_mismatch", ("seller_name", "seller_tax_id")) in reasons(ex)


def test_synthetic_parties_are_registered_where_their_names_say() -> None:
    """The generator follows the law on names (a place is no trade name; a named place is the
    place of registration), so the region rule raises nothing on what it makes."""
    from reimburse.synth.model import expected_invoices

    readings = expected_invoices(seed=16, count=400)
    placed = [e for e in readings if e.value("seller_tax_id") and name_province(e.value("seller_name") or "")]
    assert len(placed) > 100  # the rule had something to compare
    for e in readings:
        found = consistency_reasons(e.fields, (), capitals_total=None)
        assert "party_region_mismatch" not in {r.code for r in found}, e.fields


def replace_text(page: TextPage, old: str, new: str) -> TextPage:
    return replace(page, lines=tuple(replace(ln, text=new) if ln.text == old else ln for ln in page.lines))


def test_a_check_code_whose_label_is_printed_but_whose_digits_were_not_read_is_flagged() -> None:
    """校验码 is printed only with its 20 digits beside it: a page that shows the label but gave
    no code is a read that failed (small print, blur), not a form without one."""
    unread = replace_text(vat_page(), "校验码：12345 67890 12345 67890", "校验码：")
    ex = extract([unread], None)
    assert ex.value("check_code") is None
    assert any(r.code == "missing_field" and "check_code" in r.fields for r in ex.review_reasons)
    # a form that prints no check code (a paper special invoice) is not asked for one
    page = vat_page()
    none = replace(page, lines=tuple(ln for ln in page.lines if not ln.text.startswith("校验码")))
    ex = extract([none], None)
    assert ex.value("check_code") is None
    assert not any("check_code" in r.fields for r in ex.review_reasons)
    # nor is one whose seller does calibration (校验) for a living
    calibrating = replace(none, lines=(*none.lines, line("明月示例计量校验有限公司", 60, 640)))
    assert not any("check_code" in r.fields for r in extract([calibrating], None).review_reasons)
