"""Steps the browser tests share: sign in on a phone, API calls for setup and for checking."""

from __future__ import annotations

import datetime
from typing import Any

import httpx
from playwright.sync_api import expect

from tests.allowance_items import per_diem

PASSWORD = "demo-pass-123"
PHONE = {"width": 390, "height": 844}

# Runs in the page: unlabelled controls, nameless buttons, and text below 4.5:1 (solid colours).
AUDIT = """() => {
  const visible = (el) => el.offsetParent !== null || el.getClientRects().length > 0;
  const problems = [];
  for (const el of document.querySelectorAll("input:not([type=hidden]), select, textarea")) {
    const named = (el.labels && el.labels.length) || el.getAttribute("aria-label")
      || el.getAttribute("aria-labelledby");
    if (!named) problems.push(`no label: ${el.outerHTML.slice(0, 80)}`);
  }
  for (const el of document.querySelectorAll("button, a[href]")) {
    const name = el.textContent.trim() || el.getAttribute("aria-label");
    if (visible(el) && !name) problems.push(`no name: ${el.outerHTML.slice(0, 80)}`);
  }
  const rgb = (s) => (s.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] === 1)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  for (const el of document.querySelectorAll("body *")) {
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own || !visible(el)) continue;
    const style = getComputedStyle(el);
    if (parseFloat(style.opacity) < 1) continue;
    const [a, b] = [lum(rgb(style.color).slice(0, 3)), lum(background(el))];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const text = el.textContent.trim().slice(0, 30);
    if (ratio < 4.5) problems.push(`contrast ${ratio.toFixed(2)}: ${el.tagName} ${text}`);
  }
  return problems;
}"""


# a selector each start page shows once it has rendered
READY = {"#/capture": "#pick-files", "#/home": "#home-flight", "#/inbox": "ul.inbox"}
# where a person lands after signing in: the inbox when claims wait for them, else their home
LANDED = f"{READY['#/home']}, {READY['#/inbox']}"


def phone(
    browser: Any,
    base: str,
    username: str,
    touch: bool = True,
    start: str | None = None,
    locale: str | None = None,
) -> Any:
    """A fresh phone-sized context signed in as ``username``; its page shows the app (where the
    person lands: the inbox when claims wait for them, else their home; or ``start``, e.g.
    ``#/capture``).
    ``touch=False``: a 390 px window without touch emulation (a phone browser that reports a
    fine pointer, or a narrow desktop window). ``locale``: the phone's own language (``zh-CN``), as
    its browser reports it (``navigator.language``, ``Accept-Language``)."""
    ctx = browser.new_context(viewport=PHONE, is_mobile=touch, has_touch=touch, locale=locale)
    page = ctx.new_page()
    page.goto(f"{base}/#/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#nav:not([hidden])")
    # the landing page (inbox or home) has rendered: a later goto cannot be overtaken by it
    # the CSP allows no eval, so wait with locators (Playwright's string predicates are eval'd)
    expect(page.locator("#main h1")).to_be_visible()
    page.wait_for_url(lambda url: not url.endswith("#/login"))
    expect(page.locator(LANDED).first).to_be_visible()
    if start:
        page.goto(f"{base}/{start}")
        expect(page.locator(READY.get(start, "#main h1"))).to_be_visible()
    return page


def api_token(base: str, username: str) -> dict[str, str]:
    r = httpx.post(f"{base}/api/v1/auth/login", json={"username": username, "password": PASSWORD})
    r.raise_for_status()
    return {"Authorization": f"Bearer {r.json()['token']}"}


def claim(base: str, claim_id: str | int, who: str = "alice") -> dict[str, Any]:
    r = httpx.get(f"{base}/api/v1/claims/{claim_id}", headers=api_token(base, who))
    r.raise_for_status()
    return dict(r.json())


def per_diem_claim(base: str, purpose: str, amount: str = "480.00", days: int = 1, ago: int = 0) -> str:
    """A submitted claim without invoice (no OCR needed): a per-diem allowance computed to
    ``amount`` on a trip of ``days`` days. 480 is four days (tier 2) on a one-day trip, more
    days than the trip (a finding: finance review); 450 is three days (tier 1) on a five-day trip
    (low risk, department head only). ``ago``: the trip ends that many days before today
    (per-diem days add up per trip across claims)."""
    alice = api_token(base, "alice")
    today = datetime.date.today() - datetime.timedelta(days=ago)
    item = per_diem(amount, today.isoformat())
    body: dict[str, Any] = {"purpose": purpose, "items": [item]}
    body["trip_start"] = (today - datetime.timedelta(days=days - 1)).isoformat()
    body["trip_end"] = today.isoformat()
    made = httpx.post(f"{base}/api/v1/claims", headers=alice, json=body)
    made.raise_for_status()
    claim_id = made.json()["id"]
    submitted = httpx.post(f"{base}/api/v1/claims/{claim_id}/submit", headers=alice)
    assert submitted.status_code == 200, submitted.text
    return str(claim_id)


def paid_claim(base: str, purpose: str, reference: str | None) -> dict[str, Any]:
    """A small claim, approved and marked paid (with or without a reference)."""
    claim_id = per_diem_claim(base, purpose, amount="450.00", days=5)
    for who in ("teamlead", "finrev", "gm"):  # whoever's step it is
        current = claim(base, claim_id)
        if current["status"] != "submitted":
            break
        r = httpx.post(f"{base}/api/v1/claims/{claim_id}/actions", headers=api_token(base, who),
                       json={"action": "approve", "version": current["version"]})  # fmt: skip
        assert r.status_code in (200, 404), r.text  # 404: not this person's step
    assert claim(base, claim_id)["status"] == "approved"
    body = {"reference": reference} if reference else {}
    paid = httpx.post(f"{base}/api/v1/payouts/{claim_id}/paid", headers=api_token(base, "finrev"), json=body)
    assert paid.status_code == 200, paid.text
    return claim(base, claim_id)


def english(page: Any) -> None:
    """Switches the page to English and waits until the screen shown is drawn again in English.
    The switch draws the current route afresh; a navigation started before that has finished
    could be drawn over by it (the older screen's answer arriving last)."""
    page.locator("#lang").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    # the switch put "loading" in place of the screen (its title with it); the title is back
    expect(page.locator("#main h1")).to_have_count(1)
