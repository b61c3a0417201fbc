"""The printable claim form (报销单 + 粘贴单): read back with PyMuPDF (text) and the QR code
decoded from the rendered page: the claim number, the amounts, the approvals, the signatures."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pymupdf
import pytest
import zxingcpp
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from reimburse.core.settings import Settings
from tests.advances.test_advances_api import DAY, approve_all, claim, paid_advance
from tests.api_helpers import demo_api, login


@pytest.fixture()
def api(migrated_engine: Engine, settings: Settings) -> Iterator[tuple[TestClient, dict[str, Any]]]:
    with demo_api(migrated_engine, settings) as pair:
        yield pair


def qr_codes(pdf: Any, page: int) -> list[str]:
    pix = pdf[page].get_pixmap(dpi=150, colorspace=pymupdf.csGRAY)
    grey = np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.width)
    return [r.text for r in zxingcpp.read_barcodes(grey)]


def test_the_form_carries_the_number_items_amounts_approvals_and_signatures(api: Any) -> None:
    client, _ = api
    alice, bob = login(client, "alice"), login(client, "bob")
    paid_advance(client, alice, "500.00", "CASH-F")
    c = claim(client, alice, "1500.00")
    approve_all(client, c["id"])
    r = client.get(f"/api/v1/claims/{c['id']}/form.pdf", headers=alice)
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert len(r.content) < 300_000  # the CJK font is embedded as a subset, not whole
    pdf = pymupdf.open(stream=r.content, filetype="pdf")
    assert pdf.page_count == 2  # the form and the paste sheet
    text = pdf[0].get_text().replace("\xa0", " ")
    number = c["number"]
    expected = [number, "费用报销单", "张小花", "华东销售组", "拜访客户", "差旅交通", "出差补助", "1500.00",
                "借款冲销", "500.00", "应付", "1000.00", "赵财务", "王总经理", "同意", "报销人",
                "部门负责人", "出纳", "领款人"]  # fmt: skip
    assert [e for e in expected if e not in text] == []
    fonts = {f[3] for f in pdf[0].get_fonts()}
    assert any("Droid" in f or "CJK" in f or "Hei" in f or "Ming" in f for f in fonts), fonts
    # the QR code on each page decodes to the claim number
    assert qr_codes(pdf, 0) == [number] and qr_codes(pdf, 1) == [number]
    assert "票据粘贴单" in pdf[1].get_text()
    # only whoever sees the claim gets its form
    assert client.get(f"/api/v1/claims/{c['id']}/form.pdf", headers=bob).status_code == 404
    assert client.get("/api/v1/claims/0/form.pdf", headers=alice).status_code == 422


def test_a_long_claim_runs_over_pages(api: Any) -> None:
    client, _ = api
    alice = login(client, "alice")
    items = [{"category": "transport", "expense_date": DAY, "allowance": "mileage",
              "distance_km": str(10 + i), "description": f"第{i + 1}段自驾"} for i in range(45)]  # fmt: skip
    r = client.post("/api/v1/claims", headers=alice, json={"purpose": "多段自驾", "items": items})
    assert r.status_code == 201, r.text
    pdf = pymupdf.open(stream=client.get(f"/api/v1/claims/{r.json()['id']}/form.pdf", headers=alice).content)
    assert pdf.page_count >= 3
    text = "".join(p.get_text() for p in pdf).replace("\xa0", " ")
    assert "第1段自驾" in text and "第45段自驾" in text and r.json()["total"] in text
