"""The contract every OCR engine meets.

An engine takes a BGR ``numpy`` image (already straightened by ``ocr.imaging``) and returns
a ``TextPage`` in that image's pixel coordinates. Engines load their models in ``__init__``
(once per process: the reader keeps the instance) and must work with no network.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from reimburse.ocr.domain import TextLine, TextPage

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


@runtime_checkable
class SecondReader(Protocol):
    """An engine with a second, larger recogniser for the few places where one character
    decides a value: the party-name lines, a name's row the detector did not find whole,
    a stamp's unrolled ring (``ocr.imaging.document``). Engines without one read once."""

    def reread(self, image: Image, lines: list[TextLine]) -> list[TextLine]:
        """``lines`` of ``image`` read again, in order (a line read as nothing comes back as it was)."""
        ...

    def read_stretches(self, image: Image, stretches: list[TextLine]) -> list[tuple[TextLine, ...]]:
        """Boxes of ``image`` with no text yet, each read in the ways worth trying."""
        ...

    def read_upright(self, crops: list[Image]) -> list[tuple[str, float]]:
        """Single-line crops, already upright, read: text and score for each."""
        ...
