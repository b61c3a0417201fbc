"""Tell a file's kind from its bytes, never from its name (names lie; phones rename)."""

from __future__ import annotations

import io
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
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"<"):
        return FileKind.XML
    return FileKind.UNKNOWN


def _looks_like_ofd(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return any(n.lstrip("/").upper() == "OFD.XML" for n in zf.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
