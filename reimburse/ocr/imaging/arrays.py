"""Typing glue: OpenCV's stubs type every result loosely; pin them to ``uint8`` images."""

from __future__ import annotations

from typing import Any

import numpy as np

from reimburse.ocr.engines.base import Image


def u8(array: Any) -> Image:
    """View ``array`` as a ``uint8`` image (no copy when it already is one)."""
    return np.asarray(array, dtype=np.uint8)


def scaled(image: Image, factor: float, interpolation: int) -> Image:
    """Resize by ``factor`` with every side at least one pixel (OpenCV refuses empty sizes)."""
    import cv2

    height, width = image.shape[:2]
    size = (max(1, round(width * factor)), max(1, round(height * factor)))
    return u8(cv2.resize(image, size, interpolation=interpolation))
