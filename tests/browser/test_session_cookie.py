"""The web app keeps its session in an HttpOnly cookie: no token in localStorage (a script
injected into the page cannot read one), changes carry the CSRF token, sign-out ends the
session, and a token an older version left in localStorage is revoked and forgotten."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.helpers import api_token, phone

pytestmark = pytest.mark.browser


def test_no_token_in_local_storage_after_sign_in_and_sign_out_ends_the_session(
    server: dict[str, Any], browser: Any, tmp_path: Path
) -> None:
    base = server["base"]
    page = phone(browser, base, "alice")
    page.screenshot(path=str(tmp_path / "signed-in.png"))
    ctx = page.context
    (session,) = [c for c in ctx.cookies() if c["name"] == "reimburse_session"]
    assert session["httpOnly"] and session["sameSite"] == "Strict" and session["path"] == "/"
    token = session["value"]
    stored = page.evaluate("() => Object.fromEntries(Object.entries(localStorage))")
    assert "token" not in stored and not [k for k, v in stored.items() if token in v], stored
    assert token not in page.evaluate("() => document.cookie")  # HttpOnly: script never sees it
    assert "reimburse_csrf=" in page.evaluate("() => document.cookie")
    assert httpx.get(f"{base}/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200

    # a change sent without the CSRF token is refused, even from the app's own page
    page.goto(f"{base}/#/claims")
    expect(page.locator("#main h1")).to_be_visible()
    status = page.evaluate(
        """async () => (await fetch("/api/v1/claims", {method: "POST",
             headers: {"Content-Type": "application/json"}, body: "{}"})).status"""
    )
    assert status == 403  # without X-CSRF-Token, even from the app's own page

    page.click("#logout")
    expect(page.locator("#username")).to_be_visible()
    assert not [
        c for c in ctx.cookies() if c["name"] in ("reimburse_session", "reimburse_csrf") and c["value"]
    ]
    assert page.evaluate("() => localStorage.getItem('user')") is None
    assert httpx.get(f"{base}/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    ctx.close()


def test_a_token_left_by_an_older_version_is_revoked_and_forgotten(
    server: dict[str, Any], browser: Any, tmp_path: Path
) -> None:
    base = server["base"]
    old = api_token(base, "bob")
    ctx = browser.new_context()
    page = ctx.new_page()
    page.goto(f"{base}/#/login")
    page.locator("#username").wait_for()
    page.evaluate(
        """(token) => { localStorage.setItem("token", token);
             localStorage.setItem("user", JSON.stringify({username: "bob", roles: ["employee"]})); }""",
        old["Authorization"].removeprefix("Bearer "),
    )
    with page.expect_response("**/api/v1/auth/logout") as revoked:
        page.goto(f"{base}/#/capture")
        page.reload()
    assert revoked.value.status == 204
    expect(page.locator("#username")).to_be_visible()  # no session cookie: sign in again
    assert page.evaluate("() => localStorage.getItem('token')") is None
    assert httpx.get(f"{base}/api/v1/me", headers=old).status_code == 401
    page.screenshot(path=str(tmp_path / "login.png"))
    ctx.close()
