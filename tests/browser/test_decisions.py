"""Approver decisions in the browser: reject, withdraw, transfer with the keyboard shortcut, and
batch approval of low-risk claims."""

from __future__ import annotations

import datetime
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.helpers import AUDIT, api_token, claim, per_diem_claim, phone

pytestmark = pytest.mark.browser


def test_reject_shows_as_final_and_withdraw(server: dict[str, Any], browser: Any) -> None:
    base = server["base"]
    rejected = per_diem_claim(base, "被驳回的出差")
    lead = phone(browser, base, "teamlead")
    lead.goto(f"{base}/#/inbox/{rejected}")
    lead.wait_for_selector("#reject")
    lead.fill("#comment", "无出差审批单")
    lead.keyboard.press("Tab")
    lead.click("#reject")
    expect(lead.locator("#reason")).to_have_value("无出差审批单")  # the comment is the reason
    lead.click("#confirm-yes")
    expect(lead).to_have_url(f"{base}/#/inbox")
    assert claim(base, rejected)["status"] == "rejected"

    withdrawn = per_diem_claim(base, "提交错了")
    alice = phone(browser, base, "alice")
    alice.goto(f"{base}/#/claims/{rejected}")
    alice.wait_for_selector(".status.rejected")
    expect(alice.locator("#resubmit")).to_have_count(0)
    expect(alice.locator("#withdraw")).to_have_count(0)
    expect(alice.locator(".timeline q", has_text="无出差审批单")).to_have_count(1)
    alice.goto(f"{base}/#/claims/{withdrawn}")
    alice.click("#withdraw")
    alice.click("#confirm-yes")
    expect(alice.locator(".status.withdrawn")).to_be_visible()
    assert claim(base, withdrawn)["status"] == "withdrawn"


def test_transfer_to_a_colleague_then_keyboard_approve(server: dict[str, Any], browser: Any) -> None:
    base = server["base"]
    claim_id = per_diem_claim(base, "转交给销售总监", ago=20)  # not on the days of the trips below
    lead = phone(browser, base, "teamlead")
    lead.goto(f"{base}/#/inbox/{claim_id}")
    lead.wait_for_selector("#transfer")
    expect(lead.locator("#who option", has_text="张小花")).to_have_count(0)  # not to the submitter
    lead.select_option("#who", label="周销售总监")
    lead.click("#transfer")
    lead.wait_for_url("**/#/inbox")
    expect(lead.locator("ul.inbox, #main p").first).to_be_visible()  # the inbox has rendered
    expect(lead.locator(f"li[data-claim='{claim_id}']")).to_have_count(0)
    head = phone(browser, base, "saleshead")
    head.goto(f"{base}/#/inbox")
    head.click(f"li[data-claim='{claim_id}'] a")
    head.wait_for_selector("#approve")
    head.keyboard.press("a")  # the desktop shortcut
    head.wait_for_url("**/#/inbox")
    after = claim(base, claim_id)
    assert [e["action"] for e in after["timeline"]][-2:] == ["transfer", "approve"]
    assert after["route"]["nodes"][0]["status"] == "approved"


def per_diem_in_ui(browser: Any, base: str) -> str:
    """Alice claims three days of per-diem on a five-day trip on the capture page: an allowance
    without invoice, computed (tier 1: 450.00)."""
    page = phone(browser, base, "alice", start="#/capture")
    page.click("#add-allowance")
    # focus moves to the new item (expect waits for it; reading activeElement once raced the focus)
    expect(page.locator("select[name=allowance]")).to_be_focused()
    page.select_option("select[name=city_tier]", "1")
    page.fill("input[name=days]", "3")
    page.fill(".allowance input[name=description]", "杭州客户现场支持")
    # a trip of its own: per-diem adds up over a trip across claims (issue 13), and the demo
    # company already has per-diem of alice's two days ago
    end = datetime.date.today() - datetime.timedelta(days=5)
    page.fill("input[name=expense_date]", (end - datetime.timedelta(days=4)).isoformat())
    page.fill("#trip-start", (end - datetime.timedelta(days=4)).isoformat())
    page.fill("#trip-end", end.isoformat())
    page.fill("#purpose", "杭州出差补助")
    page.click("#check")
    page.wait_for_selector("#findings .risk.pass")  # per-diem days within the trip: low risk
    assert page.evaluate(AUDIT) == []
    page.click("#submit-claim")
    page.wait_for_url("**/#/claims/*")
    claim_id = str(page.url.rsplit("/", 1)[-1])
    page.context.close()
    return claim_id


def test_batch_approval_of_low_risk_claims(server: dict[str, Any], browser: Any) -> None:
    base = server["base"]
    # two trips that do not overlap: per-diem adds up over a trip across claims (issue 13)
    low = [
        per_diem_in_ui(browser, base),
        per_diem_claim(base, "五天出差补助", amount="450.00", days=5, ago=10),
    ]
    made = claim(base, low[0])
    assert made["trip_start"] and made["items"][0]["no_invoice_kind"] == "per_diem"
    risky = per_diem_claim(
        base, "超标准补助"
    )  # more per-diem days than the trip: finance review, not batched
    assert [claim(base, c)["risk"]["decision"] for c in (*low, risky)] == ["pass", "pass", "finance_review"]
    lead = phone(browser, base, "teamlead")
    lead.goto(f"{base}/#/inbox")
    lead.wait_for_selector(f"li[data-claim='{risky}']")
    lead.keyboard.press("j")  # the desktop list keys: j moves to the first claim, j again the second
    lead.keyboard.press("j")
    expect(lead.locator("li.current")).to_have_count(1)
    expect(lead.locator("ul.inbox > li").nth(1)).to_have_class("card current")
    batch = lead.locator("#batch")
    # every low-risk claim on the inbox's first page (other tests may have left some there too)
    shown = httpx.get(f"{base}/api/v1/inbox", headers=api_token(base, "teamlead")).json()["items"]
    low_risk = [str(i["claim"]["id"]) for i in shown if i["claim"]["risk"]["decision"] == "pass"]
    assert set(low) <= set(low_risk) and risky not in low_risk
    expect(batch).to_contain_text(f"({len(low_risk)})")
    batch.click()
    expect(lead.locator(".notice.info")).to_be_visible()
    assert [claim(base, c)["status"] for c in low] == ["approved", "approved"]
    assert claim(base, risky)["status"] == "submitted"
    expect(lead.locator(f"li[data-claim='{risky}']")).to_have_count(1)
    expect(lead.locator("#batch")).to_have_count(0)
