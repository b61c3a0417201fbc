"""Is this a fapiao, and which kind?

A fapiao announces itself: a QR payload in the tax bureau's format, or a title with 发票
together with the invoice's own labels (发票代码/发票号码/开票日期). Bank slips, receipts,
foreign invoices and random photos have neither, so they are reported as not invoices
instead of being forced into fields.
"""

from __future__ import annotations

import re

from reimburse.ocr.domain import DocumentType, QrPayload
from reimburse.ocr.extraction.layout import Layout
from reimburse.ocr.extraction.taxi import looks_like_taxi
from reimburse.ocr.fapiao.qr import document_type_for

_INVOICE_WORD = re.compile(r"发票|发栗|客票")
# the supervision seal's words (国家税务总局监制) are on every paper fapiao and still readable
# when a stamp or a curl hides the title; tax forms (完税证明, 缴款书) carry them too, so alone
# they need two of an invoice's labels
_SUPERVISED = re.compile(r"税务总局监制")
_INVOICE_LABELS = re.compile(
    r"发票代码|发票号码|开票日期|校验码|价税合计|纳税人识别号|统一社会信用代码|此联不作|不作报销|扣税凭证"
)
# A copy that says it is not for claiming (记账联, 存根联 of VAT invoices): still an invoice.
NOT_FOR_REIMBURSEMENT = re.compile(r"不作报销|此联不作|不作.{0,3}扣税凭证")
# a code printed as a bare 12-digit run (taxi receipts often print it unlabelled)
_BARE_CODE = re.compile(r"^\d{12}$")
# Documents that mention 发票 but are something else.
_NOT_INVOICE = re.compile(r"回单|对账单|交易明细|转账凭证|收据(?!.*发票)|Invoice|INVOICE|Receipt|RECEIPT")

# Government receipts (财政票据: hospital bills, non-tax revenue) are reimbursable vouchers.
_RECEIPT_TITLE = re.compile(r"票据\(电子\)|电子票据|统一票据|收费票据")
_RECEIPT_LABELS = re.compile(r"票据代码|票据号码")

# Title patterns, most specific first.
_TITLES: tuple[tuple[re.Pattern[str], DocumentType], ...] = (
    (re.compile(r"铁路电子客票|电子客票|火车票"), DocumentType.TRAIN_TICKET),
    (re.compile(r"通行费"), DocumentType.TOLL_ELECTRONIC),
    # PP-OCR reads the 定 of 定额 as 是 under the supervision seal often enough to accept both
    (re.compile(r"定额发票|定额|[定是]额发票"), DocumentType.QUOTA),
    (re.compile(r"卷票|卷式"), DocumentType.VAT_ROLL),
    (re.compile(r"电子发票\(增值税专用发票\)|电子发票\(专用发票\)"), DocumentType.DIGITAL_SPECIAL),
    (re.compile(r"电子发票\(普通发票\)"), DocumentType.DIGITAL_GENERAL),
    (re.compile(r"电子专用发票"), DocumentType.VAT_ELECTRONIC_SPECIAL),
    (re.compile(r"电子普通发票|电[子了]普通"), DocumentType.VAT_ELECTRONIC_GENERAL),
    (re.compile(r"专用发票"), DocumentType.VAT_SPECIAL),
    (re.compile(r"普通发票"), DocumentType.VAT_GENERAL),
)


def classify(layout: Layout, qr: QrPayload | None, number: str | None) -> tuple[bool, DocumentType]:
    """(is_invoice, document type)."""
    text = "\n".join(ln.text for ln in layout.lines)
    title_type = next((t for p, t in _TITLES if p.search(text)), None)
    if qr is not None:
        qr_type = document_type_for(qr.type_code)
        if qr_type is not None:
            # Train tickets and quota invoices carry no QR type of their own.
            return True, title_type if title_type in _TITLE_OVERRIDES else qr_type
        if qr.invoice_number and len(qr.invoice_number) == 20:
            return True, title_type or DocumentType.DIGITAL_GENERAL
    if _RECEIPT_TITLE.search(text) and _RECEIPT_LABELS.search(text):
        # 财政电子票据 (medical, non-tax revenue): reimbursable like a fapiao, other formats
        return True, DocumentType.OTHER_INVOICE
    labels = len(set(_INVOICE_LABELS.findall(text)))
    has_word = bool(_INVOICE_WORD.search(text)) or (labels >= 2 and bool(_SUPERVISED.search(text)))
    if looks_like_taxi(layout) and (
        has_word or labels or any(_BARE_CODE.match(ln.text) for ln in layout.lines)
    ):
        return True, DocumentType.TAXI
    if not has_word or labels == 0 or (_NOT_INVOICE.search(text) and labels < 3):
        return False, DocumentType.NOT_INVOICE
    if number is None and labels < 2:
        return False, DocumentType.NOT_INVOICE
    if title_type is None:
        title_type = DocumentType.OTHER_INVOICE
    if number is not None and len(number) == 20 and title_type in _LEGACY_GENERAL:
        title_type = DocumentType.DIGITAL_GENERAL
    return True, title_type


_TITLE_OVERRIDES = frozenset({DocumentType.TRAIN_TICKET, DocumentType.TOLL_ELECTRONIC})
_LEGACY_GENERAL = frozenset({DocumentType.VAT_GENERAL, DocumentType.OTHER_INVOICE})


def is_agent_issued(layout: Layout) -> bool:
    """代开: issued by the tax office on the seller's behalf (title or remarks say so)."""
    return any("代开" in ln.text for ln in layout.lines)
