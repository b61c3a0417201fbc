"""Offline and accessibility in the browser.

Offline: a photo taken without signal waits in IndexedDB and goes up by itself when the browser
is online again; the service worker answers the app shell from its cache when the network is
gone. Accessibility: every form control has a label, every button a name, and text on the main
screens has a contrast of at least 4.5:1 against its background.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import AUDIT, english, per_diem_claim, phone
from tests.claims.test_claims_api import invoice_png

pytestmark = pytest.mark.browser


def test_photo_taken_offline_uploads_when_back_online(
    server: dict[str, Any], browser: Any, tmp_path: Path
) -> None:
    base = server["base"]
    page = phone(browser, base, "alice")
    page.goto(f"{base}/#/capture")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    photo = tmp_path / "offline.png"
    # the capitals say 200, the figures 212: the reader flags the total for review
    photo.write_bytes(invoice_png("66001234", amount="200.00", total="212.00", capitals="贰佰圆整"))
    page.context.set_offline(True)
    page.locator("#offline").wait_for()  # the banner says so
    page.set_input_files("#files", str(photo))
    expect(page.locator("#waiting")).to_have_text(re.compile(r"^1 "))
    stored = page.evaluate("""() => new Promise((ok) => { const r = indexedDB.open("reimburse-offline");
      r.onsuccess = () => { const q = r.result.transaction("uploads").objectStore("uploads").getAll();
        q.onsuccess = () => ok(q.result.map((i) => [i.name, i.blob.size])); }; })""")
    assert stored == [["offline.png", photo.stat().st_size]]

    # the app shell still opens from the service worker's cache without network
    reloaded = page.reload()
    assert reloaded is not None and reloaded.from_service_worker
    page.locator("#files").wait_for(state="attached")
    expect(page.locator("#waiting")).to_have_text(re.compile(r"^1 "))

    page.context.set_offline(False)  # back online: the queued photo uploads and is read
    number = page.locator("input[name=invoice_number]").first
    number.wait_for(timeout=90_000)
    expect(number).to_have_value("66001234")
    total = page.locator(".field.flagged input[name=total]")
    expect(total).to_have_attribute("aria-invalid", "true")
    reason = page.locator(f"#{total.get_attribute('aria-describedby')}").inner_text()
    # the total is flagged and says why (the reader may name more than one reason for it)
    assert reason.startswith("请核对")
    # only the money the capitals contradict is in doubt (a tax derived from it is flagged too)
    flagged = page.locator(".field.flagged input").evaluate_all("els => els.map((e) => e.name)")
    assert "total" in flagged and set(flagged) <= {"total", "tax", "amount_excl_tax"}
    expect(page.locator("#waiting")).to_be_hidden()
    left = page.evaluate("""() => new Promise((ok) => { const r = indexedDB.open("reimburse-offline");
      r.onsuccess = () => { const q = r.result.transaction("uploads").objectStore("uploads").count();
        q.onsuccess = () => ok(q.result); }; })""")
    assert left == 0


def test_forms_are_labelled_and_readable(server: dict[str, Any], browser: Any) -> None:
    base = server["base"]
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    login = ctx.new_page()
    login.goto(f"{base}/#/login")
    login.wait_for_selector("#username")
    expect(login.locator("#username")).to_be_focused()
    assert login.evaluate(AUDIT) == []
    # keyboard only: the username field has focus, Tab goes to the password, then the button
    login.keyboard.press("Tab")
    expect(login.locator("#password")).to_be_focused()
    login.keyboard.press("Tab")
    expect(login.locator("button[type=submit]")).to_be_focused()

    claim_id = per_diem_claim(base, "无障碍检查用的出差补助")
    screens = {
        "alice": ["#/home", "#/capture", "#/claims", f"#/claims/{claim_id}"],
        "teamlead": ["#/home", "#/inbox", f"#/inbox/{claim_id}"],
        "finrev": ["#/home", "#/finance"],
        "admin": ["#/admin"],
    }
    for who, hashes in screens.items():
        page = phone(browser, base, who)
        for lang in ("zh", "en"):
            if lang == "en":
                english(page)
            for h in hashes:
                page.goto(f"{base}/{h}")
                page.wait_for_selector("main h1")
                page.wait_for_load_state("networkidle")
                assert page.evaluate(AUDIT) == [], (who, lang, h)
        page.context.close()
