"""The finance side of capture on a phone, in Chinese and in English: a salesperson asks for a
pre-approval on its own screen; once approved, she claims a hotel folio paid in dollars (a receipt
from abroad: currency, issuer, number, date, country, the photo as its image), a ticket with its
passenger facts, split 60/40 across two projects with a running sum, and a per-diem allowance
whose amount the server computes; she picks the claim type and links the pre-approval, submits,
and the claim shows the conversion, the split, the ticket and the link."""

from __future__ import annotations

import datetime
import os
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ROOT
from tests.browser.helpers import AUDIT, api_token, claim, english, phone
from tests.claims.test_claims_api import invoice_png

pytestmark = pytest.mark.browser

# read as "not an invoice"; one person and one photo per language (the same photo twice is a
# near-duplicate that blocks the second claim)
PEOPLE = {"zh": ("bob", "刘大伟", ROOT / "samples" / "011_commercial_invoice_render.png"),
          "en": ("teamlead", "吴组长", ROOT / "samples" / "008_shop_receipt_photo.jpg")}  # fmt: skip


def _shots(tmp_path: Path) -> Path:
    """Where screenshots go: ``$SCREENSHOTS`` for a visual review, else the test's directory."""
    out = Path(os.environ.get("SCREENSHOTS") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    return out


def _approve_all(base: str, claim_id: int, users: dict[str, int]) -> dict[str, Any]:
    """Approves the request at every active node, as its assignee, through the API."""
    by_id = {str(v): k for k, v in users.items()}
    for _ in range(6):
        c = claim(base, claim_id, "admin")
        if c["status"] == "approved":
            return c
        node = next(n for n in c["route"]["nodes"] if n["status"] == "active")
        who = by_id[str(node["assignees"][0])]
        r = httpx.post(f"{base}/api/v1/claims/{claim_id}/actions", headers=api_token(base, who),
                       json={"action": "approve"})  # fmt: skip
        assert r.status_code == 200, r.text
    raise AssertionError("the pre-approval was not approved")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_foreign_folio_ticket_split_pre_approval(
    server: dict[str, Any], browser: Any, tmp_path: Path, lang: str
) -> None:
    base, users = server["base"], server["demo"]["users"]
    admin = api_token(base, "admin")
    spent = datetime.date.today() - datetime.timedelta(days=2)
    usd = {"currency": "USD", "rate_date": spent.isoformat(), "rate": "7.1000", "source": "test"}
    rate = httpx.put(f"{base}/api/v1/admin/fx-rates", headers=admin, json={"rates": [usd]})
    assert rate.status_code == 200, rate.text
    codes = [f"P-{lang.upper()}-A", f"P-{lang.upper()}-B"]
    for code, name in zip(codes, ("华东展会", "上海客户"), strict=True):
        made = httpx.post(f"{base}/api/v1/admin/projects", headers=admin, json={"code": code, "name": name})
        assert made.status_code in (200, 201), made.text

    who, name, folio_photo = PEOPLE[lang]
    page = phone(browser, base, who)
    if lang == "en":
        english(page)
    # the pre-approval: asked on its own screen, approved by the approvers (through the API)
    page.goto(f"{base}/#/pre-approvals")
    page.select_option("#pre-kind", "travel")
    page.fill("#pre-purpose", f"纽约展会 {lang}")
    page.fill("#pre-amount", "3000")
    page.click("#pre-approval-form button[type=submit]")
    page.wait_for_url(lambda url: "#/claims/" in url)
    pre_id = int(page.url.rsplit("/", 1)[1])
    pre = _approve_all(base, pre_id, users)

    page.goto(f"{base}/#/capture")
    # 1. a hotel folio from abroad: not a fapiao, so the card offers "receipt from abroad"
    page.set_input_files("#files", str(folio_photo))
    page.locator(".as-foreign").click(timeout=90_000)
    folio = page.locator("section.doc.foreign")
    folio.locator("select[name=currency]").select_option("USD")
    expect(folio.locator("label[for^=amt-]")).to_contain_text("USD")
    folio.locator("select[name=foreign_kind]").select_option("hotel_folio")
    folio.locator("input[name=issuer]").fill("Hilton New York Midtown")
    folio.locator("input[name=foreign_number]").fill(f"F-{lang}-1001")
    folio.locator("input[name=issue_date]").fill(spent.isoformat())
    folio.locator("input[name=country]").fill("us")
    expect(folio.locator("input[name=country]")).to_have_value("US")  # typed in capitals
    folio.locator("select[name=category]").select_option("travel")
    folio.locator("input[name=amount]").fill("150.00")
    folio.locator("input[name=expense_date]").fill(spent.isoformat())
    # another currency, typed: three letters, in capitals
    folio.locator("select[name=currency]").select_option("")
    folio.locator("input[name=currency_other]").fill("usd")
    expect(folio.locator("label[for^=amt-]")).to_contain_text("USD")

    # 2. a ticket with its passenger facts, split 60/40 across two projects
    invoice = tmp_path / "ticket.png"
    number = "7700" + ("1001" if lang == "zh" else "2002")
    invoice.write_bytes(invoice_png(number, amount="412.84", total="450.00", capitals="肆佰伍拾圆整"))
    page.set_input_files("#files", str(invoice))
    page.locator("input[name=invoice_number]").first.wait_for(timeout=90_000)
    ticket = page.locator("section.doc", has=page.locator("input[name=invoice_number]"))
    ticket.locator("select[name=category]").select_option("transport")
    more = ticket.locator(".more-toggle")
    expect(more).to_have_attribute("aria-expanded", "false")
    expect(ticket.locator(".more-fields")).to_be_hidden()
    more.click()
    ticket.locator("input[name=has_ticket]").check()
    ticket.locator("select[name=transport]").select_option("train")
    expect(ticket.locator("input[name=passenger_name]")).to_have_value(name)  # the submitter, by default
    expect(ticket.locator("input[name=fare]")).to_be_hidden()  # a flight's fare only
    ticket.locator("input[name=passenger_is_employee]").check()
    ticket.locator("input[name=has_split]").check()
    by_project = ticket.locator(".split-dim[data-dimension=project]")
    expect(by_project.locator("input[name=split_on]")).to_be_checked()  # the first dimension offered
    by_project.locator("select[name=split_mode]").select_option("percent")
    shares = by_project.locator("li.share")
    expect(shares).to_have_count(2)
    shares.nth(0).locator("select").select_option(codes[0])
    shares.nth(1).locator("select").select_option(codes[1])
    shares.nth(0).locator("input").fill("60")
    shares.nth(1).locator("input").fill("30")
    total = by_project.locator(".split-sum")
    expect(total).to_have_class("split-sum bad")  # 90%: says what is missing
    expect(total).to_contain_text("10%")
    page.screenshot(path=str(_shots(tmp_path) / f"capture-extras-{lang}.png"), full_page=True)
    shares.nth(1).locator("input").fill("40")
    expect(total).to_contain_text("100")
    expect(total).to_contain_text("✓")

    # 3. a per-diem allowance: city tier and days, the amount computed by the server
    page.click("#add-allowance")
    allowance = page.locator("section.doc.allowance")
    allowance.locator("select[name=allowance]").select_option("per_diem")
    allowance.locator("select[name=city_tier]").select_option("2")
    allowance.locator("input[name=days]").fill("2")
    allowance.locator("input[name=expense_date]").fill(spent.isoformat())
    expect(allowance.locator("input[name=amount]")).to_have_count(0)  # no amount to type

    # the claim: its type and the approved pre-approval
    page.fill("#purpose", f"纽约展会差旅 {lang}")
    page.select_option("#claim-type", "travel")
    page.select_option("#pre-approval", str(pre_id))
    expect(page.locator("#pre-approval option:checked")).to_contain_text(pre["number"])
    page.click("#check")
    expect(allowance.locator(".allowance-amount strong")).to_contain_text("¥")  # computed, shown
    page.screenshot(path=str(_shots(tmp_path) / f"capture-checked-{lang}.png"), full_page=True)
    assert page.evaluate(AUDIT) == []
    # the check saved a draft: opened again, every extra is as it was typed
    draft = page.locator("#claim-form").get_attribute("data-claim")
    page.goto(f"{base}/#/claims/{draft}/edit")
    folio = page.locator("section.doc.foreign")
    expect(folio.locator("select[name=currency]")).to_have_value("USD")
    expect(folio.locator("input[name=amount]")).to_have_value("150.00")
    expect(folio.locator("input[name=issuer]")).to_have_value("Hilton New York Midtown")
    ticket = page.locator("section.doc", has=page.locator("input[name=invoice_number]"))
    expect(ticket.locator(".more-toggle")).to_have_attribute("aria-expanded", "true")
    expect(ticket.locator("input[name=has_ticket]")).to_be_checked()
    expect(ticket.locator("li.share select").nth(1)).to_have_value(codes[1])
    expect(ticket.locator(".split-dim[data-dimension=project] .split-sum")).to_contain_text("✓")
    expect(page.locator("section.doc.allowance .allowance-amount strong")).to_contain_text("¥")
    expect(page.locator("#claim-type")).to_have_value("travel")
    expect(page.locator("#pre-approval")).to_have_value(str(pre_id))
    page.click("#submit-claim")
    page.wait_for_url(lambda url: "/edit" not in url and "#/claims/" in url)
    claim_id = int(page.url.rsplit("/", 1)[1])

    # the claim view: the conversion, the split, the ticket, the allowance and the link
    conversion = page.locator(".item .conversion")
    expect(conversion).to_contain_text("USD 150.00 × 7.1")
    expect(conversion).to_contain_text("¥1065.00")
    splits = page.locator(".item ul.splits li")
    expect(splits).to_have_count(2)
    expect(splits.nth(0)).to_contain_text(f"{codes[0]} · 60%")
    expect(splits.nth(1)).to_contain_text(f"{codes[1]} · 40%")
    expect(page.locator(".item .ticket")).to_contain_text(name)
    expect(page.locator("#pre-approval-link a")).to_contain_text(pre["number"])
    expect(page.locator(".item .allowance")).to_contain_text("2")
    page.screenshot(path=str(_shots(tmp_path) / f"claim-view-{lang}.png"), full_page=True)
    assert page.evaluate(AUDIT) == []

    c = claim(base, claim_id, who)
    assert c["status"] not in ("draft", "returned") and c["claim_type"] == "travel"
    assert c["pre_approval_id"] == pre_id
    folio_item = next(i for i in c["items"] if i["foreign_document"])
    assert folio_item["currency"] == "USD" and folio_item["amount"] == "1065.00"
    assert folio_item["foreign_document"]["country"] == "US"
    train = next(i for i in c["items"] if i["ticket"] and i["ticket"]["transport"])
    assert train["ticket"]["passenger_is_employee"] is True
    assert [(s["code"], s["amount"]) for s in train["splits"]] == [(codes[0], "270.00"), (codes[1], "180.00")]
    per_diem = next(i for i in c["items"] if i["allowance"])
    assert per_diem["allowance"]["days"] == 2 and per_diem["amount"] != "0.00"

    # returned, then resubmitted from the claim's page: the items go back as they were
    by_id = {str(v): k for k, v in users.items()}
    node = next(n for n in c["route"]["nodes"] if n["status"] == "active")
    approver = api_token(base, by_id[str(node["assignees"][0])])
    back = httpx.post(f"{base}/api/v1/claims/{claim_id}/actions", headers=approver,
                      json={"action": "return", "comment": "请补充行程单"})  # fmt: skip
    assert back.status_code == 200, back.text
    page.reload()
    page.locator("#resubmit").click()
    expect(page.locator("#decision")).to_have_count(0)  # re-rendered as submitted again
    again = claim(base, claim_id, who)
    assert (
        again["status"] == "submitted"
        and again["claim_type"] == "travel"
        and again["pre_approval_id"] == pre_id
    )
    keep = ("currency", "amount", "original_amount", "foreign_document", "ticket", "splits", "allowance")
    assert [{k: i[k] for k in keep} for i in again["items"]] == [{k: i[k] for k in keep} for i in c["items"]]


def test_the_server_refusing_a_split_is_worded(server: dict[str, Any], browser: Any, tmp_path: Path) -> None:
    """A code deactivated after the page loaded it: the server's 422 shows in the reader's words."""
    base = server["base"]
    admin = api_token(base, "admin")
    made = httpx.post(
        f"{base}/api/v1/admin/projects", headers=admin, json={"code": "P-GONE", "name": "已结项目"}
    )
    assert made.status_code in (200, 201), made.text
    other = httpx.post(
        f"{base}/api/v1/admin/projects", headers=admin, json={"code": "P-STAY", "name": "在建项目"}
    )
    assert other.status_code in (200, 201), other.text
    page = phone(browser, base, "bob")
    page.goto(f"{base}/#/capture")
    page.click("#add-allowance")  # a per-diem of one day in a tier-3 city: computed, 100.00
    card = page.locator("section.allowance")
    card.locator("select[name=city_tier]").select_option("3")
    card.locator("input[name=days]").fill("1")
    page.fill("#purpose", "分摊测试")
    page.locator(".more-toggle").click()
    card.locator("input[name=has_split]").check()
    shares = card.locator("li.share")
    shares.nth(0).locator("select").select_option("P-GONE")
    shares.nth(1).locator("select").select_option("P-STAY")
    shares.nth(0).locator("input").fill("50")
    shares.nth(1).locator("input").fill("50")
    gone = httpx.patch(
        f"{base}/api/v1/admin/projects/{made.json()['id']}", headers=admin, json={"active": False}
    )
    assert gone.status_code == 200, gone.text
    page.click("#check")
    expect(page.locator("#findings .notice.error")).to_contain_text("项目不存在或已停用")
