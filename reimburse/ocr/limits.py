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
