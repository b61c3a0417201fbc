"""Synthetic e-invoice files: PDF (reportlab, its built-in CID font), OFD, digital XML.

Invented names and numbers only; the tax IDs are valid synthetic USCCs. Used by the tests,
the e-invoice benchmark and ``reimburse samples generate``.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import qrcode
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from reimburse.ocr.fapiao.uscc import uscc_check_digit

pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))

BUYER_ID = "91310000MA1FL0002" + uscc_check_digit("91310000MA1FL0002")
SELLER_ID = "91440300MA5G00003" + uscc_check_digit("91440300MA5G00003")


@dataclass(frozen=True)
class Invoice:
    number: str = "24312000000012345678"
    code: str | None = None
    date: str = "2024-11-02"
    amount: str = "200.00"
    tax: str = "12.00"
    total: str = "212.00"
    buyer: str = "星河示例科技有限公司"
    seller: str = "明月示例餐饮管理有限公司"

    @property
    def qr_text(self) -> str:
        ymd = self.date.replace("-", "")
        if self.code is None:
            return f"01,32,,{self.number},{self.total},{ymd},,ABCD"
        return f"01,10,{self.code},{self.number},{self.amount},{ymd},12345678901234567890,ABCD"


def _qr_png(text: str) -> bytes:
    img = qrcode.make(text, box_size=4, border=2)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def draw_invoice(c: canvas.Canvas, inv: Invoice, *, with_qr: bool = True) -> None:
    """One invoice page in the fully digital layout (A5 landscape-ish, 210x140 mm)."""
    h = 140 * mm

    def text(x: float, y: float, s: str, size: float = 9) -> None:
        c.setFont("STSong-Light", size)
        c.drawString(x * mm, h - y * mm, s)

    if with_qr:
        c.drawImage(ImageReader(io.BytesIO(_qr_png(inv.qr_text))), 8 * mm, h - 28 * mm, 20 * mm, 20 * mm)
    title = "电子发票(普通发票)" if inv.code is None else "上海增值税电子普通发票"
    text(70, 15, title, 16)
    if inv.code:
        text(140, 10, f"发票代码：{inv.code}")
    text(140, 16, f"发票号码：{inv.number}")
    y, m, d = inv.date.split("-")
    text(140, 22, f"开票日期：{y}年{m}月{d}日")
    text(4, 40, "购买方信息", 8)
    text(12, 36, f"名称：{inv.buyer}")
    text(12, 42, f"统一社会信用代码/纳税人识别号：{BUYER_ID}")
    text(106, 40, "销售方信息", 8)
    text(114, 36, f"名称：{inv.seller}")
    text(114, 42, f"统一社会信用代码/纳税人识别号：{SELLER_ID}")
    for x, label in (
        (12, "项目名称"),
        (60, "规格型号"),
        (80, "单位"),
        (95, "数量"),
        (110, "单价"),
        (135, "金额"),
        (158, "税率/征收率"),
        (185, "税额"),
    ):
        text(x, 55, label)
    for x, value in (
        (12, "*餐饮服务*餐费"),
        (97, "1"),
        (110, inv.amount),
        (135, inv.amount),
        (160, "6%"),
        (185, inv.tax),
    ):
        text(x, 62, value)
    text(12, 95, "合          计")
    text(133, 95, f"¥{inv.amount}")
    text(183, 95, f"¥{inv.tax}")
    text(12, 105, "价税合计（大写）")
    text(50, 105, "ⓧ贰佰壹拾贰圆整" if inv.total == "212.00" else "ⓧ")
    text(140, 105, f"（小写）¥{inv.total}")
    text(12, 120, "备注")
    text(140, 132, "开票人：示例")


def pdf(*invoices: Invoice, continuation: bool = False) -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(210 * mm, 140 * mm))
    for inv in invoices:
        draw_invoice(c, inv)
        c.showPage()
        if continuation:
            c.setFont("STSong-Light", 14)
            c.drawString(60 * mm, 120 * mm, "销货清单")
            c.setFont("STSong-Light", 9)
            for i in range(12):
                c.drawString(
                    12 * mm, (100 - i * 6) * mm, f"{i + 1}  *餐饮服务*套餐{i + 1}  1  10.00  10.00  6%  0.60"
                )
            c.showPage()
    c.save()
    return buf.getvalue()


def _ofd_xml(parts: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in parts.items():
            z.writestr(name, content)
    return buf.getvalue()


def ofd(inv: Invoice, *, embedded: bool = True, page_total: str | None = None) -> bytes:
    ns = 'xmlns:ofd="http://www.ofdspec.org/2016"'
    texts = [
        (140, 16, f"发票号码：{inv.number}"),
        (140, 22, f"开票日期：{inv.date[:4]}年{inv.date[5:7]}月{inv.date[8:]}日"),
        (12, 36, f"名称：{inv.buyer}"),
        (12, 42, f"纳税人识别号：{BUYER_ID}"),
        (114, 36, f"名称：{inv.seller}"),
        (114, 42, f"纳税人识别号：{SELLER_ID}"),
        (140, 105, f"（小写）¥{page_total or inv.total}"),
        (70, 15, "电子发票(普通发票)"),
    ]
    objects = "".join(
        f'<ofd:TextObject ID="{i + 10}" Boundary="{x} {y - 4} 80 6" Font="1" Size="3.5">'
        f'<ofd:TextCode X="0" Y="4">{t}</ofd:TextCode></ofd:TextObject>'
        for i, (x, y, t) in enumerate(texts)
    )
    parts = {
        "OFD.xml": f'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD {ns} DocType="OFD" Version="1.1">'
        "<ofd:DocBody><ofd:DocInfo><ofd:DocID>x</ofd:DocID></ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot>"
        "</ofd:DocBody></ofd:OFD>",
        "Doc_0/Document.xml": f'<?xml version="1.0" encoding="UTF-8"?><ofd:Document {ns}><ofd:Pages>'
        '<ofd:Page ID="1" BaseLoc="Pages/Page_0/Content.xml"/></ofd:Pages></ofd:Document>',
        "Doc_0/Pages/Page_0/Content.xml": f'<?xml version="1.0" encoding="UTF-8"?><ofd:Page {ns}><ofd:Area>'
        "<ofd:PhysicalBox>0 0 210 140</ofd:PhysicalBox></ofd:Area><ofd:Content><ofd:Layer>"
        f"{objects}</ofd:Layer></ofd:Content></ofd:Page>",
    }
    if embedded:
        fp = 'xmlns:fp="http://www.edrm.org.cn/schema/e-invoice/2019"'
        parts["Doc_0/Attachs/original_invoice.xml"] = (
            f'<?xml version="1.0" encoding="utf-8"?><eInvoice {fp}>'
            f"<fp:InvoiceNo>{inv.number}</fp:InvoiceNo><fp:IssueDate>{inv.date[:4]}年{inv.date[5:7]}月{inv.date[8:]}日"
            f"</fp:IssueDate><fp:Buyer><fp:BuyerName>{inv.buyer}</fp:BuyerName><fp:BuyerTaxID>{BUYER_ID}</fp:BuyerTaxID>"
            f"</fp:Buyer><fp:Seller><fp:SellerName>{inv.seller}</fp:SellerName><fp:SellerTaxID>{SELLER_ID}"
            f"</fp:SellerTaxID></fp:Seller><fp:TaxInclusiveTotalAmount>{inv.total}</fp:TaxInclusiveTotalAmount>"
            f"<fp:TaxTotalAmount>{inv.tax}</fp:TaxTotalAmount><fp:TaxExclusiveTotalAmount>{inv.amount}"
            f"</fp:TaxExclusiveTotalAmount><fp:GraphCode>{inv.qr_text}</fp:GraphCode><fp:GoodsInfos><fp:GoodsInfo>"
            f"<fp:Item>*餐饮服务*餐费</fp:Item><fp:Quantity>1</fp:Quantity><fp:Amount>{inv.amount}</fp:Amount>"
            f"<fp:TaxScheme>6%</fp:TaxScheme><fp:TaxAmount>{inv.tax}</fp:TaxAmount></fp:GoodsInfo></fp:GoodsInfos>"
            "</eInvoice>"
        )
    return _ofd_xml(parts)


def digital_xml(inv: Invoice) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><EInvoice><Header><EIid>'
        f"{inv.number}</EIid><InherentLabel><GeneralOrSpecialVAT><LabelCode>02</LabelCode><LabelName>普通发票"
        "</LabelName></GeneralOrSpecialVAT></InherentLabel></Header><EInvoiceData><SellerInformation><SellerIdNum>"
        f"{SELLER_ID}</SellerIdNum><SellerName>{inv.seller}</SellerName></SellerInformation><BuyerInformation>"
        f"<BuyerIdNum>{BUYER_ID}</BuyerIdNum><BuyerName>{inv.buyer}</BuyerName></BuyerInformation>"
        f"<BasicInformation><TotalAmWithoutTax>{inv.amount}</TotalAmWithoutTax><TotalTaxAm>{inv.tax}</TotalTaxAm>"
        f"<TotalTax-includedAmount>{inv.total}</TotalTax-includedAmount></BasicInformation><IssuItemInformation>"
        f"<ItemName>*餐饮服务*餐费</ItemName><Amount>{inv.amount}</Amount><TaxRate>0.06</TaxRate>"
        f"<ComTaxAm>{inv.tax}</ComTaxAm></IssuItemInformation></EInvoiceData><TaxSupervisionInfo>"
        f"<InvoiceNumber>{inv.number}</InvoiceNumber><IssueTime>{inv.date} 10:00:00</IssueTime>"
        "</TaxSupervisionInfo></EInvoice>"
    ).encode()


def expected_fields(inv: Invoice) -> dict[str, str | None]:
    return {
        "invoice_code": inv.code,
        "invoice_number": inv.number,
        "issue_date": inv.date,
        "amount_excl_tax": inv.amount,
        "tax": inv.tax,
        "total": inv.total,
        "check_code": None,
        "buyer_name": inv.buyer,
        "buyer_tax_id": BUYER_ID,
        "seller_name": inv.seller,
        "seller_tax_id": SELLER_ID,
    }


def write_einvoice_samples(out_dir: Path, start: int = 100) -> list[dict[str, Any]]:
    """A PDF, an OFD and an XML e-invoice with their expected JSON; returns the label rows."""
    out_dir.mkdir(parents=True, exist_ok=True)
    inv = Invoice()
    rows = []
    for i, (ext, data) in enumerate((("pdf", pdf(inv)), ("ofd", ofd(inv)), ("xml", digital_xml(inv)))):
        stem = f"{start + i:03d}_digital_general_{ext}"
        name = f"{stem}.{ext}"
        (out_dir / name).write_bytes(data)
        expected = {"is_invoice": True, "document_type": "digital_general", "fields": expected_fields(inv)}
        (out_dir / f"{stem}.expected.json").write_text(
            json.dumps(expected, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        rows.append(
            {
                "file": name,
                "kind": ext,
                "is_invoice": True,
                "label_quality": "synthetic",
                "fields": expected_fields(inv),
            }
        )
    return rows


def write_all_samples(out_dir: Path, *, count: int, seed: int) -> list[Path]:
    """The image samples (``synth.samples``) plus one PDF, OFD and XML e-invoice, one labels.jsonl."""
    from reimburse.synth.samples import generate_samples

    paths = generate_samples(out_dir, count=count, seed=seed)
    rows = write_einvoice_samples(out_dir)
    with (out_dir / "labels.jsonl").open("a", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    return [*paths, *(out_dir / row["file"] for row in rows)]
