"""Finance sees the accounting voucher of an approved claim, and a claim item spent in US
dollars shows its conversion into the company currency (rate, its day and source)."""

from __future__ import annotations

import datetime
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.helpers import api_token, claim, phone

pytestmark = pytest.mark.browser


def test_finance_sees_the_voucher_and_the_conversion(server: dict[str, Any], browser: Any) -> None:
    base = server["base"]
    day = datetime.date.today().isoformat()
    rate = {"currency": "USD", "rate_date": day, "rate": "7.1234", "source": "pboc"}
    r = httpx.put(f"{base}/api/v1/admin/fx-rates", headers=api_token(base, "admin"), json={"rates": [rate]})
    assert r.status_code == 200, r.text
    alice = api_token(base, "alice")
    item = {"category": "travel", "amount": "60.00", "currency": "USD", "expense_date": day,
            "no_invoice_kind": "per_diem", "no_invoice_reason": "海外出差补助"}  # fmt: skip
    made = httpx.post(f"{base}/api/v1/claims", headers=alice, json={"purpose": "美国出差", "items": [item]})
    assert made.status_code == 201, made.text
    claim_id = made.json()["id"]
    assert made.json()["total"] == "427.40"  # 60 × 7.1234 = 427.404
    assert httpx.post(f"{base}/api/v1/claims/{claim_id}/submit", headers=alice).status_code == 200
    for who in ("teamlead", "finrev", "gm"):
        current = claim(base, claim_id)
        if current["status"] != "submitted":
            break
        r = httpx.post(f"{base}/api/v1/claims/{claim_id}/actions", headers=api_token(base, who),
                       json={"action": "approve", "version": current["version"]})  # fmt: skip
        assert r.status_code in (200, 404), r.text  # 404: not this person's step
    assert claim(base, claim_id)["status"] == "approved"

    fin = phone(browser, base, "finrev")
    fin.goto(f"{base}/#/finance")
    fin.locator("#make-vouchers").click()
    card = fin.locator(f"#vouchers li[data-claim='{claim_id}']")
    for figure in ("6602.01", "2241.01", "427.40"):
        expect(card).to_contain_text(figure)
    expect(card.locator(".balanced")).to_be_visible()
    expect(card.locator("tr[data-kind='payable']")).to_have_count(1)

    card.locator(f"a[href='#/inbox/{claim_id}']").click()
    conversion = fin.locator(".item[data-item='0'] .conversion")
    for part in ("USD 60.00", "7.1234", "pboc", "427.40"):
        expect(conversion).to_contain_text(part)
