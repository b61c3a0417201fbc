"""The remarks box (备注): free text to the right of its label, stamp text excluded."""

from __future__ import annotations

import re

from reimburse.ocr.extraction.layout import Layout

_LABEL = re.compile(r"^备注[:：]?|^备$")
_END = re.compile(r"^注$")
_STAMP = re.compile(r"发票专用章|专用章|^\(?章\)?$|销售方[:：]?\(章\)|收款人|复核|开票人")


def find_remarks(layout: Layout) -> str | None:
    labels = layout.find(_LABEL)
    if not labels:
        return None
    label = labels[-1]
    end = next((ln for ln in layout.lines if _END.search(ln.text) and ln.top > label.top), None)
    top = label.top - label.height * 0.5
    bottom = (end.bottom if end is not None else label.bottom) + label.height * 0.5
    match = _LABEL.search(label.text)
    own = label.text[match.end() :] if match else ""
    parts = [own] if own else []
    for ln in layout.lines:
        if ln is label or ln.left <= label.right - label.height * 0.2:
            continue
        if top <= ln.cy <= bottom and not _STAMP.search(ln.text):
            parts.append(ln.text)
    text = " ".join(p for p in parts if p).strip()
    return text or None


_AGENT_ID = re.compile(r"代开企业(?:税号|纳税人识别号)[:：]?([0-9A-Z]{15,20})")
_AGENT_NAME = re.compile(r"代开企业名称[:：]?(.+?)(?=代开企业|完税|$)")


def agent_seller(layout: Layout) -> tuple[str | None, str | None, float]:
    """(name, tax ID, read score) of the real seller of an agent-issued (代开) invoice.

    The seller block of such an invoice names the tax office that issued it; the seller
    the buyer dealt with is printed in the remarks as 代开企业名称 / 代开企业税号, often
    wrapped onto the next line — which is joined back here.
    """
    start = next((ln for ln in layout.lines if "代开企业" in ln.text), None)
    if start is None:
        return None, None, 0.0
    used = [start]
    for ln in layout.below(start, max_rows=1.5):
        if abs(ln.left - start.left) <= start.height * 1.5 and not _STAMP.search(ln.text):
            used.append(ln)
            break
    joined = "".join(ln.text for ln in used)
    tax_id = _AGENT_ID.search(joined)
    name = _AGENT_NAME.search(joined)
    score = min(ln.score for ln in used)
    return (name.group(1) if name else None), (tax_id.group(1) if tax_id else None), score
