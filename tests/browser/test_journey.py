"""The whole journey in a real browser at a phone viewport.

The salesperson signs in, photographs a (synthetic) invoice through the file input, sees the
fields beside the stored image, corrects one, runs the check and submits. Her department head
returns it; she resubmits (the correction survives). Each approver in the route approves from
the inbox; finance sees the claim in payouts; payroll (a machine client with an API key) marks
it paid; the salesperson sees it paid, in Chinese and in English.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.helpers import AUDIT, claim, phone
from tests.claims.test_claims_api import invoice_png

pytestmark = pytest.mark.browser


def active_approver(base: str, claim_id: str, users: dict[str, int]) -> str | None:
    """The username holding the claim's active node (read from the API, acted on in the UI)."""
    by_id = {str(v): k for k, v in users.items()}
    route = claim(base, claim_id)["route"]
    for node in route["nodes"] if route else []:
        if node["status"] == "active":
            return by_id[node["assignees"][0]]
    return None


def test_photograph_return_resubmit_approve_pay(server: dict[str, Any], browser: Any, tmp_path: Path) -> None:
    base, users = server["base"], server["demo"]["users"]
    page = phone(browser, base, "alice")
    page.goto(f"{base}/#/capture")
    photo = tmp_path / "fapiao.png"  # a synthetic invoice to the demo company, dated this week
    photo.write_bytes(
        invoice_png("55001234", amount="1200.00", total="1272.00", capitals="壹仟贰佰柒拾贰圆整")
    )
    page.set_input_files("#files", str(photo))
    number = page.locator("input[name=invoice_number]").first
    number.wait_for(timeout=90_000)
    expect(number).to_have_value("55001234")
    # upload progress events arrived, on the file's own row
    expect(page.locator("#batch li[data-file='fapiao.png']")).to_have_attribute("data-uploaded", "100")
    expect(page.locator("input[name=total]").first).to_have_value("1272.00")
    expect(page.locator("#amt-1-0, input[name=amount]").first).to_have_value("1272.00")
    page.locator(".preview img").wait_for()  # the stored image beside the fields
    seller = page.locator("input[name=seller_name]").first
    read = seller.input_value()
    seller.fill("明月示例文具用品有限公司")  # a correction
    expect(seller.locator("xpath=..")).to_have_class(re.compile(r"\bcorrected\b"))
    page.select_option("select[name=category]", "office")
    page.fill("input[name=description]", "打印纸和墨盒")
    page.fill("#purpose", "办公用品采购")
    page.click("#check")
    page.wait_for_selector("#findings h2")
    assert page.evaluate(AUDIT) == []  # labels and contrast with a document, a correction and findings
    page.click("#submit-claim")
    page.wait_for_url("**/#/claims/*")
    claim_id = page.url.rsplit("/", 1)[-1]
    page.wait_for_selector(".status.submitted")
    page.wait_for_selector(".corrections")  # the correction is shown as such on the claim
    saved = claim(base, claim_id)
    assert saved["status"] == "submitted"
    # an OCR-read value: the correction is applied and kept beside the value read (issue 13)
    assert saved["items"][0]["corrections"] == [
        {
            "field": "seller_name",
            "old": read,
            "new": "明月示例文具用品有限公司",
            "source": "ocr",
            "applied": True,
        }
    ]
    assert saved["items"][0]["description"] == "打印纸和墨盒"

    # above 1,000 the first step is finance pre-review (issue 13): finance returns it with a comment
    lead = phone(browser, base, "finrev")
    lead.goto(f"{base}/#/inbox")
    lead.click(f"li[data-claim='{claim_id}'] a")
    lead.wait_for_selector("#return")
    lead.locator(".item .preview img").wait_for()  # the invoice image on the review screen
    lead.fill("#comment", "请写明采购用途")
    lead.click("#return")
    lead.click("#confirm-yes")  # the comment is the reason the submitter reads
    lead.wait_for_url("**/#/inbox")
    assert claim(base, claim_id)["status"] == "returned"

    # she sees why, edits the purpose and resubmits
    page.goto(f"{base}/#/claims")
    page.click(f"li[data-claim='{claim_id}'] a")
    page.wait_for_selector("#resubmit")
    expect(page.locator(".timeline q", has_text="请写明采购用途")).to_have_count(1)
    page.fill("#purpose", "办公用品采购（销售部打印耗材）")
    page.click("#resubmit")
    page.wait_for_selector(".status.submitted")
    again = claim(base, claim_id)
    assert again["purpose"] == "办公用品采购（销售部打印耗材）"
    assert again["items"][0]["corrections"] == saved["items"][0]["corrections"]  # not lost on edit

    # every approver in the route approves in the UI
    acted = []
    for _ in range(6):
        who = active_approver(base, claim_id, users)
        if who is None:
            break
        approver = phone(browser, base, who)
        approver.goto(f"{base}/#/inbox")
        approver.click(f"li[data-claim='{claim_id}'] a")
        approver.wait_for_selector("#approve")
        approver.fill("#comment", "同意")
        approver.click("#approve")
        approver.wait_for_url("**/#/inbox")
        approver.context.close()
        acted.append(who)
    assert claim(base, claim_id)["status"] == "approved", acted
    assert acted[:1] == ["finrev"] and "gm" in acted and "teamlead" not in acted  # > 1000: finance, the GM

    finance = phone(browser, base, "finrev")
    finance.goto(f"{base}/#/finance")
    finance.wait_for_selector(f"#payouts li[data-claim='{claim_id}']")
    with finance.expect_download() as csv:
        finance.click("#export")
    assert "BX" in Path(csv.value.path()).read_text(encoding="utf-8-sig")

    payroll = {
        "Authorization": f"Bearer {server['demo']['payroll_api_key']}",
        "Idempotency-Key": f"pay-{claim_id}",
    }
    paid = httpx.post(
        f"{base}/api/v1/payouts/{claim_id}/paid", headers=payroll, json={"reference": "SAL-2026-11"}
    )
    assert paid.status_code == 200 and paid.json()["status"] == "paid"
    page.goto(f"{base}/#/claims/{claim_id}")
    page.reload()  # the same address: load it afresh
    page.wait_for_selector(".status.paid")
    expect(page.locator("text=SAL-2026-11")).to_have_count(1)
    page.locator("#lang").click()  # English works too
    page.wait_for_selector(".status.paid:text('Paid')")
    expect(page.locator("h2", has_text="Timeline")).to_have_count(1)
