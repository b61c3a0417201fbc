"""How much of a file the readers accept: bytes, pixels, pages, and what a zip may unpack to.

Its own module so that the reader and the e-invoice readers it calls share one definition
without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ReadLimits:
    max_bytes: int = 25 * 1024 * 1024
    max_image_pixels: int = 80_000_000
    max_pages: int = 50
    max_unzipped_bytes: int = 50 * 1024 * 1024
    max_zip_entries: int = 500
    # a PDF page side longer than this (in points; A2 is 1684) is no invoice: refused unrendered
    max_page_points: float = 2400.0
    # any one render of a page (OCR raster, QR look-up): an A4 page at 200 dpi is 3.9 M pixels
    max_render_pixels: int = 16_000_000
    # what decoding an image may take, by its bytes per pixel (a 16-bit PNG takes far more than
    # its pixel count suggests)
    max_decode_bytes: int = 768 * 1024 * 1024
    # one document's reading time; past it the document fails with document_too_complex
    time_budget_seconds: float = 60.0
