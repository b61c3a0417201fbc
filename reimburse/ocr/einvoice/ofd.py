"""OFD e-invoices (GB/T 33190: a zip of XML parts).

The invoice data is taken from the file itself when it carries it — the embedded
``original_invoice.xml`` (eInvoice schema) or, for files without it, the CustomTag index
that names which text object on the page holds which field. The page text (with positions,
templates included) is read too, so that the layout extraction can confirm the data or, for
an OFD without either, find the fields itself.
"""

from __future__ import annotations

import posixpath
from typing import TYPE_CHECKING
from xml.etree.ElementTree import Element

from reimburse.ocr.domain import (
    DocumentRead,
    Extraction,
    FieldSource,
    LineItem,
    QrPayload,
    TextLine,
    TextPage,
)
from reimburse.ocr.einvoice.safety import SafeZip, local, parse_xml
from reimburse.ocr.einvoice.structured import build_extraction
from reimburse.ocr.errors import DocumentError, HostileDocument
from reimburse.ocr.fapiao.qr import parse_qr

if TYPE_CHECKING:
    from reimburse.ocr.limits import ReadLimits

_MAX_PAGES_PER_DOC = 200


def read_ofd(data: bytes, *, limits: ReadLimits) -> list[DocumentRead]:
    archive = SafeZip(data, limits)
    root_name = archive.find("OFD.xml")
    if root_name is None:
        raise DocumentError("not an OFD file: OFD.xml is missing", code="malformed_document")
    ofd = parse_xml(archive.read(root_name), "OFD.xml")
    reads: list[DocumentRead] = []
    for body in _children(ofd, "DocBody"):
        doc_root = _text(body, "DocRoot")
        if doc_root:
            reads.append(_read_document(archive, doc_root, body, limits))
    if not reads:
        raise DocumentError("the OFD file names no document", code="malformed_document")
    return reads


def _read_document(archive: SafeZip, doc_root: str, body: Element, limits: ReadLimits) -> DocumentRead:
    doc_path = archive.find(doc_root)
    if doc_path is None:
        raise DocumentError(f"the OFD document {doc_root!r} is missing", code="malformed_document")
    base = posixpath.dirname(doc_path)
    document = parse_xml(archive.read(doc_path), doc_path)
    templates = {
        t.get("ID", ""): t.get("BaseLoc", "") for t in document.iter() if local(t.tag) == "TemplatePage"
    }
    page_refs = [p for p in document.iter() if local(p.tag) == "Page" and p.get("BaseLoc")]
    if len(page_refs) > min(limits.max_pages, _MAX_PAGES_PER_DOC):
        raise HostileDocument(f"the OFD document has {len(page_refs)} pages; the limit is {limits.max_pages}")
    pages: list[TextPage] = []
    objects: dict[str, str] = {}  # text object ID -> text, for the CustomTag index
    for ref in page_refs:
        content = _part(archive, base, ref.get("BaseLoc", ""))
        if content is None:
            continue
        lines = _text_objects(content, objects)
        for tpl in content.iter():
            if local(tpl.tag) == "Template" and tpl.get("TemplateID") in templates:
                tpl_content = _part(archive, base, templates[tpl.get("TemplateID", "")])
                if tpl_content is not None:
                    lines += _text_objects(tpl_content, {})
        width, height = _page_size(content, document)
        pages.append(TextPage(width=width, height=height, lines=tuple(lines), source=FieldSource.OFD_XML))
    structured, qr = _embedded(archive, base, objects, body)
    return DocumentRead(
        pages=tuple(pages), qr=qr, structured=structured, page_numbers=tuple(range(1, len(pages) + 1))
    )


def _embedded(
    archive: SafeZip, base: str, objects: dict[str, str], body: Element
) -> tuple[Extraction | None, QrPayload | None]:
    """The invoice data the file carries: original_invoice.xml first, then the CustomTag index."""
    for name in archive.names():
        if name.lower().endswith("original_invoice.xml"):
            invoice = parse_xml(archive.read(name), name)
            values = {local(e.tag): (e.text or "").strip() for e in invoice.iter() if len(e) == 0}
            qr = parse_qr(values.get("GraphCode", "")) if values.get("GraphCode") else None
            items = tuple(_goods(g) for g in invoice.iter() if local(g.tag) == "GoodsInfo")
            return build_extraction(values, items, FieldSource.OFD_XML, qr), qr
    tags = _custom_tags(archive, base)
    if tags is not None:
        tagged: dict[str, str] = {}
        for element in tags.iter():
            refs = [r.text.strip() for r in element if local(r.tag) == "ObjectRef" and r.text]
            if refs and local(element.tag) not in tagged:
                tagged[local(element.tag)] = "".join(objects.get(r, "") for r in refs).strip()
        if tagged.get("InvoiceNo"):
            return build_extraction(tagged, (), FieldSource.OFD_XML, None), None
    return None, None


def _custom_tags(archive: SafeZip, base: str) -> Element | None:
    index_name = archive.find(posixpath.join(base, "Tags/CustomTags.xml"))
    if index_name is None:
        return None
    index = parse_xml(archive.read(index_name), index_name)
    for loc in index.iter():
        if local(loc.tag) == "FileLoc" and loc.text:
            part = _part(archive, posixpath.dirname(index_name), loc.text.strip())
            if part is not None:
                return part
    return None


def _goods(g: Element) -> LineItem:
    v = {local(e.tag): (e.text or "").strip() or None for e in g}
    return LineItem(
        name=v.get("Item"),
        spec=v.get("Specification"),
        unit=v.get("MeasurementDimension"),
        quantity=v.get("Quantity"),
        unit_price=v.get("Price"),
        amount=v.get("Amount"),
        tax_rate=v.get("TaxScheme"),
        tax=v.get("TaxAmount"),
    )


def _part(archive: SafeZip, base: str, loc: str) -> Element | None:
    if not loc:
        return None
    name = archive.find(loc if loc.startswith("/") else posixpath.join(base, loc)) or archive.find(loc)
    return parse_xml(archive.read(name), name) if name else None


def _text_objects(content: Element, objects: dict[str, str]) -> list[TextLine]:
    lines: list[TextLine] = []
    for obj in content.iter():
        if local(obj.tag) != "TextObject":
            continue
        box = _numbers(obj.get("Boundary", ""))
        if len(box) != 4:
            continue
        size = _float(obj.get("Size"), 3.0)
        ctm = _numbers(obj.get("CTM", "")) or [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]
        text_all = ""
        for code in obj:
            if local(code.tag) != "TextCode" or not code.text:
                continue
            text = code.text.strip()
            if not text:
                continue
            text_all += text
            x, y = _float(code.get("X"), 0.0), _float(code.get("Y"), 0.0)
            advance = sum(_deltas(code.get("DeltaX", ""))) + size
            # the CTM scales the object's own space; Boundary places it on the page
            left = box[0] + ctm[0] * x + ctm[2] * y + ctm[4]
            base = box[1] + ctm[1] * x + ctm[3] * y + ctm[5]
            scale = abs(ctm[0]) or 1.0
            lines.append(
                TextLine.from_box(
                    text, left, base - size * 0.9 * scale, left + advance * scale, base + size * 0.2 * scale
                )
            )
        if obj.get("ID"):
            objects[obj.get("ID", "")] = text_all
    return lines


def _page_size(content: Element, document: Element) -> tuple[float, float]:
    for root in (content, document):
        for el in root.iter():
            if local(el.tag) == "PhysicalBox" and el.text:
                box = _numbers(el.text)
                if len(box) == 4:
                    return box[2], box[3]
    return 210.0, 140.0


def _deltas(text: str) -> list[float]:
    """OFD DeltaX: numbers, where ``g n d`` repeats d n times."""
    out: list[float] = []
    parts = text.split()
    i = 0
    while i < len(parts):
        if parts[i] == "g" and i + 2 < len(parts):
            out += [_float(parts[i + 2], 0.0)] * min(int(_float(parts[i + 1], 0.0)), 10_000)
            i += 3
        else:
            out.append(_float(parts[i], 0.0))
            i += 1
    return out


def _numbers(text: str) -> list[float]:
    return [_float(p, 0.0) for p in text.split()]


def _float(text: str | None, default: float) -> float:
    try:
        return float(text) if text is not None else default
    except ValueError:
        return default


def _children(el: Element, name: str) -> list[Element]:
    return [c for c in el if local(c.tag) == name]


def _text(el: Element, name: str) -> str | None:
    for c in el:
        if local(c.tag) == name and c.text:
            return c.text.strip()
    return None
