"""Dashboards in the browser: charts drawn from the reports API, with a table alternative."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import PHONE, english, per_diem_claim, phone

pytestmark = pytest.mark.browser


def test_finance_sees_charts_and_an_employee_has_no_dashboard(server: dict[str, Any], browser: Any) -> None:
    base = server["base"]
    finance = phone(browser, base, "finrev")
    finance.goto(f"{base}/#/dashboard")
    finance.wait_for_selector("svg.chart[role=img]")
    expect(finance.locator("#dash-charts section.card h2")).to_have_count(7)  # the charts; the export below
    expect(finance.locator("#dash-export h2")).to_have_count(1)
    # end to end, submission to payment, per department (its table is there even before a payment)
    paid = finance.locator("table.chart-table caption", has_text="提交到付款耗时")
    expect(paid).to_have_count(1)
    assert finance.locator("svg.chart").count() >= 2  # the demo budgets and findings give data
    budget = finance.locator("table.chart-table caption", has_text="预算使用率")
    expect(budget).to_have_count(1)
    alice = phone(browser, base, "alice")
    expect(alice.locator("#nav a[href='#/dashboard']")).to_be_hidden()
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


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_chart_has_its_figures_as_a_table_and_reads_on_a_phone(
    server: dict[str, Any], browser: Any, lang: str, tmp_path: Path
) -> None:
    base = server["base"]
    shots = Path(os.environ.get("SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    per_diem_claim(base, "看板图表")  # this month has spend (over the cap: no low-risk claim left behind)
    finance = phone(browser, base, "finrev")
    if lang == "en":
        english(finance)
    finance.goto(f"{base}/#/dashboard")
    cards = finance.locator("section.chart-card")
    expect(cards).to_have_count(7)
    expect(finance.locator("#dash-budget svg.chart")).to_be_visible()
    for i in range(cards.count()):
        section = cards.nth(i)
        title = section.locator("h2").inner_text()
        table = section.locator("table.chart-table")
        expect(table).to_have_count(1)
        expect(table).to_be_visible()  # beside the chart for everyone, not only for screen readers
        expect(table.locator("caption")).to_have_text(title)
        chart = section.locator("svg.chart")
        if chart.count():
            expect(chart).to_have_attribute("aria-label", title)
            # one bar row per table row: the same figures
            assert chart.locator("text.label").count() == table.locator("tbody tr").count(), title
    # the budget against its plan: each line's row has plan, spent, committed and the share used
    budget_rows = finance.locator("#dash-budget-table tbody tr")
    expect(budget_rows.first).to_be_visible()
    expect(budget_rows.first.locator("td")).to_have_count(4)
    assert finance.locator("#dash-budget svg line.mark").count() == budget_rows.count()
    # legible at 390 px: the charts' words at least 12 px tall, nothing wider than the screen
    heights = "[...document.querySelectorAll('svg.chart text')].map((e) => e.getBoundingClientRect().height)"
    smallest = finance.evaluate(f"Math.min(...{heights})")
    assert smallest >= 12, smallest
    assert finance.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    finance.screenshot(path=str(shots / f"{lang}-dashboard.png"), full_page=True)
