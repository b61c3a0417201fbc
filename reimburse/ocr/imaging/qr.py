"""Find and decode the fapiao QR code in a page image.

zxing-cpp decodes more of the dev set's codes than pyzbar, and faster (bench/README.md).
The first pass reads the whole page; when it finds no fapiao payload we retry on the
corners (fapiao QR codes sit top-left, some forms put them top-right), enlarged, and on
a globally binarised copy, before giving up. The retries stop at the first fapiao payload.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
import zxingcpp

from reimburse.ocr.domain import QrPayload
from reimburse.ocr.engines.base import Image
from reimburse.ocr.fapiao.qr import parse_qr
from reimburse.ocr.imaging.arrays import u8


@dataclass(frozen=True, slots=True)
class QrRead:
    """The fapiao payload (if any), every QR text seen, and where the fapiao code sat."""

    payload: QrPayload | None
    texts: tuple[str, ...]
    center: tuple[float, float] | None = None  # in the input image's pixels


def decode_qr(image: Image) -> QrRead:
    """Decode QR codes in ``image`` (BGR or grey), retrying on crops, scales and binarisations."""
    grey = image if image.ndim == 2 else u8(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY))
    texts: list[str] = []
    for view, offset, scale in _views(grey):
        for text, center in _read(view):
            if text not in texts:
                texts.append(text)
            payload = parse_qr(text)
            if payload is not None:
                position = (offset[0] + center[0] / scale, offset[1] + center[1] / scale)
                return QrRead(payload=payload, texts=tuple(texts), center=position)
    return QrRead(payload=None, texts=tuple(texts))


def _views(grey: Image) -> Iterator[tuple[Image, tuple[int, int], float]]:
    """(image, top-left offset in ``grey``, scale applied) in the order worth trying."""
    height, width = grey.shape[:2]
    yield grey, (0, 0), 1.0
    # Corner crops, enlarged so a small printed code gets ~3 px per module.
    crop_w, crop_h = int(width * 0.4), int(height * 0.5)
    corners = ((0, 0), (width - crop_w, 0), (0, height - crop_h), (width - crop_w, height - crop_h))
    for x, y in corners:
        crop = grey[y : y + crop_h, x : x + crop_w]
        if crop.size == 0:
            continue
        scale = 2.0 if max(crop.shape) < 1400 else 1.0
        view = (
            u8(cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC))
            if scale != 1.0
            else crop
        )
        yield view, (x, y), scale
        # Stamps and shadows defeat local thresholds; a blurred global Otsu often does not.
        blurred = cv2.GaussianBlur(view, (3, 3), 0)
        _, binary = cv2.threshold(blurred, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
        yield u8(binary), (x, y), scale
    # A large, blurry photo: halve it so the modules become crisp.
    if max(height, width) > 2400:
        yield u8(cv2.resize(grey, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)), (0, 0), 0.5


_QR_FORMATS: Any = zxingcpp.BarcodeFormat.QRCode


def _read(view: Image) -> list[tuple[str, tuple[float, float]]]:
    try:
        results = zxingcpp.read_barcodes(np.ascontiguousarray(view), formats=_QR_FORMATS)
    except (ValueError, RuntimeError):  # pragma: no cover - defensive: odd shapes from crops
        return []
    out: list[tuple[str, tuple[float, float]]] = []
    for result in results:
        p = result.position
        cx = (p.top_left.x + p.top_right.x + p.bottom_right.x + p.bottom_left.x) / 4.0
        cy = (p.top_left.y + p.top_right.y + p.bottom_right.y + p.bottom_left.y) / 4.0
        out.append((result.text, (float(cx), float(cy))))
    return out
