"""Where a party's name should be and was not found whole: stretches of a row to read as one line.

The text detector finds lines by their shape, and a company stamp pressed over a name breaks
that shape: the name comes back cut short ("济南" for 济南恒新酒店管理股份有限公司), in pieces,
or not at all, while its label ("名 称：") is found. The name then is missing or incomplete,
and a person types it. Reading the row right of the label as one line, whatever the detector
made of it, recovers most of them (``bench/stamp_bench.py``).

Two pure steps around the engine: ``name_regions`` says which stretches to read, and
``with_region_reads`` puts a read into the page only where it gives a whole name the detector's
lines did not. Such a name is never taken on trust: its confidence is capped below the review
bar, so a person confirms it against the paper.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from reimburse.ocr.domain import STAMP_WORDS, THROUGH_STAMP, Point, TextLine, TextPage
from reimburse.ocr.extraction.checks import NAME_ENDINGS
from reimburse.ocr.extraction.fields import (
    NAME_LABEL,
    half_label,
    in_remarks,
    is_table_header,
    parse_name,
    party_markers,
    party_name_hits,
)
from reimburse.ocr.extraction.layout import Layout, Line, char_scores, normalise, vertically_overlap

# The longest registered names run to about 25 characters; with the label before them a
# row stretch of 28 label heights holds any of them.
_MAX_LENGTH = 28.0
# what ends a name's stretch of the row: the cipher block, the remarks box, a code
_ROW_END = re.compile(r"密码|备注|^密$|^码$|^区$")
# the label as a region read gives it back, with or without its colon
_LABEL_PREFIX = re.compile(r"^(?:购买方|销售方|购方|销方)?名?称[:：]?")
# what a stretch may read past a name's end: a stamp's words, the 密码区 / 备注 labels, and
# up to two other characters
_BEYOND = str.maketrans("", "", "财务发票合同专用章密码区备注")
_MAX_READ_ON = 2
# a buyer that is a person: the name is whole without an organisation's ending
_NO_ORGANISATION = {"个人", "个体", "自然人"}


@dataclass(frozen=True, slots=True)
class Region:
    """A stretch of one row to read as a line: from a name label's left edge along its row."""

    line: TextLine  # the stretch, as a line with no text yet
    covers: tuple[TextLine, ...]  # the detected lines inside it, which a good read replaces
    current: str | None  # the name read from those lines before, if any
    label: str  # the label as found ("称：", "销售方名称："): a read keeps its side


def name_regions(page: TextPage) -> list[Region]:
    """The rows to read again whole: a party name label whose name is missing or lacks an
    organisation's ending (公司, 厂, 店, ...), on a form that has buyer and seller blocks."""
    layout = Layout.of([page])
    if not any(party_markers(layout)):
        return []
    found = {id(h.lines[0]): h.value for h in party_name_hits(layout, one_per_value=False)}
    out = []
    for label in layout.find(NAME_LABEL):
        if is_table_header(label) or in_remarks(label) or half_label(layout, label):
            continue
        current = found.get(id(label))
        if current is not None and (NAME_ENDINGS.search(current) or current in _NO_ORGANISATION):
            continue
        region = _stretch(layout, label, current)
        if region is not None:
            out.append(region)
    return out


def with_region_reads(
    page: TextPage, regions: Sequence[Region], reads: Sequence[Sequence[TextLine]]
) -> TextPage:
    """``page`` with each region's first read that gives a whole name (an organisation's
    ending; the name found before, if any, as its start) in place of the lines it covers.
    The read keeps at most the through-stamp confidence."""
    lines = list(page.lines)
    for region, candidates in zip(regions, reads, strict=True):
        for read in candidates:
            name = _name_in(read)
            if name is not None and _better(name, region.current):
                covered = {id(ln) for ln in region.covers}
                lines = [ln for ln in lines if id(ln) not in covered]
                lines.append(_as_label_and_name(region, read, name))
                break
    return replace(page, lines=tuple(lines))


def _stretch(layout: Layout, label: Line, current: str | None) -> Region | None:
    quad = label.raw.quad
    ax, ay = quad[1].x - quad[0].x, quad[1].y - quad[0].y
    width = math.hypot(ax, ay)
    height = math.hypot(quad[3].x - quad[0].x, quad[3].y - quad[0].y)
    if width < 1 or height < 4:
        return None
    ux, uy = ax / width, ay / width
    length = _MAX_LENGTH * height
    for ln in layout.same_row(label):
        if ln.left > label.right and not _part_of_name(ln):
            length = min(length, _along(label, ln.left - 0.2 * height, ux))
    length = min(length, _along(label, layout.width, ux))
    if length <= width:
        return None
    p0, p3 = quad[0], quad[3]
    far0 = Point(p0.x + ux * length, p0.y + uy * length)
    far3 = Point(p3.x + ux * length, p3.y + uy * length)
    stretch = TextLine(text="", quad=(p0, far0, far3, p3), score=0.0)
    stretch_line = Line("", stretch)
    covers = tuple(
        ln.raw
        for ln in layout.lines
        if (ln is label or _part_of_name(ln))
        and vertically_overlap(label, ln)
        and label.left <= ln.cx <= stretch_line.right
    )
    found = NAME_LABEL.search(label.text)
    text = found.group(0) if found else ""
    # a lone "名" reads on as "名称：" (the 称 was missed); every label ends in its colon
    text = "名称：" if text in ("", "名") else text.rstrip(":：") + "："
    return Region(stretch, covers, current, text)


def _along(label: Line, x: float, ux: float) -> float:
    """How far along the label's row direction the column ``x`` lies from its left edge."""
    return (x - label.raw.quad[0].x) / max(ux, 0.5)


def _part_of_name(line: Line) -> bool:
    """A run that can sit inside a name's stretch: a piece of the name, or a stamp's words."""
    if _ROW_END.search(line.text):
        return False
    if _LABEL_PREFIX.fullmatch(line.text):  # "称" found apart from its "名"
        return True
    return bool(STAMP_WORDS.search(line.text)) or parse_name(line.text) is not None


def _name_in(read: TextLine) -> str | None:
    """The whole name a stretch's read gives after its label: up to an organisation's ending,
    where what lies beyond it may have been read on (a stamp's words, the edge of the cipher
    block or the remarks box, a stray stroke)."""
    text = normalise(read.text)
    prefix = _LABEL_PREFIX.match(text)
    if prefix is None or not prefix.group(0):
        return None
    return whole_name(text[prefix.end() :])


def whole_name(text: str) -> str | None:
    """The longest start of ``text`` that is a name with an organisation's ending, where what
    follows it can be read on past the name (a stamp's words, a box's label, a stray stroke)."""
    for end in range(len(text), 1, -1):
        if _read_on(text[end:]):
            name = parse_name(text[:end])
            if name is not None and NAME_ENDINGS.search(name):
                return name
    return None


def _read_on(tail: str) -> bool:
    """Whether ``tail`` can be what was read past a name's end (not more of the name)."""
    return len(tail.translate(_BEYOND)) <= _MAX_READ_ON


def _better(name: str, current: str | None) -> bool:
    if STAMP_WORDS.search(name):
        return False
    # a read that disagrees with what the detector's lines said is no repair of it: it must
    # start with what they read (its last character may have been a stroke of the stamp), and
    # say more, never less (a name without a listed ending cut back to one is no repair)
    return current is None or (
        len(name) >= len(current) and name != current and name.startswith(current[:-1])
    )


def _as_label_and_name(region: Region, read: TextLine, name: str) -> TextLine:
    """The read as the page will hold it: the label as the detector found it (a 购买方名称 keeps
    its side) and the name, under the capped confidence."""
    scores = char_scores([Line(normalise(read.text), read)], name)
    capped = tuple(min(s, THROUGH_STAMP) for s in scores) if scores else ()
    text = region.label + name
    chars = (THROUGH_STAMP,) * len(region.label) + capped if capped else ()
    return TextLine(text=text, quad=region.line.quad, score=min(read.score, THROUGH_STAMP), char_scores=chars)
