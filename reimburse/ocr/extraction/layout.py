"""Positioned text helpers: normalised lines, rows, and "the value next to this label".

Every reader (OCR, PDF text layer, OFD page text) gives lines with boxes; fapiao print a
label ("发票号码：") and its value either in the same run, in a separate run to the right on
the same row, or (in some e-invoice layouts) just below. These helpers answer those
questions on normalised text so the field finders stay short.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from reimburse.ocr.domain import FieldSource, TextLine, TextPage
from reimburse.ocr.extraction.curvature import straightened

# OCR reads the yuan sign in many ways; "Y" only counts directly before digits.
_YUAN = str.maketrans({"￥": "¥", "羊": "¥"})
_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    """NFKC (full-width digits, colons and brackets become ASCII) and no inner spaces.

    Spaces carry no meaning on a fapiao but OCR inserts them inside numbers and labels
    ("7255985 0772", "名 称"), so they are removed everywhere.
    """
    return _SPACES.sub("", unicodedata.normalize("NFKC", text).translate(_YUAN))


@dataclass(frozen=True, slots=True)
class Line:
    """A text line with its normalised text (``text``), the original box and score (``raw``)
    and, on a curved page, where it sits once the rows are straight (``box``): positions are
    measured on ``box``, crops are cut from ``raw``."""

    text: str
    raw: TextLine
    box: TextLine | None = None

    @property
    def _geometry(self) -> TextLine:
        return self.box if self.box is not None else self.raw

    @property
    def score(self) -> float:
        return self.raw.score

    @property
    def left(self) -> float:
        return self._geometry.left

    @property
    def right(self) -> float:
        return self._geometry.right

    @property
    def top(self) -> float:
        return self._geometry.top

    @property
    def bottom(self) -> float:
        return self._geometry.bottom

    @property
    def cx(self) -> float:
        return self._geometry.cx

    @property
    def cy(self) -> float:
        return self._geometry.cy

    @property
    def height(self) -> float:
        return max(self._geometry.height, 1.0)


@dataclass(frozen=True, slots=True)
class Layout:
    """One document's lines (all pages stacked vertically) in reading order."""

    lines: tuple[Line, ...]
    width: float
    height: float

    @staticmethod
    def of(pages: Sequence[TextPage]) -> Layout:
        lines: list[Line] = []
        offset = 0.0
        width = 1.0
        for page in pages:
            kept = [raw for raw in page.lines if normalise(raw.text)]
            boxes = straightened(kept, page.width) if page.source is FieldSource.OCR else None
            for i, raw in enumerate(kept):
                box = boxes[i] if boxes is not None else None
                if offset:
                    raw = _shifted(raw, offset)
                    box = _shifted(box, offset) if box is not None else None
                lines.append(Line(normalise(raw.text), raw, box))
            offset += page.height
            width = max(width, page.width)
        lines.sort(key=lambda ln: (ln.top, ln.left))
        return Layout(tuple(lines), width, max(offset, 1.0))

    def find(self, pattern: re.Pattern[str]) -> list[Line]:
        return [ln for ln in self.lines if pattern.search(ln.text)]

    def same_row(self, anchor: Line, *, right_only: bool = True, max_dx: float | None = None) -> list[Line]:
        """Lines whose vertical extent overlaps the anchor's by at least half the smaller height,
        to its right (nearest first)."""
        limit = max_dx if max_dx is not None else self.width
        out = []
        for ln in self.lines:
            if ln is anchor or not vertically_overlap(anchor, ln):
                continue
            if right_only and ln.cx <= anchor.right - anchor.height * 0.5:
                continue
            if ln.left - anchor.right > limit:
                continue
            out.append(ln)
        out.sort(key=lambda ln: abs(ln.left - anchor.right))
        return out

    def below(self, anchor: Line, *, max_rows: float = 2.5) -> list[Line]:
        """Lines just below the anchor that overlap it horizontally (nearest first)."""
        out = [
            ln
            for ln in self.lines
            if ln is not anchor
            and 0 <= ln.top - anchor.top <= anchor.height * (max_rows + 1)
            and ln.cy > anchor.bottom - anchor.height * 0.3
            and ln.right > anchor.left
            and ln.left < anchor.right + anchor.height * 4
        ]
        out.sort(key=lambda ln: (ln.top, abs(ln.left - anchor.left)))
        return out


def char_scores(lines: Sequence[Line], value: str) -> tuple[float, ...] | None:
    """The recogniser's confidence for each character of ``value`` in the line it was read from
    (the last of ``lines`` that contains it); None when the engine gave none."""
    for ln in reversed(lines):
        scores = _normalised_scores(ln.raw)
        start = ln.text.find(value)
        if start >= 0 and scores is not None and value:
            return tuple(scores[start : start + len(value)])
    return None


def char_floor(lines: Sequence[Line], value: str) -> float | None:
    """The lowest of ``char_scores``; None when the engine gave none."""
    scores = char_scores(lines, value)
    return min(scores) if scores else None


def _normalised_scores(raw: TextLine) -> list[float] | None:
    """Per-character scores aligned with ``normalise(raw.text)``."""
    if not raw.char_scores or len(raw.char_scores) != len(raw.text):
        return None
    out: list[float] = []
    for char, score in zip(raw.text, raw.char_scores, strict=True):
        out += [score] * len(normalise(char))
    return out


def vertically_overlap(a: Line, b: Line, ratio: float = 0.5) -> bool:
    overlap = min(a.bottom, b.bottom) - max(a.top, b.top)
    return overlap >= ratio * min(a.height, b.height)


@dataclass(frozen=True, slots=True)
class Hit:
    """A value found for a label, with the lines it was read from."""

    value: str
    lines: tuple[Line, ...]

    @property
    def score(self) -> float:
        return min(ln.score for ln in self.lines)


def after_label(
    layout: Layout,
    label: re.Pattern[str],
    parse: Callable[[str], str | None],
    *,
    look_below: bool = True,
    max_dx_ratio: float = 0.45,
    loose_row: bool = False,
) -> list[Hit]:
    """Every value that ``parse`` accepts next to a line matching ``label``.

    Tries, for each label line: the rest of the same line, then runs to the right on the
    same row (nearest first, within ``max_dx_ratio`` of the page width), with ``loose_row``
    runs to the right up to 0.8 of a row higher or lower, then just below.
    """
    hits: list[Hit] = []
    for line in layout.find(label):
        match = label.search(line.text)
        assert match is not None
        rest = line.text[match.end() :].lstrip(":：")
        value = parse(rest) if rest else None
        if value is not None:
            hits.append(Hit(value, (line,)))
            continue
        row = layout.same_row(line, max_dx=layout.width * max_dx_ratio)
        joined = _joined_runs(line, row)
        candidates: list[tuple[str, tuple[Line, ...]]] = [(o.text, (o,)) for o in row]
        if len(joined) > 1:
            # a value split into several runs ("2022" "年" "05" "月" ...), read as one
            candidates.append(("".join(o.text for o in joined), tuple(joined)))
        if loose_row:
            # dot-matrix values printed up to most of a row off their pre-printed label
            near = [
                o
                for o in layout.lines
                if o is not line
                and o not in row
                and o.left >= line.right - line.height
                and o.left - line.right <= layout.width * max_dx_ratio
                and abs(o.cy - line.cy) <= max(line.height, o.height) * 0.8
            ]
            near.sort(key=lambda o: o.left - line.right)
            candidates += [(o.text, (o,)) for o in near[:2]]
        if look_below:
            candidates += [(o.text, (o,)) for o in layout.below(line)[:2]]
        for text, used in candidates:
            if label.search(text):
                continue
            value = parse(text.lstrip(":："))
            if value is not None:
                hits.append(Hit(value, (line, *used)))
                break
    return hits


def _joined_runs(label: Line, row: list[Line]) -> list[Line]:
    """The runs right of the label that follow each other with no more than a small gap."""
    out: list[Line] = []
    edge = label.right
    for ln in sorted(row, key=lambda x: x.left):
        if ln.left - edge > label.height * 1.5:
            break
        out.append(ln)
        edge = ln.right
    return out


def _shifted(line: TextLine, dy: float) -> TextLine:
    return TextLine.from_box(line.text, line.left, line.top + dy, line.right, line.bottom + dy, line.score)
