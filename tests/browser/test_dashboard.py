"""Dashboards in the browser: charts drawn from the reports API, with a table alternative."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.helpers import phone

pytestmark = pytest.mark.browser


def test_finance_sees_charts_and_an_employee_has_no_dashboard(server: dict[str, Any], browser: Any) -> None:
    base = server["base"]
    finance = phone(browser, base, "finrev")
    finance.goto(f"{base}/#/dashboard")
    finance.wait_for_selector("svg.chart[role=img]")
    assert finance.locator("#dash-charts section.card h2").count() == 7  # the charts; the export below them
    assert finance.locator("#dash-export h2").count() == 1
    # end to end, submission to payment, per department (its table is there even before a payment)
    paid = finance.locator("table.sr-table caption", has_text="提交到付款耗时")
    assert paid.count() == 1
    assert finance.locator("svg.chart").count() >= 2  # the demo budgets and findings give data
    budget = finance.locator("table.sr-table caption", has_text="预算使用率")
    assert budget.count() == 1
    alice = phone(browser, base, "alice")
    assert alice.locator("#nav a[href='#/dashboard']").is_hidden()
    alice.goto(f"{base}/#/dashboard")
    alice.wait_for_selector("[role=alert]")  # the reports API refuses an employee


def test_admin_edits_flow_policy_budgets_and_people_without_code(
    server: dict[str, Any], browser: Any
) -> None:
    base = server["base"]
    admin = phone(browser, base, "admin")
    admin.goto(f"{base}/#/admin")
    admin.wait_for_selector("#flow-text")
    text = admin.input_value("#flow-text")
    version = int(text.split("version:", 1)[1].split()[0])
    admin.fill("#flow-text", text.replace(f"version: {version}", f"version: {version + 1}", 1))
    admin.click("#flow-text-save")
    admin.wait_for_selector(f"text=v{version + 1}")
    admin.fill("#policy-text", "caps: 12")
    admin.click("#policy-text-save")
    admin.wait_for_selector("section:has(#policy-text) .findings li")  # every problem listed
    admin.select_option("#budget-form select[name=department_id]", label="华东销售组")
    admin.fill("#budget-form input[name=category]", "office")
    admin.fill("#budget-form input[name=start]", "2026-11-01")
    admin.fill("#budget-form input[name=amount]", "1234.00")
    admin.click("#budget-form button[type=submit]")
    admin.wait_for_selector("#budgets td:has-text('1234.00')")
    admin.fill("#user-form input[name=username]", "dave")
    admin.fill("#user-form input[name=display_name]", "赵大卫")
    admin.fill("#user-form input[name=password]", "dave-pass-123")
    admin.click("#user-form button[type=submit]")
    admin.wait_for_selector("#people li:has-text('赵大卫')")
