"""Stamp ink: how red each pixel is.

Red stamp ink is red clearly above green and blue, while black print and the blue cipher text
are not: ``red - max(green, blue)`` tells a stamp from everything else printed on a fapiao.
Used to find a stamp's oval (``imaging.stamps``) and to lift a stamp off a line crop before it
is read again (``engines.rapid``).
"""

from __future__ import annotations

import numpy as np

from reimburse.ocr.engines.base import Image


def redness(image: Image) -> Image:
    """Per pixel of a BGR image, how far red stands above green and blue (0 for no red)."""
    b, g, r = (image[:, :, i].astype(np.int16) for i in range(3))
    return np.clip(r - np.maximum(g, b), 0, 255).astype(np.uint8)
