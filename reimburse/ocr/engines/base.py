"""The contract every OCR engine meets.

An engine takes a BGR ``numpy`` image (already straightened by ``ocr.imaging``) and returns
a ``TextPage`` in that image's pixel coordinates. Engines load their models in ``__init__``
(once per process: the reader keeps the instance) and must work with no network.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from reimburse.ocr.domain import TextPage

Image = npt.NDArray[np.uint8]


@runtime_checkable
class OcrEngine(Protocol):
    name: str

    def recognize(self, image: Image) -> TextPage:
        """Detect and recognise all text lines in ``image``."""
        ...

    def recognize_lines(self, crops: list[Image]) -> list[tuple[str, float]]:
        """Recognise pre-cut single-line crops (no detection): text and score for each."""
        ...
