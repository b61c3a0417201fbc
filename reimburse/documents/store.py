"""A content-addressed local file store: a file's name is its SHA-256.

Writes go to a temporary file in the same directory, are fsynced, then renamed into place,
so a crash leaves either the whole file or nothing; the same content is stored once.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from reimburse.core.errors import NotFound


class LocalStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, digest: str) -> Path:
        if len(digest) != 64 or not all(c in "0123456789abcdef" for c in digest):
            raise NotFound("no such stored file")
        return self.root / digest[:2] / digest[2:4] / digest

    def put(self, data: bytes) -> str:
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
        path = self._path(digest)
        if not path.is_file():
            raise NotFound("the stored file is missing")
        return path.read_bytes()

    def exists(self, digest: str) -> bool:
        return self._path(digest).is_file()
