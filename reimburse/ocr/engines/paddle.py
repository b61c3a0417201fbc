"""Optional PaddleOCR engine, for deployments that install ``paddleocr`` and its models.

Imported only when ``ocr_engine = "paddleocr"`` is selected. We never download models at run
time: the models must already be on disk (PaddleOCR's own cache, or the directories given in
``REIMBURSE_PADDLE_DET_DIR`` / ``REIMBURSE_PADDLE_REC_DIR``). When the package or its models
are missing the constructor raises ``EngineUnavailable`` with a message saying what to do.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from reimburse.ocr.domain import Point, TextLine, TextPage
from reimburse.ocr.engines.base import Image
from reimburse.ocr.errors import EngineUnavailable


class PaddleOcrEngine:
    """PP-OCR through PaddleOCR 2.x (``PaddleOCR.ocr``)."""

    name = "paddleocr"

    def __init__(self, *, threads: int = 2, min_score: float = 0.5) -> None:
        try:
            from paddleocr import PaddleOCR
        except ImportError as exc:
            raise EngineUnavailable(
                "the paddleocr engine needs `pip install 'reimburse[paddle]'` (paddlepaddle + paddleocr) "
                f"and its model files on disk; it is not installed here ({exc})"
            ) from exc
        det_dir = os.environ.get("REIMBURSE_PADDLE_DET_DIR")
        rec_dir = os.environ.get("REIMBURSE_PADDLE_REC_DIR")
        for label, directory in (("detection", det_dir), ("recognition", rec_dir)):
            if directory is not None and not Path(directory).is_dir():
                raise EngineUnavailable(f"PaddleOCR {label} model directory {directory!r} does not exist")
        options: dict[str, Any] = {
            "use_angle_cls": False,
            "lang": "ch",
            "cpu_threads": threads,
            "show_log": False,
        }
        if det_dir:
            options["det_model_dir"] = det_dir
        if rec_dir:
            options["rec_model_dir"] = rec_dir
        try:
            self._ocr: Any = PaddleOCR(**options)
        except Exception as exc:  # PaddleOCR tries to download missing models; offline that fails
            raise EngineUnavailable(
                f"PaddleOCR could not load its models (no network at run time): {exc}"
            ) from exc
        self.min_score = min_score

    def recognize(self, image: Image) -> TextPage:
        """Detect and recognise all lines with PaddleOCR's own pipeline."""
        height, width = image.shape[:2]
        result = self._ocr.ocr(image, cls=False)
        lines: list[TextLine] = []
        for box, (text, score) in (result or [None])[0] or []:
            if not str(text).strip() or float(score) < self.min_score:
                continue
            quad = tuple(Point(float(x), float(y)) for x, y in box)
            lines.append(
                TextLine(text=str(text), quad=(quad[0], quad[1], quad[2], quad[3]), score=float(score))
            )
        return TextPage(width=float(width), height=float(height), lines=tuple(lines))

    def recognize_lines(self, crops: list[Image]) -> list[tuple[str, float]]:
        """Recognition only, one result per crop."""
        out: list[tuple[str, float]] = []
        for crop in crops:
            result = self._ocr.ocr(crop, det=False, cls=False)
            text, score = ((result or [[("", 0.0)]])[0] or [("", 0.0)])[0]
            out.append((str(text), float(score)))
        return out
