"""Rows of a curved page, made straight again for the layout rules.

A fapiao photographed lying curved (a curl across the sheet, a fold that lifts one side) has
its rows bowed: on the sum row the amount, the tax and the total then sit most of a row apart,
and "the value right of this label" finds the row below. The detector's boxes are rotated to
follow the text, so each long line tells the slope of its row where it lies. A smooth slope
field fitted to them (linear in x and y: a bow across the sheet and what perspective left
over) integrates to how far each point has moved up or down from the page's middle column;
taking that away puts every row back on one height. Only the boxes the layout rules measure
move: the text, and the boxes crops are cut from, stay as the engine gave them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from reimburse.ocr.domain import Point, TextLine

# lines at least this many times longer than high give a reliable slope
_LONG = 3.0
# a page whose rows are off by less than this share of a line's height is left as it is
_FLAT = 0.25
_MIN_SAMPLES = 8
# steeper than this (20°) is no row of a page already set upright: a seal's ring, a scribble
_MAX_SLOPE = 0.35


def straightened(lines: Sequence[TextLine], width: float) -> list[TextLine] | None:
    """Each line's box with the page's row bow taken out, or None when the rows are straight
    (or too few long lines to tell)."""
    fit = _slope_field(lines)
    if fit is None:
        return None
    x0 = width / 2

    def shift(p: Point) -> float:
        a, b, c = fit
        return a * (p.x - x0) + b / 2 * (p.x**2 - x0**2) + c * p.y * (p.x - x0)

    heights = [_height(ln) for ln in lines if _height(ln) > 0]
    moves = [abs(shift(p)) for ln in lines for p in ln.quad]
    if not heights or max(moves, default=0.0) < _FLAT * float(np.median(heights)):
        return None
    out = []
    for ln in lines:
        p0, p1, p2, p3 = (Point(p.x, p.y - shift(p)) for p in ln.quad)
        out.append(TextLine(ln.text, (p0, p1, p2, p3), ln.score, ln.char_scores))
    return out


def _slope_field(lines: Sequence[TextLine]) -> tuple[float, float, float] | None:
    """Least-squares slope = a + b·x + c·y over the long lines, weighted by length, fitted
    again without the lines it fits worst (a seal's ring text runs round, not along a row)."""
    rows = []
    for ln in lines:
        p0, p1 = ln.quad[0], ln.quad[1]
        length = math.hypot(p1.x - p0.x, p1.y - p0.y)
        height = _height(ln)
        if height <= 0 or length < _LONG * height or p1.x - p0.x <= 0:
            continue
        slope = (p1.y - p0.y) / (p1.x - p0.x)
        if abs(slope) > _MAX_SLOPE:
            continue
        rows.append(((p0.x + p1.x) / 2, (ln.quad[0].y + ln.quad[3].y) / 2, slope, length))
    if len(rows) < _MIN_SAMPLES:
        return None
    data = np.array(rows, dtype=np.float64)
    keep = np.ones(len(data), dtype=bool)
    coef = np.zeros(3)
    for _ in range(2):
        x, y, s, w = data[keep].T
        design = np.stack([np.ones_like(x), x, y], axis=1) * np.sqrt(w)[:, None]
        coef, *_ = np.linalg.lstsq(design, s * np.sqrt(w), rcond=None)
        residual = np.abs(data[:, 2] - (coef[0] + coef[1] * data[:, 0] + coef[2] * data[:, 1]))
        spread = float(np.median(residual[keep])) * 3 + 0.01
        keep = residual <= spread
        if keep.sum() < _MIN_SAMPLES:
            return None
    return float(coef[0]), float(coef[1]), float(coef[2])


def _height(line: TextLine) -> float:
    """The box's own height (across the text, not its upright bounds)."""
    p0, p3 = line.quad[0], line.quad[3]
    return math.hypot(p3.x - p0.x, p3.y - p0.y)
