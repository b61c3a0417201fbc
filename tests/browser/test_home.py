"""Each role's home (390x844, zh-CN and en): the salesperson lands on it and sees her claims in
flight with the step and the person each waits for; an approver (who lands on his inbox while
claims wait for him, tests/browser/test_landing.py) what waits for him, counted and summed;
finance the exceptions to clear. The figures are checked against the inbox and the
exception queue read independently through the API."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.helpers import api_token, per_diem_claim, phone

pytestmark = pytest.mark.browser

STEP = {"zh": "部门负责人审批", "en": "Department head"}
SUM = {"zh": "合计", "en": "total"}


def english(page: Any) -> None:
    page.locator("#lang").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#main h1")).to_have_text("Home")


def inbox_claims(base: str, who: str) -> dict[int, Decimal]:
    """Every claim in ``who``'s inbox (all pages) with its total: what the home must count."""
    headers, out, cursor = api_token(base, who), {}, None
    while True:
        params: dict[str, Any] = {"limit": 200} | ({"cursor": cursor} if cursor else {})
        page = httpx.get(f"{base}/api/v1/inbox", headers=headers, params=params).json()
        out |= {i["claim"]["id"]: Decimal(i["claim"]["total"]) for i in page["items"]}
        cursor = page["next_cursor"]
        if cursor is None:
            return out


def landing(base: str, who: str) -> str:
    """Where ``who`` lands: the inbox while claims wait for them, else the home."""
    waiting = httpx.get(f"{base}/api/v1/inbox", headers=api_token(base, who)).json()["total"]
    return f"{base}/#/inbox" if waiting else f"{base}/#/home"


def home(page: Any, base: str) -> None:
    page.goto(f"{base}/#/home")
    expect(page.locator("#home-flight")).to_be_visible()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_each_role_has_its_home(server: dict[str, Any], browser: Any, lang: str, tmp_path: Path) -> None:
    base = server["base"]
    shots = Path(os.environ.get("SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    mine = int(per_diem_claim(base, f"首页在途 {lang}", amount="360.00"))

    alice = phone(browser, base, "alice")
    expect(alice).to_have_url(f"{base}/#/home")
    if lang == "en":
        english(alice)
    row = alice.locator(f"#home-flight li[data-claim='{mine}']")
    expect(row).to_contain_text("¥360.00")
    expect(row.locator(".waits")).to_contain_text(STEP[lang])
    expect(row.locator(".waits")).to_contain_text("吴组长")  # the person holding the step
    expect(alice.locator("#home-waiting")).to_have_count(0)  # an employee decides nothing
    expect(alice.locator("#home-exceptions")).to_have_count(0)
    alice.screenshot(path=str(shots / f"{lang}-home-employee.png"), full_page=True)

    lead = phone(browser, base, "teamlead")
    expect(lead).to_have_url(f"{base}/#/inbox")  # her claim waits for him
    home(lead, base)
    if lang == "en":
        english(lead)
    waiting = inbox_claims(base, "teamlead")
    assert mine in waiting
    expect(lead.locator("#waiting-count")).to_have_text(str(len(waiting)))
    expect(lead.locator("#waiting-amount")).to_have_text(f"¥{sum(waiting.values()):.2f}")
    expect(lead.locator("#home-waiting")).to_contain_text(SUM[lang])
    badge = lead.locator('#nav a[href="#/inbox"] .badge')  # the inbox link still carries its count
    total = httpx.get(f"{base}/api/v1/inbox", headers=api_token(base, "teamlead")).json()["total"]
    expect(badge).to_have_text(str(total))
    lead.screenshot(path=str(shots / f"{lang}-home-approver.png"), full_page=True)
    lead.click("#go-inbox")
    expect(lead.locator(f"ul.inbox li[data-claim='{mine}']")).to_be_visible()

    fin = phone(browser, base, "finrev")
    expect(fin).to_have_url(landing(base, "finrev"))
    home(fin, base)
    if lang == "en":
        english(fin)
    held = httpx.get(f"{base}/api/v1/finance/exceptions", headers=api_token(base, "finrev")).json()["items"]
    expect(fin.locator("#exceptions-count")).to_have_text(str(len(held)))
    expect(fin.locator("#exceptions-amount")).to_have_text(f"¥{sum(Decimal(c['total']) for c in held):.2f}")
    expect(fin.locator("#waiting-count")).to_have_text(str(len(inbox_claims(base, "finrev"))))
    fin.screenshot(path=str(shots / f"{lang}-home-finance.png"), full_page=True)

    # returned to her: the home says it waits for her, with the way to change it
    version = httpx.get(f"{base}/api/v1/claims/{mine}", headers=api_token(base, "alice")).json()["version"]
    back = httpx.post(f"{base}/api/v1/claims/{mine}/actions", headers=api_token(base, "teamlead"),
                      json={"action": "return", "comment": "补充行程", "version": version})  # fmt: skip
    assert back.status_code == 200, back.text
    alice.reload()
    expect(row.locator(".waits.mine a")).to_have_attribute("href", f"#/claims/{mine}/edit")
