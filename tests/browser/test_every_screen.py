"""Every screen at 390x844, in Chinese and in English: nothing visible reads ``null``,
``undefined`` or ``NaN``, no raw code (``per_diem_over_trip_cap``, ``dept_head``) shows, nothing in
Chinese mode is English and nothing in English mode is Chinese (the catalogue words every
message in both languages; only the people's own data and the invoices' content stay as they
are), and nothing scrolls sideways. Screenshots go to ``$SCREENSHOTS`` (for a visual review) or
the test's temporary directory."""

from __future__ import annotations

import datetime
import os
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ROOT
from tests.browser.helpers import PHONE, api_token, paid_claim, per_diem_claim, phone

pytestmark = pytest.mark.browser

BAD = re.compile(r"\b(null|undefined|NaN)\b")
RAW_CODE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")  # snake_case: an enum shown as it is stored
LATIN_WORD = re.compile(r"[A-Za-z]+")
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
# Latin words Chinese screens may show: product and format names, units, currency codes, the
# language switch
LATIN_ALLOWED = {
    "EN",
    "PDF",
    "OFD",
    "XML",
    "CSV",
    "JSON",
    "Excel",
    "U",  # of 用友U8, the accounting package's name
    "Webhook",
    "URL",
    "SLA",
    "CEO",
    "CNY",
    "h",
    "v",
    "https",
}
# the switch to Chinese, on the English screens
CJK_ALLOWED = {"中文"}
# keys of API answers whose values are the people's own data or an invoice's content
USER_DATA_KEYS = {"display_name", "username", "name", "purpose", "description", "no_invoice_reason", "payee",
                  "number", "comment", "url", "events", "email", "old", "new",
                  # the vouchers as booked: the company's accounts, 凭证字 and 摘要 in its books' language
                  "account_name", "summary", "word"}  # fmt: skip


def _strings(value: Any, keys: set[str], into: set[str], under: str = "") -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            if k == "route":
                continue  # the steps' names are the catalogue's words, not data
            if k == "fields" and isinstance(v, dict):  # an invoice's fields as read
                into.update(x for x in v.values() if isinstance(x, str) and x)
            else:
                _strings(v, keys, into, k)
    elif isinstance(value, list):
        for v in value:
            _strings(v, keys, into, under)
    elif isinstance(value, str) and value and under in keys:
        into.add(value)


def user_data(base: str) -> list[str]:
    """Every name, purpose, invoice field and reason people typed or invoices carry, longest first."""
    headers = api_token(base, "admin")
    found: set[str] = set()
    for path in ("/admin/users", "/departments", "/people", "/admin/webhooks", "/vouchers"):
        _strings(httpx.get(f"{base}/api/v1{path}", headers=headers).json(), USER_DATA_KEYS, found)
    claims = httpx.get(f"{base}/api/v1/claims?mine=false&limit=100", headers=headers).json()["items"]
    for c in claims:
        _strings(httpx.get(f"{base}/api/v1/claims/{c['id']}", headers=headers).json(), USER_DATA_KEYS, found)
    # an accounting voucher's lines are the company's books (account names, summaries, in its language)
    vouchers = httpx.get(f"{base}/api/v1/vouchers", headers=headers).json()
    _strings(vouchers, USER_DATA_KEYS | {"account_name", "summary"}, found)
    # payment references are payroll's and the bank's (e.g. an advance paid out as CASH-UI)
    paid = httpx.get(f"{base}/api/v1/payouts/paid?limit=500", headers=headers).json()
    _strings(paid, USER_DATA_KEYS | {"reference"}, found)
    # master data, the rate table's currencies and the flows admins named are the company's own words
    for path in ("/cost-centres?include_inactive=true", "/projects?include_inactive=true"):
        for entry in httpx.get(f"{base}/api/v1{path}", headers=headers).json()["items"]:
            found.update((entry["code"], entry["name"]))
    found.update(
        r["currency"] for r in httpx.get(f"{base}/api/v1/admin/fx-rates", headers=headers).json()["items"]
    )
    for flow in httpx.get(f"{base}/api/v1/admin/flows", headers=headers).json()["items"]:
        if flow["id"] not in ("default", "advance", "pre_approval"):
            found.add(
                httpx.get(f"{base}/api/v1/admin/flows/{flow['id']}", headers=headers).json()["diagram"][
                    "name"
                ]
            )
    found.add("100_digital_general_pdf.pdf")  # the file the capture review reads
    return sorted(found, key=len, reverse=True)


def wording_problems(lang: str, name: str, text: str, data: list[str]) -> list[str]:
    """Raw codes anywhere; English words on a Chinese screen, Chinese on an English one."""
    problems = [f"{lang} {name}: {m.group(0)}" for m in BAD.finditer(text)]
    for value in data:
        text = text.replace(value, " ")
    problems += [f"{lang} {name}: raw code {m.group(0)!r}" for m in RAW_CODE.finditer(text)]
    if lang == "zh":
        words = {m.group(0) for m in LATIN_WORD.finditer(text)} - LATIN_ALLOWED
        problems += [f"zh {name}: English {w!r}" for w in sorted(words)]
    else:
        words = {m.group(0) for m in CJK.finditer(text)} - CJK_ALLOWED
        problems += [f"en {name}: Chinese {w!r}" for w in sorted(words)]
    return problems


def screens(claim_id: str) -> list[tuple[str, str, str]]:
    """(name, route, a selector that is there once the screen has loaded)"""
    return [
        ("home", "#/home", "#home-flight"),  # an approver's: what waits for him, his claims in flight
        ("home-finance", "#/home", "#home-exceptions"),  # the admin's: the exceptions to clear
        ("capture", "#/capture", "#pick-files"),
        ("pre-approvals", "#/pre-approvals", "#pre-approval-form"),
        ("claims", "#/claims", "#claims, #main p"),
        ("claim", f"#/claims/{claim_id}", ".timeline"),
        ("inbox", "#/inbox", "ul.inbox, #main p"),
        ("review", f"#/inbox/{claim_id}", "#approve"),
        ("finance", "#/finance", "#paid-list li"),
        ("dashboard", "#/dashboard", "#dash-month"),
        ("admin", "#/admin", "#flow-text"),
        ("rates", "#/admin/rates", "#rates"),
        ("gl-mapping", "#/admin/gl", "#gl-text"),
        ("dimensions", "#/admin/dimensions", "#pj-list li"),
        ("claim-types", "#/admin/claim-types", "#claim-types"),
        ("error", "#/claims/999999", ".notice.error"),  # an API error, worded by its code
    ]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_screen_reads_clean(server: dict[str, Any], browser: Any, lang: str, tmp_path: Path) -> None:
    base = server["base"]
    shots = Path(os.environ.get("SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    claim_id = per_diem_claim(base, "全屏检查")  # a finding, so finance lists it; waiting for teamlead
    # one decided step, so the dashboard's cycle time names a step
    done = per_diem_claim(base, "全屏检查（已批）", amount="450.00", days=5)
    version = httpx.get(f"{base}/api/v1/claims/{done}", headers=api_token(base, "alice")).json()["version"]
    approved = httpx.post(f"{base}/api/v1/claims/{done}/actions", headers=api_token(base, "teamlead"),
                          json={"action": "approve", "version": version})  # fmt: skip
    assert approved.status_code == 200, approved.text
    # finance data on the new screens: a rate, a cost centre and a project, a payment without its reference
    admin_api = api_token(base, "admin")
    rate = {
        "currency": "USD",
        "rate_date": datetime.date.today().isoformat(),
        "rate": "7.1234",
        "source": "pboc",
    }
    assert (
        httpx.put(f"{base}/api/v1/admin/fx-rates", headers=admin_api, json={"rates": [rate]}).status_code
        == 200
    )
    for path, code, name in (("cost-centres", "CC-WALK", "走查成本中心"), ("projects", "P-WALK", "走查项目")):
        made = httpx.post(f"{base}/api/v1/admin/{path}", headers=admin_api, json={"code": code, "name": name})
        assert made.status_code in (201, 409), made.text  # 409: there from an earlier run on this server
    paid_claim(base, "全屏检查（已付）", None)
    pages = {"teamlead": phone(browser, base, "teamlead"), "admin": phone(browser, base, "admin")}
    for page in pages.values():
        if lang == "en":
            page.locator("#lang").click()
            expect(page.locator("html")).to_have_attribute("lang", "en")
            expect(page.locator("#main h1")).to_have_count(1)  # re-rendered in English before moving on
    problems = []
    data = user_data(base)
    for name, route, ready in screens(claim_id):
        # the approver sees his inbox and review; the admin (finance, dashboard, admin) the rest
        page = pages["teamlead" if name in ("inbox", "review", "claim", "home") else "admin"]
        page.goto(f"{base}/{route}")
        page.locator(ready).first.wait_for()
        expect(page.locator("#main [role=status].muted")).to_have_count(0)  # "loading" is gone
        found = wording_problems(lang, name, page.locator("body").inner_text(), data)
        if found:  # the server's own jobs (vouchers, the minute job) may have made data since: look again
            data = user_data(base)
            found = wording_problems(lang, name, page.locator("body").inner_text(), data)
        problems += found
        wide = page.evaluate("document.documentElement.scrollWidth")
        if wide > PHONE["width"]:
            problems.append(f"{lang} {name}: {wide} px wide")
        page.screenshot(path=str(shots / f"{lang}-{name}.png"), full_page=True)
    # the capture review: an e-invoice read, its fields ready to check
    page = pages["admin"]
    page.goto(f"{base}/#/capture")
    page.set_input_files("#files", str(ROOT / "samples" / "100_digital_general_pdf.pdf"))
    page.locator("input[name=invoice_number]").wait_for()
    # and checked: the rules' findings on it, worded with their figures
    page.fill("#purpose", "全屏检查")
    # with the item's extras open (ticket facts, the split) and a computed allowance beside it
    page.locator("select[name=category]").first.select_option("transport")
    page.locator(".more-toggle").first.click()
    page.locator("input[name=has_ticket]").first.check()
    page.click("#add-allowance")
    page.locator("section.allowance select[name=city_tier]").select_option("1")
    page.locator("section.allowance input[name=days]").fill("1")
    page.click("#check")
    expect(page.locator("#findings h2")).to_be_visible()
    problems += wording_problems(lang, "capture-review", page.locator("body").inner_text(), data)
    if page.evaluate("document.documentElement.scrollWidth") > PHONE["width"]:
        problems.append(f"{lang} capture-review: too wide")
    page.screenshot(path=str(shots / f"{lang}-capture-review.png"), full_page=True)
    assert not problems, "\n".join(problems)
