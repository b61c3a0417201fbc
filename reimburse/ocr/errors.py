"""Errors raised while reading a document. Each carries a stable ``code``."""

from __future__ import annotations

from reimburse.core.errors import ReimburseError


class DocumentError(ReimburseError):
    """The document cannot be read."""

    code = "unreadable_document"
    status = 422


class UnsupportedFormat(DocumentError):
    code = "unsupported_format"
    status = 415


class ImageDecodeError(DocumentError):
    code = "image_decode_failed"


class DecompressionBomb(DocumentError):
    code = "decompression_bomb"
    status = 413


class FileTooLarge(DocumentError):
    code = "file_too_large"
    status = 413


class HostileDocument(DocumentError):
    """Zip bombs, path traversal, XML entity tricks, absurd page counts."""

    code = "hostile_document"


class DocumentTooComplex(DocumentError):
    """Within the size limits, but more work than any invoice needs: pages larger than any
    paper, more pixels than a render may take, more time than a document may use."""

    code = "document_too_complex"


class EncryptedDocument(DocumentError):
    code = "encrypted_document"


class EngineUnavailable(ReimburseError):
    """The configured OCR engine (or its models) is not installed here."""

    code = "ocr_engine_unavailable"
    status = 503
