"""Issue 15, items 4 to 7 on a phone (390x844), in Chinese and in English: a blocked claim cannot
be submitted (the button is off, the reasons and what to do are shown, nothing is rejected); the
inputs the rules read (people, nights, city tier) are asked only for the categories that need
them; a returned claim's items, amounts and invoices are edited in the app; drafts and uploads
survive a reload, and a draft can be deleted."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ROOT
from tests.browser.helpers import AUDIT, api_token, claim, english, phone
from tests.claims.controls_helpers import DAY, einvoice, xml_file

pytestmark = pytest.mark.browser
SHOTS = ROOT / "var" / "screenshots"
SAME = ["100_digital_general_pdf.pdf", "101_digital_general_ofd.ofd"]  # one invoice, two files
_serials = itertools.count(800)  # invoice numbers no other test uses (the server is new per run)


def _shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _english(page: Any) -> None:
    english(page)


def _invoice_file(tmp_path: Path, total: str, amount: str, tax: str) -> Path:
    """A fresh e-invoice (XML) issued to the demo company on the last workday."""
    serial = next(_serials)
    path = tmp_path / f"inv{serial}.xml"
    path.write_bytes(xml_file(einvoice(serial, total, amount, tax)))
    return path


def _upload_in_page(page: Any, path: Path) -> int:
    """Upload on the capture page and wait until the invoice is shown; its document id."""
    page.goto(f"{page.url.split('#')[0]}#/capture")
    page.set_input_files("#files", str(path))
    card = page.locator(".doc:has(input[name=invoice_number])").last
    expect(card).to_be_visible()
    return int(card.get_attribute("data-document") or 0)


def _drafts(base: str, who: dict[str, str]) -> list[int]:
    r = httpx.get(f"{base}/api/v1/claims?mine=true&status=draft&limit=200", headers=who)
    return [c["id"] for c in r.json()["items"]]


# --- item 4 ------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_blocked_claim_cannot_be_submitted_and_says_why(
    server: dict[str, Any], browser: Any, lang: str
) -> None:
    base = server["base"]
    page = phone(browser, base, "bob", start="#/capture")
    if lang == "en":
        _english(page)
    page.set_input_files("#files", [str(ROOT / "samples" / f) for f in SAME])
    expect(page.locator("input[name=invoice_number]")).to_have_count(2)
    page.fill("#purpose", "同一张发票两次" if lang == "zh" else "the same invoice twice")
    # submit straight away: refused with the reasons, the claim stays a draft, nothing rejected
    page.click("#submit-claim")
    blocked = page.locator("#blocked")
    expect(blocked).to_be_visible()
    expect(blocked.locator("h2")).to_have_text(
        "不能提交：请先解决以下问题" if lang == "zh" else "Cannot submit: resolve these first"
    )
    reason = blocked.locator("li[data-code=duplicate_invoice]")
    expect(reason).to_contain_text("重复报销的发票" if lang == "zh" else "Invoice claimed before")
    expect(reason.locator(".todo")).to_contain_text("移除这条明细" if lang == "zh" else "remove the item")
    expect(page.locator("#submit-claim")).to_be_disabled()
    assert "#/capture" in page.url or page.url.endswith("/")  # still here, not on a rejected claim
    bob = api_token(base, "bob")
    (draft_id,) = [
        d for d in _drafts(base, bob) if claim(base, d, "bob")["purpose"] == page.input_value("#purpose")
    ]
    saved = claim(base, draft_id, "bob")
    assert saved["status"] == "draft" and [e["action"] for e in saved["timeline"]] == []
    assert page.evaluate(AUDIT) == []
    _shot(page, f"blocked-submit-{lang}")

    # a change may clear it: the button comes back; asked again, the check says the same
    page.locator(".doc").nth(1).locator(".remove-item").click()
    expect(page.locator("#submit-claim")).to_be_enabled()
    page.locator(".doc").nth(0).locator("input[name=description]").fill("x")
    # the claim page of the draft asks beforehand: the button is off there too, with the reasons
    page.goto(f"{base}/#/claims/{draft_id}")
    expect(page.locator("#blocked-box li[data-code=duplicate_invoice]")).to_be_visible()
    expect(page.locator("#resubmit")).to_be_disabled()
    expect(page.locator("#edit-items")).to_be_visible()
    # nothing left behind: the draft is deleted from its page
    page.click("#delete-draft")
    page.click("#confirm-yes")
    expect(page).to_have_url(f"{base}/#/claims")
    assert draft_id not in _drafts(base, bob)
    assert httpx.get(f"{base}/api/v1/claims/{draft_id}", headers=bob).status_code == 404
    page.context.close()


# --- item 5 ------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_people_nights_and_city_tier_are_asked_only_where_the_rules_read_them(
    server: dict[str, Any], browser: Any, lang: str, tmp_path: Path
) -> None:
    base = server["base"]
    page = phone(browser, base, "alice", start="#/capture")
    if lang == "en":
        _english(page)
    page.set_input_files("#files", str(_invoice_file(tmp_path, "848.00", "800.00", "48.00")))
    card = page.locator(".doc").first
    expect(card.locator("input[name=invoice_number]")).to_be_visible()
    people, nights, tier = (card.locator(f"[name={n}]") for n in ("attendees", "nights", "city_tier"))
    category = card.locator("select[name=category]")
    category.select_option("office")
    for field in (people, nights, tier):
        expect(field).to_be_hidden()
    category.select_option("client_entertainment")
    expect(people).to_be_visible()
    expect(nights).to_be_hidden()
    assert people.evaluate("e => e.required")
    expect(
        card.get_by_label("人数（含客人）" if lang == "zh" else "People (guests included)")
    ).to_be_visible()
    category.select_option("meals")
    expect(people).to_be_visible()
    assert not people.evaluate("e => e.required")  # a meal alone is one person
    category.select_option("lodging")
    expect(people).to_be_hidden()
    expect(nights).to_be_visible()
    expect(tier).to_be_visible()
    page.fill("#purpose", "上海住宿" if lang == "zh" else "hotel in Shanghai")
    page.click("#check")  # nights and tier are required for lodging: nothing is sent without them
    expect(nights).to_be_focused()
    assert page.locator("#findings h2").count() == 0
    nights.fill("2")
    tier.select_option("1")
    page.click("#check")
    expect(page.locator("#findings h2")).to_be_visible()
    expect(page.locator("#findings li[data-code=lodging_details_missing]")).to_have_count(0)
    assert page.evaluate(AUDIT) == []
    _shot(page, f"capture-fields-{lang}")
    alice = api_token(base, "alice")
    drafts = [claim(base, d) for d in _drafts(base, alice)]
    (saved,) = [c for c in drafts if c["purpose"] == page.input_value("#purpose")]
    item = saved["items"][0]
    assert (item["category"], item["nights"], item["city_tier"], item["attendees"]) == ("lodging", 2, 1, None)
    # without an invoice, a stay is a per-diem: its city tier and days, no nights and no amount asked
    page.click("#add-allowance")
    extra = page.locator(".allowance").last
    expect(extra.locator("select[name=city_tier]")).to_be_visible()
    expect(extra.locator("[name=days]")).to_be_visible()
    expect(extra.locator("[name=nights]")).to_have_count(0)
    expect(extra.locator("input[name=amount]")).to_have_count(0)
    httpx.delete(f"{base}/api/v1/claims/{saved['id']}", headers=alice).raise_for_status()
    page.context.close()


# --- item 6 ------------------------------------------------------------------------------------


def _returned_claim(page: Any, base: str, tmp_path: Path) -> tuple[str, int]:
    alice = api_token(base, "alice")
    doc = _upload_in_page(page, _invoice_file(tmp_path, "318.00", "300.00", "18.00"))
    item = {"category": "meals", "amount": "318.00", "expense_date": DAY, "document_id": doc, "attendees": 2}
    made = httpx.post(f"{base}/api/v1/claims", headers=alice, json={"purpose": "客户午餐", "items": [item]})
    made.raise_for_status()
    claim_id = str(made.json()["id"])
    assert httpx.post(f"{base}/api/v1/claims/{claim_id}/submit", headers=alice).status_code == 200
    lead = api_token(base, "teamlead")
    back = httpx.post(
        f"{base}/api/v1/claims/{claim_id}/actions",
        headers=lead,
        json={"action": "return", "comment": "请补充同行人数和打车票"},
    )
    assert back.status_code == 200 and back.json()["status"] == "returned", back.text
    return claim_id, doc


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_returned_claim_is_edited_item_by_item_and_routed_again(
    server: dict[str, Any], browser: Any, lang: str, tmp_path: Path
) -> None:
    base = server["base"]
    page = phone(browser, base, "alice", start="#/capture")
    if lang == "en":
        _english(page)
    claim_id, old_doc = _returned_claim(page, base, tmp_path)
    before = claim(base, claim_id)
    page.goto(f"{base}/#/claims/{claim_id}")
    page.click("#edit-items")
    expect(page).to_have_url(f"{base}/#/claims/{claim_id}/edit")
    expect(page.locator("#decision")).to_contain_text("请补充同行人数和打车票")  # why, on top
    card = page.locator(".doc").first
    amount = card.locator("input[name=amount]")
    expect(amount).to_have_value("318.00")
    expect(card.locator("[name=attendees]")).to_have_value("2")
    expect(page.locator("#purpose")).to_have_value("客户午餐")
    expect(page.locator("#submit-claim")).to_have_text("重新提交" if lang == "zh" else "Resubmit")
    # the photo: replaced by another invoice, which takes the item's place and what was said of it
    page.locator(".replace-file").first.set_input_files(
        str(_invoice_file(tmp_path, "212.00", "200.00", "12.00"))
    )
    card = page.locator(".doc").first
    expect(card.locator("input[name=total]")).to_have_value("212.00")
    expect(card.locator("input[name=amount]")).to_have_value("212.00")
    expect(card.locator("[name=attendees]")).to_have_value("2")
    card.locator("[name=attendees]").fill("3")
    card.locator("input[name=amount]").fill("200.00")
    # an item more: a taxi without invoice is not allowed, a mileage allowance is (30 km: 36.00)
    page.click("#add-allowance")
    extra = page.locator(".allowance").last
    extra.locator("select[name=allowance]").select_option("mileage")
    extra.locator("input[name=distance_km]").fill("30")
    extra.locator("input[name=description]").fill("自驾去客户处" if lang == "zh" else "drove to the client")
    assert page.evaluate(AUDIT) == []
    _shot(page, f"edit-returned-{lang}")
    page.click("#submit-claim")
    expect(page).to_have_url(f"{base}/#/claims/{claim_id}")
    expect(page.locator(".status.submitted").first).to_be_visible()
    after = claim(base, claim_id)
    assert after["status"] == "submitted" and after["total"] == "236.00"
    assert [i["amount"] for i in after["items"]] == ["200.00", "36.00"]
    assert after["items"][0]["document_id"] != old_doc and after["items"][0]["attendees"] == 3
    assert after["items"][0]["invoice_key"] != before["items"][0]["invoice_key"]
    actions = [e["action"] for e in after["timeline"]]
    assert actions[-3:] == ["edit", "replan", "submit"], actions
    edit = after["timeline"][-3]["comment"]
    assert "total: 318.00 -> 236.00" in edit and "item 1 document" in edit
    page.context.close()


# --- item 7 ------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_uploads_and_drafts_survive_a_reload_and_a_draft_is_deleted(
    server: dict[str, Any], browser: Any, lang: str, tmp_path: Path
) -> None:
    base = server["base"]
    page = phone(browser, base, "alice", start="#/capture")
    if lang == "en":
        _english(page)
    invoice = _invoice_file(tmp_path, "106.00", "100.00", "6.00")
    page.set_input_files("#files", str(invoice))
    expect(page.locator("input[name=invoice_number]")).to_have_count(1)
    number = page.locator("input[name=invoice_number]").input_value()
    doc = int(page.locator(".doc").first.get_attribute("data-document") or 0)
    page.reload()
    # the upload is offered again after the reload
    uploads = page.locator("#uploads")
    expect(uploads.locator("li", has_text=invoice.name)).to_be_visible()
    expect(uploads.locator("h2")).to_have_text(
        "还没有放进报销单的发票" if lang == "zh" else "Invoices not in a claim yet"
    )
    uploads.locator("li", has_text=invoice.name).locator(".resume-doc").click()
    expect(page.locator("input[name=invoice_number]")).to_have_value(number)
    page.locator(".doc select[name=category]").select_option("office")
    purpose = f"草稿 {invoice.stem}" if lang == "zh" else f"draft {invoice.stem}"
    page.fill("#purpose", purpose)
    page.click("#check")  # saves the draft
    expect(page.locator("#findings h2")).to_be_visible()
    page.reload()
    row = page.locator("#drafts li", has_text=purpose)
    expect(row).to_be_visible()
    expect(page.locator("#uploads li", has_text=invoice.name)).to_have_count(0)  # in the draft now
    row.locator("a").click()
    expect(page.locator("input[name=invoice_number]")).to_have_value(number)
    expect(page.locator("#purpose")).to_have_value(purpose)
    page.goto(f"{base}/#/capture")
    row = page.locator("#drafts li", has_text=purpose)
    row.locator(".delete-draft").click()
    page.click("#confirm-yes")
    expect(page.locator("#toast")).to_contain_text("草稿已删除" if lang == "zh" else "Draft deleted")
    expect(page.locator("#drafts li", has_text=purpose)).to_have_count(0)
    alice = api_token(base, "alice")
    assert purpose not in [claim(base, d)["purpose"] for d in _drafts(base, alice)]

    # an invoice another claim holds: refused before any draft is made, and said so
    held = httpx.post(f"{base}/api/v1/claims", headers=alice, json={"purpose": "先报了", "items": [
        {"category": "office", "amount": "106.00", "expense_date": DAY, "document_id": doc}]})  # fmt: skip
    held.raise_for_status()
    assert httpx.post(f"{base}/api/v1/claims/{held.json()['id']}/submit", headers=alice).status_code == 200
    drafts = _drafts(base, alice)
    page.reload()
    page.set_input_files("#files", str(invoice))
    expect(page.locator(".doc input[name=invoice_number]")).to_have_count(1)
    page.locator(".doc select[name=category]").select_option("office")
    page.fill("#purpose", "再报一次" if lang == "zh" else "once more")
    page.click("#submit-claim")
    refusal = page.locator("#findings .notice.error")
    expect(refusal).to_contain_text("重复报销的发票" if lang == "zh" else "Invoice claimed before")
    assert _drafts(base, alice) == drafts  # no orphan draft
    page.context.close()
