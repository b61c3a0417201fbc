"""A salesperson picks three invoices at once (390x844, zh-CN and en): each file goes up on its
own with its own progress row, is read, and becomes its own item in the order picked; a file
the server refuses says so on its row while the others go on."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ROOT
from tests.browser.helpers import english, phone

pytestmark = pytest.mark.browser
FILES = ["100_digital_general_pdf.pdf", "101_digital_general_ofd.ofd", "102_digital_general_xml.xml"]
READ = {"zh": "已识别", "en": "Read"}
UPLOADING = {"zh": "上传中", "en": "Uploading"}
REFUSED = {"zh": "无法识别", "en": "Could not read"}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_three_files_at_once_become_three_items_with_progress_each(
    server: dict[str, Any], browser: Any, lang: str, tmp_path: Path
) -> None:
    base = server["base"]
    shots = Path(os.environ.get("SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    page = phone(browser, base, "alice", start="#/capture")
    if lang == "en":
        page.locator("#lang").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page.locator("#pick-files")).to_contain_text("Choose file")
    uploads: list[Any] = []
    page.on("requestfinished", lambda r: uploads.append(r) if r.method == "POST"
            and r.url.endswith("/api/v1/documents") else None)  # fmt: skip
    page.set_input_files("#files", [str(ROOT / "samples" / f) for f in FILES])
    rows = page.locator("#batch li")
    expect(rows).to_have_count(3)
    for name in FILES:
        row = page.locator(f"#batch li[data-file='{name}']")
        label = f"{UPLOADING[lang]}: {name}"
        expect(row.locator("progress")).to_have_attribute("aria-label", label)
        expect(row).to_have_attribute("data-uploaded", "100")  # its own progress events
        expect(row).to_have_attribute("data-state", "read")
        expect(row.locator(".state")).to_have_text(READ[lang])
    # one request per file (so one progress per file), each carrying that file alone
    assert len(uploads) == 3
    sent = [[d["filename"] for d in r.response().json()["documents"]] for r in uploads]
    assert sorted(sent) == [[name] for name in FILES]
    # three items, in the order picked, each its own card with its fields and amount
    cards = page.locator(".doc")
    expect(cards).to_have_count(3)
    expect(page.locator(".doc .preview")).to_have_text(FILES)
    expect(page.locator(".doc input[name=amount]")).to_have_count(3)
    expect(page.locator("#claim-form")).to_be_visible()
    page.screenshot(path=str(shots / f"{lang}-capture-batch.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # a refused file (too big for the server, say) stays on its row with why; the others go on
    def refuse_the_xml(route: Any) -> None:
        body = route.request.post_data_buffer or b""
        if b"102_digital_general_xml.xml" in body:
            route.fulfill(status=413, json={"error": {"code": "file_too_large", "message": "too large"}})
        else:
            route.continue_()

    page.route("**/api/v1/documents", refuse_the_xml)
    page.set_input_files("#files", [str(ROOT / "samples" / f) for f in FILES[1:]])
    refused = page.locator("#batch li[data-file='102_digital_general_xml.xml'][data-state=failed]")
    expect(refused.locator(".state")).to_contain_text(REFUSED[lang])
    expect(rows).to_have_count(5)
    expect(page.locator("#batch li[data-state=read]")).to_have_count(4)
    expect(cards).to_have_count(4)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_uncertain_characters_are_marked_in_place(
    server: dict[str, Any], browser: Any, lang: str, tmp_path: Path
) -> None:
    base = server["base"]
    shots = Path(os.environ.get("SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    page = phone(browser, base, "alice", start="#/capture")
    if lang == "en":
        english(page)

    def unsure_of_one_character(route: Any) -> None:
        # the reader's answer as served, with the seller name's 4th character read poorly (what
        # the reader says of a photo whose recogniser gave that character a low score)
        doc = route.fetch().json()
        for res in doc.get("results", []):
            if res.get("is_invoice"):
                reason = {"code": "name_uncertain", "message": "a character of the seller name",
                          "fields": ["seller_name"], "params": {"chars": "3"}}  # fmt: skip
                res["review_reasons"] = [reason]
        route.fulfill(json=doc)

    page.route("**/api/v1/documents/*", unsure_of_one_character)
    page.set_input_files("#files", str(ROOT / "samples" / "100_digital_general_pdf.pdf"))
    seller = page.locator("input[name=seller_name]")
    expect(seller).to_have_count(1)
    name = seller.input_value()
    box = seller.locator("xpath=..")
    marks = box.locator(".chars mark")
    expect(marks).to_have_count(1)
    expect(marks).to_have_text(name[3])
    expect(marks).to_have_attribute("data-at", "3")
    expect(box.locator(".chars")).to_be_visible()
    # the whole value is shown around it, in its place, and named for screen readers
    expect(box.locator(".chars")).to_contain_text(name[:3])
    described = seller.get_attribute("aria-describedby") or ""
    assert box.locator(".chars").get_attribute("id") in described.split()
    page.screenshot(path=str(shots / f"{lang}-capture-uncertain.png"), full_page=True)
    # corrected: the marks go with the warning
    seller.fill(name.replace(name[3], "X", 1))
    expect(box.locator(".chars")).to_be_hidden()
