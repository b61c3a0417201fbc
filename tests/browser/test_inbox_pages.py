"""The inbox a page at a time in the browser: "more" appends the next page, and the review
screen finds its task on any page."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.helpers import api_token, claim, per_diem_claim, phone

pytestmark = pytest.mark.browser


def test_more_appends_the_next_page_and_review_finds_a_later_task(
    server: dict[str, Any], browser: Any
) -> None:
    base = server["base"]
    ids = [per_diem_claim(base, f"分页 {n}") for n in range(3)]  # over the cap: not batch-approvable
    lead = phone(browser, base, "teamlead")

    def one_per_page(route: Any) -> None:
        # pages of one, so that a few claims need "more" (the API's own default page is 20)
        parts = urlsplit(route.request.url)
        query = parse_qs(parts.query)
        if "claim_id" not in query:
            query["limit"] = ["1"]
        route.continue_(url=urlunsplit(parts._replace(query=urlencode(query, doseq=True))))

    lead.route("**/api/v1/inbox*", one_per_page)
    try:
        lead.goto(f"{base}/#/inbox")
        lead.reload()  # an approver lands on the inbox at sign-in, before the pages of one were set up
        lead.wait_for_selector("ul.inbox > li")
        expect(lead.locator("ul.inbox > li")).to_have_count(1)
        expect(lead.locator("#more")).to_contain_text("(1/")
        shown = lead.locator("#more").inner_text()
        assert "(1/" in shown
        total = int(shown.split("/")[1].rstrip(")"))
        for n in range(2, total + 1):
            lead.click("#more")
            expect(lead.locator("ul.inbox > li")).to_have_count(n)
        expect(lead.locator("#more")).to_have_count(0)  # the last page has no "more"
        listed = lead.locator("ul.inbox > li").evaluate_all("els => els.map((e) => e.dataset.claim)")
        assert len(set(listed)) == total and set(ids) <= set(listed)
        # the last claim's review screen: its task found with ?claim_id, not on the first page
        lead.goto(f"{base}/#/inbox/{ids[-1]}")
        lead.wait_for_selector("#approve")
        lead.keyboard.press("a")  # the keys are on only when the screen found my task
        lead.wait_for_url("**/#/inbox")
        tasks = [t for node in claim(base, ids[-1])["route"]["nodes"] for t in node["tasks"]]
        assert any(t["status"] == "approved" and t["acted_by"] for t in tasks), tasks
    finally:
        alice = api_token(base, "alice")
        for claim_id in ids:  # leave the shared server's inboxes as they were
            httpx.post(f"{base}/api/v1/claims/{claim_id}/withdraw", headers=alice, json={}).raise_for_status()
