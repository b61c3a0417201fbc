"""What the seller's seal says, as far as OCR reads it: its tax ID and the characters of its ring.

A fapiao's 发票专用章 prints the seller's registered name around an oval ring and the seller's
tax ID across its middle. The recogniser reads the straight tax ID well and the curved name
only in fragments of a character or two (where the ring runs nearly level: beside the ends of
the tax ID, at the top and bottom of the ring). Those fragments are a second copy of the
seller's name, printed by someone else than the one who typed the name into the invoice.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from reimburse.ocr.domain import THROUGH_STAMP, TextLine, TextPage
from reimburse.ocr.extraction import fields as f
from reimburse.ocr.extraction.layout import Layout, Line, char_scores, normalise
from reimburse.ocr.extraction.regions import whole_name
from reimburse.ocr.fapiao.uscc import is_valid_uscc

_USCC_TOKEN = re.compile(r"(?<![0-9A-Z])[0-9A-Z]{18}(?![0-9A-Z])")
# A seal is an oval about 40 x 30 mm; its tax ID runs across the middle and is about 26 mm
# long, so the ring lies within these multiples of the tax ID's width from its centre.
_HALF_WIDTH = 0.8
_HALF_HEIGHT = 0.6
# The ring is read a character or two at a time; longer runs near the seal are printed text
# (remarks, amounts, the seller's address) that the seal merely overlaps.
_MAX_FRAGMENT = 3


@dataclass(frozen=True, slots=True)
class Seal:
    """A tax ID printed outside the labelled boxes, and the CJK characters read around it, each
    with the recogniser's confidence (1.0 when the engine gave none)."""

    tax_id: str
    ring: tuple[tuple[str, float], ...]


def find_seals(layout: Layout, used: set[int]) -> list[Seal]:
    """Every valid credit code printed outside the labelled tax-ID boxes (``used`` holds the
    ids of the lines those boxes were read from), with the ring characters around it."""
    out = []
    for ln in layout.lines:
        if id(ln) in used or f.TAX_ID_LABEL.search(ln.text) or "代开" in ln.text:
            continue
        for match in _USCC_TOKEN.finditer(ln.text):
            if not is_valid_uscc(match.group()):
                continue
            ring = list(_ends(ln, match.start(), match.end()))
            ring += [c for other in _around(layout, ln, match) for c in _cjk(other, range(len(other.text)))]
            out.append(Seal(match.group(), tuple(ring)))
    return out


def _ends(ln: Line, start: int, end: int) -> Iterable[tuple[str, float]]:
    """The characters read on the tax ID's own line, before and after it: the ring, where it
    crosses the tax ID's row."""
    return _cjk(ln, [*range(start), *range(end, len(ln.text))])


def _around(layout: Layout, seal: Line, match: re.Match[str]) -> list[Line]:
    share = (match.end() - match.start()) / max(len(seal.text), 1)
    width = (seal.right - seal.left) * share
    left = seal.left + (seal.right - seal.left) * match.start() / max(len(seal.text), 1)
    cx, cy = left + width / 2, seal.cy
    return [
        ln
        for ln in layout.lines
        if ln is not seal
        and len(ln.text) <= _MAX_FRAGMENT
        and ((ln.cx - cx) / (_HALF_WIDTH * width)) ** 2 + ((ln.cy - cy) / (_HALF_HEIGHT * width)) ** 2 <= 1
    ]


def _cjk(ln: Line, positions: Iterable[int]) -> Iterable[tuple[str, float]]:
    scores = _scores(ln)
    for i in positions:
        char = ln.text[i]
        if "\u4e00" <= char <= "\u9fff":
            yield char, scores[i] if scores is not None else 1.0


def _scores(ln: Line) -> tuple[float, ...] | None:
    """Per-character scores aligned with the normalised text, when the engine gave them."""
    scores = char_scores([ln], ln.text)
    return scores if scores is not None and len(scores) == len(ln.text) else None


def stamp_centres(page: TextPage) -> list[TextLine]:
    """Where to read a stamp's ring: the lines with a credit code outside the labelled boxes
    (a stamp's middle), when the page names no seller anywhere else (a quota invoice, or a
    seller's name lost under the stamp). Empty otherwise: the ring is read only when needed."""
    layout = Layout.of([page])
    if any("代开" in ln.text for ln in layout.lines):
        return []  # the real seller is named in the remarks
    buyer, seller = f.find_parties(layout)
    if seller.name is not None:
        return []
    used = {id(ln) for c in (buyer.tax_id, seller.tax_id) if c is not None for ln in c.lines}
    return [
        ln.raw
        for ln in layout.lines
        if id(ln) not in used and not f.TAX_ID_LABEL.search(ln.text) and f.stamp_tax_ids(ln.text)
    ]


def ring_name(pages: Iterable[TextPage]) -> f.Candidate | None:
    """The seller's name as read around its stamp's ring, never above the through-stamp
    confidence (a ring is read unrolled, and a look-alike there is no rarer than elsewhere)."""
    for page in pages:
        for ring in page.rings:
            text = _NOT_CJK_ENDS.sub("", normalise(ring.text))
            name = whole_name(text)
            if name is not None:
                return f.Candidate(name, min(ring.score, THROUGH_STAMP))
    return None


# the ring's ends, where the outline and the stamp's other lines are read as strokes
_NOT_CJK_ENDS = re.compile(r"^[^\u4e00-\u9fff]+|[^\u4e00-\u9fff)）]+$")
