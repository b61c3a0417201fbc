"""Where a person lands (390x844, zh-CN and en): an approver with claims waiting on the inbox,
with its count on the inbox link; an approver with nothing waiting, and a submitter, on their
home. The claim's own page (a link from a message) shows the decision buttons to whoever holds
the task, a delegate standing in too, and to nobody else."""

from __future__ import annotations

import datetime
import os
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.helpers import PASSWORD, PHONE, READY, api_token, per_diem_claim

pytestmark = pytest.mark.browser

INBOX = {"zh": "待我审批", "en": "Waiting for me"}
HOME = {"zh": "首页", "en": "Home"}
DECISIONS = ("#approve", "#return", "#reject")


def signed_in(browser: Any, base: str, username: str, lang: str) -> Any:
    """A phone that signs in as ``username`` in ``lang`` (chosen on the sign-in page), left
    wherever the app lands it."""
    ctx = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = ctx.new_page()
    page.goto(f"{base}/#/login")
    if lang == "en":
        page.locator("#lang").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#nav:not([hidden])")
    return page


def inbox_total(base: str, who: str) -> int:
    return int(httpx.get(f"{base}/api/v1/inbox", headers=api_token(base, who)).json()["total"])


def landed_on_inbox(page: Any, base: str, lang: str, who: str, claim_id: str) -> None:
    expect(page).to_have_url(f"{base}/#/inbox")
    expect(page.locator("#main h1")).to_have_text(INBOX[lang])
    expect(page.locator(f"ul.inbox li[data-claim='{claim_id}']")).to_be_visible()
    badge = page.locator('#nav a[href="#/inbox"] .badge')
    expect(badge).to_have_text(str(inbox_total(base, who)))


def landed_on_home(page: Any, base: str, lang: str) -> None:
    expect(page).to_have_url(f"{base}/#/home")
    expect(page.locator("#main h1")).to_have_text(HOME[lang])
    expect(page.locator(READY["#/home"])).to_be_visible()
    expect(page.locator('#nav a[href="#/inbox"] .badge')).to_have_count(0)


def decisions(page: Any, base: str, claim_id: str, shown: bool) -> None:
    page.goto(f"{base}/#/claims/{claim_id}")
    expect(page.locator(".timeline")).to_be_visible()
    for button in DECISIONS:
        if shown:
            expect(page.locator(button)).to_be_visible()
        else:
            expect(page.locator(button)).to_have_count(0)


def stand_in(base: str, lang: str) -> dict[str, Any]:
    """A new approver nothing waits for (the demo's approvers collect other tests' claims)."""
    body = {"username": f"standin_{lang}", "display_name": f"代理人 {lang}", "password": PASSWORD,
            "roles": ["approver"]}  # fmt: skip
    made = httpx.post(f"{base}/api/v1/admin/users", headers=api_token(base, "admin"), json=body)
    assert made.status_code == 201, made.text
    return dict(made.json())


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_approvers_with_work_land_on_the_inbox_and_others_on_home(
    server: dict[str, Any], browser: Any, lang: str, tmp_path: Path
) -> None:
    base = server["base"]
    shots = Path(os.environ.get("SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    waiting = per_diem_claim(base, f"落地页 {lang}")  # waits for teamlead

    lead = signed_in(browser, base, "teamlead", lang)
    landed_on_inbox(lead, base, lang, "teamlead", waiting)
    lead.screenshot(path=str(shots / f"{lang}-landing-approver.png"), full_page=True)
    # opening the app again with no page named (the installed app's start) lands there too
    lead.goto(f"{base}/")
    landed_on_inbox(lead, base, lang, "teamlead", waiting)

    alice = signed_in(browser, base, "alice", lang)  # a submitter: her home, no count
    landed_on_home(alice, base, lang)
    alice.screenshot(path=str(shots / f"{lang}-landing-submitter.png"), full_page=True)

    other = stand_in(base, lang)
    assert inbox_total(base, other["username"]) == 0
    free = signed_in(browser, base, other["username"], lang)  # an approver with nothing waiting
    landed_on_home(free, base, lang)
    free.goto(f"{base}/")
    landed_on_home(free, base, lang)

    # the claim's page: the buttons for the one holding the task, not for the submitter
    decisions(lead, base, waiting, shown=True)
    decisions(alice, base, waiting, shown=False)
    expect(alice.locator("#withdraw")).to_be_visible()
    free.goto(f"{base}/#/claims/{waiting}")  # not his task (yet): not even his to see
    expect(free.locator("#main .notice.error")).to_be_visible()
    expect(free.locator("#approve")).to_have_count(0)

    # teamlead away: his stand-in holds his tasks, lands on them and may decide from the claim page
    lead_id = httpx.get(f"{base}/api/v1/me", headers=api_token(base, "teamlead")).json()["id"]
    today = datetime.date.today()
    delegation = {"user_id": lead_id, "delegate_id": other["id"], "starts_on": today.isoformat(),
                  "ends_on": (today + datetime.timedelta(days=1)).isoformat()}  # fmt: skip
    made = httpx.post(
        f"{base}/api/v1/admin/delegations", headers=api_token(base, "teamlead"), json=delegation
    )
    assert made.status_code == 201, made.text
    try:
        away = signed_in(browser, base, other["username"], lang)
        landed_on_inbox(away, base, lang, other["username"], waiting)
        decisions(away, base, waiting, shown=True)
        away.screenshot(path=str(shots / f"{lang}-claim-delegate.png"), full_page=True)
        version = httpx.get(f"{base}/api/v1/claims/{waiting}", headers=api_token(base, "alice")).json()[
            "version"
        ]
        away.click("#approve")
        expect(away).to_have_url(f"{base}/#/inbox")
        after = httpx.get(f"{base}/api/v1/claims/{waiting}", headers=api_token(base, "alice")).json()
        assert after["version"] > version  # the stand-in's decision went through
    finally:
        revoked = httpx.delete(
            f"{base}/api/v1/admin/delegations/{made.json()['id']}", headers=api_token(base, "admin")
        )
        assert revoked.status_code == 200, revoked.text
