"""The document store: content-addressed, a file's name is its SHA-256.

``Store`` is what the rest of the project depends on; ``LocalStore`` (here) keeps files on a
local or shared disk, ``S3Store`` (``documents/s3store.py``) in S3-compatible object storage.

``LocalStore`` writes to a temporary file in the same directory, fsyncs it, then renames it
into place, so a crash leaves either the whole file or nothing; the same content is stored once.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Protocol

from reimburse.core.errors import NotFound

_HEX = frozenset("0123456789abcdef")


class Store(Protocol):
    """Where uploaded bytes live, named by their SHA-256 (lower-case hex)."""

    def put(self, data: bytes) -> str:
        """Store ``data`` durably (once per content) and return its SHA-256 hex digest."""
        ...

    def get(self, digest: str) -> bytes:
        """The bytes named ``digest``; ``NotFound`` if there are none."""
        ...

    def exists(self, digest: str) -> bool:
        """Whether bytes named ``digest`` are stored."""
        ...


def check_digest(digest: str) -> str:
    """``digest`` if it is a lower-case SHA-256 hex digest; ``NotFound`` otherwise.

    Digests become paths and object keys, so anything else (``../``, upper case, a prefix) is
    refused before it gets near the file system or the bucket.
    """
    if len(digest) != 64 or not _HEX.issuperset(digest):
        raise NotFound("no such stored file")
    return digest


class LocalStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, digest: str) -> Path:
        check_digest(digest)
        return self.root / digest[:2] / digest[2:4] / digest

    def put(self, data: bytes) -> str:
        """Store ``data`` (fsynced, then renamed into place) and return its SHA-256 hex digest."""
        digest = hashlib.sha256(data).hexdigest()
        path = self._path(digest)
        if path.exists():
            return digest
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)  # the rename itself is durable
        finally:
            os.close(dir_fd)
        return digest

    def get(self, digest: str) -> bytes:
        """The stored bytes; ``NotFound`` if there are none."""
        path = self._path(digest)
        if not path.is_file():
            raise NotFound("the stored file is missing")
        return path.read_bytes()

    def exists(self, digest: str) -> bool:
        """Whether the file is stored."""
        return self._path(digest).is_file()
