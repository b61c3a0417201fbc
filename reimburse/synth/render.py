"""Draw a synthetic invoice the way the real forms look.

The VAT forms (special, general, electronic general) share one grid: QR and code top
left, title with the supervision seal, 发票代码/发票号码/开票日期/校验码 top right, then
the buyer block with the cipher area, the item table with its 合计 row, 价税合计 in
capitals and figures, the seller block with 备注, the signatures line and the seller's
red 发票专用章. Fully digital invoices use their own simpler grid; roll, quota and train
tickets and the negatives are in ``render_other``. Paper forms print the data with a
dot-matrix printer that never hits the pre-printed boxes exactly, so their data layer is
shifted a little; electronic forms are exact.
"""

from __future__ import annotations

import random
from decimal import Decimal

from PIL import Image

from reimburse.ocr.domain import DocumentType, LineItem
from reimburse.ocr.fapiao.formats import format_check_code
from reimburse.synth import render_other
from reimburse.synth.draw import BLACK, RED, Color, Pen, font
from reimburse.synth.model import Party, SynthInvoice

_FORM_COLORS: dict[DocumentType, Color] = {
    DocumentType.VAT_SPECIAL: (40, 115, 85),
    DocumentType.VAT_GENERAL: (45, 85, 150),
    DocumentType.VAT_ELECTRONIC_GENERAL: (150, 85, 40),
    DocumentType.DIGITAL_SPECIAL: (150, 50, 40),
    DocumentType.DIGITAL_GENERAL: (150, 50, 40),
}
_PAPER = frozenset({DocumentType.VAT_SPECIAL, DocumentType.VAT_GENERAL})
_DATA_PAPER: Color = (25, 30, 70)
W, H = 1760, 1100


def render(doc: SynthInvoice, rng: random.Random) -> Image.Image:
    """The clean printout (or on-screen rendering) of ``doc`` as an RGB image."""
    if not doc.is_invoice:
        return render_other.negative(doc, rng)
    doc_type = doc.expected.document_type
    if doc_type is DocumentType.VAT_ROLL:
        return render_other.roll(doc, rng)
    if doc_type is DocumentType.QUOTA:
        return render_other.quota(doc, rng)
    if doc_type is DocumentType.TRAIN_TICKET:
        return render_other.train_ticket(doc, rng)
    if doc_type in (DocumentType.DIGITAL_SPECIAL, DocumentType.DIGITAL_GENERAL):
        return _digital(doc, rng)
    return _vat(doc, rng)


def _value(doc: SynthInvoice, name: str) -> str:
    return doc.expected.value(name) or ""


def _date_text(doc: SynthInvoice) -> str:
    d = doc.issue_date
    return f"{d.year}年{d.month:02d}月{d.day:02d}日" if d else ""


def _supervision_seal(pen: Pen, centre: tuple[float, float], region: str) -> None:
    pen.stamp(
        centre,
        (250, 140),
        "全国统一发票监制章",
        ((region, 24), ("国家税务总局监制", 18)),
        color=(225, 70, 70),
    )


# The legacy VAT form's rows: the buyer's block, the items, the total, the seller's block.
_VAT_TOP, _VAT_PARTY_H, _VAT_ITEMS_H, _VAT_TOTAL_H = 265, 165, 380, 60
# The middle of each party's name line on a legacy VAT form (``_party_block``'s first row).
VAT_NAME_ROW_Y = {
    "buyer": _VAT_TOP + 25,
    "seller": _VAT_TOP + _VAT_PARTY_H + _VAT_ITEMS_H + _VAT_TOTAL_H + 25,
}


def _vat(doc: SynthInvoice, rng: random.Random) -> Image.Image:
    doc_type = doc.expected.document_type
    form = _FORM_COLORS[doc_type]
    paper = doc_type in _PAPER
    data: Color = _DATA_PAPER if paper else BLACK
    # dot-matrix misalignment of the data layer on paper forms
    dx, dy = (rng.randint(-10, 10), rng.randint(-6, 6)) if paper else (0, 0)
    pen = Pen(W, H, (253, 252, 248) if paper else (255, 255, 255))
    code, number = _value(doc, "invoice_code"), _value(doc, "invoice_number")

    # header
    if doc.qr_text:
        pen.qr((60, 30), doc.qr_text, 170)
    pen.text((W / 2, 55), doc.title, 54, form, style="serif", anchor="mm")
    pen.line((560, 120, 1200, 120), form, 2)
    pen.line((560, 127, 1200, 127), form, 2)
    _supervision_seal(pen, (W / 2, 100), doc.region)
    if paper:
        pen.text((250 + dx, 60 + dy), code, 42, data, style="mono")
        if doc.expected.agent_issued:
            pen.text((255, 120), "代开", 36, data)
        pen.text((W / 2, 165), "发  票  联", 36, form, style="serif", anchor="mm")
        pen.text((1250, 40), "№", 44, form)
        pen.text((1310 + dx, 38 + dy), number, 46, (30, 80, 170), style="mono")
        pen.text((1560 + dx, 45 + dy), code, 20, data, style="mono")
        pen.text((1560 + dx, 72 + dy), number, 20, data, style="mono")
        pen.text((1240, 150), "开票日期:", 24, form)
        pen.text((1370 + dx, 150 + dy), _date_text(doc), 24, data)
        check = _value(doc, "check_code")
        if check:
            pen.text((250, 205), "校 验 码", 22, form)
            pen.text((360 + dx, 205 + dy), format_check_code(check), 22, data, style="mono")
    else:
        rows = (
            ("发票代码:", code),
            ("发票号码:", number),
            ("开票日期:", _date_text(doc)),
            ("校 验 码:", format_check_code(_value(doc, "check_code"))),
        )
        for i, (label, value) in enumerate(rows):
            y = 35 + i * 48
            pen.text((1220, y), label, 26, form)
            pen.text((1345, y), value, 26, data, style="mono" if i != 2 else "sans")
        if doc.machine_number:
            pen.text((60, 215), "机器编号:", 22, form)
            pen.text((170, 215), doc.machine_number, 22, data, style="mono")

    x0, x1, y0 = 60, 1700, _VAT_TOP
    party_h, items_h, total_h = _VAT_PARTY_H, _VAT_ITEMS_H, _VAT_TOTAL_H
    y1 = y0 + party_h
    y2 = y1 + items_h
    y3 = y2 + total_h
    y4 = y3 + party_h
    pen.rect((x0, y0, x1, y4), form, 3)
    for y in (y1, y2, y3):
        pen.line((x0, y, x1, y), form, 2)

    _party_block(pen, doc, "购买方", doc.buyer, y0, form, data, (dx, dy))
    pen.line((1030, y0, 1030, y1), form, 2)
    pen.line((1075, y0, 1075, y1), form, 2)
    pen.vertical(1052, y0 + 10, y1 - 10, "密码区", 24, form)
    for i, row in enumerate(doc.cipher):
        pen.text((1090 + dx, y0 + 12 + i * 37 + dy), row, 28, data, style="mono")

    _items_table(pen, doc, y1, y2, form, data, (dx, dy), column_lines=True)

    pen.line((470, y2, 470, y3), form, 2)
    pen.text((265, y2 + 30), "价税合计(大写)", 26, form, anchor="mm")
    pen.text((490, y2 + 30), "ⓧ", 30, data, anchor="lm")
    pen.text((530 + dx, y2 + 30 + dy), doc.extras.get("capitals", ""), 28, data, anchor="lm")
    pen.text((1230, y2 + 30), "(小写)", 26, form, anchor="lm")
    pen.text((1320 + dx, y2 + 30 + dy), "¥" + _value(doc, "total"), 30, data, style="mono", anchor="lm")

    _party_block(pen, doc, "销售方", doc.seller, y3, form, data, (dx, dy))
    pen.line((1030, y3, 1030, y4), form, 2)
    pen.line((1075, y3, 1075, y4), form, 2)
    pen.vertical(1052, y3 + 20, y4 - 20, "备注", 24, form)
    _remarks(pen, doc.expected.remarks, (1090 + dx, y3 + 14 + dy), 600, data)

    fy = y4 + 18
    for x, label, value in (
        (100, "收款人:", doc.payee),
        (520, "复核:", doc.reviewer),
        (900, "开票人:", doc.drawer),
    ):
        end = pen.text((x, fy), label, 24, form)
        pen.text((end + 10 + dx, fy + dy), value, 24, data)
    pen.text((1300, fy), "销售方:(章)", 24, form)
    # the seller's stamp sits over the bottom of the 备注 box and the 销售方(章) line
    _seller_stamp(pen, doc, (1480 + rng.randint(-30, 30), y4 + rng.randint(-5, 15)), rng)
    return pen.image


def _party_block(
    pen: Pen,
    doc: SynthInvoice,
    side: str,
    party: Party | None,
    top: float,
    form: Color,
    data: Color,
    shift: tuple[int, int],
) -> None:
    dx, dy = shift
    pen.line((120, top, 120, top + 165), form, 2)
    pen.vertical(90, top + 10, top + 155, side, 26, form)
    labels = ("名称：", "纳税人识别号：", "地址、电话：", "开户行及账号：")
    values = (
        (
            (party.name, "sans"),
            (party.tax_id, "mono"),
            (party.address_phone, "sans"),
            (party.bank_account, "sans"),
        )
        if party
        else (("", "sans"),) * 4
    )
    for i, (label, (value, style)) in enumerate(zip(labels, values, strict=True)):
        y = top + 12 + i * 38
        pen.spaced((135, y), label, 24, 185, form)
        if style == "mono":
            pen.text((330 + dx, y - 3 + dy), value, 30, data, style="mono")
        else:
            pen.fit((330 + dx, y + dy), value, 25, 680, data)


_COLUMNS_LEGACY = (
    ("货物或应税劳务、服务名称", 60, 470),
    ("规格型号", 470, 640),
    ("单位", 640, 730),
    ("数 量", 730, 860),
    ("单 价", 860, 1060),
    ("金 额", 1060, 1290),
    ("税率", 1290, 1390),
    ("税 额", 1390, 1700),
)
_COLUMNS_DIGITAL = (
    ("项目名称", 60, 470),
    ("规格型号", 470, 640),
    ("单 位", 640, 730),
    ("数 量", 730, 860),
    ("单 价", 860, 1060),
    ("金 额", 1060, 1290),
    ("税率/征收率", 1290, 1430),
    ("税 额", 1430, 1700),
)


def _items_table(
    pen: Pen,
    doc: SynthInvoice,
    top: float,
    bottom: float,
    form: Color,
    data: Color,
    shift: tuple[int, int],
    *,
    column_lines: bool,
) -> None:
    dx, dy = shift
    columns = _COLUMNS_LEGACY if column_lines else _COLUMNS_DIGITAL
    for title, left, right in columns:
        pen.text(((left + right) / 2, top + 22), title, 24, form, anchor="mm")
        if column_lines and left > 60:
            pen.line((left, top, left, bottom), form, 2)
    y = top + 48
    for item in doc.expected.line_items:
        y = _item_row(pen, item, y + dy, columns, data, dx) - dy
    sum_y = bottom - 30
    pen.text((265, sum_y), "合      计", 26, form, anchor="mm")
    amount = columns[5]
    tax = columns[7]
    pen.text(
        (amount[2] - 10 + dx, sum_y + dy),
        "¥" + _value(doc, "amount_excl_tax"),
        26,
        data,
        style="mono",
        anchor="rm",
    )
    pen.text((tax[2] - 10 + dx, sum_y + dy), "¥" + _value(doc, "tax"), 26, data, style="mono", anchor="rm")


def _item_row(
    pen: Pen, item: LineItem, y: float, columns: tuple[tuple[str, int, int], ...], data: Color, dx: int
) -> float:
    name = item.name or ""
    # long names wrap inside their column, as the billing software does
    lines = [name[i : i + 15] for i in range(0, len(name), 15)] or [""]
    for j, part in enumerate(lines):
        pen.text((70 + dx, y + j * 32), part, 24, data)
    cells = (item.spec, item.unit, item.quantity, item.unit_price, item.amount, item.tax_rate, item.tax)
    for (_, left, right), value in zip(columns[1:], cells, strict=True):
        if not value:
            continue
        if left in (470, 640):
            pen.text((left + 8 + dx, y), value, 24, data)
        elif value.endswith("%") or not _is_number(value):
            pen.text(((left + right) / 2 + dx, y), value, 24, data, anchor="ma")
        else:
            pen.text((right - 10 + dx, y), value, 24, data, anchor="ra")
    return y + 32 * len(lines) + 6


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return True


def _remarks(pen: Pen, remarks: str | None, xy: tuple[float, float], width: int, color: Color) -> None:
    if not remarks:
        return
    parts = remarks.split(" ")
    y = xy[1]
    for part in parts:
        while part:
            chunk = part
            while len(chunk) > 1 and pen.draw.textlength(chunk, font=font(24)) > width:
                chunk = chunk[:-1]
            pen.text((xy[0], y), chunk, 24, color)
            part = part[len(chunk) :]
            y += 34


def _seller_stamp(pen: Pen, doc: SynthInvoice, centre: tuple[float, float], rng: random.Random) -> None:
    name = doc.extras.get("seller_stamp_name", "")
    tax_id = doc.extras.get("seller_stamp_id", "")
    pen.stamp(centre, (340, 210), name, ((tax_id, 22), ("发票专用章", 26)), RED, angle=rng.uniform(-12, 12))


def _digital(doc: SynthInvoice, rng: random.Random) -> Image.Image:
    form = _FORM_COLORS[doc.expected.document_type]
    pen = Pen(W, H)
    if doc.qr_text:
        pen.qr((60, 40), doc.qr_text, 170)
    pen.text((W / 2, 70), doc.title, 50, form, style="serif", anchor="mm")
    pen.line((560, 125, 1200, 125), form, 2)
    pen.line((560, 132, 1200, 132), form, 2)
    _supervision_seal(pen, (W / 2, 115), doc.region or "国家税务总局")
    pen.text((1260, 60), "发票号码:", 26, form)
    pen.text((1385, 60), _value(doc, "invoice_number"), 26, BLACK, style="mono")
    pen.text((1260, 110), "开票日期:", 26, form)
    pen.text((1385, 110), _date_text(doc), 26, BLACK)

    x0, x1, y0 = 40, 1720, 250
    y1, y2 = y0 + 160, y0 + 160 + 420
    y3, y4 = y2 + 60, y2 + 60 + 130
    pen.rect((x0, y0, x1, y4), form, 3)
    for y in (y1, y2, y3):
        pen.line((x0, y, x1, y), form, 2)
    mid = 880
    pen.line((mid, y0, mid, y1), form, 2)
    for left, side, party in ((x0, "购买方信息", doc.buyer), (mid, "销售方信息", doc.seller)):
        pen.line((left + 45, y0, left + 45, y1), form, 2)
        pen.vertical(left + 22, y0 + 8, y1 - 8, side, 22, form)
        end = pen.text((left + 60, y0 + 30), "名称:", 24, form)
        pen.fit((end + 6, y0 + 30), party.name if party else "", 25, mid - 100 - end + left, BLACK)
        end = pen.text((left + 60, y0 + 98), "统一社会信用代码/纳税人识别号:", 22, form)
        pen.text((end + 6, y0 + 94), party.tax_id if party else "", 28, BLACK, style="mono")

    _items_table(pen, doc, y1, y2, form, BLACK, (0, 0), column_lines=False)
    pen.line((470, y2, 470, y3), form, 2)
    pen.text((265, y2 + 30), "价税合计(大写)", 26, form, anchor="mm")
    pen.text((490, y2 + 30), "ⓧ", 30, BLACK, anchor="lm")
    pen.text((530, y2 + 30), doc.extras.get("capitals", ""), 28, BLACK, anchor="lm")
    pen.text((1230, y2 + 30), "(小写)", 26, form, anchor="lm")
    pen.text((1320, y2 + 30), "¥" + _value(doc, "total"), 30, BLACK, style="mono", anchor="lm")
    pen.line((x0 + 45, y3, x0 + 45, y4), form, 2)
    pen.vertical(x0 + 22, y3 + 10, y4 - 10, "备注", 24, form)
    _remarks(pen, doc.expected.remarks, (x0 + 60, y3 + 14), 1200, BLACK)
    end = pen.text((130, y4 + 25), "开票人:", 24, form)
    pen.text((end + 10, y4 + 25), doc.drawer, 24, BLACK)
    return pen.image
