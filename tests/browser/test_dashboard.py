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
    assert finance.locator("section.card h2").count() == 6
    assert finance.locator("svg.chart").count() >= 2  # the demo budgets and findings give data
    budget = finance.locator("table.sr-table caption", has_text="预算使用率")
    assert budget.count() == 1
    alice = phone(browser, base, "alice")
    assert alice.locator("#nav a[href='#/dashboard']").is_hidden()
    alice.goto(f"{base}/#/dashboard")
    alice.wait_for_selector("[role=alert]")  # the reports API refuses an employee
