"""Memory returns after a big document, and a decode too big for its bytes per pixel never starts.

The issue's case: an 8,900² 16-bit PNG (79 M pixels, under the pixel limit) took +2 GB to read
and the process kept 1.9 GB afterwards. A worker process (``memory_probe``, the real reader and
OCR engine, on the test database) reads it and a 5,000² 16-bit PNG it may decode; its resident
memory is measured around each. The 8,900² one is refused before decoding (peak barely moves);
the 5,000² one is read, peaks under the decode budget, and the process gives back what it took.
"""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import zlib
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from reimburse.core.principal import Principal
from reimburse.documents import service
from reimburse.documents.records import DocumentRecord
from reimburse.documents.store import LocalStore
from reimburse.ocr.limits import ReadLimits
from tests.api_helpers import wipe

ROOT = Path(__file__).resolve().parents[2]
MB = 1024 * 1024
# what the process may keep after a document: the engine's caches and allocator slack (with
# the trim 2 MB here)
KEPT = 48 * MB
# free memory the worker kept that a trim would have given back (with the trim: none here)
UNTRIMMED = 16 * MB
REFUSED_PEAK = 64 * MB  # refused from its header: nothing decoded


def png16(width: int, height: int) -> bytes:
    """A 16-bit greyscale PNG (a vertical gradient) written row by row: tens of kilobytes of
    file, ``width * height * 2`` bytes of pixels once decoded."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    packer = zlib.compressobj(1)
    rows = [
        packer.compress(b"\0" + (y * 65535 // max(1, height - 1)).to_bytes(2, "big") * width)
        for y in range(height)
    ]
    ihdr = struct.pack(">IIBBBBB", width, height, 16, 0, 0, 0, 0)  # 16-bit greyscale
    idat = b"".join(rows) + packer.flush()
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def _queue(engine: Engine, store: LocalStore, data: bytes, name: str) -> int:
    with Session(engine) as s:
        doc = service.accept(s, store, Principal(subject="test:memory"), service.Upload(name, data), 10**8)
        s.commit()
        return doc.id


def test_memory_returns_after_a_big_document_and_a_16_bit_bomb_is_never_decoded(
    migrated_engine: Engine, database_url: str, tmp_path: Path
) -> None:
    wipe(migrated_engine)
    store = LocalStore(tmp_path / "store")
    warm = [
        _queue(migrated_engine, store, (ROOT / "samples" / name).read_bytes(), name)
        for name in ("004_vat_general_photo.jpg", "009_vat_special_photo.jpg")
    ]
    bomb = _queue(migrated_engine, store, png16(8900, 8900), "8900-16bit.png")
    big = _queue(migrated_engine, store, png16(5000, 5000), "5000-16bit.png")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    probe = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.security.memory_probe",
            database_url,
            str(store.root),
            ",".join(map(str, warm)),
            f"{bomb},{big}",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert probe.returncode == 0, probe.stderr[-3000:]
    seen = json.loads(probe.stdout.strip().splitlines()[-1])
    with Session(migrated_engine) as s:
        states = {d.id: (d.status, d.error_code) for d in s.scalars(select(DocumentRecord))}
    assert states[bomb] == ("failed", "decompression_bomb")
    assert states[big] == ("done", None)
    assert all(states[w][0] == "done" for w in warm)

    refused, read = seen[str(bomb)], seen[str(big)]
    report = json.dumps(seen)
    # the 8,900² PNG: refused by its bytes per pixel before any pixel is decoded
    assert refused["peak"] - refused["before"] < REFUSED_PEAK, report
    # the 5,000² PNG (300 MB by the decode's reckoning): read, under the decode budget at the peak
    assert read["peak"] - read["before"] < ReadLimits().max_decode_bytes, report
    assert read["peak"] - read["before"] > 150 * MB, report  # it was decoded: the check had work
    # ... and handed back afterwards
    assert read["after"] - read["before"] < KEPT, report
    assert read["after"] - read["floor"] < UNTRIMMED, report
    assert read["seconds"] < 60, report
