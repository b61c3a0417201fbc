"""Finance sees the accounting voucher of an approved claim, and a claim item spent in US
dollars shows its conversion into the company currency (rate, its day and source)."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.helpers import api_token, claim, phone

FOLIO = Path(__file__).resolve().parents[2] / "samples" / "011_commercial_invoice_render.png"

pytestmark = pytest.mark.browser


def test_finance_sees_the_voucher_and_the_conversion(server: dict[str, Any], browser: Any) -> None:
    base = server["base"]
    day = datetime.date.today().isoformat()
    rate = {"currency": "USD", "rate_date": day, "rate": "7.1234", "source": "pboc"}
    r = httpx.put(f"{base}/api/v1/admin/fx-rates", headers=api_token(base, "admin"), json={"rates": [rate]})
    assert r.status_code == 200, r.text
    alice = api_token(base, "alice")
    # a receipt from abroad, paid in dollars (an allowance is computed in the company currency:
    # a dollar amount rests on its receipt), once the upload is read
    with FOLIO.open("rb") as f:
        up = httpx.post(
            f"{base}/api/v1/documents", headers=alice, files=[("files", (FOLIO.name, f, "image/png"))]
        )
    assert up.status_code == 202, up.text
    doc = up.json()["documents"][0]["id"]
    fin = phone(browser, base, "finrev")
    # Playwright polls a synchronous predicate (a promise would count as true at once)
    read = fin.wait_for_function(
        """([url, token]) => {
            const r = new XMLHttpRequest();
            r.open("GET", url, false);
            r.setRequestHeader("Authorization", token);
            r.send();
            const status = r.status === 200 ? JSON.parse(r.responseText).status : null;
            return ["done", "failed"].includes(status) ? status : null;
        }""",
        arg=[f"{base}/api/v1/documents/{doc}", alice["Authorization"]],
        polling=250,
        timeout=90_000,
    )
    assert read.json_value() == "done"
    receipt = {"kind": "receipt", "issuer": "Hilton San Francisco", "issue_date": day, "country": "US"}
    item = {"category": "travel", "amount": "60.00", "currency": "USD", "expense_date": day,
            "document_id": doc, "foreign_document": receipt}  # fmt: skip
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
