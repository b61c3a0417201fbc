"""Tell a file's kind from its bytes, never from its name (names lie; phones rename)."""

from __future__ import annotations

import io
import re
import zipfile
from enum import StrEnum


class FileKind(StrEnum):
    IMAGE = "image"
    PDF = "pdf"
    OFD = "ofd"
    XML = "xml"
    UNKNOWN = "unknown"


_IMAGE_MAGIC: tuple[bytes, ...] = (
    b"\xff\xd8\xff",  # JPEG
    b"\x89PNG\r\n\x1a\n",
    b"GIF87a",
    b"GIF89a",
    b"BM",
    b"II*\x00",  # TIFF
    b"MM\x00*",
)


def sniff(data: bytes) -> FileKind:
    head = data[:64]
    if head.startswith(b"%PDF-") or b"%PDF-" in data[:1024]:
        return FileKind.PDF
    if head.startswith(_IMAGE_MAGIC):
        return FileKind.IMAGE
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return FileKind.IMAGE
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"heim", b"heis", b"avif"):
        return FileKind.IMAGE
    if head.startswith(b"PK\x03\x04"):
        return FileKind.OFD if _looks_like_ofd(data) else FileKind.UNKNOWN
    if _xml_root(data[:4096]) in INVOICE_XML_ROOTS:
        return FileKind.XML
    return FileKind.UNKNOWN


# The root elements of the invoice XML formats read here (数电票 EInvoice, any case): HTML, SVG or
# any other XML is not an invoice, and stored as "xml" it would be served back as markup.
INVOICE_XML_ROOTS = frozenset({"einvoice"})
_PROLOG = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*)*", re.S)
_ROOT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)[\s/>]")


def _xml_root(head: bytes) -> str | None:
    """The root element's local name, case-folded; None before a DOCTYPE or without one."""
    prolog = _PROLOG.match(head)
    rest = head[prolog.end() if prolog else 0 :]
    root = _ROOT.match(rest)
    return root.group(1).decode("ascii").casefold() if root else None


def _looks_like_ofd(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return any(n.lstrip("/").upper() == "OFD.XML" for n in zf.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
