"""PDF e-invoices: the text layer with positions, straight to the field extraction.

PyMuPDF gives each text span with its box; spans of one line that touch are joined into one
run ("2022" "年" "05" "月" -> "2022年05月"), spans far apart stay separate runs, so the layout
extraction sees what a reader sees. The QR code is decoded from the rendered top of the page
(fapiao print it top-left; the rest of the page is not rendered unless that fails).
A page without a text layer (a scan saved as PDF) is rasterised and read by the image
pipeline. Pages are grouped into invoices: a page that carries a new invoice number starts
an invoice, a continuation list (销货清单) or a page without a number belongs to the one before.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pymupdf
import zxingcpp

from reimburse.ocr.domain import DocumentRead, FieldSource, QrPayload, TextLine, TextPage
from reimburse.ocr.errors import DocumentError, DocumentTooComplex, EncryptedDocument, HostileDocument
from reimburse.ocr.fapiao.qr import parse_qr

if TYPE_CHECKING:
    from reimburse.ocr.limits import ReadLimits

_MIN_TEXT_CHARS = 20  # fewer characters than this on a page: treat it as a scan
_RASTER_DPI = 200
_NUMBER = re.compile(r"(?:发票号码|票据号码)[:：]?\s*(\d{20}|\d{8,10})")
_QR_FORMATS: Any = zxingcpp.BarcodeFormat.QRCode
_fitz: Any = pymupdf  # PyMuPDF's own annotations are partial


@dataclass(frozen=True, slots=True)
class _Page:
    number: int
    text: TextPage
    qr: QrPayload | None
    ident: str | None


def read_pdf(
    data: bytes,
    *,
    limits: ReadLimits,
    ocr: Callable[[bytes], DocumentRead],
    clock: Callable[[], float] = time.monotonic,
) -> list[DocumentRead]:
    doc = _open(data, limits)
    deadline = clock() + limits.time_budget_seconds
    try:
        _check_page_sizes(doc, limits)
        pages = []
        for i in range(doc.page_count):
            # between pages: one document must not hold the reader (and the others waiting)
            if clock() > deadline:
                raise DocumentTooComplex(
                    f"reading the PDF took longer than {limits.time_budget_seconds:.0f} s "
                    f"({i} of {doc.page_count} pages read)"
                )
            pages.append(_read_page(doc, i, limits, ocr))
    finally:
        doc.close()
    return _group(pages)


def _check_page_sizes(doc: Any, limits: ReadLimits) -> None:
    """Every page's size, from the page tree, before any page is rendered or its text read."""
    for i in range(doc.page_count):
        rect = doc[i].rect
        if max(rect.width, rect.height) > limits.max_page_points:
            raise DocumentTooComplex(
                f"page {i + 1} is {rect.width:.0f}x{rect.height:.0f} points; an invoice page is at "
                f"most {limits.max_page_points:.0f} on a side"
            )


def render_zoom(width: float, height: float, wanted: float, max_pixels: int) -> float:
    """The zoom (pixels per point) for a render of ``width`` x ``height`` points: ``wanted``,
    or less so that the render stays within ``max_pixels``."""
    area = max(float(width) * float(height), 1.0)
    return min(float(wanted), math.sqrt(max_pixels / area))


def _open(data: bytes, limits: ReadLimits) -> Any:
    try:
        doc = _fitz.open(stream=data, filetype="pdf")
    except (RuntimeError, ValueError) as exc:  # pymupdf.FileDataError is a RuntimeError
        raise DocumentError(f"not a readable PDF: {exc}", code="malformed_document") from exc
    if doc.needs_pass or doc.is_encrypted:
        doc.close()
        raise EncryptedDocument("the PDF is password-protected")
    if doc.page_count == 0:
        doc.close()
        raise DocumentError("the PDF has no pages", code="malformed_document")
    if doc.page_count > limits.max_pages:
        count = doc.page_count
        doc.close()
        raise HostileDocument(f"the PDF has {count} pages; the limit is {limits.max_pages}")
    return doc


def _read_page(doc: Any, index: int, limits: ReadLimits, ocr: Callable[[bytes], DocumentRead]) -> _Page:
    try:
        page = doc[index]
        text = _text_page(page)
    except RuntimeError as exc:
        raise DocumentError(
            f"page {index + 1} of the PDF cannot be read: {exc}", code="malformed_document"
        ) from exc
    if sum(len(ln.text) for ln in text.lines) < _MIN_TEXT_CHARS:
        read = ocr(_raster(page, limits))
        scanned = read.pages[0] if read.pages else text
        return _Page(index + 1, scanned, read.qr, _ident(scanned, read.qr))
    qr = _qr(page, limits.max_render_pixels)
    return _Page(index + 1, text, qr, _ident(text, qr))


def _text_page(page: Any) -> TextPage:
    lines: list[TextLine] = []
    for block in page.get_text("dict", flags=_fitz.TEXT_PRESERVE_WHITESPACE)["blocks"]:
        for line in block.get("lines", ()):
            run: list[Any] = []
            for span in line["spans"]:
                if not span["text"].strip():
                    continue
                if run and span["bbox"][0] - run[-1]["bbox"][2] > 0.6 * max(span["size"], 1.0):
                    lines.append(_run(run))
                    run = []
                run.append(span)
            if run:
                lines.append(_run(run))
    rect = page.rect
    return TextPage(
        width=float(rect.width), height=float(rect.height), lines=tuple(lines), source=FieldSource.PDF_TEXT
    )


def _run(spans: list[Any]) -> TextLine:
    x0 = min(s["bbox"][0] for s in spans)
    y0 = min(s["bbox"][1] for s in spans)
    x1 = max(s["bbox"][2] for s in spans)
    y1 = max(s["bbox"][3] for s in spans)
    text = "".join(s["text"] for s in spans).strip()
    return TextLine.from_box(text, float(x0), float(y0), float(x1), float(y1), 1.0)


def _qr(page: Any, max_pixels: int) -> QrPayload | None:
    """The fapiao QR, cheapest look first: embedded square images, then the rendered top band.

    Rendering dominates the cost of a PDF (tens of ms per render on large pages), so the
    whole page is never rendered: the QR only cross-checks an exact text layer, and every
    fapiao layout prints it in the top band.
    """
    doc = page.parent
    for info in page.get_images(full=True)[:8]:
        xref, width, height = info[0], info[2], info[3]
        if not (40 <= width <= 1200 and 0.8 <= width / max(height, 1) <= 1.25):
            continue  # (also bounds what an embedded image may cost: at most 1200² pixels)
        try:
            pix = _fitz.Pixmap(doc, xref)
            if pix.n - pix.alpha != 1:
                pix = _fitz.Pixmap(_fitz.csGRAY, pix)
        except (RuntimeError, ValueError):
            continue
        payload = _decode(pix)
        if payload is not None:
            return payload
    rect = page.rect
    top = _fitz.Rect(rect.x0, rect.y0, rect.x1, rect.y0 + rect.height * 0.4)
    zoom = render_zoom(top.width, top.height, 2.0, max_pixels)
    pix = page.get_pixmap(matrix=_fitz.Matrix(zoom, zoom), clip=top, colorspace=_fitz.csGRAY, alpha=False)
    return _decode(pix)


def _decode(pix: Any) -> QrPayload | None:
    grey = np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.width, pix.n)[:, :, 0]
    for result in zxingcpp.read_barcodes(np.ascontiguousarray(grey), formats=_QR_FORMATS):
        payload = parse_qr(result.text)
        if payload is not None:
            return payload
    return None


def _raster(page: Any, limits: ReadLimits) -> bytes:
    rect = page.rect
    budget = min(limits.max_image_pixels, limits.max_render_pixels)
    dpi = int(72 * render_zoom(rect.width, rect.height, _RASTER_DPI / 72, budget))
    if dpi < 30:
        raise DocumentTooComplex("a PDF page is too large to rasterise")
    data: bytes = page.get_pixmap(dpi=dpi, alpha=False).tobytes("png")
    return data


def _ident(text: TextPage, qr: QrPayload | None) -> str | None:
    if qr is not None:
        return qr.invoice_number
    for line in text.lines:
        m = _NUMBER.search(line.text.replace(" ", ""))
        if m:
            return m.group(1)
    return None


def _group(pages: list[_Page]) -> list[DocumentRead]:
    groups: list[list[_Page]] = []
    for page in pages:
        continues = groups and (page.ident is None or page.ident == groups[-1][0].ident)
        if continues:
            groups[-1].append(page)
        else:
            groups.append([page])
    return [
        DocumentRead(
            pages=tuple(p.text for p in group),
            qr=next((p.qr for p in group if p.qr is not None), None),
            page_numbers=tuple(p.number for p in group),
        )
        for group in groups
    ]
