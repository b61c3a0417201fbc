"""Budget left on the approver's review screen, departments in the admin pages and the policy caps
form, in the browser at a phone viewport."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import httpx
import pytest
import yaml
from playwright.sync_api import expect

from tests.browser.helpers import AUDIT, api_token, per_diem_claim, phone

pytestmark = pytest.mark.browser


def _get(base: str, path: str, who: str = "admin") -> Any:
    r = httpx.get(f"{base}/api/v1{path}", headers=api_token(base, who))
    r.raise_for_status()
    return r.json()


def _departments(base: str) -> dict[str, dict[str, Any]]:
    return {d["name"]: d for d in _get(base, "/departments")["items"]}


def _travel_line(base: str) -> dict[str, Any]:
    """East sales' travel budget for today, as finance sees it in the books."""
    east = _departments(base)["华东销售组"]["id"]
    today = datetime.date.today().isoformat()
    (line,) = [
        b
        for b in _get(base, "/admin/budgets")["items"]
        if b["department_id"] == east and b["category"] == "travel" and b["start"] <= today <= b["end"]
    ]
    return dict(line)


def test_the_approver_sees_the_budget_left_before_and_after_the_claim(
    server: dict[str, Any], browser: Any
) -> None:
    base = server["base"]
    claim_id = per_diem_claim(base, "预算余额检查用的出差", amount="300.00")
    books = _travel_line(base)  # the claim's 300 is reserved in "committed" already
    plan, spent, committed = (Decimal(books[k]) for k in ("amount", "spent", "committed"))
    reserved = committed - Decimal("300.00")  # by the other claims in approval
    before = plan - spent - reserved
    expected = {"plan": plan, "used": spent, "reserved": reserved, "left_before": before,
                "claim": Decimal("300.00"), "left_after": before - Decimal("300.00")}  # fmt: skip
    assert expected["left_after"] >= 0

    lead = phone(browser, base, "teamlead")
    lead.goto(f"{base}/#/inbox/{claim_id}")
    line = lead.locator(f"#budget li[data-budget='{books['id']}']")
    line.wait_for()
    expect(lead.locator("#budget-title")).to_contain_text("华东销售组")
    for figure, value in expected.items():
        expect(line.locator(f"[data-figure={figure}]")).to_have_text(f"¥{value:.2f}")
    expect(line.locator("[data-verdict]")).to_contain_text("在预算内")  # in words, not colour alone
    meter = line.locator("[role=meter]")
    # half up, as the page's Math.round does (Python's round() goes to even: 22.5 -> 22)
    used_after = ((spent + reserved + Decimal("300.00")) / plan * 100).quantize(Decimal(1), ROUND_HALF_UP)
    expect(meter).to_have_attribute("aria-valuenow", str(used_after))
    expect(lead.locator("#approve")).to_be_visible()  # the decision is still one tap away
    lead.wait_for_load_state("networkidle")
    assert lead.evaluate(AUDIT) == []

    # a claim larger than what is left: the line says by how much, and what the policy does
    big = per_diem_claim(base, "超预算的长期驻外补助", amount="25000.00")
    try:
        lead.goto(f"{base}/#/inbox/{big}")
        over_line = lead.locator(f"#budget li[data-budget='{books['id']}']")
        over_line.wait_for()
        over_by = Decimal("25000.00") - expected["left_after"]
        verdict = over_line.locator("[data-verdict]")
        expect(verdict).to_have_attribute("data-verdict", "over")
        expect(verdict).to_have_text(f"⚠ 超出预算 ¥{over_by:.2f}")
        expect(over_line.locator("[data-figure=left_after]")).to_have_text(f"-¥{over_by:.2f}")
        expect(lead.locator("#budget .notice")).to_contain_text("按制度增加一位审批人")
        lead.click("#lang")  # the same screen in English
        lead.locator("#budget-title", has_text="Budget left").wait_for()
        expect(over_line).to_contain_text(f"Over budget by ¥{over_by:.2f}")
        expect(over_line).to_contain_text("Left after this claim")
    finally:  # give the money back: later tests expect the team's travel budget to have room
        r = httpx.post(f"{base}/api/v1/claims/{big}/withdraw", headers=api_token(base, "alice"), json={})
        assert r.status_code == 200, r.text
    lead.context.close()


def test_admin_creates_a_department_moves_it_and_sees_a_cycle_refused(
    server: dict[str, Any], browser: Any
) -> None:
    base = server["base"]
    admin = phone(browser, base, "admin")
    admin.click("#nav a[href='#/admin']")
    admin.locator("#departments").wait_for()
    before = _departments(base)
    sales, lead_id = before["销售部"]["id"], server["demo"]["users"]["teamlead"]

    admin.fill("#dept-new-name", "华南销售组")
    admin.select_option("#dept-new-parent", label="销售部")
    admin.select_option("#dept-new-head", label="吴组长")
    admin.click("#dept-form button[type=submit]")
    admin.locator("#dept-status .notice.info", has_text="华南销售组").wait_for()
    south = _departments(base)["华南销售组"]
    assert (south["parent_id"], south["head_user_id"]) == (sales, lead_id)
    nested = admin.locator(f"li[data-dept='{sales}'] li[data-dept='{south['id']}']")
    expect(nested.locator("summary")).to_contain_text("吴组长")  # the tree shows it under its parent

    admin.fill("#dept-new-name", "深圳办事处")  # top level first, then moved and renamed
    admin.click("#dept-form button[type=submit]")
    admin.locator("#dept-status .notice.info", has_text="深圳办事处").wait_for()
    office = _departments(base)["深圳办事处"]
    assert office["parent_id"] is None
    row = admin.locator(f"li[data-dept='{office['id']}']")
    row.locator("summary").first.click()
    admin.fill(f"#dept-{office['id']}-name", "深圳办事处（南山）")
    admin.select_option(f"#dept-{office['id']}-parent", label="华南销售组")
    row.locator("button[type=submit]").first.click()
    admin.locator("#dept-status .notice.info", has_text="深圳办事处（南山）").wait_for()
    moved = _departments(base)["深圳办事处（南山）"]
    assert moved["parent_id"] == south["id"]
    path = (sales, south["id"], moved["id"])  # 销售部 > 华南销售组 > 深圳办事处（南山）
    admin.locator(" ".join(f"li[data-dept='{d}']" for d in path)).wait_for()

    # 华南销售组 under its own office would be a loop: the server refuses, the form says so
    south_row = admin.locator(f"li[data-dept='{south['id']}']")
    south_row.locator("summary").first.click()
    admin.select_option(f"#dept-{south['id']}-parent", label="深圳办事处（南山）")
    south_row.locator("button[type=submit]").first.click()
    refused = south_row.locator(".notice.error").first
    refused.wait_for()
    expect(refused).to_contain_text("不能把部门放到它自己或它的下级部门之下")
    expect(refused).not_to_contain_text("department")  # the catalogue's words, not the server's English
    assert _departments(base)["华南销售组"]["parent_id"] == sales  # nothing changed
    assert admin.evaluate(AUDIT) == []
    admin.context.close()


def test_admin_changes_a_cap_in_the_form_and_a_new_policy_version_carries_it(
    server: dict[str, Any], browser: Any
) -> None:
    base = server["base"]
    original = _get(base, "/admin/policy")
    admin = phone(browser, base, "admin")
    try:
        admin.click("#nav a[href='#/admin']")
        taxi = admin.locator("#cap-taxi_per_trip")
        taxi.wait_for()
        old = yaml.safe_load(original["text"])["caps"]
        expect(taxi).to_have_value(str(old["taxi_per_trip"]))
        expect(admin.locator("#cap-lodging_per_night-2")).to_have_value(str(old["lodging_per_night"][2]))

        # every problem the server finds is listed, and the fields it names are marked
        admin.fill("#cap-lodging_per_night-2", "-10")
        admin.fill("#cap-meals_per_person_per_day", "abc")
        admin.click("#caps-save")
        admin.locator("#caps-status .notice.error").wait_for()
        # each at its path, worded from its code (tests/browser/test_admin_problems.py)
        listed = admin.locator("#caps-status li")
        expect(listed.and_(admin.locator("[data-path='caps.lodging_per_night.2']"))).to_contain_text(
            "不能为负数"
        )
        expect(listed.and_(admin.locator("[data-path='caps.meals_per_person_per_day']"))).to_contain_text(
            "应为数字"
        )
        expect(admin.locator("#cap-lodging_per_night-2")).to_have_attribute("aria-invalid", "true")
        assert _get(base, "/admin/policy")["version"] == original["version"]  # nothing stored

        admin.fill("#cap-lodging_per_night-2", str(old["lodging_per_night"][2]))
        admin.fill("#cap-meals_per_person_per_day", str(old["meals_per_person_per_day"]))
        admin.fill("#cap-taxi_per_trip", "250")
        admin.click("#caps-save")
        admin.locator("#caps-status .notice.info").wait_for()
        saved = _get(base, "/admin/policy")
        assert saved["version"] > original["version"]
        expect(admin.locator("#caps-status")).to_contain_text(f"v{saved['version']}")
        new, before = yaml.safe_load(saved["text"]), yaml.safe_load(original["text"])
        assert new["caps"]["taxi_per_trip"] == 250
        assert new == before | {"caps": before["caps"] | {"taxi_per_trip": 250}}  # only that value changed
        assert "# client entertainment, per attendee" in saved["text"]  # the comments are kept
        expect(admin.locator("#policy-text")).to_have_value(saved["text"])  # the text editor follows
        admin.wait_for_load_state("networkidle")
        assert admin.evaluate(AUDIT) == []
    finally:  # the other browser tests expect the shipped caps
        r = httpx.put(f"{base}/api/v1/admin/policy", headers=api_token(base, "admin"),
                      json={"text": original["text"]})  # fmt: skip
        assert r.status_code == 200, r.text
        admin.context.close()
