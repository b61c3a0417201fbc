"""The image pipeline: bytes of a photo or scan in, positioned text and QR payload out.

load (safe decode, EXIF) -> prepare (find and flatten the paper, working size, contrast)
-> orientation (90/180/270) -> QR -> OCR. Called by ``reimburse.ocr.reader`` for image
files and for the rasterised pages of image-only PDFs.
"""

from __future__ import annotations

from reimburse.ocr.domain import DocumentRead
from reimburse.ocr.engines.base import OcrEngine
from reimburse.ocr.imaging.load import DEFAULT_DECODE_BYTES, load_image
from reimburse.ocr.imaging.orientation import detect_orientation, rotate
from reimburse.ocr.imaging.preprocess import prepare
from reimburse.ocr.imaging.qr import decode_qr

# JPEGs larger than this decode at 1/2, 1/4 or 1/8 scale (libjpeg DCT scaling) as long as
# the long side stays at least this long: a 12 MP photo decodes at 2000x1500 in about half
# the time, and the page is resampled to the working size anyway. On 12 synthetic 12 MP
# photos this lost no labelled field value (bench/README.md).
_DECODE_LONG_SIDE = 2000


def read_image(
    data: bytes, engine: OcrEngine, *, max_pixels: int, max_decode_bytes: int = DEFAULT_DECODE_BYTES
) -> DocumentRead:
    """Read one image file into a single-page ``DocumentRead``.

    Raises ``ImageDecodeError`` / ``DecompressionBomb`` for files that are not safe images.
    """
    image = load_image(
        data, max_pixels=max_pixels, min_long_side=_DECODE_LONG_SIDE, max_decode_bytes=max_decode_bytes
    )
    page = prepare(image).image
    orientation = detect_orientation(page)
    page = rotate(page, orientation.rotation)
    qr = decode_qr(page)
    text = engine.recognize(page)
    return DocumentRead(pages=(text,), qr=qr.payload)
