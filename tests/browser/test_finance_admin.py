"""The finance workbench (exception queue with filters, payouts, mark paid) and the admin's
webhooks page, in the browser."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.helpers import api_token, claim, per_diem_claim, phone

pytestmark = pytest.mark.browser


def test_exception_queue_filters_and_mark_paid(server: dict[str, Any], browser: Any) -> None:
    base = server["base"]
    risky = per_diem_claim(base, "超标准补助待复核")  # more per-diem days than the trip: finance review
    fin = phone(browser, base, "finrev")
    fin.goto(f"{base}/#/finance")
    row = fin.locator(f"#exception-list li[data-claim='{risky}']")
    row.wait_for()
    # the reason is shown, not just the flag: in words, with its figures, the code kept for tools
    reason = row.locator("ul.reasons li[data-code='per_diem_over_trip_cap']")
    expect(reason).to_contain_text("出差补助天数超过出差天数")
    # four days of its own, and whatever per-diem other tests gave alice today: on a one-day trip
    expect(reason).to_contain_text(re.compile(r"补助共 \d+ 天，出差 1 天，多出 \d+ 天"))
    expect(row).not_to_contain_text("per_diem_over_trip_cap")
    fin.select_option("#f-category", "office")  # no office items in that claim: filtered out
    expect(row).to_have_count(0)
    fin.select_option("#f-category", "travel")
    fin.select_option("#f-risk", "finance_review")
    expect(row).to_have_count(1)
    fin.select_option("#f-age", "7")  # submitted today: not waiting a week
    expect(row).to_have_count(0)
    fin.select_option("#f-age", "")
    expect(row).to_have_count(1)

    # approve it through the route by API, then finance marks it paid in the workbench
    for who in ("teamlead", "finrev"):
        current = claim(base, risky)
        if current["status"] != "submitted":
            break
        r = httpx.post(f"{base}/api/v1/claims/{risky}/actions", headers=api_token(base, who),
                       json={"action": "approve", "version": current["version"]})  # fmt: skip
        assert r.status_code == 200, r.text
    assert claim(base, risky)["status"] == "approved"
    fin.reload()
    payout = fin.locator(f"#payouts li[data-claim='{risky}']")
    payout.locator(".mark-paid").click()
    expect(payout.locator(".status.paid")).to_be_visible()
    assert claim(base, risky)["status"] == "paid"


def test_finance_pages_are_not_offered_to_employees(server: dict[str, Any], browser: Any) -> None:
    base = server["base"]
    alice = phone(browser, base, "alice")
    expect(alice.locator("#nav a[href='#/finance']")).to_be_hidden()
    expect(alice.locator("#nav a[href='#/admin']")).to_be_hidden()
    alice.goto(f"{base}/#/finance")  # typed by hand: the API refuses, the page says so
    alice.locator(".notice.error").wait_for()


def test_admin_adds_a_webhook_and_sees_the_secret_once(server: dict[str, Any], browser: Any) -> None:
    base = server["base"]
    admin = phone(browser, base, "admin")
    admin.click("#nav a[href='#/admin']")
    url = "http://127.0.0.1:9/reimburse-hook"  # the discard port: deliveries fail at once, offline
    admin.fill("#wh-url", url)
    admin.click("#webhook-form button[type=submit]")
    admin.locator("#endpoints li", has_text=url).wait_for()
    expect(admin.locator(".notice.info")).to_contain_text(": ")
    secret = admin.locator(".notice.info").inner_text().split(": ", 1)[1]
    assert len(secret) >= 16
    admin.reload()
    admin.locator("#endpoints li", has_text=url).wait_for()
    expect(admin.locator("main")).not_to_contain_text(secret)  # shown once, at creation
    listed = httpx.get(f"{base}/api/v1/admin/webhooks", headers=api_token(base, "admin")).json()["items"]
    assert [w["url"] for w in listed] == [url]
    assert set(listed[0]["events"]) == {"claim.approved", "claim.paid"}
