"""The sample writer: labels in the shared format, expected JSON, decodable images, QR codes
that read back, and the committed ``samples/`` folder in step with the generator."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from reimburse.ocr.domain import FIELD_NAMES
from reimburse.ocr.imaging.load import load_image
from reimburse.ocr.imaging.qr import decode_qr
from reimburse.synth.einvoice import write_all_samples
from reimburse.synth.samples import LABEL_QUALITY, generate_samples

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "samples"
# How the committed set was made: `reimburse samples generate samples --count 12 --seed 2026`
# (write_all_samples: the images of generate_samples plus one PDF, OFD and XML e-invoice).
COMMITTED_SEED, COMMITTED_COUNT = 2026, 12


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    out = tmp_path_factory.mktemp("samples")
    return out, generate_samples(out, count=6, seed=99)


def _labels(directory: Path) -> list[dict[str, object]]:
    return [
        json.loads(line) for line in (directory / "labels.jsonl").read_text(encoding="utf-8").splitlines()
    ]


def test_labels_have_the_shared_format(written: tuple[Path, list[Path]]) -> None:
    out, paths = written
    rows = _labels(out)
    assert [r["file"] for r in rows] == [p.name for p in paths]
    for row in rows:
        assert set(row) == {"file", "kind", "is_invoice", "label_quality", "fields"}
        assert row["kind"] in ("render", "photo", "scan")
        assert row["label_quality"] == LABEL_QUALITY
        fields = row["fields"]
        assert isinstance(fields, dict)
        if row["is_invoice"]:
            assert tuple(fields) == FIELD_NAMES
        else:
            assert fields == {}


def test_expected_json_matches_labels(written: tuple[Path, list[Path]]) -> None:
    out, paths = written
    for row, path in zip(_labels(out), paths, strict=True):
        expected = json.loads(path.with_name(path.stem + ".expected.json").read_text(encoding="utf-8"))
        assert expected["source"] == path.name
        assert expected["is_invoice"] == row["is_invoice"]
        assert expected["needs_review"] is False and expected["review_reasons"] == []
        if row["is_invoice"]:
            assert expected["fields"] == row["fields"]
        else:
            assert expected["document_type"] == "not_invoice"


def test_images_decode_and_photos_are_jpeg(written: tuple[Path, list[Path]]) -> None:
    _, paths = written
    for path in paths:
        data = path.read_bytes()
        image = load_image(data, max_pixels=50_000_000)
        assert image.shape[0] > 400 and image.shape[1] > 400
        assert float(np.std(image)) > 10  # not blank
        assert data[:3] == b"\xff\xd8\xff" if path.suffix == ".jpg" else data[:8] == b"\x89PNG\r\n\x1a\n"


def test_render_qr_codes_read_back_as_their_fields(written: tuple[Path, list[Path]]) -> None:
    out, paths = written
    checked = 0
    for row, path in zip(_labels(out), paths, strict=True):
        expected = json.loads(path.with_name(path.stem + ".expected.json").read_text(encoding="utf-8"))
        if row["kind"] != "render" or expected["field_sources"].get("invoice_number") != "qr":
            continue
        qr = decode_qr(load_image(path.read_bytes(), max_pixels=50_000_000)).payload
        assert qr is not None, path.name
        assert qr.invoice_number == expected["fields"]["invoice_number"]
        assert qr.issue_date == expected["fields"]["issue_date"]
        checked += 1
    assert checked >= 2


def test_generation_is_deterministic(written: tuple[Path, list[Path]], tmp_path: Path) -> None:
    out, paths = written
    again = generate_samples(tmp_path, count=3, seed=99)
    assert [p.name for p in again] == [p.name for p in paths[:3]]
    for a, b in zip(again, paths, strict=False):
        assert a.read_bytes() == b.read_bytes()
    assert _labels(tmp_path) == _labels(out)[:3]


def test_committed_samples_are_what_the_generator_writes(tmp_path: Path) -> None:
    # Only labels and expected JSON are compared: image bytes may differ with the versions
    # of Pillow/OpenCV/fonts, the values they show may not.
    paths = write_all_samples(tmp_path, count=COMMITTED_COUNT, seed=COMMITTED_SEED)
    assert _labels(tmp_path) == _labels(COMMITTED)
    for path in paths:
        name = path.stem + ".expected.json"
        assert (tmp_path / name).read_text(encoding="utf-8") == (COMMITTED / name).read_text(encoding="utf-8")
        assert (COMMITTED / path.name).exists()
