"""Defences for files from strangers: zip bombs, path tricks, XML entity attacks.

Every limit comes from ``ReadLimits``; every refusal is a ``HostileDocument`` (or
``EncryptedDocument``) with a message that says which limit was hit, raised before the
expensive work starts (sizes are checked from the zip directory, XML is parsed by defusedxml
with entities and DTDs forbidden).
"""

from __future__ import annotations

import io
import zipfile
from typing import TYPE_CHECKING
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from reimburse.ocr.errors import DocumentError, HostileDocument

if TYPE_CHECKING:
    from reimburse.ocr.limits import ReadLimits

MAX_RATIO = 200  # a deflated XML part compresses ~10x; 200x is a bomb
MAX_XML_BYTES = 8 * 1024 * 1024


class SafeZip:
    """A zip archive whose directory has been checked; members are read with a size cap."""

    def __init__(self, data: bytes, limits: ReadLimits) -> None:
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self._zip.infolist()
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise DocumentError(f"not a readable zip/OFD archive: {exc}", code="malformed_document") from exc
        if len(infos) > limits.max_zip_entries:
            raise HostileDocument(
                f"the archive has {len(infos)} entries; the limit is {limits.max_zip_entries}"
            )
        total = 0
        self._names: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            name = info.filename
            if name.startswith(("/", "\\")) or ".." in name.replace("\\", "/").split("/") or ":" in name:
                raise HostileDocument(f"the archive entry {name!r} points outside the archive")
            if info.flag_bits & 0x1:
                raise HostileDocument("the archive is encrypted")
            if info.file_size > limits.max_unzipped_bytes:
                raise HostileDocument(f"the entry {name!r} unpacks to {info.file_size} bytes")
            if (
                info.compress_size
                and info.file_size / info.compress_size > MAX_RATIO
                and info.file_size > 1 << 20
            ):
                raise HostileDocument(f"the entry {name!r} is a compression bomb")
            total += info.file_size
            self._names[name.lstrip("./").lower()] = info
        if total > limits.max_unzipped_bytes:
            raise HostileDocument(
                f"the archive unpacks to {total} bytes; the limit is {limits.max_unzipped_bytes}"
            )

    def names(self) -> list[str]:
        return [i.filename for i in self._names.values()]

    def find(self, path: str) -> str | None:
        """The member for a path as OFD files write it (relative, maybe with a leading '/')."""
        info = self._names.get(path.strip().lstrip("/").lstrip("./").lower())
        return info.filename if info else None

    def read(self, name: str) -> bytes:
        info = self._names.get(name.lstrip("./").lower())
        if info is None:
            raise DocumentError(f"the archive has no part {name!r}", code="malformed_document")
        with self._zip.open(info) as fh:
            data = fh.read(info.file_size + 1)  # never more than the directory promised
        if len(data) > info.file_size:
            raise HostileDocument(f"the entry {name!r} is larger than its directory entry says")
        return data


def parse_xml(data: bytes, what: str) -> Element:
    """Parse untrusted XML: no DTDs, no entities, no external references, bounded size."""
    if len(data) > MAX_XML_BYTES:
        raise HostileDocument(f"{what}: {len(data)} bytes of XML is more than any invoice needs")
    try:
        root: Element = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise HostileDocument(f"{what}: forbidden XML construct ({type(exc).__name__})") from exc
    except SyntaxError as exc:  # ElementTree.ParseError
        raise DocumentError(f"{what}: malformed XML ({exc})", code="malformed_document") from exc
    return root


def local(tag: str) -> str:
    """An element's name without its namespace."""
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1]
