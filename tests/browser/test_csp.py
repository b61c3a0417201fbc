"""The web app runs under its Content-Security-Policy (no inline script or style attribute):
no violation while signing in, capturing, reviewing a claim with its budget bars, and admin."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.browser.helpers import PASSWORD, PHONE, per_diem_claim

pytestmark = pytest.mark.browser

WATCH = """() => {
  window.__csp = [];
  document.addEventListener("securitypolicyviolation",
    (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
}"""


def test_the_app_runs_under_its_policy_without_a_violation(server: dict[str, Any], browser: Any) -> None:
    base = server["base"]
    policy = httpx.get(f"{base}/").headers["content-security-policy"]
    assert "script-src 'self';" in policy and "unsafe-inline" not in policy
    claim_id = per_diem_claim(base, "CSP 检查用的出差", amount="120.00")
    ctx = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    ctx.add_init_script(f"({WATCH})()")
    page = ctx.new_page()
    messages: list[str] = []
    page.on("console", lambda m: messages.append(m.text))
    page.goto(f"{base}/#/login")
    page.fill("#username", "teamlead")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#nav:not([hidden])")
    page.goto(f"{base}/#/inbox/{claim_id}")
    page.locator("#budget li[data-budget]").first.wait_for()
    # the bars' widths are set from script: they apply under the policy
    width = page.locator("#budget .seg.claim").first.evaluate("el => el.style.width")
    assert width.endswith("%") and width != "0%"
    for route in ("#/capture", "#/claims", "#/dashboard"):
        page.goto(f"{base}/{route}")
        page.wait_for_load_state("networkidle")
    violations = page.evaluate("() => window.__csp")
    assert violations == []
    assert not [m for m in messages if "Content Security Policy" in m]
    ctx.close()
