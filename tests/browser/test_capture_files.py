"""Several e-invoice files picked at once (PDF, OFD, XML from ``samples/``, all synthetic): each
is read and shown with its fields, and the check before submitting names the duplicates and the
other findings with their reasons."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ROOT
from tests.browser.helpers import phone

pytestmark = pytest.mark.browser
FILES = ["100_digital_general_pdf.pdf", "101_digital_general_ofd.ofd", "102_digital_general_xml.xml"]


def test_three_e_invoice_files_and_the_check(server: dict[str, Any], browser: Any) -> None:
    base = server["base"]
    expected = [
        json.loads((ROOT / "samples" / f"{f.rsplit('.', 1)[0]}.expected.json").read_text()) for f in FILES
    ]
    page = phone(browser, base, "bob", start="#/capture")
    page.set_input_files("#files", [str(ROOT / "samples" / f) for f in FILES])
    expect(page.locator("input[name=invoice_number]")).to_have_count(3)
    numbers = [n.input_value() for n in page.locator("input[name=invoice_number]").all()]
    assert numbers == [e["fields"]["invoice_number"] for e in expected]
    expect(page.locator(".doc .doctype")).to_have_text(["电子发票（普通发票）"] * 3)
    expect(page.locator(".doc .preview")).to_have_text(FILES)  # no image: the file's name
    page.locator(".doc").nth(2).get_by_role("button", name="移除").click()  # one fewer
    expect(page.locator(".doc")).to_have_count(2)
    page.fill("#purpose", "客户招待")
    page.click("#check")
    page.wait_for_selector("#findings h2")
    duplicate = page.locator("#findings li[data-code=duplicate_invoice]")
    expect(duplicate).to_have_count(1)
    expect(duplicate).to_have_text(re.compile(r"^明细 2"))
    expect(page.locator("#findings li[data-code=invoice_too_old]")).to_have_count(2)  # dated 2024
    expect(page.locator("#findings .risk")).to_have_text("阻断")
