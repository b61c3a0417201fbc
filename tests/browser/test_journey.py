"""The whole journey in a real browser (Debian's Chromium through Playwright), phone viewport.

A real server (``reimburse serve``: SQLite, in-process OCR worker) runs in a subprocess with
the demo company. Salesperson: sign in, photograph (file input with a synthetic invoice),
review the fields, submit. Approvers approve in their inboxes, finance sees the claim in
payouts, payroll (a machine client) marks it paid, and the salesperson sees it paid. Plus a
rejection and a return-and-resubmit.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.expenses.test_claims_api import invoice_png

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
APPROVERS = ("teamlead", "saleshead", "finrev", "findir", "gm", "ceo")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")
    data = tmp_path_factory.mktemp("web")
    env = {**os.environ, "REIMBURSE_DATA_DIR": str(data), "REIMBURSE_ENVIRONMENT": "development"}
    env.pop("REIMBURSE_DATABASE_URL", None)
    env.pop("REIMBURSE_BROKER_URL", None)
    cli = [sys.executable, "-m", "reimburse.cli"]
    demo = json.loads(
        subprocess.run([*cli, "demo"], env=env, cwd=ROOT, check=True, capture_output=True, text=True).stdout
    )
    port = _free_port()
    proc = subprocess.Popen([*cli, "serve", "--port", str(port)], env=env, cwd=ROOT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("the server did not start")
    yield {"base": base, "demo": demo}
    proc.terminate()
    proc.wait(timeout=30)
    shutil.rmtree(data, ignore_errors=True)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"])
        yield b
        b.close()


def phone(browser: Any, base: str, username: str) -> Any:
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = ctx.new_page()
    page.goto(f"{base}/#/login")
    page.fill("#username", username)
    page.fill("#password", "demo-pass-123")
    page.click("button[type=submit]")
    page.wait_for_selector("#nav:not([hidden])")
    return page


def api_token(base: str, username: str) -> dict[str, str]:
    r = httpx.post(f"{base}/api/v1/auth/login", json={"username": username, "password": "demo-pass-123"})
    return {"Authorization": f"Bearer {r.json()['token']}"}


def claim_status(base: str, claim_id: str) -> str:
    r = httpx.get(f"{base}/api/v1/claims/{claim_id}", headers=api_token(base, "alice"))
    return str(r.json()["status"])


def approve_in_ui(browser: Any, base: str, claim_id: str) -> list[str]:
    """Each approver opens the inbox; whoever has the claim opens it and taps approve."""
    acted = []
    for _ in range(6):
        if claim_status(base, claim_id) != "submitted":
            break
        for who in APPROVERS:
            page = phone(browser, base, who)
            page.goto(f"{base}/#/inbox")
            page.wait_for_selector("main h1")
            link = page.locator(f"li[data-claim='{claim_id}'] a")
            if link.count():
                link.click()
                page.wait_for_selector("#approve")
                page.fill("#comment", "同意")
                page.click("#approve")
                page.wait_for_url("**/#/inbox")
                acted.append(who)
            page.context.close()
    return acted


def test_photograph_submit_approve_pay(server: dict[str, Any], browser: Any, tmp_path: Path) -> None:
    base = server["base"]
    page = phone(browser, base, "alice")
    page.goto(f"{base}/#/capture")
    photo = tmp_path / "fapiao.png"  # a synthetic invoice to the demo company, dated this week
    photo.write_bytes(
        invoice_png("55001234", amount="1200.00", total="1272.00", capitals="壹仟贰佰柒拾贰圆整")
    )
    page.set_input_files("#files", str(photo))
    number = page.locator("input[name=invoice_number]").first
    number.wait_for(timeout=90_000)
    assert number.input_value() == "55001234"
    assert page.locator("input[name=total]").first.input_value() == "1272.00"
    assert page.locator(".preview img").count() == 1  # the stored image beside the fields
    page.select_option("select[name=category]", "office")
    page.fill("#purpose", "办公用品采购")
    page.click("#check")
    page.wait_for_selector("#findings h2")
    page.click("#submit-claim")
    page.wait_for_url("**/#/claims/*")
    claim_id = page.url.rsplit("/", 1)[-1]
    assert claim_status(base, claim_id) == "submitted"
    acted = approve_in_ui(browser, base, claim_id)
    assert claim_status(base, claim_id) == "approved", acted
    assert acted and acted[0] == "teamlead"

    finance = phone(browser, base, "finrev")
    finance.goto(f"{base}/#/finance")
    finance.wait_for_selector(f"#payouts li[data-claim='{claim_id}']")

    payroll = {
        "Authorization": f"Bearer {server['demo']['payroll_api_key']}",
        "Idempotency-Key": f"pay-{claim_id}",
    }
    paid = httpx.post(
        f"{base}/api/v1/payouts/{claim_id}/paid", headers=payroll, json={"reference": "SAL-2026-11"}
    )
    assert paid.status_code == 200 and paid.json()["status"] == "paid"
    page.goto(f"{base}/#/claims/{claim_id}")
    page.reload()  # the same address: load it afresh
    page.wait_for_selector(".status.paid")
    page.locator("#lang").click()  # English works too
    page.wait_for_selector("text=Paid")


def _per_diem_claim(base: str, purpose: str) -> str:
    alice = api_token(base, "alice")
    item = {"category": "travel", "amount": "480.00", "expense_date": time.strftime("%Y-%m-%d"),
            "no_invoice_kind": "per_diem", "no_invoice_reason": "出差补助"}  # fmt: skip
    claim = httpx.post(
        f"{base}/api/v1/claims", headers=alice, json={"purpose": purpose, "items": [item]}
    ).json()
    assert httpx.post(f"{base}/api/v1/claims/{claim['id']}/submit", headers=alice).status_code == 200
    return str(claim["id"])


def test_reject_and_return_then_resubmit(server: dict[str, Any], browser: Any) -> None:
    base = server["base"]
    rejected, returned = _per_diem_claim(base, "被驳回的出差"), _per_diem_claim(base, "待补充的出差")
    lead = phone(browser, base, "teamlead")
    for claim_id, button in ((rejected, "#reject"), (returned, "#return")):
        lead.goto(f"{base}/#/inbox/{claim_id}")
        lead.wait_for_selector(button)
        lead.fill("#comment", "请补充行程说明")
        lead.keyboard.press("Tab")
        lead.click(button)
        lead.wait_for_url("**/#/inbox")
    assert claim_status(base, rejected) == "rejected"
    assert claim_status(base, returned) == "returned"

    alice = phone(browser, base, "alice")
    alice.goto(f"{base}/#/claims/{returned}")
    alice.wait_for_selector("#resubmit")
    alice.fill("#purpose", "待补充的出差（已补充行程）")
    alice.click("#resubmit")
    alice.wait_for_selector(".status.submitted")
    assert claim_status(base, returned) == "submitted"
    alice.goto(f"{base}/#/claims/{rejected}")
    alice.wait_for_selector(".status.rejected")
    assert alice.locator("#resubmit").count() == 0


def test_transfer_to_a_colleague(server: dict[str, Any], browser: Any) -> None:
    base = server["base"]
    claim_id = _per_diem_claim(base, "转交给销售总监")
    lead = phone(browser, base, "teamlead")
    lead.goto(f"{base}/#/inbox/{claim_id}")
    lead.wait_for_selector("#transfer")
    lead.select_option("#who", label="周销售总监")
    lead.click("#transfer")
    lead.wait_for_url("**/#/inbox")
    head = phone(browser, base, "saleshead")
    head.goto(f"{base}/#/inbox")
    head.wait_for_selector(f"li[data-claim='{claim_id}']")
    head.keyboard.press("Tab")
    head.goto(f"{base}/#/inbox/{claim_id}")
    head.wait_for_selector("#approve")
    head.keyboard.press("a")  # the desktop shortcut
    head.wait_for_url("**/#/inbox")
    assert claim_status(base, claim_id) in ("approved", "submitted")  # the next node may follow
