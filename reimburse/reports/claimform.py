"""The printable claim form (报销单 with a 粘贴单 page) as PDF, for companies that archive paper:
a QR code of the claim number, the items, the totals (advance offset and net payable), the
approvals from the audit trail, signature boxes, and a page to paste the receipts on.

Drawn with PyMuPDF (already a dependency, for e-invoice PDFs). CJK text: the system's Noto CJK
fonts are OpenType/CFF collections that neither ReportLab nor PyMuPDF can subset here, so
embedding one would put ~14 MB into every form; the form uses the CJK font built into PyMuPDF
(Droid Sans Fallback: Chinese, Latin, digits, ¥), embedded as a subset of the glyphs used
(~10 KB), so it renders the same on every viewer and machine. ``FONT_FILES`` lists TrueType
CJK fonts that are preferred when the machine has one (they subset too).
"""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pymupdf
import qrcode
from sqlalchemy import select
from sqlalchemy.orm import Session

from reimburse.identity.records import DepartmentRecord, UserRecord

log = logging.getLogger(__name__)
_fitz: Any = pymupdf  # PyMuPDF's own annotations are partial

# TrueType (glyf) CJK fonts, subsettable: used when present, else PyMuPDF's built-in CJK font
FONT_FILES = (
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)
A4 = (595.0, 842.0)
MARGIN = 42.0
KIND_TITLE = {
    "expense": "费用报销单 Expense claim",
    "advance": "借款单 Cash advance",
    "pre_approval": "事前申请单 Pre-approval",
}
CATEGORY = {
    "travel": "差旅交通",
    "lodging": "住宿",
    "meals": "餐费",
    "transport": "市内交通",
    "office": "办公用品",
    "client_entertainment": "业务招待",
    "other": "其他",
}
ACTION = {
    "submit": "提交",
    "resubmit": "重新提交",
    "approve": "同意",
    "reject": "驳回",
    "return": "退回",
    "withdraw": "撤回",
    "transfer": "转交",
    "add_signer": "加签",
    "paid": "付款",
    "advance_offset": "借款冲销",
    "advance_repaid": "现金还款",
    "pre_approval_taken_over": "事前申请转入报销",
    "release": "财务放行",
    "decline": "财务拒绝",
    "edit": "修改",
    "replan": "重新规划流程",
}
SIGNATURES = ("报销人", "部门负责人", "财务审核", "出纳", "领款人")


def cjk_font() -> tuple[Any, str]:
    """The font for the form, and where it came from (a file path, or ``builtin``)."""
    for path in FONT_FILES:
        if Path(path).exists():
            try:
                return _fitz.Font(fontfile=path), path
            except RuntimeError:
                log.warning("claim form: cannot load %s; trying the next font", path)
    return _fitz.Font("cjk"), "builtin"


def qr_png(text: str) -> bytes:
    image = qrcode.make(text, box_size=8, border=2)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


class _Sheet:
    """A cursor down A4 pages: text at a line, boxes, a new page when the next line would not fit."""

    def __init__(self, doc: Any, font: Any, header: str) -> None:
        self.doc, self.font, self.header = doc, font, header
        self.page: Any = None
        self.y = 0.0
        self.new_page()

    def new_page(self) -> None:
        self.page = self.doc.new_page(width=A4[0], height=A4[1])
        self.y = MARGIN
        if self.doc.page_count > 1:
            self.text(MARGIN, self.y + 8, f"{self.header}（续 page {self.doc.page_count}）", 8)
            self.y += 18

    def room(self, height: float) -> None:
        if self.y + height > A4[1] - MARGIN:
            self.new_page()

    def text(self, x: float, y: float, value: str, size: float = 10, width: float | None = None) -> None:
        if width is not None:  # cut what does not fit its column
            while value and self.font.text_length(value, fontsize=size) > width:
                value = value[:-1]
        writer = _fitz.TextWriter(self.page.rect)
        writer.append((x, y), value, font=self.font, fontsize=size)
        writer.write_text(self.page)

    def box(self, x0: float, y0: float, x1: float, y1: float, dashes: str | None = None) -> None:
        self.page.draw_rect(_fitz.Rect(x0, y0, x1, y1), color=(0, 0, 0), width=0.6, dashes=dashes)

    def row(self, columns: Sequence[tuple[float, float, str]], size: float = 9, height: float = 16) -> None:
        """One table row: (x, width, text) per cell, a rule under it."""
        self.room(height)
        for x, width, value in columns:
            self.text(x + 2, self.y + height - 4.5, value, size, width - 4)
        self.page.draw_line((MARGIN, self.y + height), (A4[0] - MARGIN, self.y + height), width=0.3)
        self.y += height


_TIERS = {1: "一类城市", 2: "二类城市", 3: "三类城市"}
_COMPUTED_WORDS = ("per-diem:", "mileage:")  # the reason the service words an allowance with


def _no_invoice_note(item: dict[str, Any]) -> str:
    """An allowance's basis in the form's words (出差补助 3天 × ¥120.00，二类城市), with the
    submitter's own note; an item stored without a basis keeps its reason."""
    basis = item.get("allowance")
    reason = (item.get("no_invoice_reason") or "").strip()
    if not basis:
        return reason
    if basis.get("type") == "mileage":
        words = f"里程补贴 {basis.get('distance_km')}公里 × ¥{basis.get('rate')}"
    else:
        tier = _TIERS.get(basis.get("city_tier") or 0, "")
        words = f"出差补助 {basis.get('days')}天 × ¥{basis.get('rate')}，{tier}"
    return words if not reason or reason.startswith(_COMPUTED_WORDS) else f"{words} · {reason}"


def render(claim: dict[str, Any], names: dict[str, str], department: str | None) -> tuple[bytes, str]:
    """The form for a claim view (``claims.views.claim_view_with_timeline``); ``names`` maps user
    ids (as the trail writes them) to display names. Returns the PDF and the font used."""
    font, source = cjk_font()
    doc = _fitz.open()
    number = claim["number"] or str(claim["id"])
    title = KIND_TITLE.get(claim.get("kind", "expense"), KIND_TITLE["expense"])
    sheet = _Sheet(doc, font, f"{title} {number}")
    right = A4[0] - MARGIN
    qr = qr_png(number)
    sheet.page.insert_image(_fitz.Rect(right - 84, MARGIN - 6, right, MARGIN + 78), stream=qr)
    sheet.text(right - 84, MARGIN + 90, number, 8)
    sheet.text(MARGIN, MARGIN + 22, title, 18)
    sheet.y = MARGIN + 44
    submitter = claim["submitter"]["display_name"] or str(claim["submitter"]["id"])
    trip = ""
    if claim.get("trip_start") or claim.get("trip_end"):
        trip = f"{claim.get('trip_start') or ''} ~ {claim.get('trip_end') or ''}"
    for label, value in (
        ("单号 No.", number),
        ("申请人 Claimant", submitter),
        ("部门 Department", department or "-"),
        ("事由 Purpose", claim["purpose"]),
        ("出差 Trip", trip or "-"),
        ("提交 Submitted", (claim.get("submitted_at") or "-")[:10]),
        ("状态 Status", claim["status"]),
    ):
        sheet.text(MARGIN, sheet.y + 12, label, 9)
        sheet.text(MARGIN + 96, sheet.y + 12, value, 10, right - 100 - MARGIN - 96)
        sheet.y += 15
    sheet.y = max(sheet.y, MARGIN + 104) + 10

    # items
    cols = (
        (MARGIN, 24.0),
        (MARGIN + 24, 70.0),
        (MARGIN + 94, 66.0),
        (MARGIN + 160, 190.0),
        (MARGIN + 350, 80.0),
    )
    amount_x = MARGIN + 430
    sheet.text(MARGIN, sheet.y + 12, "明细 Items", 11)
    sheet.y += 18
    sheet.row(
        [(x, w, t) for (x, w), t in zip(cols, ("#", "类别", "日期", "说明", "发票号码"), strict=True)]
        + [(amount_x, right - amount_x, "金额 ¥")]
    )
    for item in claim["items"]:
        invoice = (item.get("invoice") or {}).get("fields") or {}
        note = " · ".join(t for t in (item["description"], _no_invoice_note(item)) if t)
        texts = (
            str(item["position"] + 1),
            CATEGORY.get(item["category"], item["category"]),
            item["expense_date"],
            note,
            invoice.get("invoice_number") or ("无发票" if item.get("no_invoice_kind") else "-"),
        )
        sheet.row(
            [(x, w, t) for (x, w), t in zip(cols, texts, strict=True)]
            + [(amount_x, right - amount_x, item["amount"])]
        )
    sheet.room(60)
    sheet.y += 6
    totals = [("合计 Total", claim["total"])]
    if claim.get("kind", "expense") == "expense":
        totals += [
            ("借款冲销 Advance offset", claim["advance_offset"]),
            ("应付 Payable", claim["net_payable"]),
        ]
    for label, value in totals:
        sheet.text(MARGIN + 300, sheet.y + 12, label, 10)
        sheet.text(amount_x + 2, sheet.y + 12, value, 10)
        sheet.y += 16
    sheet.y += 8

    # approvals, from the audit trail
    sheet.room(40)
    sheet.text(MARGIN, sheet.y + 12, "审批记录 Approvals", 11)
    sheet.y += 18
    acols = (MARGIN, 110.0), (MARGIN + 110, 90.0), (MARGIN + 200, 100.0), (MARGIN + 300, right - MARGIN - 300)
    sheet.row([(x, w, t) for (x, w), t in zip(acols, ("时间", "操作", "人员", "意见"), strict=True)])
    for entry in claim["timeline"]:
        who = names.get(entry["actor"], entry["actor"])
        cells = (
            entry["at"][:16].replace("T", " "),
            ACTION.get(entry["action"], entry["action"]),
            who,
            entry["comment"],
        )
        sheet.row([(x, w, t) for (x, w), t in zip(acols, cells, strict=True)])

    # signatures
    sheet.room(80)
    sheet.y += 16
    width = (right - MARGIN) / len(SIGNATURES)
    for i, label in enumerate(SIGNATURES):
        x0 = MARGIN + i * width
        sheet.box(x0, sheet.y, x0 + width, sheet.y + 56)
        sheet.text(x0 + 4, sheet.y + 12, label, 9)
        sheet.text(x0 + 4, sheet.y + 50, "日期", 7)
    sheet.y += 64

    # the paste sheet (粘贴单): the receipts go here, the number and QR tie it to the form
    sheet.new_page()
    sheet.text(MARGIN, MARGIN + 22, f"票据粘贴单 Receipts · {number}", 16)
    sheet.page.insert_image(_fitz.Rect(right - 84, MARGIN - 6, right, MARGIN + 78), stream=qr)
    sheet.box(MARGIN, MARGIN + 96, right, A4[1] - MARGIN, dashes="[4 3] 0")
    sheet.text(
        MARGIN + 8, MARGIN + 114, f"发票粘贴处 · 共 {len(claim['items'])} 项 · 合计 ¥{claim['total']}", 10
    )
    doc.set_metadata({"title": f"{title} {number}", "subject": number, "creator": "reimburse"})
    doc.subset_fonts()
    return bytes(doc.tobytes(garbage=3, deflate=True)), source


def claim_form(session: Session, claim_view: dict[str, Any]) -> bytes:
    """The printable form of a claim the caller may see (its view, with the trail)."""
    ids = [int(e["actor"]) for e in claim_view["timeline"] if e["actor"].isdigit()]
    rows = session.execute(select(UserRecord.id, UserRecord.display_name).where(UserRecord.id.in_(ids)))
    names = {str(i): n for i, n in rows}
    department = None
    if claim_view["department_id"] is not None:
        department = session.scalar(
            select(DepartmentRecord.name).where(DepartmentRecord.id == claim_view["department_id"])
        )
    pdf, _ = render(claim_view, names, department)
    return pdf
