"""WeCom end to end over HTTP both ways: the service under uvicorn, the fake WeCom on loopback.

Sign-in through OAuth (state bound to the browser, single-use codes, strangers refused), a
claim submitted, the approver's card on the fake, approve pressed in a signed and encrypted
callback, the cards closed, the submitter told the outcome; replays and stale clicks change
nothing; a directory delete event deactivates a member and their token stops working.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from reimburse.core.db import utcnow
from reimburse.identity.records import UserRecord
from reimburse.routing.records import AuditEntryRecord
from reimburse.workapps import jobs
from tests.allowance_items import per_diem
from tests.workapps.fake_wecom import FakeWeCom
from tests.workapps.harness import (
    DEMO_DEPARTMENTS,
    DEMO_MEMBERS,
    NAMES,
    browser_sign_in,
    running_service,
    wait_for,
)


def wecom_directory(fake: FakeWeCom) -> None:
    fake.departments = [
        {"id": i, "name": n, "parentid": p or 0, "department_leader": [f"wx_{h}"]}
        for i, n, p, h in DEMO_DEPARTMENTS
    ]
    fake.users = {
        f"wx_{u}": {"name": NAMES[u], "department": [d], "email": f"{u}@example.com", "status": 1}
        for u, d in DEMO_MEMBERS.items()
    }


@pytest.fixture()
def wecom(migrated_engine: Engine, database_url: str, tmp_path: Path) -> Iterator[dict[str, Any]]:
    fake = FakeWeCom().start()
    wecom_directory(fake)
    try:
        with running_service(migrated_engine, database_url, tmp_path, fake.settings()) as (base, settings):
            reports = jobs.directory_sync(settings)
            yield {
                "fake": fake,
                "base": base,
                "settings": settings,
                "engine": migrated_engine,
                "sync": reports,
            }
    finally:
        fake.stop()


def _submit(base: str, token: str) -> int:
    h = {"Authorization": f"Bearer {token}"}
    today = utcnow().date()
    item = per_diem("300.00", str(today - timedelta(days=1)))
    r = httpx.post(f"{base}/api/v1/claims", json={"purpose": "苏州客户拜访", "items": [item]}, headers=h)
    assert r.status_code in (200, 201), r.text
    claim_id = int(r.json()["id"])
    r = httpx.post(f"{base}/api/v1/claims/{claim_id}/submit", headers=h, timeout=30)
    assert r.status_code == 200, r.text
    return claim_id


def test_first_sync_links_the_demo_company_by_email(wecom: dict[str, Any]) -> None:
    (report,) = wecom["sync"]
    assert sorted(report.linked) == sorted(DEMO_MEMBERS)
    assert report.created == [] and report.local_only == [] and report.deactivated == []


def test_sign_in_approve_from_card_outcome_and_leave(wecom: dict[str, Any]) -> None:
    fake, base, settings = wecom["fake"], wecom["base"], wecom["settings"]
    callback = f"{base}/api/v1/workapps/wecom/callback"

    fake.signed_in = "wx_alice"
    status, session = browser_sign_in(base, "wecom")
    assert status == 303 and isinstance(session, dict)
    assert session["user"]["username"] == "alice"
    alice_token = session["token"]
    claim_id = _submit(base, alice_token)

    jobs.housekeeping(settings)  # the periodic job: notifications -> personal cards
    cards = fake.cards_for("wx_teamlead")
    assert len(cards) == 1, fake.sent
    code, card = cards[0]
    values = {x["keyname"]: x["value"] for x in card["card"]["horizontal_content_list"]}
    assert values["金额"] == "¥300.00" and values["环节"] and "报销单" in values
    assert card["card"]["card_action"]["url"] == f"{base}/claims/{claim_id}"
    # the card cannot ask for a reason, so reject opens the reject screen
    assert card["card"]["button_list"][1] == {
        "text": "驳回…",
        "style": 2,
        "type": 1,
        "url": f"{base}/inbox/{claim_id}",
    }

    r = fake.click(callback, "wx_teamlead", code, card["card"]["button_list"][0]["key"])
    assert r.status_code == 200 and r.text == "success"
    assert r.headers["x-reimburse-outcome"] == f"approved claim {claim_id}"
    wait_for(lambda: fake.cards[code]["final"])  # the card closed by update_template_card
    assert fake.cards[code]["final"].startswith("已同意")

    with Session(wecom["engine"]) as s:
        entry = s.scalars(
            select(AuditEntryRecord).where(
                AuditEntryRecord.claim_id == claim_id, AuditEntryRecord.action == "approve"
            )
        ).first()
        assert entry is not None and "[企业微信]" in entry.comment

    # the very same request again (a replay), and a fresh click on the closed card: nothing changes
    replayed = httpx.post(callback, params=fake.last_callback[0], content=fake.last_callback[1])
    assert replayed.status_code == 200
    assert replayed.headers["x-reimburse-outcome"] == "replayed callback: nothing changed"
    again = fake.click(callback, "wx_teamlead", code, card["card"]["button_list"][0]["key"])
    assert "closed" in again.headers["x-reimburse-outcome"]
    with Session(wecom["engine"]) as s:
        approvals = s.scalars(
            select(AuditEntryRecord).where(
                AuditEntryRecord.claim_id == claim_id, AuditEntryRecord.action == "approve"
            )
        ).all()
        assert len(approvals) == 1

    # approve every further step from its card until the claim is decided
    for _ in range(5):
        jobs.housekeeping(settings)
        open_cards = [(c, x) for c, x in fake.cards.items() if x["final"] is None]
        if not open_cards:
            break
        for c, x in open_cards:
            r = fake.click(callback, x["touser"], c, f"approve:{x['card']['task_id']}")
            assert r.status_code == 200
    claim = httpx.get(
        f"{base}/api/v1/claims/{claim_id}", headers={"Authorization": f"Bearer {alice_token}"}
    ).json()
    assert claim["status"] == "approved"
    jobs.housekeeping(settings)
    outcome = [m for m in fake.sent if m["touser"] == "wx_alice" and m["msgtype"] == "textcard"]
    assert any(m["textcard"]["title"] == "报销单已通过" for m in outcome), outcome
    assert all(m["textcard"]["url"] == f"{base}/claims/{claim_id}" for m in outcome)

    # alice leaves: the delete event deactivates her, her token stops working at once
    assert (
        httpx.get(f"{base}/api/v1/me", headers={"Authorization": f"Bearer {alice_token}"}).status_code == 200
    )
    r = fake.contact_event(callback, "delete_user", "wx_alice")
    assert r.status_code == 200
    assert (
        httpx.get(f"{base}/api/v1/me", headers={"Authorization": f"Bearer {alice_token}"}).status_code == 401
    )
    with Session(wecom["engine"]) as s:
        alice = s.scalars(select(UserRecord).where(UserRecord.username == "alice")).one()
        assert alice.active is False
    fake.signed_in = "wx_alice"
    status, page = browser_sign_in(base, "wecom")
    assert status == 403 and "deactivated" in str(page)


def test_sign_in_refusals(wecom: dict[str, Any]) -> None:
    fake, base = wecom["fake"], wecom["base"]
    # an outsider (WeCom answers an openid, no userid)
    fake.signed_in = None
    status, page = browser_sign_in(base, "wecom")
    assert status == 403 and "only members of the company" in str(page)
    # a member of the company that the directory here does not know
    fake.users["wx_stranger"] = {"name": "路人", "department": [1], "status": 1}
    fake.signed_in = "wx_stranger"
    status, page = browser_sign_in(base, "wecom", qr=True)
    assert (
        status == 403
        and "not in this service" in str(page)
        and "directory; ask an administrator" in str(page)
    )

    # a code and state that this browser did not start (login CSRF): refused
    fake.signed_in = "wx_alice"
    with httpx.Client() as attacker:
        start = attacker.get(f"{base}/api/v1/auth/wecom/login?qr=0")
        back = attacker.get(start.headers["location"]).headers["location"]
    with httpx.Client() as victim:
        victim.get(f"{base}/api/v1/auth/wecom/login?qr=0")  # the victim's own state cookie
        r = victim.get(back)
        assert r.status_code == 403 and "not started in this browser" in r.text
    # the same code twice in the same browser: the second is refused
    with httpx.Client() as browser:
        start = browser.get(f"{base}/api/v1/auth/wecom/login?qr=0")
        back = browser.get(start.headers["location"]).headers["location"]
        state_cookie = dict(browser.cookies)
        first = browser.get(back)
        assert first.status_code == 303
        browser.cookies.update(state_cookie)
        second = browser.get(back)
        assert second.status_code == 403 and "already used" in second.text


def test_callbacks_that_are_not_from_wecom_are_refused(wecom: dict[str, Any]) -> None:
    fake, base = wecom["fake"], wecom["base"]
    callback = f"{base}/api/v1/workapps/wecom/callback"
    query, body = fake.envelope("<xml><Event>change_contact</Event><ChangeType>delete_user</ChangeType>"
                                "<UserID>wx_bob</UserID></xml>")  # fmt: skip
    forged = {**query, "msg_signature": "0" * 40}
    r = httpx.post(callback, params=forged, content=body)
    assert r.status_code == 403 and r.json()["error"]["code"] == "callback_refused"
    with Session(wecom["engine"]) as s:
        assert s.scalars(select(UserRecord).where(UserRecord.username == "bob")).one().active
    # genuine but years old (a captured request replayed after its key was forgotten): refused
    old_query, old_body = fake.envelope(
        "<xml><Event>change_contact</Event><ChangeType>delete_user</ChangeType><UserID>wx_bob</UserID></xml>",
        timestamp="1409659589",
    )
    r = httpx.post(callback, params=old_query, content=old_body)
    assert r.status_code == 200
    assert r.headers["x-reimburse-outcome"] == "stale callback (timestamp out of range): nothing changed"
    with Session(wecom["engine"]) as s:
        assert s.scalars(select(UserRecord).where(UserRecord.username == "bob")).one().active
    # the URL check WeCom makes when the callback is saved: answer the decrypted echostr
    from reimburse.workapps import crypto
    from tests.workapps import fake_wecom

    echo = crypto.wx_encrypt(fake_wecom.AES_KEY, b"8472693519", fake_wecom.CORP_ID)
    q = {"timestamp": "1700000000", "nonce": "abc", "echostr": echo}
    q["msg_signature"] = crypto.sha1_signature(fake_wecom.TOKEN, q["timestamp"], q["nonce"], echo)
    r = httpx.get(callback, params=q)
    assert r.status_code == 200 and r.text == "8472693519"


def test_scheduled_sync_deactivates_a_disabled_member_and_reports_manual_edits(wecom: dict[str, Any]) -> None:
    fake, base, settings = wecom["fake"], wecom["base"], wecom["settings"]
    fake.signed_in = "wx_bob"
    _, session = browser_sign_in(base, "wecom")
    assert isinstance(session, dict)
    bob = {"Authorization": f"Bearer {session['token']}"}
    with Session(wecom["engine"]) as s:
        finrev = s.scalars(select(UserRecord).where(UserRecord.username == "finrev")).one()
        finrev.display_name = "赵财务（本地改名）"  # a manual edit the sync must not overwrite silently
        s.add(UserRecord(username="contractor", display_name="外包", roles=[]))
        s.commit()
    fake.users["wx_bob"]["status"] = 2  # disabled in WeCom
    fake.users["wx_finrev"]["name"] = "赵财务新名"
    (report,) = jobs.directory_sync(settings)
    assert report.deactivated == ["bob"]
    assert report.local_only == ["contractor"]
    assert report.kept_manual_edits == [
        {"user": "finrev", "field": "display_name", "local": "赵财务（本地改名）", "企业微信": "赵财务新名"}
    ]
    # bob's token fails once the API process's short credential cache lapses (default 5 s)
    wait_for(lambda: httpx.get(f"{base}/api/v1/me", headers=bob).status_code == 401, timeout=10)


def test_create_user_event_brings_the_new_member_in_with_a_sync(wecom: dict[str, Any]) -> None:
    fake, base = wecom["fake"], wecom["base"]
    fake.users["wx_carol"] = {"name": "王小红", "department": [4], "email": "carol@example.com", "status": 1}
    r = fake.contact_event(f"{base}/api/v1/workapps/wecom/callback", "create_user", "wx_carol")
    assert r.status_code == 200 and r.headers["x-reimburse-outcome"] == "directory changed: a sync follows"

    def carol() -> UserRecord | None:
        with Session(wecom["engine"]) as s:
            return s.scalars(select(UserRecord).where(UserRecord.email == "carol@example.com")).first()

    user = wait_for(carol)
    assert user.display_name == "王小红" and user.active
    fake.signed_in = "wx_carol"
    status, session = browser_sign_in(base, "wecom")
    assert status == 303 and isinstance(session, dict) and session["user"]["display_name"] == "王小红"


def test_reminder_reaches_the_approver_as_a_personal_message(wecom: dict[str, Any]) -> None:
    fake, base, settings = wecom["fake"], wecom["base"], wecom["settings"]
    fake.signed_in = "wx_alice"
    _, session = browser_sign_in(base, "wecom")
    assert isinstance(session, dict)
    claim_id = _submit(base, session["token"])
    r = httpx.post(
        f"{base}/api/v1/claims/{claim_id}/actions",
        json={"action": "remind", "comment": "客户明天要结账"},
        headers={"Authorization": f"Bearer {session['token']}"},
    )
    assert r.status_code == 200, r.text
    jobs.housekeeping(settings)
    texts = [m["textcard"] for m in fake.sent if m["touser"] == "wx_teamlead" and m["msgtype"] == "textcard"]
    assert [t["title"] for t in texts] == ["审批提醒"]
    assert "客户明天要结账" in texts[0]["description"] and "¥300.00" in texts[0]["description"]
    assert texts[0]["url"] == f"{base}/claims/{claim_id}"


def test_every_card_of_the_task_closes_when_one_holder_acts(wecom: dict[str, Any]) -> None:
    fake, base, settings = wecom["fake"], wecom["base"], wecom["settings"]
    callback = f"{base}/api/v1/workapps/wecom/callback"
    tokens = {}
    for who in ("teamlead", "alice"):
        fake.signed_in = f"wx_{who}"
        _, session = browser_sign_in(base, "wecom")
        assert isinstance(session, dict)
        tokens[who] = {"Authorization": f"Bearer {session['token']}"}
    people = {
        p["display_name"]: p["id"]
        for p in httpx.get(f"{base}/api/v1/people", headers=tokens["alice"]).json()["items"]
    }
    today = utcnow().date()
    r = httpx.post(
        f"{base}/api/v1/admin/delegations",
        headers=tokens["teamlead"],
        json={"user_id": people["吴组长"], "delegate_id": people["周销售总监"],
              "starts_on": str(today - timedelta(days=1)), "ends_on": str(today + timedelta(days=3))},
    )  # fmt: skip
    assert r.status_code == 201, r.text
    claim_id = _submit(base, tokens["alice"]["Authorization"].removeprefix("Bearer "))
    jobs.housekeeping(settings)
    lead_cards, delegate_cards = fake.cards_for("wx_teamlead"), fake.cards_for("wx_saleshead")
    assert len(lead_cards) == 1 and len(delegate_cards) == 1  # the holder and the delegate may act
    (delegate_code, delegate_card), (lead_code, _) = delegate_cards[0], lead_cards[0]
    r = fake.click(callback, "wx_saleshead", delegate_code, delegate_card["card"]["button_list"][0]["key"])
    assert r.headers["x-reimburse-outcome"] == f"approved claim {claim_id}"
    wait_for(lambda: fake.cards[lead_code]["final"] and fake.cards[delegate_code]["final"])
    assert fake.cards[lead_code]["final"] == fake.cards[delegate_code]["final"] == "已同意（周销售总监）"
    # the lead's closed card cannot act any more
    r = fake.click(callback, "wx_teamlead", lead_code, f"approve:{fake.cards[lead_code]['card']['task_id']}")
    assert r.headers["x-reimburse-outcome"].startswith("this card is closed")
