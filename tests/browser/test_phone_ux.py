"""Issue 15 on a phone (390x844, zh-CN): no stray ``null``, sign-in errors, decisions with a
reason and a confirmation, approvers landing on their work, separate camera and file pickers,
a category guessed from the invoice, and the smaller rough edges."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ROOT
from tests.browser.helpers import PHONE, api_token, claim, per_diem_claim, phone

pytestmark = pytest.mark.browser


def _main_text(page: Any) -> str:
    return str(page.locator("#main").inner_text())


def test_no_literal_null_around_lists_and_claims(server: dict[str, Any], browser: Any) -> None:
    base = server["base"]
    alice = phone(browser, base, "alice")  # an employee: her inbox is empty
    alice.goto(f"{base}/#/inbox")
    expect(alice.locator("#main h1")).to_have_text("待我审批")
    expect(alice.locator("#main")).to_contain_text("没有待办")
    assert "null" not in _main_text(alice)
    # a claim without buttons (withdrawn: nothing left to do) used to show "null" under the title
    gone = per_diem_claim(base, "撤回后无按钮")
    httpx.post(f"{base}/api/v1/claims/{gone}/withdraw", headers=api_token(base, "alice"), json={})
    alice.goto(f"{base}/#/claims/{gone}")
    expect(alice.locator(".status.withdrawn").first).to_be_visible()
    assert "null" not in _main_text(alice)
    # the helper itself: null, undefined and false children are skipped, 0 and "" are kept
    text = alice.evaluate(
        """async () => {
        const { h } = await import('/app/dom.js');
        return h('p', {}, null, 'a', undefined, false, [null, 'b'], 0).textContent;
    }"""
    )
    assert text == "ab0"


def test_wrong_password_and_too_many_attempts(server: dict[str, Any], browser: Any) -> None:
    base = server["base"]
    ctx = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = ctx.new_page()
    page.goto(f"{base}/#/login")
    page.fill("#username", "alice")
    page.fill("#password", "not-her-password")
    page.click("button[type=submit]")
    expect(page.get_by_role("alert")).to_have_text("用户名或密码不正确")
    expect(page.locator("#nav")).to_be_hidden()

    def throttled(route: Any) -> None:
        route.fulfill(
            status=429,
            headers={"Retry-After": "42", "Content-Type": "application/json"},
            body=json.dumps({"error": {"code": "too_many_requests", "message": "slow down"}}),
        )

    page.route("**/api/v1/auth/session", throttled)
    page.click("button[type=submit]")
    expect(page.get_by_role("alert")).to_have_text("尝试次数过多，请在 42 秒后重试")
    ctx.close()


def test_reject_asks_a_reason_and_the_submitter_sees_it_on_top(server: dict[str, Any], browser: Any) -> None:
    base = server["base"]
    rejected = per_diem_claim(base, "需要理由的驳回")
    lead = phone(browser, base, "teamlead")
    lead.goto(f"{base}/#/inbox/{rejected}")
    lead.click("#reject")
    expect(lead.locator("#reason")).to_be_focused()
    lead.click("#confirm-yes")  # no reason: refused, nothing sent
    expect(lead.get_by_role("alert")).to_have_text("请填写原因")
    assert claim(base, rejected)["status"] == "submitted"
    lead.click("#confirm-no")  # cancel: still nothing
    expect(lead.locator("#reason")).to_have_count(0)
    lead.click("#reject")
    lead.fill("#reason", "没有出差审批单")
    lead.click("#confirm-yes")
    expect(lead).to_have_url(f"{base}/#/inbox")
    expect(lead.locator("#toast")).to_contain_text("已驳回")
    assert claim(base, rejected)["status"] == "rejected"

    alice = phone(browser, base, "alice")
    alice.goto(f"{base}/#/claims/{rejected}")
    banner = alice.locator("#decision")
    expect(banner).to_contain_text("已驳回")
    expect(banner).to_contain_text("没有出差审批单")
    # at the top: right under the title, above the items and the timeline
    expect(alice.locator("#main > :nth-child(2)")).to_have_id("decision")

    approved = per_diem_claim(base, "通过后有提示", amount="450.00", days=5)
    lead.goto(f"{base}/#/inbox/{approved}")
    lead.click("#approve")
    expect(lead.locator("#toast")).to_have_text(f"已通过 · {claim(base, approved)['number']}")

    withdrawn = per_diem_claim(base, "撤回前确认")
    alice.goto(f"{base}/#/claims/{withdrawn}")
    alice.click("#withdraw")
    expect(alice.locator("#confirm-yes")).to_be_visible()
    assert claim(base, withdrawn)["status"] == "submitted"  # asked first, not yet done
    alice.fill("#reason", "填错了日期")
    alice.click("#confirm-yes")
    expect(alice.locator("#decision")).to_contain_text("填错了日期")
    assert claim(base, withdrawn)["status"] == "withdrawn"


def test_approver_lands_on_his_work_with_a_count_and_can_act_from_the_claim_page(
    server: dict[str, Any], browser: Any
) -> None:
    base = server["base"]
    waiting = per_diem_claim(base, "待审批的落地页")
    lead = phone(browser, base, "teamlead")
    # claims wait for him: he lands on them (tests/browser/test_landing.py), the link counted
    expect(lead).to_have_url(f"{base}/#/inbox")
    expect(lead.locator(f"ul.inbox li[data-claim='{waiting}']")).to_be_visible()
    total = httpx.get(f"{base}/api/v1/inbox", headers=api_token(base, "teamlead")).json()["total"]
    expect(lead.locator('#nav a[href="#/inbox"] .badge')).to_have_text(str(total))
    alice = phone(browser, base, "alice")  # nothing waits for her: her home has no inbox part
    expect(alice).to_have_url(f"{base}/#/home")
    expect(alice.locator("#home-waiting")).to_have_count(0)
    expect(alice.locator('#nav a[href="#/inbox"] .badge')).to_have_count(0)
    # the claim's own page (a link from a message) shows the approver's buttons to the task holder
    lead.goto(f"{base}/#/claims/{waiting}")
    expect(lead.locator("#approve")).to_be_visible()
    alice.goto(f"{base}/#/claims/{waiting}")
    expect(alice.locator("#withdraw")).to_be_visible()
    expect(alice.locator("#approve")).to_have_count(0)
    httpx.post(f"{base}/api/v1/claims/{waiting}/withdraw", headers=api_token(base, "alice"), json={})


def test_camera_and_file_pickers_are_separate(server: dict[str, Any], browser: Any) -> None:
    page = phone(browser, server["base"], "alice", start="#/capture")
    camera, files = page.locator("#camera"), page.locator("#files")
    expect(camera).to_have_attribute("capture", "environment")
    assert files.get_attribute("capture") is None  # the file picker can reach PDF, OFD and XML
    accept = files.get_attribute("accept") or ""
    assert all(ext in accept for ext in (".pdf", ".ofd", ".xml", "image/"))
    expect(page.locator("label[for=camera]")).to_have_text("拍照")
    expect(page.locator("label[for=files]")).to_contain_text("选择文件")


def test_category_is_guessed_from_the_invoice(server: dict[str, Any], browser: Any) -> None:
    page = phone(browser, server["base"], "alice", start="#/capture")
    cases = page.evaluate(
        """async () => {
        const { guessCategory } = await import('/app/category.js');
        const item = (name, amount = '10') => ({ name, amount });
        return [
          guessCategory({ document_type: 'digital_general', line_items: [item('*餐饮服务*餐费')] }),
          guessCategory({ document_type: 'vat_special', line_items: [item('*住宿服务*住宿费')] }),
          guessCategory({ document_type: 'digital_general', line_items: [item('*运输服务*客运服务费')] }),
          guessCategory({ document_type: 'train_ticket', line_items: [] }),
          guessCategory({ document_type: 'toll_electronic', line_items: [] }),
          guessCategory({ document_type: 'vat_general',
                          line_items: [item('*餐饮服务*矿泉水', '3'), item('*运输服务*出租车', '80')] }),
          guessCategory({ document_type: 'vat_special', line_items: [item('*纸制品*复印纸')] }),
          guessCategory({ document_type: 'digital_general', line_items: [] }),
        ];
    }"""
    )
    assert cases == ["meals", "lodging", *["transport"] * 4, "office", "travel"]
    # through the real upload: a rendered roll invoice for a meal (餐费, from a 餐饮 company)
    page.set_input_files("#files", str(ROOT / "samples" / "007_vat_roll_render.png"))
    category = page.locator("select[name=category]").first
    expect(category).to_have_value("meals", timeout=90_000)
    category.select_option("client_entertainment")  # still the user's choice
    expect(category).to_have_value("client_entertainment")


def test_smaller_rough_edges(server: dict[str, Any], browser: Any, tmp_path: Path) -> None:
    base = server["base"]
    page = phone(browser, base, "alice", start="#/capture")
    page.click("#add-allowance")
    expect(page.locator("select[name=allowance]")).to_be_focused()
    page.locator("select[name=allowance]").select_option("mileage")
    km = page.locator("input[name=distance_km]")
    red = "rgb(163, 0, 0)"
    # nothing typed yet: no red border on the empty required fields
    assert km.evaluate("e => getComputedStyle(e).borderTopColor") != red
    km.fill("abc")
    page.locator(".allowance input[name=description]").focus()
    expect(km).to_have_css("border-top-color", red)  # typed and wrong: now it is red
    # no sideways scroll at 390 px with the trip dates showing
    expect(page.locator("#trip-end")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # the keyboard hints are for keyboards, not phones (even one that reports a fine pointer)
    lead = phone(browser, base, "teamlead", touch=False)
    claim_id = per_diem_claim(base, "手机上没有快捷键提示")
    lead.goto(f"{base}/#/inbox/{claim_id}")
    expect(lead.locator("#approve")).to_be_visible()
    expect(lead.locator(".keys")).to_be_hidden()
    # the finance department filter names departments
    fin = phone(browser, base, "finrev")
    fin.goto(f"{base}/#/finance")
    options = fin.locator("#f-department option")
    expect(options.nth(1)).to_be_attached()
    labels = options.all_inner_texts()[1:]
    assert labels and not any(label.startswith("#") for label in labels), labels
    # the dashboard opens on this month
    fin.goto(f"{base}/#/dashboard")
    expect(fin.locator("#dash-month")).to_have_value(datetime.date.today().strftime("%Y-%m"))
    httpx.post(f"{base}/api/v1/claims/{claim_id}/withdraw", headers=api_token(base, "alice"), json={})


def test_flags_clear_when_corrected_and_a_non_invoice_can_be_removed(
    server: dict[str, Any], browser: Any
) -> None:
    page = phone(browser, server["base"], "alice", start="#/capture")

    def flag_the_total(route: Any) -> None:
        # the reader's answer as served, with one field marked hard to read
        doc = route.fetch().json()
        for res in doc.get("results", []):
            if res.get("is_invoice"):
                reason = {"code": "low_confidence", "message": "字迹不清", "fields": ["total"]}
                res["review_reasons"] = [reason]
        route.fulfill(json=doc)

    page.route("**/api/v1/documents/*", flag_the_total)
    page.set_input_files("#files", str(ROOT / "samples" / "100_digital_general_pdf.pdf"))
    total = page.locator("input[name=total]").first
    box = total.locator("xpath=..")
    expect(box).to_have_class("field flagged", timeout=90_000)  # once the reading is done
    expect(box.locator(".reason")).to_be_visible()
    total.fill("999.00")
    expect(box).to_have_class("field corrected")
    expect(box.locator(".reason")).to_be_hidden()
    expect(total).not_to_have_attribute("aria-invalid", "true")
    page.unroute("**/api/v1/documents/*")
    # a bank slip is not an invoice: it can be removed, and the next steps are offered
    page.set_input_files("#files", str(ROOT / "samples" / "010_bank_slip_render.png"))
    slip = page.locator(".doc", has_text="这不是发票")
    expect(slip).to_be_visible(timeout=90_000)
    expect(slip.locator(".as-allowance")).to_be_visible()
    expect(slip.locator(".pick-again")).to_be_visible()
    slip.locator(".remove-doc").click()
    expect(page.locator(".doc", has_text="这不是发票")).to_have_count(0)
