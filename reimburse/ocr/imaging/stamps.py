"""A company stamp's ring, unrolled into a straight line the recogniser can read.

The seller's 发票专用章 prints the seller's registered name around the upper arc of a red oval,
each character upright to the ring, and the seller's credit code across its middle. Read as
it lies, the ring gives a character or two where it runs level; unrolled (angle along the
line, radius across it, outward up) it is one line of text. On a quota invoice (定额发票) the
stamp is the only place the seller's name is printed at all.

Pure image work: a page in, oval stamps and unrolled ring images out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from reimburse.ocr.engines.base import Image
from reimburse.ocr.ink import redness

# stamp ink: red clearly above green and blue (black print and blue cipher text are not)
_RED_MARGIN = 45
# a stamp is 40 x 30 mm: a sixth of a 240 mm VAT form, half of a small quota slip cut close
_MIN_WIDTH, _MAX_WIDTH = 0.08, 0.6
# where the ring's characters lie, as shares of the oval's semi-axes (the outline is at 1)
_RING_INNER, _RING_OUTER = 0.55, 0.95
# how far round the ring the text can run, centred on the top (long names wrap below the
# middle on both sides)
_SPAN = math.radians(270)


@dataclass(frozen=True, slots=True)
class Oval:
    """A stamp's outline: centre, semi-axes (``a`` across, ``b`` up and down) and turn."""

    cx: float
    cy: float
    a: float
    b: float
    turn: float  # radians, how far the stamp was turned from upright

    def contains(self, x: float, y: float) -> bool:
        dx, dy = x - self.cx, y - self.cy
        c, s = math.cos(self.turn), math.sin(self.turn)
        u, v = dx * c + dy * s, -dx * s + dy * c
        return (u / self.a) ** 2 + (v / self.b) ** 2 <= 1.0


def find_ovals(page: Image) -> list[Oval]:
    """The red ovals of stamp size on ``page`` (BGR), largest first."""
    if page.ndim != 3 or page.shape[2] != 3 or min(page.shape[:2]) < 16:
        return []
    red = redness(page)
    mask = (red > _RED_MARGIN).astype(np.uint8) * 255
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (9, 9))
    closed = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, kernel)
    contours, _ = cv2.findContours(closed, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    width = page.shape[1]
    out = []
    for contour in contours:
        if len(contour) < 20:
            continue
        _, _, w, _ = cv2.boundingRect(contour)
        if not _MIN_WIDTH * width <= w <= _MAX_WIDTH * width:
            continue
        (cx, cy), (d1, d2), angle = cv2.fitEllipse(contour)
        turn = math.radians(angle)
        a, b = d1 / 2, d2 / 2
        if a < b:  # OpenCV gives the first axis along ``angle``: make ``a`` the wider one
            a, b, turn = b, a, turn + math.pi / 2
        turn = (turn + math.pi / 2) % math.pi - math.pi / 2  # upright within ±90°
        if b < 8 or a / b > 2.0:  # a line of red text or a smear, not an oval
            continue
        out.append(Oval(cx, cy, a, b, turn))
    out.sort(key=lambda o: -o.a * o.b)
    # a stamp's text can close into a blob of its own inside the outline: one stamp, one oval
    kept: list[Oval] = []
    for oval in out:
        if not any(big.contains(oval.cx, oval.cy) for big in kept):
            kept.append(oval)
    return kept


def unrolled_ring(page: Image, oval: Oval) -> Image:
    """The ring's band, unrolled clockwise from its lower left over the top to its lower right,
    outward up: dark stamp ink on white, as the recogniser expects text (BGR)."""
    red = redness(page)
    mid = (_RING_INNER + _RING_OUTER) / 2
    length = max(8, round(_SPAN * math.sqrt((oval.a**2 + oval.b**2) / 2) * mid))
    height = max(4, round((_RING_OUTER - _RING_INNER) * oval.b))
    angles = -math.pi / 2 - _SPAN / 2 + np.arange(length, dtype=np.float64) / length * _SPAN
    radii = _RING_OUTER - np.arange(height, dtype=np.float64) / height * (_RING_OUTER - _RING_INNER)
    t, r = np.meshgrid(angles, radii)
    ex, ey = r * oval.a * np.cos(t), r * oval.b * np.sin(t)
    c, s = math.cos(oval.turn), math.sin(oval.turn)
    map_x = (oval.cx + ex * c - ey * s).astype(np.float32)
    map_y = (oval.cy + ex * s + ey * c).astype(np.float32)
    band = cv2.remap(red, map_x, map_y, cv2.INTER_LINEAR, borderValue=0)
    ink = 255 - np.clip(band.astype(np.int16) * 3, 0, 255).astype(np.uint8)
    return np.ascontiguousarray(np.repeat(ink[:, :, None], 3, axis=2))
