"""Every screen at 390x844, in Chinese and in English: nothing visible reads ``null``,
``undefined`` or ``NaN``, and nothing scrolls sideways. Screenshots go to ``$SCREENSHOTS``
(for a visual review) or the test's temporary directory."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ROOT
from tests.browser.helpers import PHONE, per_diem_claim, phone

pytestmark = pytest.mark.browser

BAD = re.compile(r"\b(null|undefined|NaN)\b")


def screens(claim_id: str) -> list[tuple[str, str, str]]:
    """(name, route, a selector that is there once the screen has loaded)"""
    return [
        ("capture", "#/capture", "#pick-files"),
        ("claims", "#/claims", "#claims, #main p"),
        ("claim", f"#/claims/{claim_id}", ".timeline"),
        ("inbox", "#/inbox", "ul.inbox, #main p"),
        ("review", f"#/inbox/{claim_id}", "#approve"),
        ("finance", "#/finance", "#exception-list"),
        ("dashboard", "#/dashboard", "#dash-month"),
        ("admin", "#/admin", "#flow-text"),
    ]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_screen_reads_clean(server: dict[str, Any], browser: Any, lang: str, tmp_path: Path) -> None:
    base = server["base"]
    shots = Path(os.environ.get("SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    claim_id = per_diem_claim(base, "全屏检查")  # a finding, so finance lists it; waiting for teamlead
    pages = {"teamlead": phone(browser, base, "teamlead"), "admin": phone(browser, base, "admin")}
    for page in pages.values():
        if lang == "en":
            page.locator("#lang").click()
            expect(page.locator("html")).to_have_attribute("lang", "en")
            expect(page.locator("#main h1")).to_have_count(1)  # re-rendered in English before moving on
    problems = []
    for name, route, ready in screens(claim_id):
        # the approver sees his inbox and review; the admin (finance, dashboard, admin) the rest
        page = pages["teamlead" if name in ("inbox", "review", "claim") else "admin"]
        page.goto(f"{base}/{route}")
        page.locator(ready).first.wait_for()
        expect(page.locator("#main [role=status].muted")).to_have_count(0)  # "loading" is gone
        text = page.locator("body").inner_text()
        problems += [f"{lang} {name}: {m.group(0)}" for m in BAD.finditer(text)]
        wide = page.evaluate("document.documentElement.scrollWidth")
        if wide > PHONE["width"]:
            problems.append(f"{lang} {name}: {wide} px wide")
        page.screenshot(path=str(shots / f"{lang}-{name}.png"), full_page=True)
    # the capture review: an e-invoice read, its fields ready to check
    page = pages["admin"]
    page.goto(f"{base}/#/capture")
    page.set_input_files("#files", str(ROOT / "samples" / "100_digital_general_pdf.pdf"))
    page.locator("input[name=invoice_number]").wait_for()
    text = page.locator("body").inner_text()
    problems += [f"{lang} capture-review: {m.group(0)}" for m in BAD.finditer(text)]
    if page.evaluate("document.documentElement.scrollWidth") > PHONE["width"]:
        problems.append(f"{lang} capture-review: too wide")
    page.screenshot(path=str(shots / f"{lang}-capture-review.png"), full_page=True)
    assert problems == []
