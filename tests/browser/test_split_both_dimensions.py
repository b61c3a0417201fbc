"""Capture on a phone (390×844, Chinese): one item split on both dimensions at once, 60/40 over
two projects and 100% on one cost centre, each with its own running sum; submitted, the claim's
splits read back through the API on both dimensions, and the claim view lists all three."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.helpers import AUDIT, api_token, claim, phone

pytestmark = pytest.mark.browser

PROJECTS = ("P-BOTH-A", "P-BOTH-B")
CENTRE = "CC-BOTH"


def _shots(tmp_path: Path) -> Path:
    out = Path(os.environ.get("SCREENSHOTS") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    return out


def test_one_item_split_over_two_projects_and_one_cost_centre(
    server: dict[str, Any], browser: Any, tmp_path: Path
) -> None:
    base = server["base"]
    admin = api_token(base, "admin")
    for path, code, name in (
        ("projects", PROJECTS[0], "华东渠道"),
        ("projects", PROJECTS[1], "西部渠道"),
        ("cost-centres", CENTRE, "销售一部"),
    ):
        made = httpx.post(f"{base}/api/v1/admin/{path}", headers=admin, json={"code": code, "name": name})
        assert made.status_code in (200, 201), made.text

    page = phone(browser, base, "alice", start="#/capture")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    page.click("#add-allowance")  # a per-diem of five days in a tier-3 city: 500.00, computed
    card = page.locator("section.allowance")
    card.locator("select[name=city_tier]").select_option("3")
    card.locator("input[name=days]").fill("5")
    card.locator("input[name=description]").fill("客户拜访")
    page.fill("#purpose", "两个维度的分摊")
    card.locator(".more-toggle").click()
    card.locator("input[name=has_split]").check()
    expect(card.locator(".split-fields .muted")).to_contain_text("同时按项目和成本中心分摊")

    # projects: 60/40 by percent
    by_project = card.locator(".split-dim[data-dimension=project]")
    expect(by_project.locator("input[name=split_on]")).to_be_checked()
    by_project.locator("select[name=split_mode]").select_option("percent")
    shares = by_project.locator("li.share")
    expect(shares).to_have_count(2)
    for n, (code, percent) in enumerate(zip(PROJECTS, ("60", "40"), strict=True)):
        shares.nth(n).locator("select").select_option(code)
        shares.nth(n).locator("input").fill(percent)
    expect(by_project.locator(".split-sum")).to_contain_text("100%")
    expect(by_project.locator(".split-sum")).to_contain_text("✓")

    # an allowance's amount is the server's: a check computes it, then shares by amount add up
    page.click("#check")
    expect(card.locator(".allowance-amount strong")).to_contain_text("¥500.00")

    # cost centres: all of it on one, by amount; the sum says what is missing until it adds up
    by_centre = card.locator(".split-dim[data-dimension=cost_centre]")
    expect(by_centre.locator("li.share")).to_have_count(0)
    by_centre.locator("input[name=split_on]").check()
    centres = by_centre.locator("li.share")
    expect(centres).to_have_count(2)
    centres.nth(1).locator(".remove-share").click()
    expect(centres).to_have_count(1)
    by_centre.locator("select[name=split_mode]").select_option("amount")
    centres.nth(0).locator("select").select_option(CENTRE)
    centres.nth(0).locator("input").fill("400.00")
    expect(by_centre.locator(".split-sum")).to_have_class("split-sum bad")
    expect(by_centre.locator(".split-sum")).to_contain_text("还差 ¥100.00")
    centres.nth(0).locator("input").fill("500.00")
    expect(by_centre.locator(".split-sum")).to_contain_text("✓")
    page.screenshot(path=str(_shots(tmp_path) / "capture-split-both-zh.png"), full_page=True)
    assert page.evaluate(AUDIT) == []

    page.click("#submit-claim")
    page.wait_for_url(lambda url: "/edit" not in url and "#/claims/" in url)
    claim_id = int(page.url.rsplit("/", 1)[1])
    listed = page.locator(".item ul.splits li")
    expect(listed).to_have_count(3)
    expect(listed.nth(2)).to_contain_text(CENTRE)
    page.screenshot(path=str(_shots(tmp_path) / "claim-split-both-zh.png"), full_page=True)

    c = claim(base, claim_id, "alice")
    assert c["status"] not in ("draft", "returned")
    [item] = c["items"]
    assert [(s["dimension"], s["code"], s["amount"]) for s in item["splits"]] == [
        ("project", PROJECTS[0], "300.00"),
        ("project", PROJECTS[1], "200.00"),
        ("cost_centre", CENTRE, "500.00"),
    ]
    assert [s["percent"] for s in item["splits"][:2]] == ["60.00", "40.00"]
