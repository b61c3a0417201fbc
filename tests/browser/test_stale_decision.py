"""A decision on a claim that moved on while the approver looked at it (390x844).

The server refuses a decision on an older version (409 ``stale_version``). A claim also moves on
without anything the approver weighs changing: a comment, or a tax-bureau answer that turns "being
checked" into a note. Then the decision goes through on the newer version. When what the
approver weighed did change (here: the submitter withdrew the claim), the decision is refused,
the claim is shown again as it is now, with a notice, and nothing is decided.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.helpers import api_token, claim, per_diem_claim, phone

pytestmark = pytest.mark.browser


def test_a_comment_meanwhile_does_not_refuse_the_decision(server: dict[str, Any], browser: Any) -> None:
    base = server["base"]
    claim_id = per_diem_claim(base, "客户拜访差旅", amount="450.00", days=5)  # low risk: department head
    lead = phone(browser, base, "teamlead")
    lead.goto(f"{base}/#/inbox/{claim_id}")
    expect(lead.locator("#approve")).to_be_visible()
    seen = claim(base, claim_id)["version"]
    # the submitter adds a comment: the claim's version moves, its content and findings do not
    said = httpx.post(f"{base}/api/v1/claims/{claim_id}/actions", headers=api_token(base, "alice"),
                      json={"action": "comment", "comment": "住宿发票稍后补", "version": seen})  # fmt: skip
    assert said.status_code == 200, said.text
    assert claim(base, claim_id)["version"] > seen
    lead.click("#approve")
    expect(lead).to_have_url(f"{base}/#/inbox")
    last = claim(base, claim_id)["timeline"][-1]  # the department head's step is decided
    assert (last["action"], last["state_before"]) == ("approve", "running:dept_head")


def test_a_withdrawal_meanwhile_refuses_the_decision_and_shows_the_claim_again(
    server: dict[str, Any], browser: Any
) -> None:
    base = server["base"]
    claim_id = per_diem_claim(base, "提交后撤回的差旅", amount="450.00", days=5)
    lead = phone(browser, base, "teamlead")
    lead.goto(f"{base}/#/inbox/{claim_id}")
    expect(lead.locator("#approve")).to_be_visible()
    lead.fill("#comment", "同意")
    gone = httpx.post(f"{base}/api/v1/claims/{claim_id}/withdraw", headers=api_token(base, "alice"),
                      json={"comment": "金额填错了"})  # fmt: skip
    assert gone.status_code == 200, gone.text
    lead.click("#approve")
    changed = lead.locator("#main .notice.warn")
    expect(changed).to_have_text("你查看期间这张单据有了变化，请重新核对后再决定")
    expect(changed).to_be_in_viewport()  # the tap was further down the page
    expect(lead.locator("#approve")).to_have_count(0)  # withdrawn: nothing left to decide
    expect(lead.locator(".timeline")).to_be_visible()
    assert lead.url == f"{base}/#/inbox/{claim_id}"
    assert claim(base, claim_id)["status"] == "withdrawn"
