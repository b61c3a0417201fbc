"""`reimburse extract`: the JSON Lines contract, on a synthetic page and a broken file."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
from typer.testing import CliRunner

from reimburse.cli import app
from tests.ocr.imaging_helpers import NUMBER, page


def test_extract_prints_one_json_object_per_file_in_order(tmp_path: Path) -> None:
    ok, png = cv2.imencode(".png", page())
    assert ok
    good = tmp_path / "invoice.png"
    good.write_bytes(png.tobytes())
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    result = CliRunner().invoke(app, ["extract", str(good), str(broken)])
    lines = [json.loads(x) for x in result.stdout.splitlines()]
    assert [x["source"] for x in lines] == [str(good), str(broken)]
    first, second = lines
    assert first["is_invoice"] is True
    assert first["fields"]["invoice_number"] == NUMBER
    assert first["field_sources"]["invoice_number"] == "qr"
    assert set(first["fields"]) == {
        "invoice_code",
        "invoice_number",
        "issue_date",
        "amount_excl_tax",
        "tax",
        "total",
        "check_code",
        "buyer_name",
        "buyer_tax_id",
        "seller_name",
        "seller_tax_id",
    }
    assert isinstance(first["needs_review"], bool)
    assert second["error"]["code"] == "image_decode_failed"
    assert result.exit_code == 1  # a file failed; the others were still printed
