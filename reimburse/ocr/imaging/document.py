"""The image pipeline: bytes of a photo or scan in, positioned text and QR payload out.

load (safe decode, EXIF) -> prepare (find and flatten the paper, working size, contrast)
-> orientation (90/180/270) -> QR -> OCR. Called by ``reimburse.ocr.reader`` for image
files and for the rasterised pages of image-only PDFs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np

from reimburse.ocr.domain import DocumentRead, TextLine, TextPage
from reimburse.ocr.engines.base import Image, OcrEngine, SecondReader
from reimburse.ocr.errors import DecompressionBomb
from reimburse.ocr.imaging.load import DEFAULT_DECODE_BYTES, declared_long_side, load_image
from reimburse.ocr.imaging.orientation import detect_orientation, rotate
from reimburse.ocr.imaging.preprocess import Prepared, flatten, prepare
from reimburse.ocr.imaging.qr import decode_qr
from reimburse.ocr.imaging.stamps import find_ovals, unrolled_ring

# JPEGs larger than this decode at 1/2, 1/4 or 1/8 scale (libjpeg DCT scaling) as long as
# the long side stays at least this long: a 12 MP photo decodes at 2000x1500 in about half
# the time, and the page is resampled to the working size anyway. On 12 synthetic 12 MP
# photos this lost no labelled field value (bench/README.md).
_DECODE_LONG_SIDE = 2000
# A page enlarged more than this from the reduced decode is warped again from the whole photo.
# At 1.5 its 9-pt digits still have ~16 px (the working size gives them ~24): synthetic 12 MP
# photos whose page spans 50-90% of the frame read as well either way (bench/distance_bench.py),
# and the whole decode costs ~100 ms.
_ENLARGED = 1.5


def read_image(
    data: bytes,
    engine: OcrEngine,
    *,
    max_pixels: int,
    max_decode_bytes: int = DEFAULT_DECODE_BYTES,
    vertical_text: bool | None = None,
) -> DocumentRead:
    """Read one image file into a single-page ``DocumentRead``.

    ``vertical_text`` overrides the measured text direction (see ``read_image_upright``).
    Raises ``ImageDecodeError`` / ``DecompressionBomb`` for files that are not safe images.
    """
    return _read(data, engine, max_pixels, max_decode_bytes, vertical_text=vertical_text)[0]


def read_image_upright(
    data: bytes,
    engine: OcrEngine,
    *,
    max_pixels: int,
    reads_as_invoice: Callable[[DocumentRead], bool],
    max_decode_bytes: int = DEFAULT_DECODE_BYTES,
) -> DocumentRead:
    """``read_image``, with a second look when the page was turned sideways and then read as
    no invoice: the text-direction measure (line-shaped ink blobs) can be fooled by dense
    columns (the cipher block, sprocket holes) on a faintly printed form. Costs a second OCR
    only for sideways pages that read as nothing."""
    read, turned_sideways = _read(data, engine, max_pixels, max_decode_bytes, vertical_text=None)
    if not turned_sideways or reads_as_invoice(read):
        return read
    other, _ = _read(data, engine, max_pixels, max_decode_bytes, vertical_text=False)
    return other if reads_as_invoice(other) else read


def _read(
    data: bytes, engine: OcrEngine, max_pixels: int, max_decode_bytes: int, *, vertical_text: bool | None
) -> tuple[DocumentRead, bool]:
    image = load_image(
        data, max_pixels=max_pixels, min_long_side=_DECODE_LONG_SIDE, max_decode_bytes=max_decode_bytes
    )
    page = _at_resolution(data, image, prepare(image), max_pixels, max_decode_bytes).image
    orientation = detect_orientation(page, vertical=vertical_text)
    page = rotate(page, orientation.rotation)
    qr = decode_qr(page)
    text = _second_look(engine, page, engine.recognize(page))
    return DocumentRead(pages=(text,), qr=qr.payload), orientation.rotation in (90, 270)


def _at_resolution(
    data: bytes, image: Image, prepared: Prepared, max_pixels: int, max_decode_bytes: int
) -> Prepared:
    """``prepared`` again from the photo at full resolution, when the page fills so little of
    the frame that the reduced decode would be enlarged to the working size: a receipt
    photographed from arm's length keeps the pixels its small print needs."""
    if prepared.quad is None or prepared.scale <= _ENLARGED:
        return prepared
    declared = declared_long_side(data)
    if declared is None or declared <= max(image.shape[:2]):
        return prepared  # decoded whole already (a PNG, a HEIC, a JPEG under 4000 px)
    try:
        full = load_image(data, max_pixels=max_pixels, max_decode_bytes=max_decode_bytes)
    except DecompressionBomb:
        return prepared  # too large to decode whole within the limits: read it as it is
    factor = full.shape[1] / image.shape[1]
    return flatten(full, (prepared.quad * np.float32(factor)).astype(np.float32))


def _second_look(engine: OcrEngine, page: Image, text: TextPage) -> TextPage:
    """The party-name lines read again by the engine's larger recogniser, when it has one
    (a handful of lines: the cost is a few small inferences, not a second page read), and
    the row of a name that is still missing or cut short read whole (see
    ``extraction.regions``: a stamp over a name hides it from the detector)."""
    if not isinstance(engine, SecondReader):
        return text  # an engine with no second recogniser (paddleocr) reads once
    from reimburse.ocr.extraction import lines_to_reread
    from reimburse.ocr.extraction.regions import name_regions, with_region_reads

    wanted = lines_to_reread(text)
    if wanted:
        better = dict(zip(map(id, wanted), engine.reread(page, wanted), strict=True))
        text = replace(text, lines=tuple(better.get(id(ln), ln) for ln in text.lines))
    regions = name_regions(text)
    if regions:
        text = with_region_reads(text, regions, engine.read_stretches(page, [r.line for r in regions]))
    return _stamp_ring(engine, page, text)


def _stamp_ring(engine: SecondReader, page: Image, text: TextPage) -> TextPage:
    """The seller's stamp's ring read as one line, when the page names the seller nowhere
    else (see ``ocr.imaging.stamps``): one more small inference, on those pages only."""
    from reimburse.ocr.extraction.seal import stamp_centres

    centres = stamp_centres(text)
    if not centres:
        return text
    ovals = [o for o in find_ovals(page) if any(o.contains(ln.cx, ln.cy) for ln in centres)]
    if not ovals:
        return text
    oval = ovals[0]
    (ring_text, score), *_ = engine.read_upright([unrolled_ring(page, oval)])
    box = TextLine.from_box(ring_text, oval.cx - oval.a, oval.cy - oval.b, oval.cx + oval.a, oval.cy + oval.b)
    return replace(text, rings=(replace(box, score=score),))
