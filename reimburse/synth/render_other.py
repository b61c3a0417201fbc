"""Draw the other forms: roll invoices, quota invoices, train e-tickets, and the
documents that are not fapiao (shop receipt, bank slip, English commercial invoice)."""

from __future__ import annotations

import random

from PIL import Image

from reimburse.ocr.fapiao.formats import format_check_code
from reimburse.synth.draw import BLACK, RED, Color, Pen, font
from reimburse.synth.model import SynthInvoice

_BROWN: Color = (150, 70, 40)
_BLUE_TEXT: Color = (30, 40, 90)


def _v(doc: SynthInvoice, name: str) -> str:
    return doc.expected.value(name) or ""


def roll(doc: SynthInvoice, rng: random.Random) -> Image.Image:
    """增值税普通发票（卷票）: a narrow till roll, labels and values in one column."""
    items = doc.expected.line_items
    pen = Pen(680, 1180 + 40 * len(items), (252, 250, 246))
    y = 30.0
    title = doc.title.removesuffix("(卷票)")
    pen.text((340, y), title, 34, _BROWN, style="serif", anchor="ma")
    pen.text((340, y + 48), "(卷票)", 28, _BROWN, style="serif", anchor="ma")
    pen.stamp((340, y + 60), (200, 110), "全国统一发票监制章", ((doc.region, 20),), (225, 80, 80))
    pen.text((340, y + 100), "发 票 联", 28, _BROWN, anchor="ma")
    y += 160
    buyer, seller = doc.buyer, doc.seller
    rows: list[tuple[str, str]] = [
        ("发票代码:", _v(doc, "invoice_code")),
        ("发票号码:", _v(doc, "invoice_number")),
        ("机打号码:", _v(doc, "invoice_number")),
        ("机器编号:", "".join(str(rng.randint(0, 9)) for _ in range(12))),
        ("销售方名称:", seller.name if seller else ""),
        ("纳税人识别号:", seller.tax_id if seller else ""),
        ("开票日期:", _v(doc, "issue_date")),
        ("收款员:", doc.payee or doc.drawer),
        ("购买方名称:", buyer.name if buyer else ""),
        ("纳税人识别号:", buyer.tax_id if buyer else ""),
    ]
    for label, value in rows:
        end = pen.text((30, y), label, 24, _BROWN)
        pen.fit((end + 8, y), value, 24, 640 - end, _BLUE_TEXT)
        y += 40
    y += 10
    for x, head in ((30, "项目"), (330, "单价"), (450, "数量"), (560, "金额")):
        pen.text((x, y), head, 24, _BROWN)
    y += 40
    for item in items:
        pen.fit((30, y), item.name or "", 22, 290, _BLUE_TEXT)
        pen.text((330, y), item.unit_price or "", 22, _BLUE_TEXT)
        pen.text((470, y), item.quantity or "", 22, _BLUE_TEXT)
        pen.text((560, y), item.amount or "", 22, _BLUE_TEXT)
        y += 40
    y += 20
    end = pen.text((30, y), "合计金额(小写):", 24, _BROWN)
    pen.text((end + 8, y), "¥" + _v(doc, "total"), 26, _BLUE_TEXT, style="mono")
    y += 44
    end = pen.text((30, y), "合计金额(大写):", 24, _BROWN)
    pen.fit((end + 8, y), doc.extras.get("capitals", ""), 24, 640 - end, _BLUE_TEXT)
    y += 44
    end = pen.text((30, y), "校验码:", 24, _BROWN)
    pen.text((end + 8, y), format_check_code(_v(doc, "check_code")), 22, _BLUE_TEXT, style="mono")
    y += 60
    if doc.qr_text:
        pen.qr((250, int(y)), doc.qr_text, 180)
    return pen.image


def quota(doc: SynthInvoice, rng: random.Random) -> Image.Image:
    """通用定额发票: a small pre-printed slip with its value in big capitals."""
    pen = Pen(960, 600, (250, 247, 240))
    pen.rect((20, 20, 940, 580), _BROWN, 3)
    pen.text((480, 40), doc.title, 44, _BROWN, style="serif", anchor="ma")
    pen.text((480, 100), "发  票  联", 30, _BROWN, anchor="ma")
    pen.stamp((480, 95), (220, 120), "全国统一发票监制章", ((doc.region, 22),), (225, 80, 80))
    for i, (label, name) in enumerate((("发票代码", "invoice_code"), ("发票号码", "invoice_number"))):
        end = pen.text((60, 170 + i * 50), label, 28, _BROWN)
        pen.text((end + 20, 168 + i * 50), _v(doc, name), 30, BLACK, style="mono")
    pen.text((480, 340), doc.extras.get("capitals", ""), 96, (170, 40, 40), style="serif", anchor="mm")
    pen.text((60, 520), f"{doc.region}税务局监制", 22, _BROWN)
    pen.text((480, 520), "手写无效", 22, _BROWN)
    seller = doc.seller
    pen.stamp(
        (760 + rng.randint(-20, 20), 440 + rng.randint(-15, 15)),
        (340, 210),
        seller.name if seller else "",
        ((seller.tax_id if seller else "", 22), ("发票专用章", 26)),
        RED,
        angle=rng.uniform(-8, 8),
    )
    return pen.image


def train_ticket(doc: SynthInvoice, rng: random.Random) -> Image.Image:
    """电子发票（铁路电子客票）: the railway's e-ticket invoice."""
    e = doc.extras
    pen = Pen(1400, 930, (222, 237, 245))
    pen.draw.rectangle((0, 700, 1400, 930), fill=(170, 212, 230))
    pen.text((700, 60), doc.title, 46, BLACK, anchor="mm")
    pen.stamp((760, 75), (200, 115), "全国统一发票监制章", (("国家税务总局", 18),), (225, 60, 60))
    end = pen.text((60, 115), "发票号码:", 26, BLACK)
    pen.text((end + 4, 113), _v(doc, "invoice_number"), 28, BLACK, style="mono")
    d = doc.issue_date
    pen.text(
        (1340, 115), f"开票日期:{d.year}年{d.month:02d}月{d.day:02d}日" if d else "", 26, BLACK, anchor="ra"
    )
    pen.text((330, 215), e["origin"] + "站", 50, BLACK, anchor="mm")
    pen.text((700, 200), e["train"], 36, BLACK, style="mono", anchor="mm")
    pen.line((610, 228, 790, 228), BLACK, 3)
    pen.line((770, 220, 790, 228), BLACK, 3)
    pen.text((1070, 215), e["destination"] + "站", 50, BLACK, anchor="mm")
    pen.text((60, 320), e["departure"], 28, BLACK)
    pen.text((520, 320), e["seat"], 28, BLACK)
    pen.text((900, 320), e["class"], 28, BLACK)
    end = pen.text((60, 400), "票价:", 28, BLACK)
    pen.text((end + 8, 392), "¥" + e["price"], 40, BLACK, style="mono")
    pen.text((60, 520), e["id_masked"], 26, BLACK, style="mono")
    pen.text((520, 520), e["passenger"], 28, BLACK)
    if doc.qr_text:
        pen.qr((1140, 360), doc.qr_text, 180)
    end = pen.text((60, 640), "电子客票号:", 26, BLACK)
    pen.text((end + 4, 638), e["ticket_no"], 26, BLACK, style="mono")
    buyer = doc.buyer
    end = pen.text((60, 730), "购买方名称:", 26, BLACK)
    pen.text((end + 4, 730), buyer.name if buyer else "", 26, BLACK)
    tax_id = buyer.tax_id if buyer else ""
    right = 1340 - pen.draw.textlength(tax_id, font=font(28, "mono"))
    pen.text((right, 728), tax_id, 28, BLACK, style="mono")
    pen.text((right - 4, 730), "统一社会信用代码:", 26, BLACK, anchor="ra")
    pen.rect((60, 800, 1340, 900), BLACK, 2)
    pen.text((700, 830), "仅供报销使用  退改签以实际办理为准", 24, BLACK, anchor="mm")
    pen.text((700, 868), "祝您旅途平安", 24, BLACK, anchor="mm")
    return pen.image


def negative(doc: SynthInvoice, rng: random.Random) -> Image.Image:
    if doc.kind == "shop_receipt":
        return _receipt(doc, rng)
    if doc.kind == "bank_slip":
        return _bank_slip(doc, rng)
    return _commercial_invoice(doc, rng)


def _receipt(doc: SynthInvoice, rng: random.Random) -> Image.Image:
    e = doc.extras
    goods = (
        ("矿泉水 550ml", 2.0),
        ("面包", 6.5),
        ("牛奶 250ml", 4.5),
        ("口香糖", 9.9),
        ("纸巾", 3.0),
        ("饭团", 7.8),
    )
    picked = rng.sample(goods, rng.randint(2, 5))
    pen = Pen(600, 760 + 40 * len(picked))
    pen.text((300, 30), e["shop"], 30, BLACK, anchor="ma")
    pen.text((300, 80), "购 物 小 票", 28, BLACK, anchor="ma")
    y = 140.0
    for line in (
        f"单号: {e['serial']}",
        f"日期: {e['date']} {rng.randint(8, 22):02d}:{rng.randint(0, 59):02d}",
        f"收银员: {e['person']}",
    ):
        pen.text((30, y), line, 22, BLACK)
        y += 36
    pen.text((30, y), "-" * 40, 22, BLACK, style="mono")
    y += 36
    for x, head in ((30, "商品"), (330, "数量"), (470, "金额")):
        pen.text((x, y), head, 22, BLACK)
    y += 36
    total = 0.0
    for name, price in picked:
        qty = rng.randint(1, 3)
        total += qty * price
        pen.text((30, y), name, 22, BLACK)
        pen.text((350, y), str(qty), 22, BLACK)
        pen.text((470, y), f"{qty * price:.2f}", 22, BLACK, style="mono")
        y += 40
    pen.text((30, y), "-" * 40, 22, BLACK, style="mono")
    y += 36
    paid = float(int(total) + rng.choice((1, 5, 10)))
    for label, value in (("合计", total), ("实收", paid), ("找零", paid - total)):
        pen.text((30, y), label, 24, BLACK)
        pen.text((470, y), f"{value:.2f}", 24, BLACK, style="mono")
        y += 40
    pen.text((30, y), "支付方式: 微信支付", 22, BLACK)
    y += 50
    pen.text((300, y), "如需开具发票请扫码或至服务台办理", 20, BLACK, anchor="ma")
    pen.text((300, y + 32), "谢谢惠顾 欢迎再次光临", 20, BLACK, anchor="ma")
    pen.qr((220, int(y + 80)), f"https://example.com/r/{e['serial']}", 160)
    return pen.image


def _bank_slip(doc: SynthInvoice, rng: random.Random) -> Image.Image:
    e = doc.extras
    pen = Pen(1400, 720)
    pen.text((700, 50), f"{e['bank']}  业务回单", 40, BLACK, anchor="mm")
    pen.text((60, 100), f"回单编号: {e['serial']}", 22, BLACK)
    pen.text((1340, 100), f"日期: {e['date']}", 22, BLACK, anchor="ra")
    pen.rect((60, 140, 1340, 620), BLACK, 2)
    pen.line((700, 140, 700, 380), BLACK, 2)
    for x, side, name, account in (
        (80, "付款人", e["payer"], e["payer_account"]),
        (720, "收款人", e["payee"], e["payee_account"]),
    ):
        pen.text((x, 160), f"{side}户名: {name}", 22, BLACK)
        pen.text((x, 220), f"账号: {account}", 22, BLACK)
        pen.text((x, 280), f"开户行: {e['bank']}{e['city']}分行", 22, BLACK)
    pen.line((60, 380, 1340, 380), BLACK, 2)
    pen.text((80, 410), f"金额(大写): 人民币{e['capitals']}", 24, BLACK)
    pen.text((900, 410), f"(小写) ¥{e['amount']}", 24, BLACK)
    pen.text((80, 470), f"用途: {rng.choice(('货款', '服务费', '往来款', '报销款'))}", 22, BLACK)
    pen.text((80, 530), "交易渠道: 网上银行    业务类型: 转账", 22, BLACK)
    pen.stamp((1150, 560), (240, 150), e["bank"], (("电子回单", 24), ("专用章", 22)), RED)
    pen.text((60, 650), "本回单仅作为交易凭证, 可重复打印, 请勿重复记账", 20, BLACK)
    return pen.image


_EN_GOODS = (
    "LED desk lamp",
    "USB-C cable 1m",
    "Wireless mouse",
    "Notebook A5",
    "Steel water bottle",
    "Phone stand",
)
_EN_NAMES = ("Northwind", "Bluefield", "Harbor Line", "Maple & Stone", "Silverleaf", "Redwood Bay")


def _commercial_invoice(doc: SynthInvoice, rng: random.Random) -> Image.Image:
    e = doc.extras
    pen = Pen(1240, 1500)
    pen.text((620, 80), "COMMERCIAL INVOICE", 52, BLACK, style="mono", anchor="mm")
    seller, buyer = rng.sample(_EN_NAMES, 2)
    rows = (
        f"Invoice No.: INV-{e['serial'][:6]}",
        f"Date: {e['date']}",
        f"Seller: {seller} Trading Ltd., 12 Harbour Road, Singapore",
        f"Buyer: {buyer} Imports Inc., 400 Market Street, Oakland, CA",
        "Terms: FOB Shanghai    Currency: USD",
    )
    for i, text in enumerate(rows):
        pen.text((80, 170 + i * 45), text, 26, BLACK, style="mono")
    y = 440
    pen.line((80, y, 1160, y), BLACK, 2)
    for x, head in ((80, "Description"), (640, "Qty"), (800, "Unit price"), (1010, "Amount")):
        pen.text((x, y + 15), head, 26, BLACK, style="mono")
    y += 60
    pen.line((80, y, 1160, y), BLACK, 2)
    total = 0.0
    for name in rng.sample(_EN_GOODS, rng.randint(2, 5)):
        qty, price = rng.randint(10, 500), rng.randint(100, 5000) / 100
        total += qty * price
        pen.text((80, y + 15), name, 24, BLACK, style="mono")
        pen.text((640, y + 15), str(qty), 24, BLACK, style="mono")
        pen.text((800, y + 15), f"{price:.2f}", 24, BLACK, style="mono")
        pen.text((1010, y + 15), f"{qty * price:,.2f}", 24, BLACK, style="mono")
        y += 50
    pen.line((80, y + 10, 1160, y + 10), BLACK, 2)
    pen.text((800, y + 30), f"TOTAL USD {total:,.2f}", 28, BLACK, style="mono")
    pen.text((80, y + 150), "Country of origin: China", 24, BLACK, style="mono")
    pen.text((80, y + 195), "We certify that this invoice is true and correct.", 24, BLACK, style="mono")
    pen.text((800, y + 320), "Authorized signature", 24, BLACK, style="mono")
    return pen.image
