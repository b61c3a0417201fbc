"""The admin enters a person's bank data in the browser; after the save the page shows the
account number masked, and never holds it in full."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.helpers import AUDIT, api_token, phone

pytestmark = pytest.mark.browser

ACCOUNT = "6214 8301 2233 4321"


def test_admin_enters_bank_data_and_sees_it_masked_after_saving(server: dict[str, Any], browser: Any) -> None:
    base = server["base"]
    bob = server["demo"]["users"]["bob"]
    admin = phone(browser, base, "admin")
    admin.click("#nav a[href='#/admin']")
    admin.locator("#payroll-form").wait_for()
    admin.select_option("#payroll-user", value=str(bob))
    admin.fill("#payroll-employee_number", "E-BOB-01")
    admin.fill("#payroll-payee_name", "刘大伟")
    admin.fill("#payroll-bank_name", "中国工商银行")
    admin.fill("#payroll-account", ACCOUNT)
    admin.click("#payroll-form button[type=submit]")
    admin.locator("#payroll-form .notice.info").wait_for()
    expect(admin.locator("#payroll-masked")).to_have_text(re.compile(r"\*\*\*\* \*\*\*\* 4321$"))
    expect(admin.locator("#payroll-account")).to_have_value("")  # the number is not kept in the page
    expect(admin.locator("#payroll-employee_number")).to_have_value("E-BOB-01")
    html = admin.content()
    assert "6214830122334321" not in html and ACCOUNT not in html
    stored = httpx.get(f"{base}/api/v1/admin/users/{bob}/payroll", headers=api_token(base, "admin")).json()
    assert stored["bank_account"] == "**** **** 4321" and stored["bank_name"] == "中国工商银行"
    # a save with the account left empty keeps the stored one
    admin.fill("#payroll-bank_branch", "北京分行")
    admin.click("#payroll-form button[type=submit]")
    admin.locator("#payroll-form .notice.info").wait_for()
    again = httpx.get(f"{base}/api/v1/admin/users/{bob}/payroll", headers=api_token(base, "admin")).json()
    assert again["bank_account"] == "**** **** 4321" and again["bank_branch"] == "北京分行"
    # a malformed number: the server's refusal is shown, nothing changes
    admin.fill("#payroll-account", "12ab")
    admin.click("#payroll-form button[type=submit]")
    admin.locator("#payroll-form .notice.error").wait_for()
    assert admin.evaluate(AUDIT) == []
    admin.click("#lang")
    admin.locator("#payroll-form", has_text="Payroll data").or_(
        admin.locator("h2", has_text="Payroll data")
    ).first.wait_for()
    admin.context.close()
    # clean up for the other browser tests sharing the server
    r = httpx.put(f"{base}/api/v1/admin/users/{bob}/payroll", headers=api_token(base, "admin"),
                  json={"employee_number": None, "payee_name": None, "bank_name": None, "bank_branch": None,
                        "bank_account": None})  # fmt: skip
    assert r.status_code == 200
