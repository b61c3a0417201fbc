"""Values shared by every stage of the fapiao reader.

These types are the contract between the stages: readers (image OCR, PDF text layer, OFD,
XML) turn a file into ``TextPage`` values and QR payloads; the pure extraction core turns
those into an ``Extraction``; ``serialize`` turns that into the CLI / API JSON shape.
Nothing here imports a framework, an engine or the file system.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

# The eleven invoice fields of the output contract, in output order.
FIELD_NAMES: tuple[str, ...] = (
    "invoice_code",
    "invoice_number",
    "issue_date",
    "amount_excl_tax",
    "tax",
    "total",
    "check_code",
    "buyer_name",
    "buyer_tax_id",
    "seller_name",
    "seller_tax_id",
)

# The most a value read through a stamp's ink may score: below the bar (0.9) under which
# extraction shows a value to a person, because the ink may have changed characters the read
# is sure of.
THROUGH_STAMP = 0.85
# A company stamp's own words (财务专用章, 发票专用章, 合同专用章): part of no organisation's name.
STAMP_WORDS = re.compile(r"专用章|财务专用|发票专用")


class FieldSource(StrEnum):
    """Where a field value was read from."""

    QR = "qr"
    OCR = "ocr"
    PDF_TEXT = "pdf_text"
    OFD_XML = "ofd_xml"
    XML = "xml"
    # computed from other fields (tax = total - amount, ...): never evidence for its inputs
    DERIVED = "derived"


class DocumentType(StrEnum):
    """The kind of document, as far as the reader can tell."""

    VAT_SPECIAL = "vat_special"  # 增值税专用发票 (paper)
    VAT_GENERAL = "vat_general"  # 增值税普通发票 (paper, incl. folded form)
    VAT_ROLL = "vat_roll"  # 增值税普通发票（卷票）
    VAT_ELECTRONIC_GENERAL = "vat_electronic_general"  # 增值税电子普通发票
    VAT_ELECTRONIC_SPECIAL = "vat_electronic_special"  # 增值税电子专用发票
    TOLL_ELECTRONIC = "toll_electronic"  # 通行费电子普通发票
    DIGITAL_SPECIAL = "digital_special"  # 电子发票（增值税专用发票）, 数电
    DIGITAL_GENERAL = "digital_general"  # 电子发票（普通发票）, 数电
    QUOTA = "quota"  # 定额发票
    TRAIN_TICKET = "train_ticket"  # 铁路电子客票 / 火车票
    TAXI = "taxi"  # 出租汽车(专用)发票 and the 通用机打发票 taxis print: code, number, date, total
    OTHER_INVOICE = "other_invoice"  # recognisably a fapiao, kind unknown
    NOT_INVOICE = "not_invoice"


@dataclass(frozen=True, slots=True)
class Point:
    x: float
    y: float


@dataclass(frozen=True, slots=True)
class TextLine:
    """One run of text with its position on the page.

    ``quad`` is the four corners clockwise from top-left, in page pixels (images) or
    points (PDF/OFD), origin at the top-left, y growing downwards. ``score`` is the
    recogniser's confidence in 0..1 (1.0 for text read from a file's text layer).
    """

    text: str
    quad: tuple[Point, Point, Point, Point]
    score: float = 1.0
    # the recogniser's confidence per character of ``text`` (empty when unknown): one wrong
    # character in a long name barely moves the line's mean score, but shows here
    char_scores: tuple[float, ...] = ()

    @property
    def left(self) -> float:
        return min(p.x for p in self.quad)

    @property
    def right(self) -> float:
        return max(p.x for p in self.quad)

    @property
    def top(self) -> float:
        return min(p.y for p in self.quad)

    @property
    def bottom(self) -> float:
        return max(p.y for p in self.quad)

    @property
    def cx(self) -> float:
        return (self.left + self.right) / 2

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def height(self) -> float:
        return self.bottom - self.top

    @staticmethod
    def from_box(
        text: str, left: float, top: float, right: float, bottom: float, score: float = 1.0
    ) -> TextLine:
        """Build a line from an axis-aligned box."""
        return TextLine(
            text=text,
            quad=(Point(left, top), Point(right, top), Point(right, bottom), Point(left, bottom)),
            score=score,
        )


@dataclass(frozen=True, slots=True)
class TextPage:
    """All text found on one page, in no guaranteed order."""

    width: float
    height: float
    lines: tuple[TextLine, ...]
    source: FieldSource = FieldSource.OCR
    # the ring of the seller's stamp, unrolled and read as one line (its quad: the stamp's
    # box), when the seller's name was printed nowhere else the page was read
    rings: tuple[TextLine, ...] = ()


@dataclass(frozen=True, slots=True)
class QrPayload:
    """The fields carried by a fapiao QR code (see ``ocr.fapiao.qr``).

    For fully digital invoices (type 31/32 and other 20-digit numbers) ``invoice_code`` is
    None and ``amount`` is the total *including* tax; for older VAT invoices it is the
    amount *excluding* tax.
    """

    raw: str
    type_code: str
    invoice_code: str | None
    invoice_number: str
    amount: str | None  # two-decimal string
    amount_includes_tax: bool
    issue_date: str | None  # YYYY-MM-DD
    check_code: str | None


@dataclass(frozen=True, slots=True)
class FieldValue:
    value: str
    confidence: float  # 0..1
    source: FieldSource


@dataclass(frozen=True, slots=True)
class LineItem:
    name: str | None = None
    spec: str | None = None
    unit: str | None = None
    quantity: str | None = None
    unit_price: str | None = None
    amount: str | None = None
    tax_rate: str | None = None  # e.g. "6%", "免税", "不征税"
    tax: str | None = None


@dataclass(frozen=True, slots=True)
class ReviewReason:
    """Why a result needs a person to look at it. ``fields`` names what is suspect; ``params``
    carries the values the reason compares (the UI words the code with them; ``message`` is the
    same in English, for logs and API clients)."""

    code: str
    message: str
    fields: tuple[str, ...] = ()
    params: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Extraction:
    """What the reader concluded about one document."""

    is_invoice: bool
    document_type: DocumentType
    fields: dict[str, FieldValue] = field(default_factory=dict)  # only fields found
    line_items: tuple[LineItem, ...] = ()
    remarks: str | None = None
    agent_issued: bool = False  # 代开: issued by the tax bureau on the seller's behalf
    review_reasons: tuple[ReviewReason, ...] = ()
    # a copy printed "此联不作报销、扣税凭证使用" (记账联, 存根联): an invoice, but not one to claim
    not_for_reimbursement: bool = False
    # what a document type prints beyond the eleven fields (taxi: "times", "distance_km")
    extras: dict[str, str] = field(default_factory=dict)

    @property
    def needs_review(self) -> bool:
        return bool(self.review_reasons)

    def value(self, name: str) -> str | None:
        fv = self.fields.get(name)
        return fv.value if fv else None


@dataclass(frozen=True, slots=True)
class DocumentRead:
    """What a file reader found for one document (one invoice) before field extraction.

    ``pages`` holds the text with positions (an invoice with a continuation list spans
    several pages). ``structured`` is set when the file itself carries the invoice data
    (OFD ``original_invoice.xml``, the digital-invoice XML): it is taken as read, and the
    page text only cross-checks it. ``page_numbers`` are 1-based, for multi-invoice files.
    """

    pages: tuple[TextPage, ...]
    qr: QrPayload | None = None
    structured: Extraction | None = None
    page_numbers: tuple[int, ...] = ()
