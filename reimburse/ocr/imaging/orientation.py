"""Decide whether a page must be turned by 90, 180 or 270 degrees, cheaply.

Two questions, two cheap answers:

* Horizontal or vertical text? Close the binarised page with a horizontal and with a
  vertical bar: text lines merge into long thin blobs along their own direction only.
  Whichever direction yields more total length of line-shaped blobs is the text direction.
* Upright or upside-down? PP-OCR's 0/180 text-line classifier (0.6 MB, shipped in the
  rapidocr wheel, ~1 ms per line) votes on the dozen largest line blobs.

A whole-page OCR probe would answer the same questions at ~50x the cost (bench/README.md).
"""

from __future__ import annotations

import math
import os
import threading
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from reimburse.ocr.engines.base import Image
from reimburse.ocr.imaging.arrays import scaled, u8

_ANALYSIS_LONG_SIDE = 1000
_MAX_VOTES = 12

Box = tuple[int, int, int, int]  # x, y, w, h


@dataclass(frozen=True, slots=True)
class Orientation:
    rotation: int  # degrees clockwise to apply to make the page upright: 0, 90, 180 or 270
    vertical_text: bool
    votes: int  # how many line crops the 0/180 classifier looked at
    flip_probability: float  # their mean probability of being upside down


def rotate(image: Image, degrees: int) -> Image:
    """Rotate clockwise by a multiple of 90 degrees."""
    codes = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}
    degrees %= 360
    return image if degrees == 0 else np.ascontiguousarray(cv2.rotate(image, codes[degrees]))


def detect_orientation(image: Image, *, threads: int = 1, vertical: bool | None = None) -> Orientation:
    """How far to turn ``image`` clockwise so that its text reads left to right, top down.

    ``vertical`` forces the text direction (only up/down is then decided): for a second look
    when the measured direction gave a page that reads as nothing.
    """
    height, width = image.shape[:2]
    if min(height, width) < 32:  # a sliver: no text lines to measure
        return Orientation(rotation=0, vertical_text=False, votes=0, flip_probability=0.0)
    factor = min(1.0, _ANALYSIS_LONG_SIDE / max(height, width))
    small = scaled(image, factor, cv2.INTER_AREA) if factor < 1 else image
    grey = u8(cv2.cvtColor(small, cv2.COLOR_BGR2GRAY))
    ink = u8(cv2.adaptiveThreshold(grey, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 25, 15))
    horizontal = _line_blobs(ink, vertical=False)
    vert = _line_blobs(ink, vertical=True)
    # Compare total line length, not blob counts: a few long lines outweigh many stubs
    # (table cells and stamps make short blobs in both directions).
    along_h = sum(w for _, _, w, _ in horizontal)
    along_v = sum(h for _, _, _, h in vert)
    vertical_text = len(vert) >= 3 and along_v > 1.5 * along_h if vertical is None else vertical
    blobs = vert if vertical_text else horizontal
    base = 90 if vertical_text else 0
    crops: list[Image] = []
    for x, y, w, h in sorted(blobs, key=lambda b: b[2] * b[3], reverse=True)[:_MAX_VOTES]:
        x0, y0 = int(x / factor), int(y / factor)
        x1, y1 = math.ceil((x + w) / factor), math.ceil((y + h) / factor)
        crop = image[max(0, y0) : min(height, y1), max(0, x0) : min(width, x1)]
        if crop.size:
            crops.append(rotate(crop, base))
    if not crops:
        return Orientation(rotation=0, vertical_text=False, votes=0, flip_probability=0.0)
    flip = float(np.mean(_classifier(threads).flip_probabilities(crops)))
    rotation = (base + (180 if flip > 0.5 else 0)) % 360
    return Orientation(
        rotation=rotation, vertical_text=vertical_text, votes=len(crops), flip_probability=flip
    )


def _line_blobs(ink: Image, *, vertical: bool) -> list[Box]:
    """Blobs shaped like a line of text along one direction (not table rules, not noise)."""
    side = min(ink.shape[:2])
    length = max(5, side // 60)
    kernel = np.ones((length, 1) if vertical else (1, length), np.uint8)
    closed = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, kernel)
    count, _, stats, _ = cv2.connectedComponentsWithStats(closed, connectivity=8)
    along_max = (ink.shape[0] if vertical else ink.shape[1]) * 0.5
    blobs: list[Box] = []
    for i in range(1, count):
        x, y, w, h, area = (int(v) for v in stats[i])
        along, across = (h, w) if vertical else (w, h)
        # Text lines: 4+ times longer than thick, thick enough to be characters, not a rule.
        if across < 6 or along < 4 * across or along > along_max or area < 0.3 * w * h:
            continue
        blobs.append((x, y, w, h))
    return blobs


class _AngleClassifier:
    """PP-OCR's 0/180 text-line classifier on ONNX Runtime."""

    def __init__(self, threads: int) -> None:
        import onnxruntime as ort
        import rapidocr_onnxruntime

        path = os.path.join(
            os.path.dirname(rapidocr_onnxruntime.__file__), "models", "ch_ppocr_mobile_v2.0_cls_infer.onnx"
        )
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 4
        self._session: Any = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
        self._input = self._session.get_inputs()[0].name

    def flip_probabilities(self, crops: list[Image]) -> list[float]:
        batch = np.stack([_normalise(c) for c in crops])
        probs = self._session.run(None, {self._input: batch})[0]
        return [float(p[1]) for p in probs]


def _normalise(crop: Image, height: int = 48, width: int = 192) -> np.ndarray:
    h, w = crop.shape[:2]
    resized_w = min(width, max(1, math.ceil(height * w / max(1, h))))
    resized = cv2.resize(crop, (resized_w, height)).astype(np.float32)
    resized = (resized.transpose(2, 0, 1) / 255.0 - 0.5) / 0.5
    out = np.zeros((3, height, width), dtype=np.float32)
    out[:, :, :resized_w] = resized
    return out


_classifiers: dict[int, _AngleClassifier] = {}
_lock = threading.Lock()


def _classifier(threads: int) -> _AngleClassifier:
    with _lock:
        if threads not in _classifiers:
            _classifiers[threads] = _AngleClassifier(threads)
        return _classifiers[threads]
