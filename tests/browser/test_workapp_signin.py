"""The issue's done-when scenario in Chromium: sign in through the (fake) WeCom OAuth by the
button on the sign-in page, a claim submitted, the approver's card on the fake, approve pressed
in a signed and encrypted callback, the card updated, the submitter's outcome message whose
link opens the approved claim in the browser; a directory delete event ends her access."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect
from sqlalchemy import Engine

from reimburse.workapps import jobs
from tests.browser.helpers import PHONE
from tests.workapps.fake_wecom import FakeWeCom
from tests.workapps.harness import running_service, wait_for
from tests.workapps.test_wecom_flow import _submit, wecom_directory

pytestmark = pytest.mark.browser


@pytest.fixture()
def wecom_service(migrated_engine: Engine, database_url: str, tmp_path: Path) -> Iterator[dict[str, Any]]:
    fake = FakeWeCom().start()
    wecom_directory(fake)
    try:
        with running_service(migrated_engine, database_url, tmp_path, fake.settings()) as (base, settings):
            jobs.directory_sync(settings)
            yield {"fake": fake, "base": base, "settings": settings}
    finally:
        fake.stop()


def test_wecom_sign_in_card_approval_and_leave_in_the_browser(
    wecom_service: dict[str, Any], browser: Any, tmp_path: Path
) -> None:
    fake, base, settings = wecom_service["fake"], wecom_service["base"], wecom_service["settings"]
    callback = f"{base}/api/v1/workapps/wecom/callback"
    # the WeCom in-app browser (its user agent names "wxwork"): OAuth, not the QR page
    ctx = browser.new_context(
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        user_agent="Mozilla/5.0 (iPhone) wxwork/4.1 MicroMessenger",
    )
    page = ctx.new_page()
    fake.signed_in = "wx_alice"
    page.goto(f"{base}/#/login")
    button = page.locator("a[data-workapp=wecom]")
    expect(button).to_have_text("企业微信登录")
    page.screenshot(path=str(tmp_path / "login.png"))
    button.click()
    page.wait_for_selector("#nav:not([hidden])")
    assert page.url.endswith("/#/home")  # the token is not left in the address or the history
    (cookie,) = [c for c in ctx.cookies() if c["name"] == "reimburse_session"]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"  # set by the callback, not by script
    token = cookie["value"]
    assert page.evaluate("localStorage.getItem('token')") is None
    assert token not in page.evaluate("JSON.stringify(localStorage) + document.cookie")
    assert page.evaluate("JSON.parse(localStorage.getItem('user')).username") == "alice"
    assert [r.path for r in fake.log if r.path.startswith("/connect/")] == ["/connect/oauth2/authorize"]

    claim_id = _submit(base, token)
    for _ in range(6):  # every approver presses approve on the card WeCom showed them
        jobs.housekeeping(settings)
        open_cards = [(c, x) for c, x in fake.cards.items() if x["final"] is None]
        if not open_cards:
            break
        for code, card in open_cards:
            r = fake.click(callback, card["touser"], code, card["card"]["button_list"][0]["key"])
            assert r.headers["x-reimburse-outcome"] == f"approved claim {claim_id}"
            wait_for(lambda code=code: fake.cards[code]["final"])
    assert fake.cards and all(c["final"].startswith("已同意") for c in fake.cards.values())
    jobs.housekeeping(settings)
    (outcome,) = [
        m for m in fake.sent if m["touser"] == "wx_alice" and m["textcard"]["title"] == "报销单已通过"
    ]
    page.goto(outcome["textcard"]["url"])  # the link in the message opens the claim
    page.get_by_text("已通过").first.wait_for()
    page.screenshot(path=str(tmp_path / "approved.png"))

    fake.contact_event(callback, "delete_user", "wx_alice")
    r = httpx.get(f"{base}/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401
    ctx.close()


@pytest.fixture(params=["dingtalk", "feishu"])
def other_service(
    request: pytest.FixtureRequest, migrated_engine: Engine, database_url: str, tmp_path: Path
) -> Iterator[dict[str, Any]]:
    from tests.workapps.fake_dingtalk import FakeDingTalk
    from tests.workapps.fake_feishu import FakeFeishu
    from tests.workapps.harness import DEMO_DEPARTMENTS, DEMO_MEMBERS, NAMES

    fake = (FakeDingTalk if request.param == "dingtalk" else FakeFeishu)().start()
    members = {u: (d, {"name": NAMES[u], "email": f"{u}@example.com"}) for u, d in DEMO_MEMBERS.items()}
    fake.set_directory(DEMO_DEPARTMENTS, members)
    try:
        with running_service(migrated_engine, database_url, tmp_path, fake.settings()) as (base, settings):
            jobs.directory_sync(settings)
            yield {"platform": request.param, "fake": fake, "base": base, "settings": settings}
    finally:
        fake.stop()


def test_dingtalk_and_feishu_sign_in_from_a_desktop_browser(
    other_service: dict[str, Any], browser: Any
) -> None:
    platform, fake, base = other_service["platform"], other_service["fake"], other_service["base"]
    fake.signed_in = ("dt_" if platform == "dingtalk" else "fs_") + "teamlead"
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    page = ctx.new_page()
    page.goto(f"{base}/claims/1")  # a link from a message, opened before signing in
    button = page.locator(f"a[data-workapp={platform}]")
    expect(button).to_have_text("钉钉登录" if platform == "dingtalk" else "飞书登录")
    button.click()
    page.wait_for_selector("#nav:not([hidden])")
    assert page.url.endswith("/#/claims/1")  # back where the link pointed
    assert page.evaluate("JSON.parse(localStorage.getItem('user')).username") == "teamlead"
    ctx.close()
